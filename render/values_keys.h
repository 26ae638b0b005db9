// Duplicate keys in the values files helm reads. helm reads a values file as YAML and keeps the last value
// of a key written twice, without a word (helm lint says nothing either): the first value, and whoever wrote
// it, are silently overruled. Reported as defects of the file, at the second key.
#pragma once

#include <string>
#include <vector>

#include "resources/result.h"

namespace kv::render {

struct ValuesFileRef {
  std::string path;     // to read
  std::string display;  // as the user opens it (a chart archive's file: the archive's path + "/values.yaml")
};

// One result (kind kInput, status invalid, title "values") per file with duplicate keys, one error
// finding "values/duplicate-key" per key written again, at its line and column; a file that cannot be read
// or parsed is left to helm, which reports it. Keys are compared as helm reads them (YAML 1.1: `on:` and
// `yes:` are one key).
std::vector<ObjectResult> values_duplicate_keys(const std::vector<ValuesFileRef>& files, const std::string& suite);

}  // namespace kv::render
