#include "engine/plane_objects.h"

#include <algorithm>
#include <map>
#include <thread>

#include "core/json.h"
#include "core/yaml_util.h"
#include "engine/run_scope.h"
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

Status delete_all(kube::Transport& transport, const std::vector<std::string>& paths, int jobs,
                  std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + timeout;
  std::vector<kube::Request> dels;
  for (const auto& p : paths) {
    kube::Request r;
    r.method = "DELETE";
    r.path = p;
    dels.push_back(std::move(r));
  }
  auto answers = transport.send_all(dels, jobs);
  std::vector<std::string> left;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].transport_ok()) return Status::Unavailable("the API server did not answer: " + answers[i].transport_error);
    if (answers[i].status == 404) continue;
    if (!answers[i].success()) return Status::Unavailable("cannot delete " + paths[i] + ": HTTP " + std::to_string(answers[i].status));
    left.push_back(paths[i]);
  }
  while (!left.empty()) {
    std::vector<kube::Request> gets;
    for (const auto& p : left) {
      kube::Request r;
      r.path = p;
      gets.push_back(std::move(r));
    }
    auto now = transport.send_all(gets, jobs);
    std::vector<std::string> still;
    for (size_t i = 0; i < now.size(); ++i) {
      if (!now[i].transport_ok()) return Status::Unavailable("the API server did not answer: " + now[i].transport_error);
      if (now[i].status != 404) still.push_back(left[i]);
    }
    left = std::move(still);
    if (left.empty()) break;
    if (Clock::now() >= until) return Status::Unavailable(left[0] + " was still there after its deletion");
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return Status::Ok();
}

std::vector<std::string> baseline_state(kube::Transport& transport, const std::map<std::string, LabelledCrd>* crds,
                                        int jobs) {
  static const std::vector<std::pair<std::string, std::string>> kLists = {
      {"namespace", "/api/v1/namespaces"},
      {"crd", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"},
      {"vap", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies"},
      {"vapb", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings"},
      {"map", "/apis/admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies"},
      {"mapb", "/apis/admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicybindings"},
      {"vwc", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations"},
      {"mwc", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"}};
  std::vector<kube::Request> reqs;
  std::vector<std::string> out;
  if (crds)
    for (const auto& [name, c] : *crds)
      if (c.run.empty()) out.push_back("crd/" + name + " " + c.resource_version);
  for (const auto& [kind, path] : kLists) {
    if (crds && kind == "crd") continue;
    kube::Request r;
    r.path = path;
    r.accept = kube::kMetadataOnlyList;
    reqs.push_back(std::move(r));
  }
  auto answers = transport.send_all(reqs, jobs);
  size_t k = 0;
  for (const auto& [kind, path] : kLists) {
    if (crds && kind == "crd") continue;
    const kube::Response& answer = answers[k++];
    auto doc = answer.success() ? parse_json(answer.body, kind + " list") : Result<YAML::Node>(Status::Internal(""));
    if (!doc.ok() || !(*doc)["items"].IsSequence()) {
      out.push_back("?" + path + " " + std::to_string(answer.status));
      continue;
    }
    for (const auto& item : (*doc)["items"]) {
      const YAML::Node meta = item["metadata"];
      if (!meta.IsMap()) continue;
      const YAML::Node labels = meta["labels"];
      const bool by_run = !scalar_at(labels, kRunLabel).empty();
      std::string line = kind + "/" + scalar_at(meta, "name");
      if (kind == "namespace") {  // the labels, whoever made it (its Pod Security level judges)
        line += by_run ? " run" : " baseline";
        if (labels.IsMap())
          for (const auto& l : labels)
            if (l.first.Scalar() != kRunLabel) line += " " + l.first.Scalar() + "=" + scalar_of(l.second);
      } else if (by_run) {
        continue;  // a run's: the batch's own are in its world, the others' it does not see
      } else {
        line += " " + scalar_at(meta, "resourceVersion");
      }
      out.push_back(std::move(line));
    }
  }
  return out;
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
  auto resp = transport.send(kube::managed_namespace_request(name, "kvalidate", run_id));
  return resp.success() || resp.status == 409;
}

std::map<std::string, std::string> namespaces_by_run(kube::Transport& transport) {
  std::map<std::string, std::string> out;
  for (const auto& item : list_items(transport, "/api/v1/namespaces", "namespace list")) {
    const YAML::Node meta = item["metadata"];
    out[scalar_at(meta, "name")] = meta.IsMap() ? scalar_at(meta["labels"], kRunLabel) : "";
  }
  return out;
}

namespace {

LabelledCrd crd_of(const YAML::Node& meta) {
  LabelledCrd c;
  c.uid = scalar_at(meta, "uid");
  c.run = scalar_at(meta["labels"], kRunLabel);
  c.resource_version = scalar_at(meta, "resourceVersion");
  c.terminating = !scalar_at(meta, "deletionTimestamp").empty();
  return c;
}

std::optional<std::map<std::string, LabelledCrd>> crd_list(kube::Transport& transport, const std::string& query) {
  kube::Request req;
  req.path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions" + query;
  req.accept = kube::kMetadataOnlyList;
  auto resp = transport.send(req);
  if (!resp.success()) return std::nullopt;
  auto doc = parse_json(resp.body, "CustomResourceDefinition list");
  if (!doc.ok() || !(*doc)["items"].IsSequence()) return std::nullopt;
  std::map<std::string, LabelledCrd> out;
  for (const auto& item : (*doc)["items"]) {
    const YAML::Node meta = item["metadata"];
    if (meta.IsMap()) out[scalar_at(meta, "name")] = crd_of(meta);
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, LabelledCrd>> labelled_crds(kube::Transport& transport) {
  return crd_list(transport, "?labelSelector=kvalidate.io%2Frun");
}

std::optional<std::map<std::string, LabelledCrd>> all_crds(kube::Transport& transport) { return crd_list(transport, ""); }

std::optional<std::map<std::string, LabelledCrd>> crds_named(kube::Transport& transport,
                                                             const std::vector<std::string>& names, int jobs) {
  std::vector<kube::Request> reqs;
  for (const auto& n : names) {
    kube::Request r;
    r.path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + n;
    r.accept = kube::kMetadataOnly;
    reqs.push_back(std::move(r));
  }
  auto answers = transport.send_all(reqs, jobs);
  std::map<std::string, LabelledCrd> out;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].status == 404) continue;
    if (!answers[i].success()) return std::nullopt;
    auto doc = parse_json(answers[i].body, "CustomResourceDefinition");
    if (!doc.ok() || !(*doc)["metadata"].IsMap()) return std::nullopt;
    out[names[i]] = crd_of((*doc)["metadata"]);
  }
  return out;
}

kube::Discovery without_crds(const kube::Discovery& d, const std::set<std::string>& hidden) {
  kube::Discovery out = d;
  if (hidden.empty()) return out;
  auto& rs = out.resources_;
  rs.erase(std::remove_if(rs.begin(), rs.end(),
                          [&](const kube::ApiResource& a) { return hidden.count(a.resource + "." + a.group) > 0; }),
           rs.end());
  return out;
}

}  // namespace kv::engine
