// Parsing of HTTP Warning headers as the API server sends them (RFC 7234 form, code 299):
//   Warning: 299 - "unknown field \"spec.foo\""
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kv::kube {

// Returns the decoded warn-text of one Warning header value, or nullopt when it is not of that form.
std::optional<std::string> parse_warning_header(std::string_view value);

}  // namespace kv::kube
