#include "kube/kubeconfig.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "core/files.h"
#include "core/yaml_util.h"

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

Result<std::string> read_kubeconfig_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return Status::InvalidInput(path + ": cannot read kubeconfig");
  return text;
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
    auto content = read_kubeconfig_file(p.string());
    if (!content.ok()) return Status::InvalidInput(e.file + ": " + key + " " + p.string() + " cannot be read");
    return content;
  }
  return std::string();
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
    auto text = read_kubeconfig_file(file);
    if (!text.ok()) return text.status();
    auto parsed = parse_yaml(*text, file, "invalid kubeconfig");
    if (!parsed.ok()) return parsed.status();
    const YAML::Node root = *parsed;
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

  std::string user_name = scalar_at(ctx->second.node, "user");
  auto us = users.find(user_name);
  if (us != users.end()) {
    const Entry& u = us->second;
    if (u.node["exec"] || u.node["auth-provider"])
      return Status::InvalidInput(u.file + ": user \"" + user_name +
                                  "\" uses an exec or auth-provider plugin, which kvalidate does not run; "
                                  "use a kubeconfig with a token or client certificate");
    auto cert = data_or_file(u, "client-certificate");
    if (!cert.ok()) return cert.status();
    auto key = data_or_file(u, "client-key");
    if (!key.ok()) return key.status();
    out.client_cert_pem = *cert;
    out.client_key_pem = *key;
    out.token = scalar_at(u.node, "token");
    if (out.token.empty() && !scalar_at(u.node, "tokenFile").empty()) {
      auto tok = read_kubeconfig_file(scalar_at(u.node, "tokenFile"));
      if (!tok.ok()) return tok.status();
      out.token = *tok;
      while (!out.token.empty() && std::isspace(static_cast<unsigned char>(out.token.back()))) out.token.pop_back();
    }
    out.username = scalar_at(u.node, "username");
    out.password = scalar_at(u.node, "password");
  }
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
