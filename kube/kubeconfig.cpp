#include "kube/kubeconfig.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/json.h"
#include "core/yaml_util.h"
#include "kube/credentials.h"

namespace kv::kube {

namespace fs = std::filesystem;

std::string base64_encode(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
  if (clean.size() % 4 != 0) return Status::InvalidInput("invalid base64 (length)");
  std::string out(3 * clean.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
  if (n < 0) return Status::InvalidInput("invalid base64");
  size_t pad = 0;
  if (!clean.empty() && clean.back() == '=') ++pad;
  if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

namespace {

struct Entry {
  YAML::Node node;
  std::string file;  // the kubeconfig file that defined it
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::InvalidInput(path + ": cannot read kubeconfig");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Inline "<key>-data" (base64) wins over "<key>" (a path relative to the kubeconfig's folder).
Result<std::string> data_or_file(const Entry& e, const std::string& key) {
  const YAML::Node& n = e.node;
  if (n[key + "-data"] && n[key + "-data"].IsScalar()) {
    auto decoded = base64_decode(n[key + "-data"].Scalar());
    if (!decoded.ok()) return decoded.status().Prefixed(e.file + ": " + key + "-data");
    return decoded;
  }
  if (n[key] && n[key].IsScalar()) {
    fs::path p = n[key].Scalar();
    if (p.is_relative()) p = fs::path(e.file).parent_path() / p;
    auto content = read_file(p.string());
    if (!content.ok()) return Status::InvalidInput(e.file + ": " + key + " " + p.string() + " cannot be read");
    return content;
  }
  return std::string();
}



// The legacy in-tree auth providers and the exec plugins that replaced them.
std::string auth_provider_hint(const std::string& name) {
  if (name == "gcp") return "gke-gcloud-auth-plugin";
  if (name == "azure") return "kubelogin (github.com/Azure/kubelogin)";
  if (name == "oidc") return "kubelogin (kubectl oidc-login)";
  return "the provider's client-go credential plugin";
}

// A file path from the kubeconfig, relative to the folder of the kubeconfig that holds it.
std::string relative_to(const Entry& e, const std::string& path) {
  fs::path p = path;
  if (p.is_relative()) p = fs::path(e.file).parent_path() / p;
  return p.string();
}

Result<ExecConfig> read_exec(const Entry& u, const std::string& user) {
  const YAML::Node n = u.node["exec"];
  std::string where = u.file + ":" + std::to_string(n.Mark().line + 1) + ": user \"" + user + "\": exec";
  if (!n.IsMap()) return Status::InvalidInput(where + " must be a map");
  ExecConfig e;
  e.command = scalar_at(n, "command");
  if (e.command.empty()) return Status::InvalidInput(where + ": command is required");
  // client-go resolves a relative command with a path separator against the kubeconfig's folder.
  if (e.command.find('/') != std::string::npos) e.command = relative_to(u, e.command);
  e.api_version = scalar_at(n, "apiVersion");
  if (e.api_version != "client.authentication.k8s.io/v1" && e.api_version != "client.authentication.k8s.io/v1beta1")
    return Status::InvalidInput(where + ": apiVersion \"" + e.api_version +
                                "\" is not client.authentication.k8s.io/v1 or /v1beta1");
  if (n["args"] && n["args"].IsSequence())
    for (const auto& a : n["args"]) e.args.push_back(a.IsScalar() ? a.Scalar() : "");
  if (n["env"] && n["env"].IsSequence())
    for (const auto& v : n["env"]) e.env.emplace_back(scalar_at(v, "name"), scalar_at(v, "value"));
  e.install_hint = scalar_at(n, "installHint");
  e.provide_cluster_info = scalar_at(n, "provideClusterInfo") == "true";
  e.interactive_mode = scalar_at(n, "interactiveMode");
  if (e.interactive_mode.empty() && e.api_version.ends_with("/v1"))
    return Status::InvalidInput(where + ": interactiveMode must be specified for client.authentication.k8s.io/v1");
  if (!e.interactive_mode.empty() && e.interactive_mode != "Never" && e.interactive_mode != "IfAvailable" &&
      e.interactive_mode != "Always")
    return Status::InvalidInput(where + ": interactiveMode \"" + e.interactive_mode +
                                "\" is not Never, IfAvailable or Always");
  return e;
}

// The cluster's `client.authentication.k8s.io/exec` extension as JSON (spec.cluster.config), "" if none.
std::string exec_extension(const YAML::Node& cluster) {
  const YAML::Node list = cluster["extensions"];
  if (!list || !list.IsSequence()) return "";
  for (const auto& ext : list)
    if (scalar_at(ext, "name") == "client.authentication.k8s.io/exec" && ext["extension"])
      return JsonWriter(false).node(ext["extension"]).str();
  return "";
}

Status read_impersonation(const YAML::Node& n, Impersonation& imp) {
  imp.user = scalar_at(n, "as");
  imp.uid = scalar_at(n, "as-uid");
  if (n["as-groups"] && n["as-groups"].IsSequence())
    for (const auto& g : n["as-groups"])
      if (g.IsScalar()) imp.groups.push_back(g.Scalar());
  if (n["as-user-extra"] && n["as-user-extra"].IsMap())
    for (const auto& kv : n["as-user-extra"]) {
      auto& values = imp.extra[kv.first.Scalar()];
      if (kv.second.IsSequence())
        for (const auto& v : kv.second) values.push_back(v.IsScalar() ? v.Scalar() : "");
      else if (kv.second.IsScalar())
        values.push_back(kv.second.Scalar());
    }
  return Status::Ok();
}

Status read_user(const Entry& u, const std::string& user, Cluster& out) {
  const YAML::Node& n = u.node;
  if (n["auth-provider"]) {
    std::string name = scalar_at(n["auth-provider"], "name");
    return Status::InvalidInput(u.file + ": user \"" + user + "\" uses the legacy auth-provider \"" + name +
                                "\", which kubectl no longer runs either; switch the user to its exec plugin: " +
                                auth_provider_hint(name));
  }
  if (n["exec"]) {
    auto e = read_exec(u, user);
    if (!e.ok()) return e.status();
    out.exec = std::move(*e);
  }
  auto cert = data_or_file(u, "client-certificate");
  if (!cert.ok()) return cert.status();
  auto key = data_or_file(u, "client-key");
  if (!key.ok()) return key.status();
  out.client_cert_pem = *cert;
  out.client_key_pem = *key;
  out.token = scalar_at(n, "token");
  // tokenFile wins over token and is relative to the kubeconfig, as in client-go.
  if (std::string tf = scalar_at(n, "tokenFile"); !tf.empty()) {
    std::string path = relative_to(u, tf);
    auto tok = read_file(path);
    if (!tok.ok()) return Status::InvalidInput(u.file + ": user \"" + user + "\": tokenFile " + path + " cannot be read");
    std::string t = *tok;
    auto first = t.find_first_not_of(" \t\r\n");
    auto last = t.find_last_not_of(" \t\r\n");
    out.token = first == std::string::npos ? "" : t.substr(first, last - first + 1);
    KV_RETURN_IF_ERROR(check_token(out.token, u.file + ": user \"" + user + "\": tokenFile " + path));
  }
  KV_RETURN_IF_ERROR(check_token(out.token, u.file + ": user \"" + user + "\": token"));
  out.username = scalar_at(n, "username");
  out.password = scalar_at(n, "password");
  return read_impersonation(n, out.impersonate);
}

}  // namespace

Result<Cluster> load_kubeconfig(const std::string& paths, const std::string& context) {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current;
  std::vector<std::string> files;
  std::stringstream ss(paths);
  for (std::string p; std::getline(ss, p, ':');)
    if (!p.empty()) files.push_back(p);
  if (files.empty()) return Status::InvalidInput("no kubeconfig given");
  int loaded = 0;
  for (const auto& file : files) {
    if (!fs::exists(file)) {
      if (files.size() == 1) return Status::InvalidInput(file + ": kubeconfig not found");
      continue;
    }
    auto text = read_file(file);
    if (!text.ok()) return text.status();
    YAML::Node root;
    try {
      root = YAML::Load(*text);
    } catch (const YAML::Exception& ex) {
      return Status::InvalidInput(file + ":" + std::to_string(ex.mark.line + 1) + ": invalid kubeconfig: " + ex.msg);
    }
    if (root.IsNull()) continue;
    if (!root.IsMap()) return Status::InvalidInput(file + ": invalid kubeconfig: not a mapping");
    ++loaded;
    if (current.empty()) current = scalar_at(root, "current-context");
    auto collect = [&](const char* list, const char* inner, std::map<std::string, Entry>& into) -> Status {
      YAML::Node l = root[list];
      if (!l) return Status::Ok();
      if (!l.IsSequence())
        return Status::InvalidInput(file + ":" + std::to_string(l.Mark().line + 1) + ": '" + list + "' must be a list");
      for (const auto& item : l) {
        std::string name = scalar_at(item, "name");
        if (name.empty() || !item[inner] || !item[inner].IsMap())
          return Status::InvalidInput(file + ":" + std::to_string(item.Mark().line + 1) + ": invalid entry in '" +
                                      list + "'");
        into.emplace(name, Entry{item[inner], file});
      }
      return Status::Ok();
    };
    KV_RETURN_IF_ERROR(collect("clusters", "cluster", clusters));
    KV_RETURN_IF_ERROR(collect("users", "user", users));
    KV_RETURN_IF_ERROR(collect("contexts", "context", contexts));
  }
  if (loaded == 0) return Status::InvalidInput(paths + ": kubeconfig not found");
  std::string ctx_name = context.empty() ? current : context;
  if (ctx_name.empty()) return Status::InvalidInput(paths + ": kubeconfig has no current-context; pass --context");
  auto ctx = contexts.find(ctx_name);
  if (ctx == contexts.end()) return Status::InvalidInput(paths + ": context \"" + ctx_name + "\" not found");
  Cluster out;
  out.context = ctx_name;
  out.kubeconfig_path = paths;
  out.default_namespace = scalar_at(ctx->second.node, "namespace");
  std::string cluster_name = scalar_at(ctx->second.node, "cluster");
  auto cl = clusters.find(cluster_name);
  if (cl == clusters.end())
    return Status::InvalidInput(ctx->second.file + ": context \"" + ctx_name + "\" names unknown cluster \"" +
                                cluster_name + "\"");
  out.server = scalar_at(cl->second.node, "server");
  if (out.server.empty()) return Status::InvalidInput(cl->second.file + ": cluster \"" + cluster_name + "\" has no server");
  out.insecure_skip_tls_verify = scalar_at(cl->second.node, "insecure-skip-tls-verify") == "true";
  out.tls_server_name = scalar_at(cl->second.node, "tls-server-name");
  auto ca = data_or_file(cl->second, "certificate-authority");
  if (!ca.ok()) return ca.status();
  out.ca_pem = *ca;

  out.proxy_url = scalar_at(cl->second.node, "proxy-url");
  out.user = scalar_at(ctx->second.node, "user");
  if (out.user.empty()) return out;  // no user: anonymous requests, as kubectl sends
  auto us = users.find(out.user);
  if (us == users.end())
    return Status::InvalidInput(ctx->second.file + ": context \"" + ctx_name + "\" names user \"" + out.user +
                                "\", which no kubeconfig in " + paths + " defines");
  KV_RETURN_IF_ERROR(read_user(us->second, out.user, out));
  if (out.exec && out.exec->provide_cluster_info) out.exec->cluster_config_json = exec_extension(cl->second.node);
  return out;
}

std::string render_kubeconfig(const Cluster& c, const std::string& name) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "apiVersion" << YAML::Value << "v1";
  e << YAML::Key << "kind" << YAML::Value << "Config";
  e << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << name;
  e << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "server" << YAML::Value << c.server;
  if (!c.ca_pem.empty()) e << YAML::Key << "certificate-authority-data" << YAML::Value << base64_encode(c.ca_pem);
  if (c.insecure_skip_tls_verify) e << YAML::Key << "insecure-skip-tls-verify" << YAML::Value << true;
  e << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  e << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << name;
  e << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (!c.client_cert_pem.empty()) {
    e << YAML::Key << "client-certificate-data" << YAML::Value << base64_encode(c.client_cert_pem);
    e << YAML::Key << "client-key-data" << YAML::Value << base64_encode(c.client_key_pem);
  }
  if (!c.token.empty()) e << YAML::Key << "token" << YAML::Value << c.token;
  e << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  e << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << name;
  e << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "cluster" << YAML::Value << name;
  e << YAML::Key << "user" << YAML::Value << name;
  e << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  e << YAML::Key << "current-context" << YAML::Value << name;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace kv::kube
