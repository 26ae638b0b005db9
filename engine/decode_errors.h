// Decode-stage refusals: the server stops reading an object at the first fields it cannot decode (an
// unknown field under strict validation, a value of the wrong type, a malformed quantity, a duplicate
// list entry) and never validates the rest. This turns such an answer into findings, each at its field,
// and names the fields to set aside so that a second submission without them finds the object's other
// defects in the same run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kube/api_status.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv::engine {

struct DecodeErrors {
  std::vector<Finding> findings;        // error findings, not located yet; messages in the user's terms
  std::vector<std::string> set_aside;   // field paths to leave out of a resubmission ("" entries never)
};

// The decode-stage errors in `st` (the Status of a refused request for `r`), or nullopt when the
// answer is not a decode-stage refusal: typed-patch errors (server-side apply), "strict decoding
// error" (create), "unable to convert unstructured object" (malformed quantities: their fields are found
// in the object, since the server names none).
std::optional<DecodeErrors> decode_errors(const Resource& r, const kube::ApiStatus& st);

// Whether `rule` is one of the findings decode_errors() makes (dry-run/wrong-type, unknown-field,
// invalid-quantity, ...): a field the server could not read as written.
bool is_decode_rule(const std::string& rule);

}  // namespace kv::engine
