#include "engine/policy_scope.h"

#include <unistd.h>

#include <set>
#include <thread>

#include <fmt/core.h>

#include "core/json.h"
#include "core/yaml_util.h"
#include "resources/loader.h"
#include "validators/admission_policy.h"
#include "kube/requests.h"

namespace kv::engine {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kLabelManager = "kvalidate-pod-security";

std::string http_error(const kube::Response& r) {
  if (!r.transport_ok()) return r.transport_error;
  auto doc = parse_json(r.body, "API response");
  std::string msg = doc.ok() && doc->IsMap() ? scalar_at(*doc, "message") : "";
  return fmt::format("HTTP {}{}{}", r.status, msg.empty() ? "" : ": ", msg);
}

kube::Request label_request(const std::string& ns, const std::map<std::string, std::string>& labels) {
  kube::Request q;
  q.method = "PATCH";
  q.path = "/api/v1/namespaces/" + kube::percent_encode(ns) + "?fieldManager=" + kLabelManager + "&force=true";
  q.content_type = "application/apply-patch+yaml";
  JsonWriter w(false);
  w.begin_object().key("apiVersion").value("v1").key("kind").value("Namespace");
  w.key("metadata").begin_object().key("name").value(ns);
  if (!labels.empty()) {
    w.key("labels").begin_object();
    for (const auto& [k, v] : labels) w.key(k).value(v);
    w.end_object();
  }
  w.end_object().end_object();
  q.body = w.str();
  return q;
}

}  // namespace

Result<std::vector<std::string>> PolicyScope::label_namespaces(const std::optional<PodSecurityLevel>& level,
                                                               const std::vector<std::string>& namespaces,
                                                               const std::map<std::string, YAML::Node>& own_labels,
                                                               std::map<std::string, std::string>& enforced) {
  std::vector<std::string> to_probe;
  std::vector<std::string> live;  // namespaces whose labels are read from the server
  for (const auto& ns : namespaces)
    if (!own_labels.count(ns)) live.push_back(ns);
  std::vector<kube::Request> gets;
  for (const auto& ns : live) {
    kube::Request q;
    q.path = "/api/v1/namespaces/" + kube::percent_encode(ns);
    gets.push_back(std::move(q));
  }
  auto answers = transport_.send_all(gets, jobs_);
  std::map<std::string, YAML::Node> labels = own_labels;
  for (size_t i = 0; i < live.size(); ++i) {
    if (!answers[i].transport_ok()) return Status::Unavailable("reading namespace " + live[i] + ": " + answers[i].transport_error);
    auto doc = parse_json(answers[i].body, "API response");
    labels[live[i]] = answers[i].success() && doc.ok() && doc->IsMap() && (*doc)["metadata"].IsMap()
                          ? YAML::Clone((*doc)["metadata"]["labels"])
                          : YAML::Node();
  }
  for (const auto& ns : namespaces) {
    YAML::Node own = labels[ns];
    std::map<std::string, std::string> add = level ? pod_security_labels(*level, own) : std::map<std::string, std::string>{};
    if (!add.empty()) {
      labelled_.push_back(ns);  // before sending: a label that was set must be removed even if the answer is lost
      auto resp = transport_.send(label_request(ns, add));
      if (!resp.transport_ok()) return Status::Unavailable("labelling namespace " + ns + ": " + resp.transport_error);
      if (!resp.success()) return Status::Internal("cannot set the Pod Security labels of namespace " + ns + ": " + http_error(resp));
      if (!own || !own.IsMap()) own = YAML::Node(YAML::NodeType::Map);
      for (const auto& [k, v] : add) own[k] = v;
      if (add.count(kPodSecurityEnforce) && level->level != "privileged") to_probe.push_back(ns);
    }
    if (std::string p = enforced_policy(own); !p.empty()) enforced[ns] = p;
  }
  return to_probe;
}

