#include "controlplane/pki.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <doctest/doctest.h>
#include <filesystem>
#include <memory>

#include "controlplane/files.h"

namespace kv::controlplane {

namespace {

struct X509Free { void operator()(X509* x) const { X509_free(x); } };
using CertPtr = std::unique_ptr<X509, X509Free>;

CertPtr parse(const std::string& pem) {
  BIO* b = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  return CertPtr(x);
}

std::string subject(X509* x) {
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
  return buf;
}

bool verifies(const std::string& ca_pem, const std::string& cert_pem) {
  CertPtr ca = parse(ca_pem), cert = parse(cert_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

}  // namespace

TEST_CASE("generate_pki: certificates chain to the CA with the names kube-apiserver needs") {
  auto pki = generate_pki();
  REQUIRE(pki.ok());
  CHECK(verifies(pki->ca.cert_pem, pki->serving.cert_pem));
  CHECK(verifies(pki->ca.cert_pem, pki->admin.cert_pem));
  CHECK(verifies(pki->ca.cert_pem, pki->etcd_client.cert_pem));
  CHECK(subject(parse(pki->admin.cert_pem).get()) == "/O=system:masters/CN=kvalidate-admin");

  CertPtr serving = parse(pki->serving.cert_pem);
  CHECK(X509_check_host(serving.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(serving.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(serving.get(), "10.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(serving.get(), "192.168.1.1", 0) != 1);
  CHECK(X509_check_purpose(serving.get(), X509_PURPOSE_SSL_SERVER, 0) == 1);
  CHECK(X509_check_purpose(parse(pki->admin.cert_pem).get(), X509_PURPOSE_SSL_SERVER, 0) != 1);
  CHECK(pki->sa_pub_pem.find("BEGIN PUBLIC KEY") != std::string::npos);
  CHECK(pki->sa_key_pem.find("BEGIN PRIVATE KEY") != std::string::npos);

  // Another PKI's certificates do not verify against this CA.
  auto other = generate_pki();
  REQUIRE(other.ok());
  CHECK_FALSE(verifies(pki->ca.cert_pem, other->admin.cert_pem));
}

TEST_CASE("write_pki/load_pki: round trip, private modes, damaged files rejected") {
  namespace fs = std::filesystem;
  std::string dir = (fs::temp_directory_path() / ("kv-pki-test-" + std::to_string(getpid()))).string();
  auto pki = generate_pki();
  REQUIRE(pki.ok());
  REQUIRE(write_pki(*pki, dir).ok());
  struct stat sb;
  REQUIRE(stat((dir + "/ca.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  REQUIRE(stat((dir + "/sa.key").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  REQUIRE(stat(dir.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0700);

  REQUIRE(stat((dir + "/admin.token").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  REQUIRE(stat((dir + "/tokens.csv").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);

  auto loaded = load_pki(dir);
  REQUIRE(loaded.ok());
  CHECK(loaded->admin.cert_pem == pki->admin.cert_pem);
  CHECK(loaded->sa_pub_pem == pki->sa_pub_pem);
  CHECK(loaded->admin_token == pki->admin_token);
  CHECK(pki->admin_token.size() == 64);
  CHECK(generate_pki()->admin_token != pki->admin_token);
  CHECK(read_file(dir + "/tokens.csv").value() == pki->admin_token + ",kvalidate-admin,kvalidate-admin,\"system:masters\"\n");

  // A PKI without the token (written by an older kvalidate) is made again.
  fs::remove(dir + "/admin.token");
  CHECK(load_pki(dir).status().code() == Status::Code::kNotFound);
  REQUIRE(write_pki(*pki, dir).ok());

  REQUIRE(write_file_atomic(dir + "/serving.crt", "-----BEGIN CERTIFICATE-----\ngarbage", 0644).ok());
  CHECK(load_pki(dir).status().code() == Status::Code::kNotFound);
  fs::remove(dir + "/serving.crt");
  CHECK(load_pki(dir).status().code() == Status::Code::kNotFound);
  fs::remove_all(dir);
}

}  // namespace kv::controlplane
