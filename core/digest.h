// SHA-256 digests as lower-case hex, for stable identifiers (SARIF fingerprints, cache keys).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kv {

// The hex SHA-256 of `data`, its first `bytes` bytes (at most 32) as 2 * bytes hex digits.
std::string hex_sha256(std::string_view data, size_t bytes = 32);

}  // namespace kv
