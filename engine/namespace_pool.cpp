#include "engine/namespace_pool.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "core/json.h"
#include "core/yaml_util.h"

namespace kv::engine {

namespace {

// A namespace's name is a DNS label: anything else never names a pool file.
bool file_safe(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

std::string pooled_namespace_json(const PooledNamespace& ns) {
  JsonWriter w(false);
  w.begin_object().key("name").value(ns.name).key("digest").value(ns.digest).key("run").value(ns.run);
  w.key("used").value(static_cast<int64_t>(ns.used)).end_object();
  return w.str();
}

std::optional<PooledNamespace> parse_pooled_namespace(const std::string& text) {
  auto doc = parse_json(text, "namespace pool entry");
  if (!doc.ok() || !doc->IsMap()) return std::nullopt;
  PooledNamespace ns;
  ns.name = scalar_at(*doc, "name");
  ns.digest = scalar_at(*doc, "digest");
  ns.run = scalar_at(*doc, "run");
  const std::string used = scalar_at(*doc, "used");
  auto [end, ec] = std::from_chars(used.data(), used.data() + used.size(), ns.used);
  if (ec != std::errc() || end != used.data() + used.size() || used.empty()) return std::nullopt;
  if (!file_safe(ns.name) || ns.digest.empty() || ns.run.empty()) return std::nullopt;
  return ns;
}

NamespacePool::NamespacePool(const std::string& state_dir)
    : PoolFolder(state_dir + "/namespace-pool", {pooled_namespace_json, parse_pooled_namespace, file_safe}) {}

NamespaceChoice choose_namespaces(const std::map<std::string, std::string>& needed,
                                  const std::vector<PooledNamespace>& pooled,
                                  const std::map<std::string, NamespaceOnPlane>& on_plane, bool adopt) {
  NamespaceChoice out;
  for (const auto& p : pooled) {
    auto it = on_plane.find(p.name);
    bool live = it != on_plane.end() && it->second.run == p.run && !it->second.terminating;
    if (!live) {
      out.stale.push_back(p.name);
      continue;
    }
    auto want = needed.find(p.name);
    if (want == needed.end()) continue;
    if (adopt && want->second == p.digest) out.adopt.insert(p.name);
    else out.evict.push_back(p);
  }
  return out;
}

std::vector<PooledNamespace> namespaces_over_limit(std::vector<PooledNamespace> pooled, size_t max_count) {
  std::sort(pooled.begin(), pooled.end(), [](const PooledNamespace& a, const PooledNamespace& b) {
    return std::tie(b.used, a.name) < std::tie(a.used, b.name);  // newest first
  });
  if (pooled.size() <= max_count) return {};
  return std::vector<PooledNamespace>(pooled.begin() + static_cast<long>(max_count), pooled.end());
}

}  // namespace kv::engine
