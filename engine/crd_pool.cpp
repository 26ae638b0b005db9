#include "engine/crd_pool.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "core/json.h"
#include "core/yaml_util.h"
#include "engine/run_scope.h"
#include "resources/flow_yaml.h"

namespace kv::engine {

namespace {

// A CRD's name is a DNS subdomain: anything else never names a pool file.
bool file_safe(const std::string& name) {
  if (name.empty() || name.size() > 253 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

std::string crd_group(const std::string& name) {
  auto dot = name.find('.');
  return dot == std::string::npos ? "" : name.substr(dot + 1);
}

std::string pooled_json(const PooledCrd& crd) {
  JsonWriter w(false);
  w.begin_object().key("name").value(crd.name).key("uid").value(crd.uid).key("digest").value(crd.digest);
  w.key("spec_digest").value(crd.spec_digest);
  w.key("clean_variants").begin_array();
  for (const auto& d : crd.clean_variants) w.value(d);
  w.end_array();
  w.key("path").value(crd.path).key("bytes").value(static_cast<int64_t>(crd.bytes));
  w.key("used").value(static_cast<int64_t>(crd.used)).end_object();
  return w.str();
}

std::optional<PooledCrd> parse_pooled(const std::string& text) {
  auto doc = parse_json(text, "CRD pool entry");
  if (!doc.ok() || !doc->IsMap()) return std::nullopt;
  PooledCrd c;
  c.name = scalar_at(*doc, "name");
  c.uid = scalar_at(*doc, "uid");
  c.digest = scalar_at(*doc, "digest");
  c.spec_digest = scalar_at(*doc, "spec_digest");
  c.clean_variants = strings_of((*doc)["clean_variants"]);
  c.path = scalar_at(*doc, "path");
  try {
    c.bytes = static_cast<size_t>(std::stoull(scalar_at(*doc, "bytes")));
    c.used = std::stoll(scalar_at(*doc, "used"));
  } catch (...) {
    return std::nullopt;
  }
  if (!file_safe(c.name) || c.uid.empty() || c.digest.empty() || c.path.rfind("/apis/", 0) != 0) return std::nullopt;
  return c;
}

CrdPool::CrdPool(const std::string& state_dir)
    : PoolFolder(state_dir + "/crd-pool", {pooled_json, parse_pooled, file_safe}) {}

std::string spec_digest(const std::string& name, const YAML::Node& crd) {
  const YAML::Node spec = crd.IsMap() ? crd["spec"] : YAML::Node();
  return content_digest(name + "\n" + (spec ? to_flow_yaml(spec) : std::string()));
}

std::string spec_digest_of(const std::string& name, const std::string& body, const std::function<YAML::Node()>& tree) {
  static std::mutex mu;
  static std::map<std::string, std::string> seen;  // content_digest(name + body) → spec digest
  const std::string key = content_digest(name + "\n" + body);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = seen.find(key); it != seen.end()) return it->second;
  }
  std::string digest = spec_digest(name, tree());
  std::lock_guard<std::mutex> lock(mu);
  return seen.emplace(key, digest).first->second;
}

PoolChoice choose_pooled(const std::vector<InputCrd>& input, const std::vector<PooledCrd>& pooled,
                         const std::map<std::string, LabelledCrd>& on_plane, const std::set<size_t>& refused) {
  PoolChoice out;
  std::map<std::string, const PooledCrd*> live;
  for (const auto& p : pooled) {
    auto it = on_plane.find(p.name);
    if (it != on_plane.end() && it->second.uid == p.uid && !it->second.terminating) live[p.name] = &p;
    else if (it == on_plane.end() || it->second.uid != p.uid) out.stale.push_back(p.name);
  }
  std::set<std::string> adopted, created_names, created_groups;
  for (size_t k = 0; k < input.size(); ++k) {
    auto it = live.find(input[k].name);
    if (it != live.end() && it->second->adopts_text(input[k].digest)) {
      out.adopt.push_back(k);
      adopted.insert(input[k].name);
    } else if (it != live.end() && !it->second->spec_digest.empty() &&
               it->second->spec_digest == input[k].spec_digest && !refused.count(k)) {
      out.same_spec.push_back(k);
      adopted.insert(input[k].name);
    } else {
      created_names.insert(input[k].name);
      created_groups.insert(crd_group(input[k].name));
    }
  }
  for (const auto& [name, p] : live)
    if (!adopted.count(name) && (created_names.count(name) || created_groups.count(crd_group(name))))
      out.evict.push_back(*p);
  return out;
}

std::vector<PooledCrd> over_limits(std::vector<PooledCrd> pooled, const PoolLimits& limits) {
  std::sort(pooled.begin(), pooled.end(),
            [](const PooledCrd& a, const PooledCrd& b) { return std::tie(b.used, a.name) < std::tie(a.used, b.name); });
  std::vector<PooledCrd> out;
  size_t count = 0, bytes = 0;
  bool full = false;
  for (auto& c : pooled) {  // newest first: kept until the first that does not fit, then all older go
    full = full || count + 1 > limits.max_count || bytes + c.bytes > limits.max_bytes;
    if (full) {
      out.push_back(std::move(c));
      continue;
    }
    ++count;
    bytes += c.bytes;
  }
  return out;
}

}  // namespace kv::engine
