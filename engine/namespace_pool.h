// Namespaces kept on an owned plane between batches and runs. A run removes the namespaces it made, and
// the API server remembers each deleted name for 30 seconds: until then NamespaceLifecycle admission
// reads that namespace live from storage for every request into it (its informer is not trusted for a
// name deleted so recently). A run that comes within 30 s of the last one (the next values file of a chart
// matrix, a rerun, a pre-commit hook) then costs the server about twice as much per object. So a namespace
// a run made for real, that the server accepted with no finding and nothing the run created is left in,
// is not deleted at the end of the batch: it goes into the plane's namespace pool (one file per namespace
// in the state dir, with the digest of the text it was made from and the run that made it). A later batch
// that would make the same namespace from the same text adopts it (nothing sent; the verdict of an input
// Namespace is the one the server gave that text: valid, no finding); one that would make it from another
// text, or that changes namespaces' labels (Pod Security levels, admission policies), evicts it first
// (deleted, finalized, awaited) and makes its own. Pooled namespaces stay labelled kvalidate.io/run with
// the run that made them, so no run that does not adopt one counts it as the plane's own. Turns on them go
// through the object locks like any namespace a run uses. See docs/control-plane.md ("Namespace pool").
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/plane_objects.h"
#include "engine/pool_folder.h"

namespace kv::engine {

// At most this many namespaces stay pooled (an empty namespace costs the plane next to nothing).
inline constexpr size_t kMaxPooledNamespaces = 100;

// The digest of a namespace kvalidate makes for objects whose input has no Namespace of that name.
inline constexpr const char* kMadeNamespaceDigest = "auto";

struct PooledNamespace {
  std::string name;    // metadata.name
  std::string digest;  // content_digest() of the Namespace's text, or kMadeNamespaceDigest
  std::string run;     // the id of the run that made it (its kvalidate.io/run label): another is another one
  long long used = 0;  // when a run last made or adopted it (unix seconds)
};

// The pool of the plane whose state dir is `state_dir` (files under state_dir/namespace-pool, 0600).
class NamespacePool : public PoolFolder<PooledNamespace> {
 public:
  explicit NamespacePool(const std::string& state_dir);
};

// What a batch does with the pool, for the namespaces it would make (`needed`: name → digest), after
// taking its turns on them. An entry is live when the plane holds its namespace, made by its run and not
// being deleted; stale ones are only forgotten. With `adopt` false (the batch changes namespaces' labels)
// every live entry it needs is evicted.
struct NamespaceChoice {
  std::set<std::string> adopt;           // live entries with the same digest: not made again
  std::vector<PooledNamespace> evict;    // live entries with another digest: deleted first
  std::vector<std::string> stale;        // entries whose namespace the plane no longer holds as pooled
};
NamespaceChoice choose_namespaces(const std::map<std::string, std::string>& needed,
                                  const std::vector<PooledNamespace>& pooled,
                                  const std::map<std::string, NamespaceOnPlane>& on_plane, bool adopt);

// Of `pooled`, those to evict so that at most `max_count` stay: least recently used first.
std::vector<PooledNamespace> namespaces_over_limit(std::vector<PooledNamespace> pooled, size_t max_count);

// The JSON of a pool entry, and back (nullopt when it is not one).
std::string pooled_namespace_json(const PooledNamespace& ns);
std::optional<PooledNamespace> parse_pooled_namespace(const std::string& text);

}  // namespace kv::engine
