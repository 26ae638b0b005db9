#include "controlplane/apiserver_backend.h"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <set>

#include <fmt/core.h>

#include "controlplane/data_template.h"
#include "controlplane/files.h"
#include "controlplane/policy_apis.h"
#include "controlplane/ports.h"
#include "core/process.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace {
std::string pki_path(const ApiserverConfig& c, const char* file) { return c.dir + "/pki/" + file; }
std::string url(int port) { return fmt::format("https://127.0.0.1:{}", port); }

// etcd's TLS flags for its client ("") or peer ("peer-") port: the serving pair, the CA that signs the
// certificates it accepts, and client certificates required.
std::vector<std::string> etcd_tls_flags(const ApiserverConfig& c, const std::string& prefix) {
  using namespace pki_files;
  return {"--" + prefix + "cert-file=" + pki_path(c, kServingCert), "--" + prefix + "key-file=" + pki_path(c, kServingKey),
          "--" + prefix + "trusted-ca-file=" + pki_path(c, kCaCert), "--" + prefix + "client-cert-auth=true"};
}
}  // namespace

std::vector<std::string> etcd_command(const ApiserverConfig& c) {
  // Peer traffic is TLS with client certificates too: nobody local can talk to the peer port in clear.
  std::string peer = fmt::format("https://127.0.0.1:{}", c.etcd_peer_port);
  std::vector<std::string> argv = {
      c.etcd_bin,
      "--name=kvalidate",
      "--data-dir=" + c.dir + "/etcd-data",
      "--listen-client-urls=" + url(c.etcd_client_port),
      "--advertise-client-urls=" + url(c.etcd_client_port),
      "--listen-peer-urls=" + peer,
      "--initial-advertise-peer-urls=" + peer,
      "--initial-cluster=kvalidate=" + peer,
  };
  for (const char* prefix : {"", "peer-"})
    for (auto& f : etcd_tls_flags(c, prefix)) argv.push_back(std::move(f));
  for (const char* f : {"--unsafe-no-fsync=true", "--snapshot-count=100000", "--heartbeat-interval=10",
                        "--election-timeout=100", "--log-level=warn"})
    argv.push_back(f);
  return argv;
}

std::vector<std::string> apiserver_command(const ApiserverConfig& c) {
  using namespace pki_files;
  std::vector<std::string> argv = {
      c.apiserver_bin,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      fmt::format("--secure-port={}", c.apiserver_port),
      "--cert-dir=" + c.dir + "/pki",
      "--tls-cert-file=" + pki_path(c, kServingCert),
      "--tls-private-key-file=" + pki_path(c, kServingKey),
      "--client-ca-file=" + pki_path(c, kCaCert),
      "--token-auth-file=" + pki_path(c, kTokenAuthFile),
      "--etcd-servers=" + url(c.etcd_client_port),
      "--etcd-cafile=" + pki_path(c, kCaCert),
      "--etcd-certfile=" + pki_path(c, kEtcdClientCert),
      "--etcd-keyfile=" + pki_path(c, kEtcdClientKey),
      "--authorization-mode=RBAC",
      // Nothing answers anonymously, /healthz and /version included; kvalidate checks health as admin.
      "--anonymous-auth=false",
      "--disable-admission-plugins=ServiceAccount",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-account-key-file=" + pki_path(c, kSaPub),
      "--service-account-signing-key-file=" + pki_path(c, kSaKey),
      // Its first address is the `kubernetes` Service's (start_template.cpp drops it from templates).
      // Every cluster IP of 10/8 is valid (kubeadm's 10.96.0.0/12, k3s's 10.43.0.0/16, AKS, EKS, ...): a
      // chart that sets one (a DNS Service at 10.96.0.10) is not refused for kvalidate's own range.
      "--service-cluster-ip-range=10.0.0.0/8",
      "--allow-privileged=true",
      // No nodes and no other masters: a loopback endpoint for the kubernetes Service is invalid anyway.
      "--endpoint-reconciler-type=none",
      // Measured: a cold start is ~25% faster without the watch cache; dry-runs and reviews do not need it.
      "--watch-cache=false",
      "--profiling=false",
      "--v=0",
  };
  // A full plane's token controller creates the ServiceAccounts this plugin looks up and mounts.
  if (c.full) std::erase(argv, std::string("--disable-admission-plugins=ServiceAccount"));
  for (auto& f : policy_apis(c.kube_minor).flags) argv.push_back(std::move(f));
  return argv;
}

Result<Pki> ensure_pki(const std::string& dir) {
  auto loaded = load_pki(dir + "/pki");
  if (loaded.ok()) return loaded;
  auto fresh = generate_pki();
  if (!fresh.ok()) return fresh.status();
  KV_RETURN_IF_ERROR(write_pki(*fresh, dir + "/pki"));
  return fresh;
}

