// Keeps Secret values out of every output: collects the values of Secret data/stringData in the input
// and replaces them (as written, base64-decoded and base64-encoded) in any message.
#pragma once

#include <string>
#include <vector>

#include "resources/resource.h"

namespace kv {

class Redactor {
 public:
  // Remembers the values of every Secret among `resources`.
  void collect(const std::vector<Resource>& resources);
  void add_value(const std::string& value);
  // `text` with every whole occurrence of a remembered value (6 characters or more) replaced by
  // "[REDACTED]": not inside a longer word, and never a segment of a field path or a map key
  // ("spec.storageos.secretName" keeps its path whatever the Secret holds). For messages about a Secret
  // itself (`about_secret`), quoted values after "Invalid value:" are removed too, however short.
  std::string apply(std::string text, bool about_secret = false) const;
  bool empty() const { return values_.empty(); }

 private:
  std::vector<std::string> values_;  // longest first, so a value is not half-replaced by its prefix
};

}  // namespace kv
