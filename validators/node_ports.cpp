#include "validators/node_ports.h"

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

}  // namespace

std::vector<Finding> NodePorts::check(const Resource& r) {
  std::vector<Finding> out;
  if (r.kind != "Service" || r.api_version != "v1") return out;
  const YAML::Node tree = object_tree(r);
  const YAML::Node spec = tree.IsMap() ? tree["spec"] : YAML::Node();
  if (!spec.IsMap()) return out;
  const std::string type = scalar_at(spec, "type");
  if (type != "NodePort" && type != "LoadBalancer") return out;
  const YAML::Node ports = spec["ports"];
  if (!ports.IsSequence()) return out;
  const std::string self = r.display_id();
  std::vector<std::pair<int, std::string>> mine;
  for (size_t k = 0; k < ports.size(); ++k) {
    const YAML::Node p = ports[k];
    if (!p.IsMap() || !p["nodePort"]) continue;
    const YAML::Node node_port = p["nodePort"];
    int port = port_number(node_port);
    if (port <= 0) continue;  // 0 or none: the server picks one
    Finding f;
    f.rule = "service/node-port";
    f.path = fmt::format("spec.ports[{}].nodePort", k);
    f.line = node_port.Mark().line + 1 + r.line_base;
    f.column = node_port.Mark().column + 1;
    std::string protocol = scalar_at(p, "protocol");
    if (protocol.empty()) protocol = "TCP";
    if (port < kNodePortLow || port > kNodePortHigh) {
      f.message = fmt::format(
          "{}: Invalid value: {}: provided port is not in the valid range. The range of valid ports is {}-{} (a "
          "dry run does not allocate node ports; creating the Service would fail)",
          f.path, port, kNodePortLow, kNodePortHigh);
      out.push_back(std::move(f));
      continue;
    }
    auto held = taken_.find({port, protocol});
    if (held != taken_.end() && held->second != self) {
      f.message = fmt::format(
          "{}: Invalid value: {}: provided port is already allocated (to {} in this input; a dry run does not "
          "allocate node ports, so creating both would fail)",
          f.path, port, held->second);
      out.push_back(std::move(f));
      continue;
    }
    mine.emplace_back(port, protocol);
  }
  for (auto& key : mine) taken_.emplace(std::move(key), self);
  return out;
}

}  // namespace kv
