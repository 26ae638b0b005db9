// CRDs kept on an owned plane between runs. Creating a CustomResourceDefinition is the slowest thing a
// run does (a large schema takes the API server seconds to accept, to serve and to delete), and the same
// CRDs come back run after run (a chart's, every values file of its matrix). So a CRD a run created for
// real, that the server accepted with no finding and served, is not deleted at the end of the batch: it
// goes into the plane's pool (one file per CRD in the state dir, named after it, with its uid and the
// digest of its text). A later batch whose input holds the same CRD with the same text adopts it instead
// of creating it (its verdict is the one the server gave that text: valid, no finding); a batch with
// another text of it, or with a new CRD in its API group, evicts it first (deleted, awaited), so that what
// the server judges is always a create on the baseline. Pooled CRDs stay labelled kvalidate.io/run, so
// every batch that does not adopt one does not see its kinds (engine/plane_objects.h: hidden_crd_names),
// which is what keeps a run's verdicts those of the baseline plus its own input. Turns on pooled CRDs go
// through the object locks like any CRD a run uses. The pool is bounded (count and bytes of text, least
// recently used out first). See docs/control-plane.md ("CRD pool").
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/status.h"
#include "engine/plane_objects.h"
#include "engine/pool_folder.h"

namespace kv::engine {

struct PooledCrd {
  std::string name;     // metadata.name ("widgets.example.com")
  std::string uid;      // of the object on the plane when it was pooled: another plane's is another
  std::string digest;   // content_digest() of the CRD's text (the object lock's digest too)
  std::string spec_digest;  // spec_digest() of it: what its custom resources are judged by
  std::vector<std::string> clean_variants;  // digests of texts with the same spec that a dry-run over this
                                            // object found clean: adopted without asking again
  std::string path;     // its API path
  size_t bytes = 0;     // size of its text
  long long used = 0;   // when a run last created or adopted it (unix seconds)

  // True when a text with content_digest `d` is this CRD's own or one of its clean variants.
  bool adopts_text(const std::string& d) const {
    return d == digest || std::find(clean_variants.begin(), clean_variants.end(), d) != clean_variants.end();
  }
};

struct PoolLimits {
  size_t max_count = 200;
  size_t max_bytes = 48u << 20;
};

// The pool of the plane whose state dir is `state_dir` (files under state_dir/crd-pool, 0600).
class CrdPool : public PoolFolder<PooledCrd> {
 public:
  explicit CrdPool(const std::string& state_dir);
};

// Of `pooled`, those to evict so that what stays is within `limits`: least recently used first.
std::vector<PooledCrd> over_limits(std::vector<PooledCrd> pooled, const PoolLimits& limits);

// One CRD of a batch's input: its name and content_digest().
struct InputCrd {
  std::string name, digest, spec_digest;  // spec_digest "" when not needed: no pooled entry, or one with this text
};

// What a batch does with the pool, for its input CRDs `input` (after taking its turns on them), the
// `pooled` entries and what the plane holds (`on_plane`, labelled_crds()). An entry is live when the
// plane holds its CRD with its uid and not being deleted; stale ones are only forgotten.
struct PoolChoice {
  std::vector<size_t> adopt;        // indices into `input`: the live entry has the same text
  std::vector<size_t> same_spec;    // indices into `input`: the live entry has the same spec, other metadata
                                    // (adopted when a dry-run of the input's text over it is clean)
  std::vector<PooledCrd> evict;     // live entries to delete first: a CRD of the input with the same name
                                    // and another text, or in the API group of one the input creates
  std::vector<std::string> stale;   // entries whose CRD the plane no longer holds
};
// `refused`: indices of `same_spec` whose dry-run was not clean (created instead; their entries evicted).
PoolChoice choose_pooled(const std::vector<InputCrd>& input, const std::vector<PooledCrd>& pooled,
                         const std::map<std::string, LabelledCrd>& on_plane, const std::set<size_t>& refused = {});

// A digest of what a CRD's custom resources are judged by: its name and spec (not its labels and
// annotations, which a values file may change without changing the schema).
std::string spec_digest(const std::string& name, const YAML::Node& crd);
// spec_digest() of the CRD whose text is `body` (its tree from `tree()`), remembered for the process: a
// values matrix meets the same CRD text in every batch.
std::string spec_digest_of(const std::string& name, const std::string& body, const std::function<YAML::Node()>& tree);

// The API group of a CRD named `name` (what follows its first dot).
std::string crd_group(const std::string& name);

// The JSON of a pool entry, and back (nullopt when it is not one).
std::string pooled_json(const PooledCrd& crd);
std::optional<PooledCrd> parse_pooled(const std::string& text);

}  // namespace kv::engine
