#include "engine/quantities.h"

#include <doctest/doctest.h>

TEST_CASE("is_quantity follows the server's quantity syntax") {
  for (const char* q : {"1", "0.5", "500m", "128Mi", "2Gi", "1e3", "1E-2", "+1", "-1", ".5", "100k", "1Ei"})
    CHECK_MESSAGE(kv::engine::is_quantity(q), q);
  for (const char* q : {"", "12XB", "1GB", "Mi", "1.2.3", "1e", "1 Gi", "one", "1iB"})
    CHECK_MESSAGE(!kv::engine::is_quantity(q), q);
}

TEST_CASE("invalid_quantity_paths finds malformed quantities where Kubernetes expects them") {
  YAML::Node obj = YAML::Load(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: x, labels: {max: 12XB}}
spec:
  template:
    spec:
      containers:
      - name: a
        resources:
          requests: {cpu: 100m, memory: 12XB}
          limits: {nvidia.com/gpu: 1, memory: 1GB}
      volumes:
      - name: tmp
        emptyDir: {sizeLimit: lots}
)");
  auto paths = kv::engine::invalid_quantity_paths(obj);
  CHECK(paths == std::vector<std::string>{"spec.template.spec.containers[0].resources.requests[memory]",
                                          "spec.template.spec.containers[0].resources.limits[memory]",
                                          "spec.template.spec.volumes[0].emptyDir.sizeLimit"});
}

TEST_CASE("numbers_not_fitting: fractions outside quantity positions first, else integers out of range") {
  YAML::Node obj = YAML::Load(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replicas: 99999999999
  minReadySeconds: 1e3
  revisionHistoryLimit: 2.0
  strategy: {rollingUpdate: {maxSurge: 0.5, maxUnavailable: "0.5"}}
  template:
    spec:
      terminationGracePeriodSeconds: 1_000
      containers:
      - name: a
        resources: {limits: {cpu: 1.5, memory: 0.5Gi}}
        ports: [{containerPort: 80}, {containerPort: 80.5}]
      volumes:
      - name: v
        emptyDir: {sizeLimit: 1.5}
)");
  kv::engine::IntegerRange int32 = *kv::engine::integer_range("int32");
  auto found = kv::engine::numbers_not_fitting(obj, int32);
  REQUIRE(found.size() == 2);  // 2.0 and 1e3 are whole; "0.5" is a string; cpu and sizeLimit are quantities
  CHECK(found[0].path == "spec.strategy.rollingUpdate.maxSurge");
  CHECK(found[0].value == "0.5");
  CHECK_FALSE(found[0].out_of_range);
  CHECK(found[1].path == "spec.template.spec.containers[0].ports[1].containerPort");
  obj["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = 1;
  obj["spec"]["template"]["spec"]["containers"][0]["ports"][1]["containerPort"] = 80;
  found = kv::engine::numbers_not_fitting(obj, int32);
  REQUIRE(found.size() == 1);
  CHECK(found[0].path == "spec.replicas");
  CHECK(found[0].out_of_range);
  CHECK(kv::engine::numbers_not_fitting(obj, *kv::engine::integer_range("int64")).empty());
  CHECK_FALSE(kv::engine::integer_range("float64"));
}
