#include "engine/cluster_crds.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/digest.h"
#include "core/json.h"
#include "core/yaml_util.h"

namespace kv::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCrdList = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

// The CRD `item` as JSON to apply elsewhere (see crds_from_list).
std::string portable_crd(const YAML::Node& item) {
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("apiextensions.k8s.io/v1").key("kind").value("CustomResourceDefinition");
  w.key("metadata").begin_object().key("name").value(scalar_at(item["metadata"], "name"));
  if (const YAML::Node labels = item["metadata"]["labels"]; labels && labels.IsMap()) w.key("labels").node(labels);
  w.end_object();
  YAML::Node spec = YAML::Clone(item["spec"]);
  if (spec["conversion"] && scalar_at(spec["conversion"], "strategy") == "Webhook") {
    YAML::Node none;
    none["strategy"] = "None";
    spec["conversion"] = none;
  }
  w.key("spec").node(spec);
  w.end_object();
  return w.str();
}

Result<std::string> read_fresh(const fs::path& file) {
  std::error_code ec;
  auto written = fs::last_write_time(file, ec);
  if (ec || fs::file_time_type::clock::now() - written > kClusterCrdsFresh) return Status::NotFound("stale");
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) return Status::NotFound("unreadable");
  return ss.str();
}

void write_cache(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  chmod(file.parent_path().c_str(), 0700);
  fs::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    chmod(tmp.c_str(), 0600);
    out << text;
    if (!out) return;
  }
  fs::rename(tmp, file, ec);
}

}  // namespace

Result<std::vector<Resource>> crds_from_list(const std::string& list_json, const std::string& source) {
  auto doc = parse_json(list_json, "CustomResourceDefinition list");
  if (!doc.ok()) return doc.status();
  const YAML::Node items = (*doc)["items"];
  if (!items || !items.IsSequence())
    return Status::InvalidInput(source + ": not a CustomResourceDefinition list (no items)");
  std::vector<Resource> out;
  for (const auto& item : items) {
    if (!item.IsMap() || scalar_at(item["metadata"], "name").empty() || !item["spec"]) continue;
    Resource r;
    r.api_version = "apiextensions.k8s.io/v1";
    r.kind = "CustomResourceDefinition";
    r.name = scalar_at(item["metadata"], "name");
    r.body = portable_crd(item);
    auto parsed = parse_json(r.body, r.name);
    if (parsed.ok()) r.object = *parsed;
    r.source.file = source;
    out.push_back(std::move(r));
  }
  return out;
}

std::string cluster_identity(kube::Transport& transport) {
  kube::Request req;
  req.path = "/api/v1/namespaces/kube-system";
  auto resp = transport.send(req);
  std::string uid;
  if (resp.success())
    if (auto doc = parse_json(resp.body, "namespace"); doc.ok()) uid = scalar_at((*doc)["metadata"], "uid");
  return hex_sha256(transport.server() + "\n" + uid, 16);
}

Result<std::vector<Resource>> cluster_crds(kube::Transport& transport, const std::string& cache_dir) {
  std::string source = transport.server() + " (--crds-from-cluster)";
  fs::path file;
  if (!cache_dir.empty()) {
    file = fs::path(cache_dir) / "cluster-crds" / (cluster_identity(transport) + ".json");
    if (auto cached = read_fresh(file); cached.ok()) return crds_from_list(*cached, source);
  }
  kube::Request req;
  req.path = kCrdList;
  auto resp = transport.send(req);
  if (!resp.transport_ok())
    return Status::Unavailable("--crds-from-cluster: cannot reach " + transport.server() + ": " + resp.transport_error);
  if (!resp.success())
    return Status::Unavailable("--crds-from-cluster: " + transport.server() + " refused to list its "
                               "CustomResourceDefinitions (HTTP " + std::to_string(resp.status) + ")");
  auto crds = crds_from_list(resp.body, source);
  if (crds.ok() && !file.empty()) write_cache(file, resp.body);
  return crds;
}

}  // namespace kv::engine
