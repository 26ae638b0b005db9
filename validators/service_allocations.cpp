#include "validators/service_allocations.h"

#include <fmt/core.h>

#include "core/yaml_util.h"
#include "resources/loader.h"

namespace kv {

namespace {

// The integer a plain scalar holds, or -1 (a string or anything else is the server's to judge).
int port_number(const YAML::Node& n) {
  if (!n.IsScalar() || n.Tag() == "!" || n.Scalar().empty() || n.Scalar().size() > 6) return -1;
  for (char c : n.Scalar())
    if (c < '0' || c > '9') return -1;
  return std::stoi(n.Scalar());
}

Finding finding_at(const Resource& r, const YAML::Node& n, const char* rule, std::string path) {
  Finding f;
  f.rule = rule;
  f.path = std::move(path);
  f.line = n.Mark().line + 1 + r.line_base;
  f.column = n.Mark().column + 1;
  return f;
}

}  // namespace

std::vector<Finding> ServiceAllocations::check(const Resource& r) {
  std::vector<Finding> out;
  if (r.kind != "Service" || r.api_version != "v1") return out;
  if (!text_may_hold(r, {"clusterIP", "nodePort"})) return out;  // nothing asked for: nothing to hold
  const YAML::Node tree = object_tree(r);
  const YAML::Node spec = tree.IsMap() ? tree["spec"] : YAML::Node();
  if (!spec.IsMap()) return out;
  const std::string self = r.display_id();

  // A cluster IP asked for ("None" is a headless Service, "" lets the server pick one).
  if (const YAML::Node ip = spec["clusterIP"]; ip && ip.IsScalar() && !ip.Scalar().empty() && ip.Scalar() != "None") {
    auto held = cluster_ips_.find(ip.Scalar());
    if (held != cluster_ips_.end() && held->second != self) {
      Finding f = finding_at(r, ip, "service/cluster-ip", "spec.clusterIP");
      f.message = fmt::format(
          "spec.clusterIP: Invalid value: \"{}\": provided IP is already allocated (to {} in this input; a dry run "
          "does not allocate cluster IPs, so creating both would fail)",
          ip.Scalar(), held->second);
      out.push_back(std::move(f));
    } else {
      cluster_ips_.emplace(ip.Scalar(), self);
    }
  }

  const std::string type = scalar_at(spec, "type");
  const YAML::Node ports = spec["ports"];
  if ((type != "NodePort" && type != "LoadBalancer") || !ports.IsSequence()) return out;
  std::vector<std::pair<int, std::string>> mine;
  for (size_t k = 0; k < ports.size(); ++k) {
    const YAML::Node p = ports[k];
    if (!p.IsMap() || !p["nodePort"]) continue;
    const YAML::Node node_port = p["nodePort"];
    int port = port_number(node_port);
    if (port <= 0) continue;  // 0 or none: the server picks one
    Finding f = finding_at(r, node_port, "service/node-port", fmt::format("spec.ports[{}].nodePort", k));
    std::string protocol = scalar_at(p, "protocol");
    if (protocol.empty()) protocol = "TCP";
    if (check_range_ && (port < kNodePortLow || port > kNodePortHigh)) {
      f.message = fmt::format(
          "{}: Invalid value: {}: provided port is not in the valid range. The range of valid ports is {}-{} (a "
          "dry run does not allocate node ports; creating the Service would fail)",
          f.path, port, kNodePortLow, kNodePortHigh);
      out.push_back(std::move(f));
      continue;
    }
    auto held = node_ports_.find({port, protocol});
    if (held != node_ports_.end() && held->second != self) {
      f.message = fmt::format(
          "{}: Invalid value: {}: provided port is already allocated (to {} in this input; a dry run does not "
          "allocate node ports, so creating both would fail)",
          f.path, port, held->second);
      out.push_back(std::move(f));
      continue;
    }
    mine.emplace_back(port, protocol);
  }
  for (auto& key : mine) node_ports_.emplace(std::move(key), self);
  return out;
}

}  // namespace kv
