#include "controlplane/start_template.h"

#include <unistd.h>

#include <filesystem>
#include <thread>

#include <fmt/core.h>

#include "controlplane/data_template.h"
#include "controlplane/files.h"
#include "controlplane/launch.h"
#include "core/file_lock.h"
#include "core/trust.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* const kBootstrapObjects[5] = {
    "/api/v1/namespaces/default", "/api/v1/namespaces/kube-system", "/api/v1/namespaces/kube-public",
    "/api/v1/namespaces/kube-node-lease", "/api/v1/namespaces/default/services/kubernetes"};

void sweep_dead_makers(const std::string& root, const std::string& key) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    if (e.path().filename().string().rfind(key + ".make.", 0) != 0) continue;
    if (auto s = read_state(e.path().string()); s.ok()) stop_recorded(*s);  // only processes still ours
    fs::remove_all(e.path(), ec);
  }
}

std::string etcd_delete_body(const std::string& key, bool prefix) {
  if (!prefix || key.empty()) return fmt::format(R"({{"key":"{}"}})", kube::base64_encode(key));
  std::string end = key;
  ++end.back();  // a prefix's range ends where the key with its last byte incremented begins
  return fmt::format(R"({{"key":"{}","range_end":"{}"}})", kube::base64_encode(key), kube::base64_encode(end));
}

namespace {

// Waits until every bootstrap object exists (each is written once, by the API server itself).
Status await_bootstrap_objects(const kube::Cluster& admin, Clock::time_point deadline) {
  for (const char* path : kBootstrapObjects) {
    std::string detail;
    while (!endpoint_ok(admin, path, &detail, 2000)) {
      if (Clock::now() >= deadline) return Status::Unavailable(fmt::format("no {} in time: {}", path, detail));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return Status::Ok();
}

// What a stopped template must not hold, because it belongs to the plane that wrote it; a plane's API
// server writes each anew when it starts: the client CA bundle of the cluster (the controller merges
// bundles, so a new plane would keep trusting the template's CA beside its own), the date legacy token
// tracking began, the `kubernetes` Service, whose target port is the API server's own (it is not
// reconciled with --endpoint-reconciler-type=none), with its cluster IP (the first of
// --service-cluster-ip-range 10.0.0.0/8; older versions keep the allocation in ranges/serviceips), and
// the API server's identity lease (named after the host; a graceful stop deletes it, a killed one not).
struct EtcdKey {
  const char* key;
  bool prefix;  // every key that starts with it
};
const EtcdKey kPlaneSpecificKeys[] = {
    {"/registry/configmaps/kube-system/extension-apiserver-authentication", false},
    {"/registry/configmaps/kube-system/kube-apiserver-legacy-service-account-token-tracking", false},
    {"/registry/services/specs/default/kubernetes", false},
    {"/registry/ipaddresses/10.0.0.1", false},
    {"/registry/ranges/serviceips", false},
    {"/registry/leases/kube-system/apiserver-", true}};

// Deletes kPlaneSpecificKeys through etcd's JSON gateway, as the API server's own etcd client.
Status forget_plane_specific(const std::string& scratch, int etcd_port) {
  auto pki = load_pki(scratch + "/pki");
  if (!pki.ok()) return pki.status();
  kube::Cluster etcd;
  etcd.server = fmt::format("https://127.0.0.1:{}", etcd_port);
  etcd.ca_pem = pki->ca.cert_pem;
  etcd.client_cert_pem = pki->etcd_client.cert_pem;
  etcd.client_key_pem = pki->etcd_client.key_pem;
  auto client = kube::Client::Create(etcd);
  if (!client.ok()) return client.status();
  for (const auto& k : kPlaneSpecificKeys) {
    kube::Request req;
    req.method = "POST";
    req.path = "/v3/kv/deleterange";
    req.content_type = "application/json";
    req.body = etcd_delete_body(k.key, k.prefix);
    kube::Response r = (*client)->send(req);
    if (!r.success())
      return Status::Unavailable(fmt::format("etcd: deleting {}: {}", k.key, r.transport_ok() ? r.body : r.transport_error));
  }
  return Status::Ok();
}

// Stops a started template plane: kube-apiserver first (nothing may write after the cleanup), then the
// plane-specific keys go, then etcd (SIGTERM: it closes its data cleanly).
Status stop_template_plane(const std::string& scratch, const State& s) {
  std::optional<ProcessRecord> etcd;
  bool others_stopped = true;
  for (auto it = s.processes.rbegin(); it != s.processes.rend(); ++it) {
    if (it->component == "etcd") etcd = *it;
    else others_stopped = stop_process(*it, 5000, true) && others_stopped;
  }
  auto port = s.ports.find("etcd-client");
  Status st = !others_stopped ? Status::Unavailable("the template plane's kube-apiserver would not stop")
              : !etcd || port == s.ports.end() ? Status::Unavailable("the template plane has no etcd")
                                               : forget_plane_specific(scratch, port->second);
  if (etcd && !stop_process(*etcd, 5000, true) && st.ok()) st = Status::Unavailable("the template plane's etcd would not stop");
  return st;
}

// Starts the throwaway plane in `scratch` on empty data, waits for its bootstrap, stops it.
Status run_fresh_plane(ApiserverConfig c, const std::string& scratch, Clock::time_point deadline) {
  c.dir = scratch;
  c.template_data.clear();
  c.etcd_client_port = c.etcd_peer_port = c.apiserver_port = 0;
  for (int attempt = 0;; ++attempt) {
    auto plan = apiserver_plan(c);
    if (!plan.ok()) return plan.status();
    bool port_taken = false;
    auto launched = launch(scratch, *plan, deadline, port_taken);
    if (!launched.ok()) {
      if (port_taken && attempt < 3 && Clock::now() < deadline) continue;
      return launched.status();
    }
    Status settled = await_bootstrap_objects(launched->cluster, deadline);
    Status stopped = stop_template_plane(scratch, launched->state);
    return settled.ok() ? stopped : settled;
  }
}

}  // namespace

Result<std::string> ensure_data_template(const ApiserverConfig& c, const std::string& root,
                                         Clock::time_point deadline, bool& made) {
  made = false;
  const std::string key = apiserver_template_key(c);
  KV_RETURN_IF_ERROR(make_private_dir(root));
  // Whoever can write here decides what every new plane holds.
  KV_RETURN_IF_ERROR(check_trusted_path(root, "template folder"));
  if (auto t = find_template(root, key)) return *t;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  auto lock = FileLock::acquire(root + "/" + key + ".lock", std::max(left, std::chrono::milliseconds(0)));
  if (!lock.ok()) return lock.status();
  if (auto t = find_template(root, key)) return *t;  // made while we waited
  sweep_dead_makers(root, key);

  std::string scratch = fmt::format("{}/{}.make.{}", root, key, ::getpid());
  std::error_code ec;
  fs::remove_all(scratch, ec);
  KV_RETURN_IF_ERROR(make_private_dir(scratch));
  Status st = run_fresh_plane(c, scratch, deadline);
  if (st.ok()) st = publish_template(scratch + "/etcd-data", root, key);
  fs::remove_all(scratch, ec);
  if (!st.ok()) return st.Prefixed("making the start template");
  made = true;
  auto t = find_template(root, key);
  if (!t) return Status::IOError(root + "/" + key + ": template missing after it was made");
  return *t;
}

}  // namespace kv::controlplane
