#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "controlplane/files.h"

#include "controlplane/apiserver_backend.h"
#include "controlplane/k3s_backend.h"

namespace kv::controlplane {

namespace {
bool has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}
}  // namespace

TEST_CASE("k3s_command: control plane only, loopback, state dir, private kubeconfig") {
  K3sConfig c;
  c.dir = "/state";
  c.k3s_bin = "/usr/local/bin/k3s";
  c.https_port = 41000;
  auto argv = k3s_command(c);
  REQUIRE(argv.size() > 3);
  CHECK(argv[0] == "/usr/local/bin/k3s");
  CHECK(argv[1] == "server");
  CHECK(has(argv, "--disable-agent"));
  CHECK(has(argv, "--data-dir=/state/k3s"));
  CHECK(has(argv, "--write-kubeconfig=/state/kubeconfig"));
  CHECK(has(argv, "--write-kubeconfig-mode=0600"));
  CHECK(has(argv, "--bind-address=127.0.0.1"));
  CHECK(has(argv, "--https-listen-port=41000"));
  CHECK(has(argv, "--flannel-backend=none"));
}

TEST_CASE("etcd_command and apiserver_command: loopback ports, TLS to etcd, RBAC, no ServiceAccount admission") {
  ApiserverConfig c;
  c.dir = "/state";
  c.etcd_bin = "/bin/etcd";
  c.apiserver_bin = "/bin/kube-apiserver";
  c.etcd_client_port = 2001;
  c.etcd_peer_port = 2002;
  c.apiserver_port = 6001;
  auto etcd = etcd_command(c);
  CHECK(etcd[0] == "/bin/etcd");
  CHECK(has(etcd, "--listen-client-urls=https://127.0.0.1:2001"));
  CHECK(has(etcd, "--listen-peer-urls=https://127.0.0.1:2002"));  // peers: TLS with client certificates
  CHECK(has(etcd, "--peer-client-cert-auth=true"));
  CHECK(has(etcd, "--data-dir=/state/etcd-data"));
  CHECK(has(etcd, "--client-cert-auth=true"));
  CHECK(has(etcd, "--unsafe-no-fsync=true"));
  auto api = apiserver_command(c);
  CHECK(api[0] == "/bin/kube-apiserver");
  CHECK(has(api, "--secure-port=6001"));
  CHECK(has(api, "--bind-address=127.0.0.1"));
  CHECK(has(api, "--etcd-servers=https://127.0.0.1:2001"));
  CHECK(has(api, "--authorization-mode=RBAC"));
  CHECK(has(api, "--anonymous-auth=false"));
  CHECK(has(api, "--disable-admission-plugins=ServiceAccount"));
  CHECK(has(api, "--service-account-key-file=/state/pki/sa.pub"));
  CHECK(has(api, "--service-account-signing-key-file=/state/pki/sa.key"));
  CHECK(has(api, "--client-ca-file=/state/pki/ca.crt"));
  CHECK(has(api, "--allow-privileged=true"));
  c.full = true;
  auto full = apiserver_command(c);
  CHECK_FALSE(has(full, "--disable-admission-plugins=ServiceAccount"));
  CHECK(full.size() + 1 == api.size());

  for (const auto& a : api) CHECK(a.rfind("--feature-gates", 0) != 0);  // 1.36+: policies on by default

  c.kube_minor = 35;  // MutatingAdmissionPolicy beta: off by default
  auto beta = apiserver_command(c);
  CHECK(has(beta, "--feature-gates=MutatingAdmissionPolicy=true"));
  CHECK(has(beta, "--runtime-config=admissionregistration.k8s.io/v1beta1=true"));
}

TEST_CASE("apiserver_template_key: where a plane lives and listens does not matter, its flags and binaries do") {
  ApiserverConfig a;
  a.dir = "/state-a";
  a.etcd_bin = "/bin/etcd";
  a.apiserver_bin = "/bin/kube-apiserver";
  a.etcd_client_port = 2001, a.etcd_peer_port = 2002, a.apiserver_port = 6001;
  ApiserverConfig b = a;
  b.dir = "/elsewhere/state-b";
  b.etcd_client_port = 3001, b.etcd_peer_port = 3002, b.apiserver_port = 7001;
  b.template_data = "/cache/templates/x/etcd-data";
  CHECK(apiserver_template_key(a) == apiserver_template_key(b));
  b.full = true;  // the ServiceAccount admission plugin: another API server
  CHECK(apiserver_template_key(a) != apiserver_template_key(b));
  b = a;
  b.kube_minor = 35;  // other feature gates and runtime config
  CHECK(apiserver_template_key(a) != apiserver_template_key(b));
  b = a;
  b.apiserver_bin = "/other/kube-apiserver";
  CHECK(apiserver_template_key(a) != apiserver_template_key(b));
}

TEST_CASE("known_kube_minor: probed once per binary, then read from the memo until the binary changes") {
  namespace fs = std::filesystem;
  std::string dir = (fs::temp_directory_path() / ("kv-minor-" + std::to_string(getpid()))).string();
  fs::remove_all(dir);
  REQUIRE(make_private_dir(dir).ok());
  std::string bin = dir + "/kube-apiserver";
  REQUIRE(write_file_atomic(bin, "#!/bin/sh\necho Kubernetes v1.33.4\n", 0700).ok());
  CHECK(known_kube_minor(bin, dir + "/root") == 33);
  REQUIRE(std::distance(fs::directory_iterator(dir + "/root/minors"), fs::directory_iterator()) == 1);
  auto memo = fs::directory_iterator(dir + "/root/minors")->path().string();
  REQUIRE(write_file_atomic(memo, "31\n", 0600).ok());
  CHECK(known_kube_minor(bin, dir + "/root") == 31);  // not probed again
  REQUIRE(write_file_atomic(bin, "#!/bin/sh\necho Kubernetes v1.34.10\n", 0700).ok());  // a rebuilt binary
  CHECK(known_kube_minor(bin, dir + "/root") == 34);
  fs::remove_all(dir);
}

}  // namespace kv::controlplane
