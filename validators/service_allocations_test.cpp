#include "validators/service_allocations.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

namespace {

std::vector<kv::Resource> load(const char* text) {
  auto loaded = kv::load_text(text, "in.yaml");
  REQUIRE(loaded.problems.empty());
  return loaded.resources;
}

}  // namespace

TEST_CASE("node ports: out of range, or held by an earlier Service with the same protocol") {
  auto rs = load(R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  type: NodePort
  ports:
    - {name: http, port: 80, nodePort: 80}
    - {name: https, port: 443, nodePort: 30443}
    - {name: auto, port: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: other}
spec:
  type: LoadBalancer
  ports:
    - name: https
      port: 443
      nodePort: 30443
    - {name: dns, port: 53, protocol: UDP, nodePort: 30053}
    - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}
    - {name: quoted, port: 54, nodePort: "30054"}
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec:
  ports:
    - {name: http, port: 80, nodePort: 30443}
)");
  kv::ServiceAllocations ports(true);
  auto a = ports.check(rs[0]);
  REQUIRE(a.size() == 1);
  CHECK(a[0].rule == "service/node-port");
  CHECK(a[0].path == "spec.ports[0].nodePort");
  CHECK(a[0].line == 7);
  CHECK(a[0].message.find("not in the valid range. The range of valid ports is 30000-32767") != std::string::npos);
  auto b = ports.check(rs[1]);
  REQUIRE(b.size() == 1);  // UDP and TCP may share 30053; a quoted port is the server's to judge
  CHECK(b[0].path == "spec.ports[0].nodePort");
  CHECK(b[0].line == 19);
  CHECK(b[0].column == 17);
  CHECK(b[0].message.find("already allocated (to Service/a in this input") != std::string::npos);
  CHECK(ports.check(rs[2]).empty());  // a ClusterIP Service holds no node port (the server refuses the field)
  CHECK(ports.check(rs[0]).size() == 1);  // checked again: its own ports are not a clash with itself
}

TEST_CASE("cluster IPs: one two Services of the input ask for; headless and unset ones hold none") {
  auto rs = load(R"(apiVersion: v1
kind: Service
metadata: {name: a}
spec: {clusterIP: 10.96.0.20, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless}
spec: {clusterIP: None, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec:
  clusterIP: 10.96.0.20
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: also-headless}
spec: {clusterIP: None, type: NodePort, ports: [{port: 80, nodePort: 80}]}
)");
  kv::ServiceAllocations held(false);  // an existing cluster: its node port range is not known
  CHECK(held.check(rs[0]).empty());
  CHECK(held.check(rs[1]).empty());
  auto b = held.check(rs[2]);
  REQUIRE(b.size() == 1);
  CHECK(b[0].rule == "service/cluster-ip");
  CHECK(b[0].path == "spec.clusterIP");
  CHECK(b[0].line == 15);
  CHECK(b[0].message.find("\"10.96.0.20\": provided IP is already allocated (to Service/a in this input") != std::string::npos);
  CHECK(held.check(rs[3]).empty());  // headless again, and port 80 is not judged without the range
}
