// Node ports a Service asks for that a real create would refuse but a dry run never checks: the API
// server allocates a Service's node ports only when it stores it, so `--dry-run=server` accepts a port
// outside the cluster's range, or one an earlier Service already holds. kvalidate's own plane has
// kube-apiserver's default range, 30000-32767.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "resources/resource.h"
#include "resources/result.h"

namespace kv {

inline constexpr int kNodePortLow = 30000;
inline constexpr int kNodePortHigh = 32767;

class NodePorts {
 public:
  // The findings of Service `r` (type NodePort or LoadBalancer; others have none): each `nodePort` outside
  // the range, or held (with its protocol) by a Service checked before; the ports it holds are then
  // taken. Lines and columns are the nodes' (plus r.line_base), rule "service/node-port".
  std::vector<Finding> check(const Resource& r);

 private:
  std::map<std::pair<int, std::string>, std::string> taken_;  // (port, protocol) → "Service/ns/name"
};

}  // namespace kv
