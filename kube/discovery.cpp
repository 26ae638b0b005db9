#include "kube/discovery.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>

#include "core/json.h"
#include "core/yaml_util.h"
#include "kube/api_status.h"
#include "kube/credentials.h"

namespace kv::kube {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAggregatedAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";


std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
  return h;
}

Result<YAML::Node> get_json(Client& client, const std::string& path, const char* accept = "application/json") {
  Request req;
  req.path = path;
  req.accept = accept;
  Response r = client.send(req);
  std::string url = client.cluster().server + path;
  if (!r.transport_ok()) return Status::Unavailable(fmt::format("{}: {}", url, r.transport_error));
  if (r.status == 401) return credentials_rejected(client.cluster());
  if (r.status == 403) return credentials_forbidden(client.cluster(), url, parse_api_status(r.body, r.status).message);
  if (r.status != 200) return Status::Unavailable(fmt::format("{}: HTTP {}", url, r.status));
  auto doc = parse_json(r.body, url);
  if (!doc.ok() || !doc->IsMap()) {
    std::string start = r.body.substr(0, 40);
    for (char& c : start)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return Status::Unavailable(fmt::format("{}: the answer is not a JSON object (it starts \"{}\"{}); is this a "
                                           "Kubernetes API server?",
                                           url, start, r.body.size() > 40 ? "..." : ""));
  }
  return doc;
}

// Aggregated discovery (apidiscovery.k8s.io/v2): one document per /api and /apis.
bool parse_aggregated(const YAML::Node& doc, Discovery& d) {
  if (scalar_at(doc, "kind") != "APIGroupDiscoveryList") return false;
  for (const auto& group : doc["items"]) {
    std::string gname = scalar_at(group["metadata"], "name");
    bool first = true;
    for (const auto& ver : group["versions"]) {
      std::string v = scalar_at(ver, "version");
      if (first) d.preferred_.push_back(gname.empty() ? v : gname + "/" + v);
      first = false;
      for (const auto& res : ver["resources"]) {
        ApiResource r;
        r.group = gname;
        r.version = v;
        r.resource = scalar_at(res, "resource");
        r.kind = scalar_at(res["responseKind"], "kind");
        r.namespaced = scalar_at(res, "scope") == "Namespaced";
        r.verbs = strings_of(res["verbs"]);
        r.short_names = strings_of(res["shortNames"]);
        for (const auto& sub : res["subresources"]) r.subresources.push_back(scalar_at(sub, "subresource"));
        if (!r.kind.empty()) d.resources_.push_back(std::move(r));
      }
    }
  }
  return true;
}

void add_resource_list(const YAML::Node& list, const std::string& group, const std::string& version, Discovery& d) {
  std::map<std::string, size_t> index;
  for (const auto& res : list["resources"]) {
    std::string name = scalar_at(res, "name");
    auto slash = name.find('/');
    if (slash != std::string::npos) {
      auto it = index.find(name.substr(0, slash));
      if (it != index.end()) d.resources_[it->second].subresources.push_back(name.substr(slash + 1));
      continue;
    }
    ApiResource r;
    r.group = group;
    r.version = version;
    r.resource = name;
    r.kind = scalar_at(res, "kind");
    r.namespaced = scalar_at(res, "namespaced") == "true";
    r.verbs = strings_of(res["verbs"]);
    r.short_names = strings_of(res["shortNames"]);
    index[name] = d.resources_.size();
    d.resources_.push_back(std::move(r));
  }
}

Status fetch_classic(Client& client, Discovery& d) {
  auto core = get_json(client, "/api/v1");
  if (!core.ok()) return core.status();
  d.preferred_.push_back("v1");
  add_resource_list(*core, "", "v1", d);
  auto groups = get_json(client, "/apis");
  if (!groups.ok()) return groups.status();
  for (const auto& g : (*groups)["groups"]) {
    std::string name = scalar_at(g, "name");
    std::string preferred = scalar_at(g["preferredVersion"], "groupVersion");
    if (!preferred.empty()) d.preferred_.push_back(preferred);
    for (const auto& v : g["versions"]) {
      auto list = get_json(client, "/apis/" + scalar_at(v, "groupVersion"));
      if (!list.ok()) continue;  // an unavailable aggregated API must not break discovery
      add_resource_list(*list, name, scalar_at(v, "version"), d);
    }
  }
  return Status::Ok();
}

std::string serialize(const Discovery& d) {
  std::string out = "V\t" + d.server_version_ + "\n";
  for (const auto& p : d.preferred_) out += "P\t" + p + "\n";
  for (const auto& r : d.resources_)
    out += fmt::format("R\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", r.group.empty() ? "-" : r.group, r.version, r.kind,
                       r.resource, r.namespaced ? 1 : 0, join(r.verbs), join(r.subresources), join(r.short_names));
  return out;
}

