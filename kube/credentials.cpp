#include "kube/credentials.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include <fmt/core.h>

#include "core/json.h"
#include "core/process.h"
#include "core/yaml_util.h"
#include "kube/kubeconfig.h"

namespace kv::kube {

namespace {

using SysClock = std::chrono::system_clock;

// One plugin's cached output, shared by every Client of the process (client-go caches per config too).
struct Cached {
  std::optional<Credential> cred;
  uint64_t generation = 0;
};

std::mutex& cache_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, Cached>& cache() {
  static std::map<std::string, Cached> c;
  return c;
}

std::string cache_key(const Cluster& c) {
  std::string key = c.server + "\n" + c.exec->command + "\n" + c.exec->api_version;
  for (const auto& a : c.exec->args) key += "\n" + a;
  for (const auto& [k, v] : c.exec->env) key += "\n" + k + "=" + v;
  return key;
}

// RFC 3339 ("2026-01-02T03:04:05Z", fractions and offsets allowed), as metav1.Time serializes.
std::optional<SysClock::time_point> parse_rfc3339(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string rest = s.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(rest.c_str() + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset = (h * 3600L + m * 60L) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return SysClock::from_time_t(t - offset);
}

Result<bool> interactive_for(const ExecConfig& e) {
  std::string mode = e.interactive_mode.empty() ? "IfAvailable" : e.interactive_mode;
  if (mode == "Never") return false;
  if (mode == "IfAvailable") return isatty(0) == 1;
  if (mode == "Always") {
    if (isatty(0) != 1)
      return Status::Unavailable("exec plugin cannot support interactive mode: standard input is not a terminal");
    return true;
  }
  return Status::InvalidInput(fmt::format("unknown interactiveMode: \"{}\"", e.interactive_mode));
}

Result<Credential> run_plugin(const Cluster& c) {
  const ExecConfig& e = *c.exec;
  auto interactive = interactive_for(e);
  if (!interactive.ok()) return interactive.status();
  std::vector<std::string> argv{e.command};
  argv.insert(argv.end(), e.args.begin(), e.args.end());
  RunOptions ro;
  for (const auto& [k, v] : e.env) ro.env[k] = v;
  ro.env["KUBERNETES_EXEC_INFO"] = exec_info_json(c, *interactive);
  ro.inherit_stdin = *interactive;
  ro.pass_stderr = true;  // the plugin talks to the user (login prompts, errors) on stderr
  ro.max_output = 4u << 20;
  auto run = run_command(argv, ro);
  if (!run.ok()) {
    if (run.status().code() != Status::Code::kNotFound)
      return Status::Unavailable(fmt::format("exec: {}", run.status().message()));
    std::string msg = fmt::format("exec: executable {} not found", e.command);
    if (!e.install_hint.empty()) {
      std::string hint = e.install_hint;
      while (!hint.empty() && std::isspace(static_cast<unsigned char>(hint.back()))) hint.pop_back();
      for (char& ch : hint)
        if (ch == '\n' || ch == '\r') ch = ' ';
      msg += "; " + hint;
    }
    return Status::NotFound(msg);
  }
  if (run->timed_out) return Status::Unavailable(fmt::format("exec: executable {} timed out", e.command));
  if (run->exit_code != 0)
    return Status::Unavailable(fmt::format("exec: executable {} failed with exit code {}", e.command, run->exit_code));
  return parse_exec_credential(run->out, e.api_version);
}

}  // namespace

Status check_token(const std::string& token, const std::string& where) {
  for (unsigned char ch : token)
    if (ch < 0x20 || ch == 0x7f)
      return Status::InvalidInput(where + ": the token holds control characters (a multi-line token file?); "
                                          "refusing to send it");
  return Status::Ok();
}

Status credentials_rejected(const Cluster& c) {
  std::string source = uses_exec(c) ? "the exec plugin's credentials (" + c.exec->command + ")"
                       : !c.token.empty()        ? std::string("its token")
                       : !c.client_cert_pem.empty() ? std::string("its client certificate")
                       : !c.username.empty()     ? std::string("its username/password")
                                                 : std::string("no credentials");
  return Status::InvalidInput(fmt::format(
      "credentials rejected by {} (HTTP 401 Unauthorized): user \"{}\" of context \"{}\" in {} sends {}, which "
      "the server does not accept (wrong or expired?)",
      c.server, c.user, c.context, c.kubeconfig_path, source));
}

std::string identity_key(const Cluster& c) {
  std::string material = c.server + '\0' + c.tls_server_name + '\0' + c.token + '\0' + c.client_cert_pem + '\0' +
                         c.username + '\0' + c.password + '\0' + c.impersonate.user + '\0' + c.impersonate.uid;
  for (const auto& g : c.impersonate.groups) material += '\0' + g;
  for (const auto& [k, vs] : c.impersonate.extra)
    for (const auto& v : vs) material += '\0' + k + '=' + v;
  if (uses_exec(c)) material += '\0' + cache_key(c);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

bool uses_exec(const Cluster& c) {
  return c.exec && c.token.empty() && c.username.empty() && c.client_cert_pem.empty();
}

std::string exec_info_json(const Cluster& c, bool interactive) {
  JsonWriter w(false);
  w.begin_object().key("kind").value("ExecCredential").key("apiVersion").value(c.exec->api_version);
  w.key("spec").begin_object();
  if (c.exec->provide_cluster_info) {
    w.key("cluster").begin_object().key("server").value(c.server);
    if (!c.tls_server_name.empty()) w.key("tls-server-name").value(c.tls_server_name);
    if (c.insecure_skip_tls_verify) w.key("insecure-skip-tls-verify").value(true);
    if (!c.ca_pem.empty()) w.key("certificate-authority-data").value(base64_encode(c.ca_pem));
    if (!c.proxy_url.empty()) w.key("proxy-url").value(c.proxy_url);
    if (!c.exec->cluster_config_json.empty()) w.key("config").raw(c.exec->cluster_config_json);
    w.end_object();
  }
  w.key("interactive").value(interactive);
  w.end_object().end_object();
  return w.str();
}

Result<Credential> parse_exec_credential(const std::string& out, const std::string& api_version) {
  auto doc = parse_json(out, "exec plugin output");
  if (!doc.ok() || !doc->IsMap() || scalar_at(*doc, "apiVersion").empty() || scalar_at(*doc, "kind").empty())
    return Status::Unavailable("decoding stdout: couldn't get version/kind; the exec plugin printed no "
                               "ExecCredential JSON");
  if (scalar_at(*doc, "kind") != "ExecCredential")
    return Status::Unavailable(fmt::format("decoding stdout: the exec plugin printed a {}, not an ExecCredential",
                                           scalar_at(*doc, "kind")));
  if (scalar_at(*doc, "apiVersion") != api_version)
    return Status::Unavailable(fmt::format("exec plugin is configured to use API version {}, plugin returned "
                                           "version {}", api_version, scalar_at(*doc, "apiVersion")));
  const YAML::Node status = (*doc)["status"];
  if (!status || !status.IsMap()) return Status::Unavailable("exec plugin didn't return a status field");
  Credential c;
  c.token = scalar_at(status, "token");
  c.cert_pem = scalar_at(status, "clientCertificateData");
  c.key_pem = scalar_at(status, "clientKeyData");
  if (c.token.empty() && c.cert_pem.empty() && c.key_pem.empty())
    return Status::Unavailable("exec plugin didn't return a token or cert/key pair");
  if (c.cert_pem.empty() != c.key_pem.empty())
    return Status::Unavailable("exec plugin returned only certificate or key, not both");
  KV_RETURN_IF_ERROR(check_token(c.token, "exec plugin"));
  if (std::string exp = scalar_at(status, "expirationTimestamp"); !exp.empty()) {
    c.expiry = parse_rfc3339(exp);
    if (!c.expiry)
      return Status::Unavailable(fmt::format("exec plugin returned an invalid expirationTimestamp \"{}\"", exp));
  }
  return c;
}

Result<CredentialSnapshot> current_credentials(const Cluster& c) {
  CredentialSnapshot s;
  if (!uses_exec(c)) {
    s.cred.token = c.token;
    s.cred.cert_pem = c.client_cert_pem;
    s.cred.key_pem = c.client_key_pem;
    return s;
  }
  std::lock_guard<std::mutex> lock(cache_mutex());  // also makes sure the plugin runs once at a time
  Cached& entry = cache()[cache_key(c)];
  bool expired = entry.cred && entry.cred->expiry && SysClock::now() >= *entry.cred->expiry;
  if (!entry.cred || expired) {
    auto fresh = run_plugin(c);
    if (!fresh.ok()) return fresh.status();
    entry.cred = std::move(*fresh);
    ++entry.generation;
  }
  s.cred = *entry.cred;
  s.generation = entry.generation;
  s.from_exec = true;
  return s;
}

Status refresh_credentials(const Cluster& c, uint64_t generation) {
  if (!uses_exec(c)) return Status::Ok();
  std::lock_guard<std::mutex> lock(cache_mutex());
  Cached& entry = cache()[cache_key(c)];
  if (entry.generation != generation) return Status::Ok();  // already rotated
  auto fresh = run_plugin(c);
  if (!fresh.ok()) return fresh.status();
  entry.cred = std::move(*fresh);
  ++entry.generation;
  return Status::Ok();
}

Status credentials_forbidden(const Cluster& c, const std::string& url, const std::string& message) {
  // Impersonation is authorized before anything else: a refused as:/--as makes every request a 403.
  // ("cannot impersonate resource ...", or "cannot impersonate-on:serviceaccount:get path ..." with constrained
  // impersonation).
  if (message.find(" cannot impersonate") != std::string::npos)
    return Status::InvalidInput(fmt::format("{}: HTTP 403 Forbidden: {} (the kubeconfig's as: or --as/--as-group "
                                            "asks for an identity its user may not impersonate)",
                                            url, message));
  return Status::InvalidInput(fmt::format("{}: HTTP 403 Forbidden: user \"{}\" may not read the API server's "
                                          "discovery (needs the system:discovery ClusterRole)",
                                          url, c.user));
}

}  // namespace kv::kube
