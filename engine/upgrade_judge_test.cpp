#include "engine/upgrade_judge.h"

#include <doctest/doctest.h>

namespace kv::engine {

namespace {
kube::ApiStatus invalid(std::vector<kube::StatusCause> causes) {
  kube::ApiStatus st;
  st.code = 422;
  st.reason = "Invalid";
  st.message = "the object is invalid";
  st.causes = std::move(causes);
  return st;
}
}  // namespace

TEST_CASE("judge_upgrade: a Deployment's changed selector names the field and both values, without Go dumps") {
  YAML::Node old_obj = YAML::Load("spec: {selector: {matchLabels: {app: web}}, replicas: 1}");
  YAML::Node new_obj = YAML::Load("spec: {selector: {matchLabels: {app: web2}}, replicas: 1}");
  auto st = invalid({{"FieldValueInvalid",
                      "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
                      "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
                      "spec.selector"}});
  auto out = judge_upgrade(st, old_obj, new_obj, "git:HEAD~1");
  REQUIRE(out.size() == 1);
  CHECK(out[0].rule == "upgrade/immutable-field");
  CHECK(out[0].path == "spec.selector");
  CHECK(out[0].message ==
        "spec.selector cannot change on upgrade: git:HEAD~1 has {\"matchLabels\":{\"app\":\"web\"}}, "
        "this version has {\"matchLabels\":{\"app\":\"web2\"}} (server: field is immutable)");
  CHECK(out[0].message.find("v1.LabelSelector") == std::string::npos);
  // Values hidden (a Secret's).
  auto hidden = judge_upgrade(st, old_obj, new_obj, "git:HEAD~1", false);
  REQUIRE(hidden.size() == 1);
  CHECK(hidden[0].message == "spec.selector cannot change on upgrade from git:HEAD~1 (server: field is immutable)");
}

TEST_CASE("judge_upgrade: a StatefulSet's forbidden spec change names each changed field that is not allowed") {
  YAML::Node old_obj = YAML::Load(
      "spec: {replicas: 1, serviceName: db, template: {a: 1}, volumeClaimTemplates: [{metadata: {name: data}, "
      "spec: {resources: {requests: {storage: 1Gi}}}}]}");
  YAML::Node new_obj = YAML::Load(
      "spec: {replicas: 3, serviceName: db, template: {a: 2}, volumeClaimTemplates: [{metadata: {name: data}, "
      "spec: {resources: {requests: {storage: 5Gi}}}}]}");
  auto st = invalid({{"FieldValueForbidden",
                      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                      "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
                      "are forbidden",
                      "spec"}});
  auto out = judge_upgrade(st, old_obj, new_obj);
  REQUIRE(out.size() == 1);
  CHECK(out[0].rule == "upgrade/immutable-field");
  CHECK(out[0].path == "spec.volumeClaimTemplates");
  CHECK(out[0].message.find("\"storage\":\"1Gi\"") != std::string::npos);
  CHECK(out[0].message.find("\"storage\":\"5Gi\"") != std::string::npos);
}

TEST_CASE("judge_upgrade: except-lists, list paths, refusals that are not immutability, no causes") {
  // A PVC: only resources.requests may change.
  YAML::Node old_pvc = YAML::Load("spec: {storageClassName: fast, resources: {requests: {storage: 1Gi}}}");
  YAML::Node new_pvc = YAML::Load("spec: {storageClassName: slow, resources: {requests: {storage: 2Gi}}}");
  auto pvc = judge_upgrade(invalid({{"FieldValueForbidden",
                                     "Forbidden: spec is immutable after creation except resources.requests and "
                                     "volumeAttributesClassName for bound claims",
                                     "spec"}}),
                           old_pvc, new_pvc);
  REQUIRE(pvc.size() == 1);
  CHECK(pvc[0].path == "spec.storageClassName");
  CHECK(pvc[0].message.find("has \"fast\", this version has \"slow\"") != std::string::npos);

  // A Service's clusterIP, named by the server in its plural list form.
  YAML::Node old_svc = YAML::Load("spec: {clusterIPs: [10.0.0.5]}");
  YAML::Node new_svc = YAML::Load("spec: {clusterIPs: [10.0.0.9]}");
  auto svc = judge_upgrade(invalid({{"FieldValueInvalid", "Invalid value: []string{\"10.0.0.9\"}: may not change once set",
                                     "spec.clusterIPs[0]"}}),
                           old_svc, new_svc);
  REQUIRE(svc.size() == 1);
  CHECK(svc[0].rule == "upgrade/immutable-field");
  CHECK(svc[0].message.find("has \"10.0.0.5\"") != std::string::npos);

  // Not immutability: a value that may not go down.
  auto down = judge_upgrade(invalid({{"FieldValueForbidden", "Forbidden: field can not be less than status.capacity",
                                      "spec.resources.requests.storage"}}),
                            old_pvc, new_pvc);
  REQUIRE(down.size() == 1);
  CHECK(down[0].rule == "upgrade/update-rejected");

  // No causes: the whole object.
  kube::ApiStatus bare;
  bare.reason = "Invalid";
  bare.message = "Job.batch \"migrate\" is invalid: spec.template: field is immutable";
  auto whole = judge_upgrade(bare, old_svc, new_svc);
  REQUIRE(whole.size() == 1);
  CHECK(whole[0].path.empty());
  CHECK(whole[0].rule == "upgrade/immutable-field");
}

TEST_CASE("node_at_path: keys, indexes, selectors, bracketed keys; never inserts") {
  YAML::Node t = YAML::Load(
      "metadata: {labels: {example.com/x: y}}\n"
      "spec: {containers: [{name: a, image: i1}, {name: b, image: i2}]}");
  CHECK(node_at_path(t, "spec.containers[1].image").Scalar() == "i2");
  CHECK(node_at_path(t, "spec.containers[name=a].image").Scalar() == "i1");
  CHECK(node_at_path(t, "metadata.labels[example.com/x]").Scalar() == "y");
  CHECK_FALSE(node_at_path(t, "spec.missing.deeper"));
  CHECK_FALSE(node_at_path(t, "spec.containers[5]"));
  CHECK_FALSE(t["spec"]["missing"]);
  CHECK(node_at_path(t, "").IsMap());
}

}  // namespace kv::engine
