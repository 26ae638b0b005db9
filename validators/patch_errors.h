// Server-side apply reports schema errors of the patch itself (unknown fields under Strict validation,
// wrong types) not as Status causes but inside one message:
//   failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.replicas: expected
//   numeric (int or float), got string
// possibly as "errors:" followed by one error per line. This splits them into (field path, message).
#pragma once

#include <string>
#include <vector>

namespace kv {

struct PatchError {
  std::string path;     // Kubernetes field path: "spec.template.spec.containers[name=app].image"
  std::string message;  // "field not declared in schema"
  std::string rule;     // "dry-run/unknown-field", "dry-run/wrong-type" or "dry-run/invalid-patch"
};

// Empty when `message` is not a typed-patch error.
std::vector<PatchError> parse_patch_errors(const std::string& message);

}  // namespace kv