Status PolicyScope::await(const PolicyProbe& probe, const std::vector<ProbeCheck>& checks,
                          std::chrono::milliseconds timeout) {
  for (const auto& o : probe.objects) {
    kube::Request q;
    q.method = "PATCH";
    q.path = o.path + "?fieldManager=kvalidate&force=true";
    q.content_type = "application/apply-patch+yaml";
    YAML::Node obj = YAML::Clone(o.object);
    YAML::Node managed("true");
    managed.SetTag("!");  // a string, not a boolean
    obj["metadata"]["labels"]["kvalidate.io/managed"] = managed;
    JsonWriter w(false);
    w.node(obj);
    q.body = w.str();
    probes_.push_back(o.path);
    auto resp = transport_.send(q);
    if (!resp.transport_ok()) return Status::Unavailable("applying a policy probe: " + resp.transport_error);
    if (!resp.success()) return Status::Internal("applying the policy probe " + o.path + ": " + http_error(resp));
  }
  checks_ = checks;
  return wait_for(checks, true, timeout);
}

Status PolicyScope::wait_for(const std::vector<ProbeCheck>& checks, bool in_force, std::chrono::milliseconds timeout) {
  std::vector<const ProbeCheck*> waiting;
  for (const auto& c : checks) waiting.push_back(&c);
  auto deadline = Clock::now() + timeout;
  while (!waiting.empty()) {
    std::vector<kube::Request> reqs;
    for (const auto* c : waiting) reqs.push_back(c->request);
    auto answers = transport_.send_all(reqs, jobs_);
    std::vector<const ProbeCheck*> still;
    for (size_t i = 0; i < waiting.size(); ++i) {
      if (!answers[i].transport_ok()) return Status::Unavailable("probing the admission policies: " + answers[i].transport_error);
      if (probe_answered(*waiting[i], answers[i]) != in_force) still.push_back(waiting[i]);
    }
    waiting = std::move(still);
    if (waiting.empty()) break;
    if (Clock::now() > deadline) {
      std::string what;
      for (const auto* c : waiting) what += (what.empty() ? "" : ", ") + c->what;
      return Status::Unavailable(fmt::format("the API server did not {} within {}s: {}",
                                             in_force ? "put in force" : "drop", 
                                             std::chrono::duration_cast<std::chrono::seconds>(timeout).count(), what));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Ok();
}

Status PolicyScope::undo(std::chrono::milliseconds timeout) {
  std::vector<kube::Request> reqs;
  // Newest first, so a binding goes before its policy and params; the probe's objects last, so that
  // when its marker passes again the informers have dropped everything deleted before them.
  for (const auto* list : {&applied_, &probes_})
    for (auto it = list->rbegin(); it != list->rend(); ++it) {
      kube::Request q;
      q.method = "DELETE";
      q.path = *it;
      reqs.push_back(std::move(q));
    }
  for (const auto& ns : labelled_) reqs.push_back(label_request(ns, {}));
  if (reqs.empty()) return Status::Ok();
  std::string left;
  for (const auto& q : reqs) {
    auto r = transport_.send(q);
    if (!r.success() && r.status != 404) left += (left.empty() ? "" : ", ") + q.path;
  }
  applied_.clear();
  probes_.clear();
  labelled_.clear();
  if (!left.empty())
    return Status::Unavailable("could not remove what this run applied for its admission policies: " + left);
  auto checks = std::move(checks_);
  checks_.clear();
  return wait_for(checks, false, timeout);
}

std::map<std::string, AdmissionPolicy> installed_validating_policies(kube::Transport& transport) {
  std::map<std::string, AdmissionPolicy> out;
  kube::Request q;
  q.path = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
  auto resp = transport.send(q);
  if (!resp.success()) return out;
  auto doc = parse_json(resp.body, "API response");
  if (!doc.ok() || !doc->IsMap() || !(*doc)["items"].IsSequence()) return out;
  for (const auto& item : (*doc)["items"]) {
    Resource r;
    r.object.reset(item);
    r.api_version = "admissionregistration.k8s.io/v1";
    r.kind = "ValidatingAdmissionPolicy";
    r.name = scalar_at(item["metadata"], "name");
    if (auto p = read_policy(r)) out[p->name] = std::move(*p);
  }
  return out;
}

std::string new_run_id() {
  return fmt::format("{}-{}", getpid(),
                     std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count() %
                         100000000);
}

}  // namespace kv::engine
