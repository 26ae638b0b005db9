// For the engine's unit tests only: a Transport that answers from a function (no network), recording
// what was sent and keeping at most `jobs` requests "in flight" so cancel() has something to abandon;
// and a small Discovery built in memory.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "engine/plan.h"
#include "kube/discovery.h"
#include "kube/transport.h"
#include "resources/loader.h"

namespace kv::engine::testing {

class FakeTransport : public kube::Transport {
 public:
  using Handler = std::function<kube::Response(const kube::Request&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  using kube::Transport::send_all;
  // Starts requests in order while fewer than `jobs` are in flight, answers the oldest, repeats. After
  // cancel(), what is in flight or not started is never answered.
  void send_each(size_t count, const kube::MakeRequest& make, int jobs, const kube::TakeResponse& take) override {
    cancelled_ = false;
    const size_t window = static_cast<size_t>(jobs < 1 ? 1 : jobs);
    std::deque<kube::Request> in_flight;
    size_t next = 0, answered = 0;
    while (answered < count && !cancelled_) {
      while (next < count && next - answered < window) {
        in_flight.push_back(make(next++));
        sent.push_back(in_flight.back());
      }
      kube::Response r = handler_(in_flight.front());
      in_flight.pop_front();
      take(answered++, std::move(r));
    }
  }
  void cancel() override {
    cancelled_ = true;
    ++cancels;
  }
  const std::string& server() const override { return server_; }

  std::vector<kube::Request> sent;  // every request started, in order
  int cancels = 0;

 private:
  Handler handler_;
  std::string server_ = "https://fake:6443";
  bool cancelled_ = false;
};

inline kube::Response answer(long status, std::string body = "{}", std::vector<std::string> warnings = {}) {
  return kube::Response{status, std::move(body), std::move(warnings), ""};
}

// RBAC's refusal of `verb` on `resource` (core group) for the object `name` in `ns`, as the API server
// words it.
inline kube::Response rbac_forbidden(const std::string& verb, const std::string& resource, const std::string& ns,
                                     const std::string& name, const std::string& user = "system:serviceaccount:ci:weak") {
  return answer(403, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" + resource + R"( \")" +
                         name + R"(\" is forbidden: User \")" + user + R"(\" cannot )" + verb + R"( resource \")" +
                         resource + R"(\" in API group \"\" in the namespace \")" + ns +
                         R"(\"","reason":"Forbidden","details":{"name":")" + name + R"(","kind":")" + resource +
                         R"("},"code":403})");
}

inline kube::ApiResource api(std::string group, std::string version, std::string kind, std::string resource,
                             bool namespaced,
                             std::vector<std::string> verbs = {"create", "delete", "get", "list", "patch", "update"}) {
  kube::ApiResource a;
  a.group = std::move(group);
  a.version = std::move(version);
  a.kind = std::move(kind);
  a.resource = std::move(resource);
  a.namespaced = namespaced;
  a.verbs = std::move(verbs);
  return a;
}

// What a small cluster serves: core ConfigMap, Secret, Namespace, Pod; apps/v1 Deployment; the CRD
// kind; batch/v1 CronJob.
inline kube::Discovery small_discovery() {
  kube::Discovery d;
  d.server_version_ = "v1.31.0";
  d.resources_ = {api("", "v1", "ConfigMap", "configmaps", true),
                  api("", "v1", "Secret", "secrets", true),
                  api("", "v1", "Namespace", "namespaces", false),
                  api("", "v1", "Pod", "pods", true),
                  api("apps", "v1", "Deployment", "deployments", true),
                  api("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false),
                  api("batch", "v1", "CronJob", "cronjobs", true)};
  return d;
}

// A CustomResourceDefinition serving example.com/v1 Widget (namespaced); v0 is listed but not served.
inline const char* const kWidgetCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - {name: v1, served: true, storage: true}
  - {name: v0, served: false, storage: false}
)";

// The resources of a YAML stream (must load without problems).
inline std::vector<Resource> load(const std::string& yaml) {
  auto r = load_text(yaml, "in.yaml");
  return std::move(r.resources);
}

// `resources` planned against small_discovery() (plan_batch).
inline Plan plan_small(const std::vector<Resource>& resources, PlaneKind plane, const std::string& default_namespace,
                       const RunCrds& run_crds = {}) {
  return plan_batch(resources, small_discovery(), plane, default_namespace, run_crds);
}

}  // namespace kv::engine::testing
