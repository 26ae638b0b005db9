#include "kube/credentials.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"
#include "kube/client.h"
#include "kube/kubeconfig.h"

namespace fs = std::filesystem;
using namespace kv::kube;

namespace {

struct TempDir : kv::core::testing::TempDir {
  TempDir() : kv::core::testing::TempDir("creds-test") {}
  std::string write(const std::string& rel, const std::string& text, unsigned mode = 0600) const {
    std::string file = kv::core::testing::TempDir::write(rel, text);
    chmod(file.c_str(), mode);
    return file;
  }
};

const char* kHead =
    "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
    "clusters:\n- name: k\n  cluster:\n    server: https://10.1.2.3:6443\n    tls-server-name: api.internal\n"
    "    proxy-url: socks5://127.0.0.1:1080\n"
    "contexts:\n- name: c\n  context: {cluster: k, user: u}\n";

}  // namespace

TEST_CASE("parse_exec_credential checks what client-go checks") {
  const std::string v1 = "client.authentication.k8s.io/v1";
  auto ok = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",)"
      R"("status":{"token":"abc","expirationTimestamp":"2030-01-02T03:04:05Z"}})", v1);
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->token == "abc");
  REQUIRE(ok->expiry);
  CHECK(std::chrono::system_clock::to_time_t(*ok->expiry) == 1893553445);
  auto wrong = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"a"}})", v1);
  CHECK(wrong.status().message() ==
        "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version "
        "client.authentication.k8s.io/v1beta1");
  CHECK(parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})", v1)
            .status().message() == "exec plugin didn't return a status field");
  CHECK(parse_exec_credential(
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientKeyData":"k"}})",
            v1).status().message() == "exec plugin returned only certificate or key, not both");
  CHECK(parse_exec_credential("not json at all", v1).status().message().find("decoding stdout") == 0);
  CHECK(!parse_exec_credential(
             R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"a\nb"}})", v1)
             .ok());
}

TEST_CASE("tokens with control characters are refused; credentials are masked in debug lines") {
  CHECK(check_token("abc.def-ghi", "t").ok());
  CHECK(check_token("abc\nInjected: 1", "t").exit_code() == 2);
  CHECK(mask_credentials("Authorization: Bearer s3cr3t") == "Authorization: Bearer <masked>");
  CHECK(mask_credentials("[HTTP/2] [1] [authorization: Bearer s3cr3t]") ==
        "[HTTP/2] [1] [authorization: Bearer <masked>]");
  CHECK(mask_credentials("Proxy-Authorization: Basic dXNlcjpwYXNz") == "Proxy-Authorization: Basic <masked>");
  CHECK(mask_credentials("Accept: application/json") == "Accept: application/json");
}

TEST_CASE("kubeconfig: tokenFile is relative to the kubeconfig and wins over token; impersonation, proxy, SNI") {
  TempDir t;
  t.write("kube/tok", "  file-token \n");
  std::string kc = t.write("kube/config", std::string(kHead) +
                                              "users:\n- name: u\n  user:\n    token: inline-token\n    tokenFile: tok\n"
                                              "    as: jane\n    as-groups: [devs, ops]\n    as-uid: '42'\n"
                                              "    as-user-extra: {scopes: [view]}\n");
  auto c = load_kubeconfig(kc);
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  CHECK(c->token == "file-token");
  CHECK(c->tls_server_name == "api.internal");
  CHECK(c->proxy_url == "socks5://127.0.0.1:1080");
  CHECK(c->impersonate.user == "jane");
  CHECK(c->impersonate.groups == std::vector<std::string>{"devs", "ops"});
  CHECK(c->impersonate.uid == "42");
  CHECK(c->impersonate.extra.at("scopes") == std::vector<std::string>{"view"});
  t.write("kube/tok", "line1\nline2\n");
  auto multi = load_kubeconfig(kc);
  CHECK(multi.status().exit_code() == 2);
  CHECK(multi.status().message().find("control characters") != std::string::npos);
}