bool deserialize(const std::string& text, Discovery& d) {
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string part; std::getline(ls, part, '\t');) f.push_back(part);
    while (f.size() < 9 && !f.empty() && f[0] == "R") f.emplace_back();
    if (f.empty()) continue;
    if (f[0] == "V" && f.size() >= 2) d.server_version_ = f[1];
    else if (f[0] == "P" && f.size() >= 2) d.preferred_.push_back(f[1]);
    else if (f[0] == "R" && f.size() >= 9) {
      ApiResource r{f[1] == "-" ? "" : f[1], f[2], f[3], f[4], f[5] == "1", split(f[6], ','), split(f[7], ','),
                    split(f[8], ',')};
      d.resources_.push_back(std::move(r));
    } else {
      return false;
    }
  }
  return !d.resources_.empty();
}

// Writes the cache file 0600 in 0700 folders through a rename; failures only lose the cache.
void write_private(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  ::chmod(file.parent_path().parent_path().c_str(), 0700);
  ::chmod(file.parent_path().c_str(), 0700);
  std::string tmp = file.string() + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
}

}  // namespace

std::string discovery_cache_name(const std::string& server, const std::string& server_version,
                                 const std::string& identity) {
  return fmt::format("{:016x}-{}.tsv", fnv1a(server + "|" + server_version), identity.substr(0, 32));
}

Result<Discovery> Discovery::Load(Client& client, const std::string& cache_dir, bool refresh) {
  // A server whose answers are JSON but not of the expected shape must read as a bad server, not crash.
  try {
    return load(client, cache_dir, refresh);
  } catch (const YAML::Exception& e) {
    return Status::Unavailable(fmt::format("{}: unexpected discovery answer ({})", client.cluster().server, e.msg));
  }
}

Result<Discovery> Discovery::load(Client& client, const std::string& cache_dir, bool refresh) {
  Discovery d;
  auto version = get_json(client, "/version");
  if (!version.ok()) return version.status();
  d.server_version_ = scalar_at(*version, "gitVersion");
  fs::path cache_file;
  if (!cache_dir.empty()) {
    // Keyed by who asks too: another user's discovery (or a 403 cached as empty) must not be reused.
    cache_file = fs::path(cache_dir) / "discovery" /
                 discovery_cache_name(client.cluster().server, d.server_version_, identity_key(client.cluster()));
    if (!refresh) {
      std::ifstream f(cache_file);
      if (f) {
        std::stringstream ss;
        ss << f.rdbuf();
        Discovery cached;
        if (deserialize(ss.str(), cached) && cached.server_version_ == d.server_version_) return cached;
      }
    }
  }
  auto core = get_json(client, "/api", kAggregatedAccept);
  auto apis = core.ok() ? get_json(client, "/apis", kAggregatedAccept) : core;
  bool aggregated = core.ok() && apis.ok() && parse_aggregated(*core, d) && parse_aggregated(*apis, d);
  if (!aggregated) {
    d.resources_.clear();
    d.preferred_.clear();
    KV_RETURN_IF_ERROR(fetch_classic(client, d));
  }
  if (!cache_file.empty()) write_private(cache_file, serialize(d));
  return d;
}

const ApiResource* Discovery::find_kind(const std::string& group, const std::string& version,
                                        const std::string& kind) const {
  for (const auto& r : resources_)
    if (r.kind == kind && r.group == group && r.version == version) return &r;
  return nullptr;
}

std::vector<std::string> Discovery::versions_of_kind(const std::string& group, const std::string& kind) const {
  std::vector<std::string> out;
  for (const auto& r : resources_)
    if (r.kind == kind && r.group == group) out.push_back(r.group_version());
  return out;
}

const ApiResource* Discovery::find_resource(const std::string& spec) const {
  std::string lower;
  for (char c : spec) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string name = lower, group;
  bool has_group = false;
  if (auto dot = lower.find('.'); dot != std::string::npos) {
    name = lower.substr(0, dot);
    group = lower.substr(dot + 1);
    has_group = true;
  }
  auto matches = [&](const ApiResource& r) {
    if (has_group && r.group != group) {
      // "deployments.v1.apps" form: version then group.
      auto dot = group.find('.');
      if (dot == std::string::npos || r.version != group.substr(0, dot) || r.group != group.substr(dot + 1)) return false;
    }
    std::string kind_lower;
    for (char c : r.kind) kind_lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r.resource == name || kind_lower == name ||
           std::find(r.short_names.begin(), r.short_names.end(), name) != r.short_names.end();
  };
  // Prefer the group's preferred version, and the core group over others for bare names (as kubectl).
  const ApiResource* best = nullptr;
  int best_rank = 1 << 30;
  for (const auto& r : resources_) {
    if (!matches(r)) continue;
    auto it = std::find(preferred_.begin(), preferred_.end(), r.group_version());
    int rank = it == preferred_.end() ? 1 << 20 : static_cast<int>(it - preferred_.begin());
    if (rank < best_rank) { best_rank = rank; best = &r; }
  }
  return best;
}

std::vector<std::string> Discovery::group_versions() const {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& r : resources_)
    if (seen.insert(r.group_version()).second) out.push_back(r.group_version());
  return out;
}

}  // namespace kv::kube
