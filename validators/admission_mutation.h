// What mutating admission (a MutatingAdmissionPolicy) would change in an object: the server's dry-run
// answer with the policies in place compared with its answer for the same object without them, so that
// the server's own defaults (present in both) are not mistaken for the policy's work.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kv {

struct FieldChange {
  std::string path;    // field path as the API server writes it: "metadata.labels[team]", "spec.containers[0].image"
  std::string before;  // the value without the policies, as compact JSON; "" when the field was absent
  std::string after;   // the value with them; "" when the policies removed the field
};

// The differences between `without` and `with` (both whole objects as the server answered), leaf by
// leaf; lists of different lengths count as one change of the whole list. Fields the server sets on
// every answer (uid, creationTimestamp, resourceVersion, generation, managedFields) are ignored.
std::vector<FieldChange> mutation_changes(const YAML::Node& without, const YAML::Node& with);

// One line for a finding: "would set metadata.labels[team]=\"platform\"; would change spec.replicas from
// 3 to 2; would remove spec.paused". At most `max` changes, then "and N more".
std::string describe_changes(const std::vector<FieldChange>& changes, size_t max = 8);

}  // namespace kv
