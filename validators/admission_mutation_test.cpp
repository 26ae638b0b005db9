#include "validators/admission_mutation.h"

#include <doctest/doctest.h>

TEST_CASE("mutation_changes: what the policies set, changed and removed, not the server's own fields") {
  YAML::Node without = YAML::Load(R"({apiVersion: apps/v1, kind: Deployment,
    metadata: {name: web, uid: a, creationTimestamp: t1, generation: 1, labels: {app: web},
               managedFields: [{manager: kvalidate}]},
    spec: {replicas: 3, paused: true, strategy: {type: RollingUpdate},
           template: {spec: {containers: [{name: app, image: "nginx:1"}]}}}})");
  YAML::Node with = YAML::Load(R"({apiVersion: apps/v1, kind: Deployment,
    metadata: {name: web, uid: b, creationTimestamp: t2, generation: 1,
               labels: {app: web, team: platform, app.kubernetes.io/part-of: shop},
               managedFields: [{manager: other}]},
    spec: {replicas: 2, strategy: {type: RollingUpdate},
           template: {spec: {containers: [{name: app, image: "nginx:2"}]}}}})");
  auto changes = kv::mutation_changes(without, with);
  REQUIRE(changes.size() == 5);
  CHECK(changes[0].path == "metadata.labels[app.kubernetes.io/part-of]");
  CHECK(changes[0].before == "");
  CHECK(changes[0].after == "\"shop\"");
  CHECK(changes[1].path == "metadata.labels.team");
  CHECK(changes[2].path == "spec.paused");
  CHECK(changes[2].after == "");
  CHECK(changes[3].path == "spec.replicas");
  CHECK(changes[4].path == "spec.template.spec.containers[0].image");
  CHECK(kv::describe_changes(changes, 3) ==
        "would set metadata.labels[app.kubernetes.io/part-of]=\"shop\"; would set metadata.labels.team=\"platform\"; "
        "would remove spec.paused; and 2 more");
  CHECK(kv::describe_changes({changes[3]}) == "would change spec.replicas from 3 to 2");

  // The inputs are left as they were.
  CHECK(without["metadata"]["uid"].Scalar() == "a");
  CHECK(kv::mutation_changes(without, without).empty());
  CHECK(kv::mutation_changes(YAML::Node(), with).empty());

  YAML::Node longer = YAML::Clone(without);
  longer["spec"]["template"]["spec"]["containers"].push_back(YAML::Load("{name: sidecar, image: proxy}"));
  auto list = kv::mutation_changes(without, longer);
  REQUIRE(list.size() == 1);
  CHECK(list[0].path == "spec.template.spec.containers");
}
