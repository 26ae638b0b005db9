// The server-side dry-run engine: judges every object with the real API server.
// Order on an owned plane: CRDs in the input are applied for real and awaited (Established), then
// Namespaces in the input and namespaces referenced but not defined are created for real (labelled
// kvalidate.io/managed=true); then every object is submitted as a server-side apply with dryRun=All
// and fieldValidation=Strict (dry-run POST for generateName-only objects), many in flight over HTTP/2.
// On an external cluster nothing is created: an object whose namespace or CRD is missing is skipped.
#pragma once

#include <functional>
#include <utility>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/client.h"
#include "resources/resource.h"
#include "validators/result.h"

namespace kv {

struct DryRunOptions {
  std::string default_namespace = "default";  // for namespaced objects without metadata.namespace
  bool namespace_forced = false;              // -n given: overrides differing metadata.namespace? (no: error)
  int jobs = 16;
  bool warnings_as_errors = false;
  bool owned_plane = false;                   // may create CRDs and namespaces for real
  std::string suite;                          // copied into each result ("" → source file)
  std::string field_manager = "kvalidate";
  std::string discovery_cache_dir;            // "" = no disk cache
  // Maps a field path of a resource to (line, column) in its source file; (0, 0) when unknown.
  // The manifests command passes resources/locate; the chart command a template-aware locator.
  std::function<std::pair<int, int>(const Resource&, const std::string& field_path)> locate;
};

struct DryRunOutcome {
  std::vector<ObjectResult> results;  // one per input resource, in input order
  Status fatal;                       // not ok when the plane was lost mid-run (exit 3); results hold what
                                      // was validated, the rest are ObjectStatus::kError
  std::string server_version;         // gitVersion from /version
  std::vector<std::string> created_namespaces;  // created for real on an owned plane
};

// Validates `resources`. Never throws. `on_result` (optional) sees each result as it completes.
DryRunOutcome dry_run(kube::Client& client, const std::vector<Resource>& resources, const DryRunOptions& opts,
                      const std::function<void(const ObjectResult&)>& on_result = {});

}  // namespace kv
