#include "engine/plane_objects.h"

#include <map>
#include <thread>

#include "core/json.h"
#include "core/yaml_util.h"
#include "kube/requests.h"

namespace kv::engine {

std::vector<kube::ApiResource> wait_served(kube::Transport& transport, const std::vector<kube::ApiResource>& kinds,
                                           int jobs, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + timeout;
  std::map<std::string, std::set<std::string>> missing;  // group/version → plurals not listed yet
  for (const auto& k : kinds) missing[k.group_version()].insert(k.resource);
  while (!missing.empty() && Clock::now() < until) {
    std::vector<std::string> gvs;
    std::vector<kube::Request> reqs;
    for (const auto& [gv, plurals] : missing) {
      gvs.push_back(gv);
      kube::Request r;
      r.path = "/apis/" + gv;
      reqs.push_back(std::move(r));
    }
    auto answers = transport.send_all(reqs, jobs);
    for (size_t i = 0; i < answers.size(); ++i) {
      if (!answers[i].transport_ok()) return {};
      if (!answers[i].success()) continue;
      auto doc = parse_json(answers[i].body, "API resource list");
      if (!doc.ok()) continue;
      auto& want = missing[gvs[i]];
      for (const auto& r : (*doc)["resources"]) want.erase(scalar_at(r, "name"));
      if (want.empty()) missing.erase(gvs[i]);
    }
    if (!missing.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::vector<kube::ApiResource> served;
  for (const auto& k : kinds)
    if (!missing.count(k.group_version()) || !missing[k.group_version()].count(k.resource)) served.push_back(k);
  return served;
}

namespace {

// The items of the list at `path` (a GET), or none when the server fails or answers no JSON: callers
// read what the plane holds now and treat "unknown" as "nothing".
YAML::Node list_items(kube::Transport& transport, const std::string& path, const std::string& what) {
  kube::Request req;
  req.path = path;
  auto resp = transport.send(req);
  if (!resp.success()) return YAML::Node(YAML::NodeType::Sequence);
  auto doc = parse_json(resp.body, what);
  return doc.ok() && (*doc)["items"].IsSequence() ? (*doc)["items"] : YAML::Node(YAML::NodeType::Sequence);
}

}  // namespace

std::set<std::string> list_namespaces(kube::Transport& transport) {
  std::set<std::string> out;
  for (const auto& item : list_items(transport, "/api/v1/namespaces", "namespace list"))
    out.insert(scalar_at(item["metadata"], "name"));
  return out;
}

bool create_namespace(kube::Transport& transport, const std::string& name, const std::string& run_id) {
  kube::Request req;
  req.method = "POST";
  req.path = "/api/v1/namespaces?fieldManager=kvalidate";
  req.content_type = "application/json";
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
  w.key("metadata").begin_object().key("name").value(name);
  w.key("labels").begin_object().key("kvalidate.io/managed").value("true");
  if (!run_id.empty()) w.key("kvalidate.io/run").value(run_id);
  w.end_object();
  w.end_object().end_object();
  req.body = w.str();
  auto resp = transport.send(req);
  return resp.success() || resp.status == 409;
}

std::map<std::string, std::string> namespaces_by_run(kube::Transport& transport) {
  std::map<std::string, std::string> out;
  for (const auto& item : list_items(transport, "/api/v1/namespaces", "namespace list")) {
    const YAML::Node meta = item["metadata"];
    out[scalar_at(meta, "name")] = meta.IsMap() ? scalar_at(meta["labels"], "kvalidate.io/run") : "";
  }
  return out;
}

std::set<std::string> foreign_crd_kinds(kube::Transport& transport, const std::string& own_run) {
  std::set<std::string> out;
  const std::string path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=kvalidate.io%2Frun";
  for (const auto& item : list_items(transport, path, "CustomResourceDefinition list")) {
    const YAML::Node meta = item["metadata"];
    if (!meta.IsMap() || scalar_at(meta["labels"], "kvalidate.io/run") == own_run) continue;
    const YAML::Node spec = item["spec"];
    if (spec.IsMap()) out.insert(scalar_at(spec, "group") + "/" + scalar_at(spec["names"], "kind"));
  }
  return out;
}

}  // namespace kv::engine
