// --skip-kind and --reject-kind: which objects a run leaves unchecked or refuses by their kind, named as a
// Kind ("Secret") or as apiVersion/Kind ("v1/Secret", "networking.k8s.io/v1/Ingress").
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv {

struct KindFilter {
  std::vector<std::string> skip;    // objects of these kinds are reported `skipped` and not sent
  std::vector<std::string> reject;  // objects of these kinds are `invalid` (rule kind/rejected)
  bool empty() const { return skip.empty() && reject.empty(); }
};

// Splits comma-separated flag values ("Secret,v1/ConfigMap") into entries and checks each: a Kind, or
// apiVersion/Kind whose Kind starts with an upper-case letter. Usage error (exit 2) naming the bad entry.
Result<KindFilter> parse_kind_filter(const std::vector<std::string>& skip, const std::vector<std::string>& reject);

// The entry of `list` that names `r`'s kind ("" when none).
std::string kind_entry_matching(const Resource& r, const std::vector<std::string>& list);

// Moves the objects `filter` names out of `resources` (the rest keep their order) and returns their
// results: `skipped` ("not validated: --skip-kind Secret") or `invalid` with rule kind/rejected at the
// kind line. `suite` "" = each object's file.
std::vector<ObjectResult> take_filtered_kinds(std::vector<Resource>& resources, const KindFilter& filter,
                                              const std::string& suite);

}  // namespace kv
