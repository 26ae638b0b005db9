// The API server's error body (a metav1.Status): reason, message and field-level causes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kv::kube {

struct StatusCause {
  std::string reason;   // "FieldValueInvalid", "FieldValueRequired", "FieldValueNotSupported", ...
  std::string message;  // "Invalid value: \"x\": must be ..."
  std::string field;    // "spec.template.spec.containers[0].image"
};

struct ApiStatus {
  long code = 0;
  std::string reason;   // "Invalid", "BadRequest", "NotFound", "Forbidden", ...
  std::string message;      // one line
  std::string raw_message;  // as sent (may span lines)
  std::vector<StatusCause> causes;
};

// Parses a Status body; for a body that is not a Status (HTML from a proxy, empty), returns an
// ApiStatus whose message is the HTTP code and the start of the body (one line, bounded).
ApiStatus parse_api_status(std::string_view body, long http_code);

}  // namespace kv::kube
