#include "controlplane/pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "controlplane/files.h"

namespace kv::controlplane {

namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Ext = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

PKey new_key() { return PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

std::string bio_string(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string key_pem(EVP_PKEY* k) {
  Bio b(BIO_new(BIO_s_mem()));
  if (!b || !PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr)) return "";
  return bio_string(b.get());
}

std::string pub_pem(EVP_PKEY* k) {
  Bio b(BIO_new(BIO_s_mem()));
  if (!b || !PEM_write_bio_PUBKEY(b.get(), k)) return "";
  return bio_string(b.get());
}

std::string cert_pem(X509* c) {
  Bio b(BIO_new(BIO_s_mem()));
  if (!b || !PEM_write_bio_X509(b.get(), c)) return "";
  return bio_string(b.get());
}

Cert parse_cert(const std::string& pem) {
  Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(b ? PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr) : nullptr);
}

PKey parse_key(const std::string& pem) {
  Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PKey(b ? PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr) : nullptr);
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ext ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Builds and signs a certificate for `key`; `issuer`/`issuer_key` null means self-signed.
Cert make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, bool is_ca) {
  Cert c(X509_new());
  if (!c) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c.get())) != nullptr;
  BN_free(bn);
  ok = ok && X509_set_version(c.get(), X509_VERSION_3) == 1;
  ok = ok && X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600) != nullptr;
  ok = ok && X509_gmtime_adj(X509_getm_notAfter(c.get()), 86400L * spec.days) != nullptr;
  ok = ok && X509_set_pubkey(c.get(), key) == 1;
  X509_NAME* name = X509_get_subject_name(c.get());
  for (const auto& o : spec.organizations)
    ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0) == 1;
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0) == 1;
  X509* signer = issuer ? issuer : c.get();
  ok = ok && X509_set_issuer_name(c.get(), X509_get_subject_name(signer)) == 1;
  if (!ok) return nullptr;
  if (is_ca) {
    ok = add_ext(c.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(c.get(), signer, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
  } else {
    ok = add_ext(c.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(c.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
         add_ext(c.get(), signer, NID_ext_key_usage, spec.server ? "serverAuth,clientAuth" : "clientAuth");
  }
  ok = ok && add_ext(c.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer) ok = ok && add_ext(c.get(), signer, NID_authority_key_identifier, "keyid:always");
  std::string san;
  for (const auto& d : spec.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : spec.ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!san.empty()) ok = ok && add_ext(c.get(), signer, NID_subject_alt_name, san);
  if (!ok) return nullptr;
  if (X509_sign(c.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) return nullptr;
  return c;
}

}  // namespace

Result<CertKey> issue_cert(const CertKey& ca, const CertSpec& spec) {
  Cert ca_cert = parse_cert(ca.cert_pem);
  PKey ca_key = parse_key(ca.key_pem);
  if (!ca_cert || !ca_key) return Status::Internal("PKI: the CA certificate or key does not parse");
  PKey key = new_key();
  if (!key) return Status::Internal("PKI: cannot generate an ECDSA P-256 key");
  Cert c = make_cert(spec, key.get(), ca_cert.get(), ca_key.get(), false);
  if (!c) return Status::Internal("PKI: cannot issue a certificate for " + spec.common_name);
  return CertKey{cert_pem(c.get()), key_pem(key.get())};
}

Result<Pki> generate_pki() {
  Pki pki;
  PKey ca_key = new_key();
  PKey sa_key = new_key();
  if (!ca_key || !sa_key) return Status::Internal("PKI: cannot generate an ECDSA P-256 key");
  CertSpec ca_spec;
  ca_spec.common_name = "kvalidate-ca";
  ca_spec.organizations = {"kvalidate"};
  ca_spec.days = 3650;
  Cert ca = make_cert(ca_spec, ca_key.get(), nullptr, nullptr, true);
  if (!ca) return Status::Internal("PKI: cannot make the CA certificate");
  pki.ca = {cert_pem(ca.get()), key_pem(ca_key.get())};

  CertSpec serving_spec;
  serving_spec.common_name = "kube-apiserver";
  serving_spec.dns_names = {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                            "kubernetes.default.svc.cluster.local"};
  serving_spec.ip_addresses = {"127.0.0.1", "10.0.0.1"};
  serving_spec.server = true;
  auto serving = issue_cert(pki.ca, serving_spec);
  if (!serving.ok()) return serving.status();
  CertSpec admin_spec;
  admin_spec.common_name = "kvalidate-admin";
  admin_spec.organizations = {"system:masters"};
  auto admin = issue_cert(pki.ca, admin_spec);
  if (!admin.ok()) return admin.status();
  CertSpec etcd_spec;
  etcd_spec.common_name = "kube-apiserver-etcd-client";
  auto etcd_client = issue_cert(pki.ca, etcd_spec);
  if (!etcd_client.ok()) return etcd_client.status();
  pki.serving = *serving;
  pki.admin = *admin;
  pki.etcd_client = *etcd_client;
  pki.sa_key_pem = key_pem(sa_key.get());
  pki.sa_pub_pem = pub_pem(sa_key.get());
  if (pki.sa_key_pem.empty() || pki.sa_pub_pem.empty() || pki.ca.cert_pem.empty())
    return Status::Internal("PKI: cannot encode PEM");
  unsigned char token[32];
  if (RAND_bytes(token, sizeof token) != 1) return Status::Internal("PKI: no random bytes for the admin token");
  static const char* hex = "0123456789abcdef";
  for (unsigned char b : token) {
    pki.admin_token.push_back(hex[b >> 4]);
    pki.admin_token.push_back(hex[b & 15]);
  }
  return pki;
}

std::string token_auth_line(const std::string& token) {
  return token + ",kvalidate-admin,kvalidate-admin,\"system:masters\"\n";
}

Status write_pki(const Pki& pki, const std::string& dir) {
  using namespace pki_files;
  KV_RETURN_IF_ERROR(make_private_dir(dir));
  const struct { const char* name; const std::string& data; unsigned mode; } files[] = {
      {kCaCert, pki.ca.cert_pem, 0644},          {kCaKey, pki.ca.key_pem, 0600},
      {kServingCert, pki.serving.cert_pem, 0644}, {kServingKey, pki.serving.key_pem, 0600},
      {kAdminCert, pki.admin.cert_pem, 0644},     {kAdminKey, pki.admin.key_pem, 0600},
      {kEtcdClientCert, pki.etcd_client.cert_pem, 0644}, {kEtcdClientKey, pki.etcd_client.key_pem, 0600},
      {kSaKey, pki.sa_key_pem, 0600},             {kSaPub, pki.sa_pub_pem, 0644},
      {kAdminToken, pki.admin_token, 0600},       {kTokenAuthFile, token_auth_line(pki.admin_token), 0600},
  };
  for (const auto& f : files) KV_RETURN_IF_ERROR(write_file_atomic(dir + "/" + f.name, f.data, f.mode));
  return Status::Ok();
}

Result<Pki> load_pki(const std::string& dir) {
  using namespace pki_files;
  Pki pki;
  struct Entry { const char* name; std::string* out; bool is_cert; };
  const Entry entries[] = {
      {kCaCert, &pki.ca.cert_pem, true},          {kCaKey, &pki.ca.key_pem, false},
      {kServingCert, &pki.serving.cert_pem, true}, {kServingKey, &pki.serving.key_pem, false},
      {kAdminCert, &pki.admin.cert_pem, true},     {kAdminKey, &pki.admin.key_pem, false},
      {kEtcdClientCert, &pki.etcd_client.cert_pem, true}, {kEtcdClientKey, &pki.etcd_client.key_pem, false},
      {kSaKey, &pki.sa_key_pem, false},            {kSaPub, &pki.sa_pub_pem, true},
  };
  auto token = read_file(dir + "/" + kAdminToken);
  auto token_file = read_file(dir + "/" + kTokenAuthFile);
  if (!token.ok() || token->size() != 64 || token->find_first_not_of("0123456789abcdef") != std::string::npos ||
      !token_file.ok() || *token_file != token_auth_line(*token))
    return Status::NotFound(dir + "/" + kAdminToken + ": missing or invalid");
  pki.admin_token = std::move(*token);
  time_t soon = time(nullptr) + 86400;
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    auto text = read_file(path);
    if (!text.ok()) return Status::NotFound(text.status().message());
    *e.out = std::move(*text);
    if (std::string(e.name) == kSaPub) continue;  // a public key, not a certificate
    if (e.is_cert) {
      Cert c = parse_cert(*e.out);
      if (!c || X509_cmp_time(X509_get0_notAfter(c.get()), &soon) <= 0)
        return Status::NotFound(path + ": missing, invalid or expiring");
    } else if (!parse_key(*e.out)) {
      return Status::NotFound(path + ": invalid key");
    }
  }
  return pki;
}

}  // namespace kv::controlplane
