#include "engine/plane_objects.h"

#include "kube/api_status.h"

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

namespace {

// The body of a namespace's /finalize with no finalizers left.
std::string finalize_body(const std::string& name) {
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
  w.key("metadata").begin_object().key("name").value(name).end_object();
  w.key("spec").begin_object().key("finalizers").begin_array().end_array().end_object();
  w.end_object();
  return w.str();
}

std::string unanswered(const kube::Response& r) { return "the API server did not answer: " + r.transport_error; }

// The items of the list the server answered with; nullopt when it failed or answered no JSON list.
std::optional<YAML::Node> items_of(const kube::Response& resp, const std::string& what) {
  if (!resp.success()) return std::nullopt;
  auto doc = parse_json(resp.body, what);
  if (!doc.ok() || !(*doc)["items"].IsSequence()) return std::nullopt;
  return (*doc)["items"];
}

}  // namespace

std::vector<Status> delete_each(kube::Transport& transport, const std::vector<std::string>& paths,
                                const std::vector<bool>& finalize, int jobs, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto until = Clock::now() + timeout;
  std::vector<Status> out(paths.size());
  if (paths.empty()) return out;
  std::vector<kube::Request> dels(paths.size());
  for (size_t k = 0; k < paths.size(); ++k) {
    dels[k].method = "DELETE";
    dels[k].path = paths[k];
  }
  auto answers = transport.send_all(dels, jobs);
  std::vector<size_t> to_finalize, left;
  for (size_t k = 0; k < paths.size(); ++k) {
    const auto& resp = answers[k];
    if (!resp.transport_ok()) out[k] = Status::Unavailable(unanswered(resp));
    else if (resp.status == 404) continue;
    else if (!resp.success()) out[k] = Status::Unavailable("cannot delete " + paths[k] + ": HTTP " + std::to_string(resp.status));
    else if (k < finalize.size() && finalize[k]) to_finalize.push_back(k);
    else left.push_back(k);
  }
  if (!to_finalize.empty()) {
    std::vector<kube::Request> fins(to_finalize.size());
    for (size_t n = 0; n < to_finalize.size(); ++n) {
      const std::string& path = paths[to_finalize[n]];
      fins[n].method = "PUT";
      fins[n].path = path + "/finalize";
      fins[n].content_type = "application/json";
      fins[n].body = finalize_body(path.substr(path.rfind('/') + 1));
    }
    auto finalized = transport.send_all(fins, jobs);
    for (size_t n = 0; n < to_finalize.size(); ++n) {
      const auto& f = finalized[n];
      const size_t k = to_finalize[n];
      if (!f.transport_ok()) out[k] = Status::Unavailable(unanswered(f));
      else if (!f.success() && f.status != 404)
        out[k] = Status::Unavailable("cannot finalize " + paths[k] + ": HTTP " + std::to_string(f.status));
      else left.push_back(k);
    }
  }
  while (!left.empty()) {
    std::vector<kube::Request> gets(left.size());
    for (size_t n = 0; n < left.size(); ++n) gets[n].path = paths[left[n]];
    auto now = transport.send_all(gets, jobs);
    std::vector<size_t> still;
    for (size_t n = 0; n < left.size(); ++n) {
      const size_t k = left[n];
      if (!now[n].transport_ok()) out[k] = Status::Unavailable(unanswered(now[n]));
      else if (now[n].status == 404) continue;
      else if (Clock::now() >= until) out[k] = Status::Unavailable(paths[k] + " was still there after its deletion");
      else still.push_back(k);
    }
    left = std::move(still);
    if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return out;
}

Status delete_all(kube::Transport& transport, const std::vector<std::string>& paths, int jobs,
                  std::chrono::milliseconds timeout) {
  for (auto& s : delete_each(transport, paths, {}, jobs, timeout))
    if (!s.ok()) return s;
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
    auto items = items_of(answer, kind + " list");
    if (!items) {
      out.push_back("?" + path + " " + std::to_string(answer.status));
      continue;
    }
    for (const auto& item : *items) {
      const YAML::Node meta = item["metadata"];
      if (!meta.IsMap()) continue;
      const YAML::Node labels = meta["labels"];
      const bool by_run = !scalar_at(labels, kRunLabel).empty();
      std::string line = kind + "/" + scalar_at(meta, "name");
      // A run's: the batch's own are in its world (a namespace it uses has the content of its input, or is
      // made bare: run isolation lets no other version in meanwhile), the others' it does not see.
      if (by_run) continue;
      if (kind == "namespace") {  // the labels (its Pod Security level judges), and its version (an input's
        line += " baseline " + scalar_at(meta, "resourceVersion");  // Namespace of that name is applied to it)
        if (labels.IsMap())
          for (const auto& l : labels) line += " " + l.first.Scalar() + "=" + scalar_of(l.second);
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
  req.accept = kube::kMetadataOnlyList;  // (names and labels are all the callers read)
  return items_of(transport.send(req), what).value_or(YAML::Node(YAML::NodeType::Sequence));
}

}  // namespace

std::set<std::string> list_namespaces(kube::Transport& transport) {
  std::set<std::string> out;
  for (const auto& item : list_items(transport, "/api/v1/namespaces", "namespace list"))
    out.insert(scalar_at(item["metadata"], "name"));
  return out;
}

bool create_namespace(kube::Transport& transport, const std::string& name, const std::string& run_id) {
  return create_namespaces(transport, {name}, run_id).front();
}

std::vector<bool> create_namespaces(kube::Transport& transport, const std::vector<std::string>& names,
                                    const std::string& run_id, int jobs, std::vector<bool>* created,
                                    std::vector<std::string>* invalid) {
  std::vector<kube::Request> reqs;
  for (const auto& name : names) reqs.push_back(kube::managed_namespace_request(name, "kvalidate", run_id));
  std::vector<bool> made;
  if (created) created->clear();
  if (invalid) invalid->clear();
  if (reqs.empty()) return made;
  for (const auto& resp : transport.send_all(reqs, jobs)) {
    made.push_back(resp.success() || resp.status == 409);
    if (created) created->push_back(resp.success());
    if (!invalid) continue;
    std::string why;
    if (resp.status == 422) {
      auto st = kube::parse_api_status(resp.body, resp.status);
      for (const auto& c : st.causes)
        if (c.field == "metadata.name") why = c.message;
      if (why.empty()) why = st.message;
    }
    invalid->push_back(std::move(why));
  }
  return made;
}

std::map<std::string, NamespaceOnPlane> namespaces_by_run(kube::Transport& transport) {
  std::map<std::string, NamespaceOnPlane> out;
  for (const auto& item : list_items(transport, "/api/v1/namespaces", "namespace list")) {
    const YAML::Node meta = item["metadata"];
    if (!meta.IsMap()) continue;
    out[scalar_at(meta, "name")] = {scalar_at(meta["labels"], kRunLabel), !scalar_at(meta, "deletionTimestamp").empty()};
  }
  return out;
}

namespace {

// The metadata of each object at `paths` (read alone, metadata only), index-aligned: a null node where the
// plane holds none. nullopt when one cannot be read.
std::optional<std::vector<YAML::Node>> metadata_each(kube::Transport& transport, const std::vector<std::string>& paths,
                                                     const std::string& what, int jobs) {
  std::vector<kube::Request> reqs;
  for (const auto& p : paths) {
    kube::Request r;
    r.path = p;
    r.accept = kube::kMetadataOnly;
    reqs.push_back(std::move(r));
  }
  auto answers = transport.send_all(reqs, jobs);
  std::vector<YAML::Node> out(answers.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].status == 404) continue;
    if (!answers[i].success()) return std::nullopt;
    auto doc = parse_json(answers[i].body, what);
    if (!doc.ok() || !doc->IsMap() || !(*doc)["metadata"].IsMap()) return std::nullopt;
    out[i] = (*doc)["metadata"];
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, NamespaceOnPlane>> namespaces_named(kube::Transport& transport,
                                                                        const std::vector<std::string>& names, int jobs) {
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back("/api/v1/namespaces/" + kube::percent_encode(n));
  auto metas = metadata_each(transport, paths, "Namespace", jobs);
  if (!metas) return std::nullopt;
  std::map<std::string, NamespaceOnPlane> out;
  for (size_t i = 0; i < names.size(); ++i)
    if ((*metas)[i]) out[names[i]] = {scalar_at((*metas)[i]["labels"], kRunLabel), !scalar_at((*metas)[i], "deletionTimestamp").empty()};
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
  auto items = items_of(transport.send(req), "CustomResourceDefinition list");
  if (!items) return std::nullopt;
  std::map<std::string, LabelledCrd> out;
  for (const auto& item : *items) {
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
  std::vector<std::string> paths;
  for (const auto& n : names) paths.push_back("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + n);
  auto metas = metadata_each(transport, paths, "CustomResourceDefinition", jobs);
  if (!metas) return std::nullopt;
  std::map<std::string, LabelledCrd> out;
  for (size_t i = 0; i < names.size(); ++i)
    if ((*metas)[i]) out[names[i]] = crd_of((*metas)[i]);
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