int probe_kube_minor(const std::string& apiserver_bin) {
  RunOptions ro;
  ro.timeout = std::chrono::seconds(10);
  auto v = run_command({apiserver_bin, "--version"}, ro);  // "Kubernetes v1.37.2"
  return v.ok() && v->exit_code == 0 ? kube_minor(v->out) : 0;
}

int known_kube_minor(const std::string& apiserver_bin, const std::string& root) {
  std::string memo = root + "/minors/" + template_key({file_identity(apiserver_bin)});
  if (auto text = read_file(memo); text.ok()) {
    int minor = std::atoi(text->c_str());
    if (minor > 0) return minor;
  }
  int minor = probe_kube_minor(apiserver_bin);
  if (minor > 0 && make_private_dir(root + "/minors").ok())
    (void)write_file_atomic(memo, std::to_string(minor) + "\n", 0600);  // a memo: a failed write costs a probe
  return minor;
}

std::map<std::string, std::string> apiserver_env() { return {{"GOGC", "400"}}; }

std::string apiserver_template_key(const ApiserverConfig& c) {
  ApiserverConfig canon = c;
  canon.dir = "/kvalidate-plane";
  canon.etcd_client_port = 1, canon.etcd_peer_port = 2, canon.apiserver_port = 3;
  std::vector<std::string> parts = {"kvalidate data template 1", file_identity(c.etcd_bin), file_identity(c.apiserver_bin)};
  for (const auto& argv : {etcd_command(canon), apiserver_command(canon)}) {
    std::string line;
    for (const auto& a : argv) line += a + '\0';
    parts.push_back(line);
  }
  return template_key(parts);
}

Result<LaunchPlan> apiserver_plan(ApiserverConfig c) {
  if (c.kube_minor == 0) c.kube_minor = probe_kube_minor(c.apiserver_bin);
  bool from_template = false;
  if (std::error_code ec; !c.template_data.empty() && !std::filesystem::exists(c.dir + "/etcd-data", ec)) {
    KV_RETURN_IF_ERROR(copy_data_dir(c.template_data, c.dir + "/etcd-data"));
    from_template = true;
  }
  auto pki = ensure_pki(c.dir);
  if (!pki.ok()) return pki.status();
  std::set<int> used;
  for (int* port : {&c.etcd_client_port, &c.etcd_peer_port, &c.apiserver_port}) {
    if (*port > 0 && !used.count(*port) && port_free(*port)) { used.insert(*port); continue; }
    auto p = free_port(used);
    if (!p.ok()) return p.status();
    *port = *p;
    used.insert(*p);
  }
  LaunchPlan plan;
  plan.backend = "apiserver";
  plan.server = url(c.apiserver_port);
  plan.kubeconfig = c.dir + "/kubeconfig";
  plan.ports = {{"apiserver", c.apiserver_port}, {"etcd-client", c.etcd_client_port}, {"etcd-peer", c.etcd_peer_port}};
  plan.components = {{"etcd", etcd_command(c), "etcd", {}, c.etcd_client_port},
                     {"apiserver", apiserver_command(c), "kube-apiserver", apiserver_env()}};
  if (from_template) plan.ready_path = kReadyzBootstrapped;

  kube::Cluster cluster;
  cluster.server = plan.server;
  cluster.ca_pem = pki->ca.cert_pem;
  cluster.token = pki->admin_token;  // (pki.h: cheaper for the server than the admin's certificate)
  cluster.context = "kvalidate";
  cluster.kubeconfig_path = plan.kubeconfig;
  KV_RETURN_IF_ERROR(write_file_atomic(plan.kubeconfig, kube::render_kubeconfig(cluster, "kvalidate"), 0600));
  plan.credentials = [cluster]() -> Result<kube::Cluster> { return cluster; };
  // Ask etcd for its version while the plane starts, not after.
  RunOptions ro;
  ro.timeout = std::chrono::seconds(5);
  auto etcd_version = std::make_shared<std::future<Result<RunResult>>>(
      std::async(std::launch::async, [bin = c.etcd_bin, ro] { return run_command({bin, "--version"}, ro); }));
  plan.after_ready = [etcd_version](State& s) {
    auto r = etcd_version->get();
    if (!r.ok() || r->exit_code != 0) return;
    auto pos = r->out.find("etcd Version: ");  // "etcd Version: 3.7.0"
    if (pos == std::string::npos) return;
    auto end = r->out.find('\n', pos);
    s.versions["etcd"] = "v" + r->out.substr(pos + 14, end == std::string::npos ? std::string::npos : end - pos - 14);
  };
  return plan;
}

}  // namespace kv::controlplane
