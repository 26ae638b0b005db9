// The policy phase in the plan and in a batch over a fake transport: what is applied for real and in
// which order, the probe that waits for it, and what is removed at the end.
#include <doctest/doctest.h>

#include "engine/batch.h"
#include "engine/plan.h"
#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

const char* kInput = R"Y(apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit}
spec: {policyName: limit, validationActions: [Deny], paramRef: {name: limits, namespace: platform, parameterNotFoundAction: Deny}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  validations: [{expression: "object.spec.replicas <= int(params.data.max)", message: too many}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: platform}
data: {max: "3"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: platform}
)Y";

kube::Discovery with_policies() {
  auto d = small_discovery();
  for (const char* k : {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy",
                        "MutatingAdmissionPolicyBinding"}) {
    std::string lower;
    for (const char* c = k; *c; ++c) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    std::string plural = lower.back() == 'y' ? lower.substr(0, lower.size() - 1) + "ies" : lower + "s";
    d.resources_.push_back(api("admissionregistration.k8s.io", "v1", k, plural, false));
  }
  return d;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("plan: on an owned plane, params, policies and bindings get phases of their own, applied for real") {
  auto res = load(kInput);
  auto d = with_policies();
  Plan p = plan_batch(res, d, PlaneKind::kOwned, "default");
  CHECK(p.policy_params.objects == std::vector<size_t>{3});
  CHECK(p.policies.objects == std::vector<size_t>{2});
  CHECK(p.policy_bindings.objects == std::vector<size_t>{0});
  CHECK(p.rest.objects == std::vector<size_t>{1, 4});
  CHECK(p.policies.for_real);
  CHECK(p.policy_params.for_real);
  CHECK_FALSE(p.mutating_policies);
  CHECK(p.after_namespaces() == std::vector<size_t>{3, 2, 0, 1, 4});
  auto targets = param_targets(p, res, {3});
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].name == "limits");
  CHECK(targets[0].namespace_ == "platform");

  // The cluster's objects (--policies) that are not CRDs or Namespaces are all applied with the params.
  std::vector<bool> cluster = {false, false, false, false, true};
  Plan c = plan_batch(res, d, PlaneKind::kOwned, "default", {}, cluster);
  CHECK(c.policy_params.objects == std::vector<size_t>{3, 4});
  CHECK(c.rest.objects == std::vector<size_t>{1});

  // On an external cluster nothing is applied: the policies are dry-run like any object.
  Plan e = plan_batch(res, d, PlaneKind::kExternal, "default");
  CHECK(e.policies.objects.empty());
  CHECK(e.policy_params.objects.empty());
  CHECK(e.rest.objects == std::vector<size_t>{0, 1, 2, 3, 4});

  // Without a name the run could not delete what it created: such objects stay in the rest.
  auto unnamed = load("apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\n"
                      "metadata: {generateName: p-}\nspec: {}\n");
  Plan u = plan_batch(unnamed, d, PlaneKind::kOwned, "default");
  CHECK(u.policies.objects.empty());
  CHECK_FALSE(u.mutating_policies);
}

TEST_CASE("batch: policies applied for real in order, awaited with the probe, judged with, then removed") {
  std::vector<std::string> log;
  int probes = 0;
  FakeTransport t([&](const kube::Request& r) {
    log.push_back(r.method + " " + r.path);
    if (r.method == "GET" && r.path == "/api/v1/namespaces")
      return answer(200, R"({"items":[{"metadata":{"name":"default"}},{"metadata":{"name":"platform"}}]})");
    if (r.method == "GET") return answer(200, R"({"metadata":{"name":"x"},"items":[]})");
    if (has(r.path, "/configmaps?dryRun=All") && has(r.body, "kvalidate-probe")) {
      // The marker is refused by the probe policy from the second try on; after the removal it passes.
      ++probes;
      bool removed = false;
      for (const auto& l : log) removed = removed || has(l, "DELETE /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/kvalidate-probe");
      if (probes >= 2 && !removed) {
        // The marker's label is TAG-ID; the probe policy that refuses it is kvalidate-probe-ID-TAG.
        std::string key = "\"kvalidate.io/probe\":\"";
        std::string label = r.body.substr(r.body.find(key) + key.size());
        label = label.substr(0, label.find('"'));
        std::string tag = label.substr(0, label.find('-')), id = label.substr(tag.size() + 1);
        return answer(422, "ValidatingAdmissionPolicy 'kvalidate-probe-" + id + "-" + tag +
                               "' with binding 'x' denied request: kvalidate probe");
      }
      return answer(201);
    }
    if (has(r.path, "/deployments/web") && has(r.path, "dryRun=All"))
      return answer(422, R"({"kind":"Status","message":"deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'limit' with binding 'limit' denied request: too many","reason":"Invalid","code":422})");
    return answer(r.method == "POST" ? 201 : 200);
  });
  auto res = load(kInput);
  auto d = with_policies();
  BatchOptions o;
  o.plane = PlaneKind::kOwned;
  o.jobs = 2;
  o.policy_wait = std::chrono::seconds(5);
  auto out = run_batch(t, d, {}, res, o);
  REQUIRE_MESSAGE(out.fatal.ok(), out.fatal.message());
  // Params, then the policy, then the binding, for real (no dryRun); the probe after them.
  auto at = [&](const std::string& part) {
    for (size_t i = 0; i < log.size(); ++i)
      if (has(log[i], part)) return i;
    return log.size();
  };
  size_t param = at("PATCH /api/v1/namespaces/platform/configmaps/limits?"), policy = at("validatingadmissionpolicies/limit?"),
         binding = at("validatingadmissionpolicybindings/limit?"), probe = at("validatingadmissionpolicies/kvalidate-probe"),
         dry = at("deployments/web?");
  CHECK(param < policy);
  CHECK(policy < binding);
  CHECK(binding < probe);
  CHECK(probe < dry);
  CHECK_FALSE(has(log[param], "dryRun"));
  CHECK(has(log[dry], "dryRun=All"));
  // The refusal is judged as the policy's, at the field its validation reads.
  const auto& web = out.results[1];
  CHECK(web.status == ObjectStatus::kInvalid);
  REQUIRE(web.findings.size() == 1);
  CHECK(web.findings[0].rule == "admission/limit");
  CHECK(web.findings[0].path == "spec.replicas");
  CHECK(out.results[4].status == ObjectStatus::kValid);  // the other ConfigMap: dry-run only
  // Everything applied is deleted, the binding before its policy, the probe last.
  size_t del_binding = at("DELETE /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/limit"),
         del_policy = at("DELETE /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/limit"),
         del_param = at("DELETE /api/v1/namespaces/platform/configmaps/limits"),
         del_probe = at("DELETE /apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/kvalidate-probe");
  CHECK(dry < del_binding);
  CHECK(del_binding < del_policy);
  CHECK(del_policy < del_param);
  CHECK(del_param < del_probe);
  CHECK(del_probe < log.size());
  CHECK(at("DELETE /api/v1/namespaces/platform/configmaps/other") == log.size());
}
