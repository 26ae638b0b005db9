// What Services of one input ask for that creating them would refuse but a dry run never checks: the API
// server allocates a Service's node ports and cluster IP only when it stores it, so `--dry-run=server`
// accepts a node port outside the cluster's range, and a node port or cluster IP that another Service of
// the input asks for too. kvalidate's own plane has kube-apiserver's default node port range,
// 30000-32767.
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

class ServiceAllocations {
 public:
  // `check_range`: node ports outside 30000-32767 are findings too (the range of a cluster kvalidate
  // does not own is unknown; a clash between two Services of the input is a clash on any cluster).
  explicit ServiceAllocations(bool check_range) : check_range_(check_range) {}

  // The findings of Service `r`, then what it holds is taken: each `nodePort` (of a NodePort or
  // LoadBalancer Service) outside the range or held, with its protocol, by a Service checked before
  // (rule "service/node-port"); its `clusterIP` held by one (rule "service/cluster-ip"). Lines and
  // columns are the nodes' (plus r.line_base).
  std::vector<Finding> check(const Resource& r);

 private:
  bool check_range_;
  std::map<std::pair<int, std::string>, std::string> node_ports_;  // (port, protocol) → "Service/ns/name"
  std::map<std::string, std::string> cluster_ips_;                 // address → "Service/ns/name"
};

}  // namespace kv
