// UTF-8 well-formedness, one rule for all of kvalidate (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF): the loader refuses what it rejects, and every output replaces it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kv {

// Length (1-4) of the well-formed UTF-8 sequence starting at s[i], or 0 when it is ill-formed
// (including one cut short by the end of `s`). `i` must be < s.size().
size_t utf8_sequence(std::string_view s, size_t i);

// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

}  // namespace kv
