// Verdicts kept between runs. A dry-run verdict is a function of the object's text, the path it is sent
// to (its namespace) and the world it meets: the server (version, kvalidate's plane or another cluster),
// kvalidate's version and the flags that change a verdict, the batch's own CRDs, namespaces and admission
// policies (applied for real before the object), and the plane's baseline (its namespaces with their
// labels, the CRDs and admission policies it holds). batch_world() digests that world once per batch;
// object_key() adds the object. A verdict found under its key is served without asking the server
// (`cached: true` in the results); the others are asked and kept. Kept: the status and the findings as the
// server's answers gave them (before they are placed at a line: a moved object gets its new lines), for
// objects judged valid or invalid (never an error, a skip or a run that lost its plane).
// Folder: ${XDG_CACHE_HOME:-~/.cache}/kvalidate/results (0700), one file per key (0600), at most 20,000
// kept, the least recently used pruned first. Used on kvalidate's own plane; on an existing cluster only with --cache (its admission
// webhooks and objects change behind kvalidate's back); --no-cache turns it off.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/result.h"

namespace kv::engine {

struct CachedVerdict {
  ObjectStatus status = ObjectStatus::kValid;
  std::vector<Finding> findings;  // as judged, not yet placed (file/line/column as the answer left them)
};

std::string verdict_json(const CachedVerdict& v);
std::optional<CachedVerdict> parse_verdict(const std::string& text);

class ResultCache {
 public:
  explicit ResultCache(std::string dir) : dir_(std::move(dir)) {}
  // The folder under kvalidate's cache dir.
  static ResultCache Default();
  std::optional<CachedVerdict> get(const std::string& key) const;
  void put(const std::string& key, const CachedVerdict& v) const;  // a failure only loses the entry
  // Beyond `max_entries` entries, removes the least recently used (down to nine tenths of it).
  void prune(size_t max_entries = 20000) const;
  const std::string& dir() const { return dir_; }
  // How many entries put() wrote so far (a run that wrote none has nothing to prune).
  size_t written() const { return written_; }

 private:
  std::string dir_;
  mutable size_t written_ = 0;
};

// What a batch's verdicts depend on besides each object (see above), as named parts; the digest of all.
struct WorldParts {
  std::string server;                    // server version, plane kind, cluster identity
  std::string settings;                  // kvalidate's version and the verdict-changing flags
  std::vector<std::string> own_objects;  // texts of the batch's CRDs, namespaces, policies, params, bindings
  std::vector<std::string> baseline;     // "namespace/NAME labels", "crd/NAME rv", "policy/NAME rv", ...
};
std::string batch_world(WorldParts parts);

// The key of one object: the batch's world, the API path it is sent to, its text.
std::string object_key(const std::string& world, const std::string& path, const std::string& body);

}  // namespace kv::engine
