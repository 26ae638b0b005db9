#include "engine/plane_objects.h"

#include <thread>

#include "core/json.h"
#include "core/yaml_util.h"
#include "kube/requests.h"

namespace kv::engine {

void wait_established(kube::Transport& transport, const std::string& name, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + timeout;
  kube::Request req;
  req.path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + kube::percent_encode(name);
  while (Clock::now() < until) {
    auto resp = transport.send(req);
    if (!resp.transport_ok()) return;
    if (resp.success()) {
      auto doc = parse_json(resp.body, "CustomResourceDefinition");
      if (doc.ok() && (*doc)["status"] && (*doc)["status"].IsMap() && (*doc)["status"]["conditions"])
        for (const auto& c : (*doc)["status"]["conditions"])
          if (scalar_at(c, "type") == "Established" && scalar_at(c, "status") == "True") return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

std::set<std::string> list_namespaces(kube::Transport& transport) {
  std::set<std::string> out;
  kube::Request req;
  req.path = "/api/v1/namespaces";
  auto resp = transport.send(req);
  if (!resp.success()) return out;
  auto doc = parse_json(resp.body, "namespace list");
  if (!doc.ok()) return out;
  for (const auto& item : (*doc)["items"]) out.insert(scalar_at(item["metadata"], "name"));
  return out;
}

bool create_namespace(kube::Transport& transport, const std::string& name) {
  auto resp = transport.send(kube::managed_namespace_request(name, "kvalidate"));
  return resp.success() || resp.status == 409;
}

}  // namespace kv::engine
