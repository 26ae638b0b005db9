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
