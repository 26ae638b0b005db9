// The control plane's own PKI, made with OpenSSL 3: a CA, serving and client certificates (ECDSA P-256),
// the service-account signing key pair and the admin's bearer token, plus reading and writing them in a
// folder.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace kv::controlplane {

struct CertKey {
  std::string cert_pem, key_pem;
};

struct Pki {
  CertKey ca;           // self-signed CA that signs everything below and is trusted by clients
  CertKey serving;      // kube-apiserver and etcd serving certificate: 127.0.0.1, localhost, 10.0.0.1
  CertKey admin;        // client certificate CN=kvalidate-admin, O=system:masters
  CertKey etcd_client;  // kube-apiserver's client certificate towards etcd
  std::string sa_key_pem, sa_pub_pem;  // service-account token signing key pair
  // The same admin's bearer token (256 random bits, hex; kube-apiserver's --token-auth-file): what
  // kvalidate and its kubeconfig use. The server verifies a client certificate's chain on every request
  // (an ECDSA verify, ~10 % of its CPU per dry-run); a static token is a map lookup.
  std::string admin_token;
};

struct CertSpec {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool server = false;  // extendedKeyUsage serverAuth (else clientAuth)
  int days = 365;
};

// Makes a fresh PKI. Fails (Internal) only when OpenSSL does.
Result<Pki> generate_pki();

// Issues one certificate signed by `ca`. Fails when the CA does not parse or OpenSSL fails.
Result<CertKey> issue_cert(const CertKey& ca, const CertSpec& spec);

// File names inside a PKI folder.
namespace pki_files {
inline constexpr const char* kCaCert = "ca.crt";
inline constexpr const char* kCaKey = "ca.key";
inline constexpr const char* kServingCert = "serving.crt";
inline constexpr const char* kServingKey = "serving.key";
inline constexpr const char* kAdminCert = "admin.crt";
inline constexpr const char* kAdminKey = "admin.key";
inline constexpr const char* kEtcdClientCert = "etcd-client.crt";
inline constexpr const char* kEtcdClientKey = "etcd-client.key";
inline constexpr const char* kSaKey = "sa.key";
inline constexpr const char* kSaPub = "sa.pub";
inline constexpr const char* kAdminToken = "admin.token";
inline constexpr const char* kTokenAuthFile = "tokens.csv";  // kube-apiserver's --token-auth-file
}  // namespace pki_files

// The line of kube-apiserver's token file for `token`: the admin, in system:masters.
std::string token_auth_line(const std::string& token);

// Writes every file into `dir` (created 0700): keys 0600, certificates 0644, each atomically.
Status write_pki(const Pki& pki, const std::string& dir);

// Reads a PKI written by write_pki. Fails (NotFound) when a file is missing, does not parse, or a
// certificate expires within a day, so the caller makes a new one.
Result<Pki> load_pki(const std::string& dir);

}  // namespace kv::controlplane