TEST_CASE("kubeconfig: a missing user, an auth-provider and a bad exec are one-line errors (exit 2)") {
  TempDir t;
  auto missing = load_kubeconfig(t.write("a", std::string(kHead) + "users: []\n"));
  CHECK(missing.status().exit_code() == 2);
  CHECK(missing.status().message().find("names user \"u\", which no kubeconfig") != std::string::npos);
  auto legacy = load_kubeconfig(t.write("b", std::string(kHead) +
                                                 "users:\n- name: u\n  user:\n    auth-provider: {name: gcp}\n"));
  CHECK(legacy.status().message().find("gke-gcloud-auth-plugin") != std::string::npos);
  auto no_mode = load_kubeconfig(t.write(
      "c", std::string(kHead) +
               "users:\n- name: u\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: x}\n"));
  CHECK(no_mode.status().message().find("interactiveMode must be specified") != std::string::npos);
}

TEST_CASE("an exec plugin runs once, is cached until it expires, and runs again after a 401") {
  TempDir t;
  std::string counter = (t.root() / "runs").string();
  // Counts its runs, prints a token naming the run, and checks what client-go passes it.
  t.write("bin/plugin",
          "#!/bin/sh\necho run >> " + counter + "\n"
          "n=$(wc -l < " + counter + " | tr -d ' ')\n"
          "case \"$KUBERNETES_EXEC_INFO\" in *'\"server\":\"https://10.1.2.3:6443\"'*) ;; *) exit 9;; esac\n"
          "[ \"$FROM_ENV\" = yes ] || exit 8\n"
          "echo \"plugin says hi\" >&2\n"
          "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
          "\"status\":{\"token\":\"tok-%s\"}}' \"$n\"\n",
          0700);
  std::string kc = t.write("kube/config", std::string(kHead) +
                                              "users:\n- name: u\n  user:\n    exec:\n"
                                              "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                                              "      command: ../bin/plugin\n      provideClusterInfo: true\n"
                                              "      env: [{name: FROM_ENV, value: 'yes'}]\n");
  auto c = load_kubeconfig(kc);
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  CHECK(c->exec->command == (t.root() / "kube/../bin/plugin").string());
  REQUIRE(uses_exec(*c));
  auto first = current_credentials(*c);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(first->cred.token == "tok-1");
  auto again = current_credentials(*c);
  CHECK(again->cred.token == "tok-1");  // cached: no expirationTimestamp
  CHECK(refresh_credentials(*c, first->generation).ok());
  CHECK(current_credentials(*c)->cred.token == "tok-2");
  CHECK(refresh_credentials(*c, first->generation).ok());  // already rotated: no run
  CHECK(current_credentials(*c)->cred.token == "tok-2");

  Cluster missing = *c;
  missing.exec->command = "kv-no-such-plugin";
  missing.exec->install_hint = "Install it:\n  apt install kv-plugin";
  auto gone = current_credentials(missing);
  CHECK(gone.status().code() == kv::Status::Code::kNotFound);
  CHECK(gone.status().message() == "exec: executable kv-no-such-plugin not found; Install it:   apt install kv-plugin");
  CHECK(identity_key(*c) != identity_key(missing));
}

TEST_CASE("credentials_forbidden: a refused impersonation quotes the server; else the missing discovery role") {
  Cluster c;
  c.user = "ci";
  auto imp = credentials_forbidden(
      c, "https://h/version", "users \"x\" is forbidden: User \"ci\" cannot impersonate resource \"users\"");
  CHECK(imp.code() == kv::Status::Code::kInvalidInput);
  CHECK(imp.message() ==
        "https://h/version: HTTP 403 Forbidden: users \"x\" is forbidden: User \"ci\" cannot impersonate resource "
        "\"users\" (the kubeconfig's as: or --as/--as-group asks for an identity its user may not impersonate)");
  auto disc = credentials_forbidden(c, "https://h/api", "forbidden: User \"ci\" cannot get path \"/api\"");
  CHECK(disc.code() == kv::Status::Code::kInvalidInput);
  CHECK(disc.message().find("user \"ci\" may not read the API server's discovery") != std::string::npos);
}
