#include "controlplane/full_plane.h"

#include <set>
#include <thread>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "controlplane/kwok_config.h"
#include "controlplane/pki.h"
#include "controlplane/ports.h"
#include "core/json.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace {

using Clock = std::chrono::steady_clock;

std::string pki_path(const FullConfig& c, const std::string& file) { return c.dir + "/pki/" + file; }

struct Identity {
  const char* component;
  const char* common_name;
  const char* organization;  // nullptr: none
};
// The controller-manager and scheduler get exactly the bootstrap roles a kubeadm cluster gives them.
// KWOK plays every kubelet at once (node status, leases, any pod's status and deletion): no single
// built-in role covers that, and it runs on loopback beside an admin-only plane.
constexpr Identity kIdentities[] = {
    {"controller-manager", "system:kube-controller-manager", nullptr},
    {"scheduler", "system:kube-scheduler", nullptr},
    {"kwok", "kvalidate-kwok", "system:masters"},
};

// Flags the controller-manager and the scheduler share: who they are, loopback serving with the plane's
// serving certificate (so kvalidate can check /healthz against its own CA), no leader election.
std::vector<std::string> common_flags(const FullConfig& c, const std::string& component, int port) {
  using namespace pki_files;
  const std::string kubeconfig = component_kubeconfig(c.dir, component);
  return {
      "--kubeconfig=" + kubeconfig,
      "--authentication-kubeconfig=" + kubeconfig,
      "--authorization-kubeconfig=" + kubeconfig,
      "--bind-address=127.0.0.1",
      fmt::format("--secure-port={}", port),
      "--tls-cert-file=" + pki_path(c, kServingCert),
      "--tls-private-key-file=" + pki_path(c, kServingKey),
      "--leader-elect=false",
  };
}

kube::Cluster at(const kube::Cluster& admin, int port) {
  kube::Cluster c = admin;
  c.server = fmt::format("https://127.0.0.1:{}", port);
  return c;
}

std::string log_tail(const std::string& dir, const std::string& component) {
  std::string tail = tail_lines(log_file(dir, component), 10);
  return fmt::format("\n--- last lines of {}\n{}", log_file(dir, component), tail.empty() ? "(empty)\n" : tail);
}

// Registers the simulated nodes; one that exists already (a plane restarted on its data) is kept.
Status register_nodes(kube::Client& client) {
  for (int i = 0; i < kSimulatedNodes; ++i) {
    kube::Request req;
    req.method = "POST";
    req.path = "/api/v1/nodes";
    req.content_type = "application/json";
    req.body = simulated_node_json(i);
    kube::Response r = client.send(req);
    if (r.success() || r.status == 409) continue;
    return Status::Unavailable(fmt::format("cannot register simulated node {}: {}", simulated_node_name(i),
                                           r.transport_ok() ? fmt::format("HTTP {}: {}", r.status, r.body.substr(0, 300))
                                                            : r.transport_error));
  }
  return Status::Ok();
}

// True when node `name` is Ready and carries no taint (the not-ready taint is gone, so pods schedule).
bool node_ready(kube::Client& client, const std::string& name, std::string* detail) {
  kube::Request req;
  req.path = "/api/v1/nodes/" + name;
  kube::Response r = client.send(req);
  auto doc = r.success() ? parse_json(r.body, "node") : Result<YAML::Node>(Status::NotFound("no answer"));
  if (!doc.ok()) { *detail = fmt::format("node {}: {}", name, r.transport_ok() ? fmt::format("HTTP {}", r.status) : r.transport_error); return false; }
  try {
    bool ready = false;
    for (const auto& cond : (*doc)["status"]["conditions"])
      if (cond["type"].as<std::string>("") == "Ready") ready = cond["status"].as<std::string>("") == "True";
    if (!ready) { *detail = "simulated node " + name + " is not Ready yet"; return false; }
    const YAML::Node taints = (*doc)["spec"]["taints"];
    if (taints && taints.size() > 0) { *detail = "simulated node " + name + " is still tainted"; return false; }
  } catch (const YAML::Exception&) {
    *detail = "node " + name + ": unexpected answer";
    return false;
  }
  return true;
}

}  // namespace

std::string component_kubeconfig(const std::string& dir, const std::string& component) {
  return dir + "/pki/" + component + ".kubeconfig";
}

std::vector<std::string> controller_manager_command(const FullConfig& c) {
  using namespace pki_files;
  std::vector<std::string> argv = {c.bins.controller_manager};
  auto common = common_flags(c, "controller-manager", c.controller_manager_port);
  argv.insert(argv.end(), common.begin(), common.end());
  argv.insert(argv.end(), {
      "--use-service-account-credentials=true",
      "--service-account-private-key-file=" + pki_path(c, kSaKey),
      "--root-ca-file=" + pki_path(c, kCaCert),
      "--cluster-signing-cert-file=" + pki_path(c, kCaCert),
      "--cluster-signing-key-file=" + pki_path(c, kCaKey),
      "--cluster-name=kvalidate",
      "--profiling=false",
  });
  return argv;
}

std::vector<std::string> scheduler_command(const FullConfig& c) {
  std::vector<std::string> argv = {c.bins.scheduler};
  auto common = common_flags(c, "scheduler", c.scheduler_port);
  argv.insert(argv.end(), common.begin(), common.end());
  return argv;
}

std::vector<Component> kwok_components(const FullConfig& c) {
  if (c.bins.kwok.empty()) return {};
  Component k;
  k.name = "kwok";
  k.exe = "kwok";
  k.argv = {
      c.bins.kwok,
      "--kubeconfig=" + component_kubeconfig(c.dir, "kwok"),
      "--config=" + c.dir + "/kwok/kwok.yaml",
      fmt::format("--manage-nodes-with-annotation-selector={}=fake", kKwokNodeAnnotation),
      "--node-lease-duration-seconds=40",
      "--cidr=10.244.0.0/16",
      "--node-ip=10.240.0.1",
  };
  k.env = {{"KWOK_WORKDIR", c.dir + "/kwok"}};
  return {k};
}

Status write_full_files(const FullConfig& c, const std::string& server) {
  auto pki = load_pki(c.dir + "/pki");
  if (!pki.ok()) return pki.status().Prefixed("the plane's PKI");
  for (const auto& id : kIdentities) {
    if (std::string(id.component) == "kwok" && c.bins.kwok.empty()) continue;
    CertSpec spec;
    spec.common_name = id.common_name;
    if (id.organization) spec.organizations = {id.organization};
    auto cert = issue_cert(pki->ca, spec);
    if (!cert.ok()) return cert.status();
    kube::Cluster cluster;
    cluster.server = server;
    cluster.ca_pem = pki->ca.cert_pem;
    cluster.client_cert_pem = cert->cert_pem;
    cluster.client_key_pem = cert->key_pem;
    KV_RETURN_IF_ERROR(write_file_atomic(component_kubeconfig(c.dir, id.component),
                                         kube::render_kubeconfig(cluster, id.component), 0600));
  }
  if (c.bins.kwok.empty()) return Status::Ok();
  KV_RETURN_IF_ERROR(make_private_dir(c.dir + "/kwok"));
  return write_file_atomic(c.dir + "/kwok/kwok.yaml", kwok_stages_yaml(), 0600);
}

Status start_full(FullConfig c, State& s, const kube::Cluster& admin, Clock::time_point deadline) {
  std::set<int> used;
  for (const auto& [name, port] : s.ports) used.insert(port);
  for (int* port : {&c.controller_manager_port, &c.scheduler_port}) {
    auto p = free_port(used);
    if (!p.ok()) return p.status();
    *port = *p;
    used.insert(*p);
  }
  KV_RETURN_IF_ERROR(write_full_files(c, s.server));
  std::vector<Component> components = {
      {"controller-manager", controller_manager_command(c), "kube-controller-manager", {}},
      {"scheduler", scheduler_command(c), "kube-scheduler", {}},
  };
  for (auto& k : kwok_components(c)) components.push_back(std::move(k));
  s.full = true;
  s.ports["controller-manager"] = c.controller_manager_port;
  s.ports["scheduler"] = c.scheduler_port;
  KV_RETURN_IF_ERROR(spawn_components(c.dir, components, s));

  kube::ClientOptions co;
  co.request_timeout_ms = 5000;
  auto client = kube::Client::Create(admin, co);
  if (!client.ok()) return client.status();
  if (!c.bins.kwok.empty()) KV_RETURN_IF_ERROR(register_nodes(**client));
  // The health checks: each answers true when its part is up; the first false names what is missing.
  const std::pair<std::string, std::function<bool(std::string*)>> checks[] = {
      {"controller-manager", [&](std::string* d) { return endpoint_ok(at(admin, c.controller_manager_port), "/healthz", d); }},
      {"scheduler", [&](std::string* d) { return endpoint_ok(at(admin, c.scheduler_port), "/healthz", d); }},
      {"kwok", [&](std::string* d) {
         for (int i = 0; i < kSimulatedNodes && !c.bins.kwok.empty(); ++i)
           if (!node_ready(**client, simulated_node_name(i), d)) return false;
         return true;
       }},
  };
  while (true) {
    for (const auto& p : s.processes)
      if (!process_running(p))
        return Status::Unavailable(fmt::format("{} exited while starting{}", p.component, log_tail(c.dir, p.component)));
    std::string detail, waiting_for;
    for (const auto& [component, check] : checks)
      if (!check(&detail)) { waiting_for = component; break; }
    if (waiting_for.empty()) return Status::Ok();
    if (Clock::now() >= deadline)
      return Status::Unavailable(fmt::format("full plane not ready in time (waiting for {}: {}){}", waiting_for,
                                             detail, log_tail(c.dir, waiting_for)));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace kv::controlplane
