// `kvalidate version`: kvalidate's own version and, for each external program it runs, the version,
// the path and where it was found (see core/tools.h), or "not found"; and which admission-policy APIs
// a plane kvalidate starts with that kube-apiserver serves (and the flags that turn them on).
#include <future>
#include <regex>

#include <fmt/core.h>

#include "build_info.h"
#include "cli/command.h"
#include "controlplane/policy_apis.h"
#include "core/json.h"
#include "core/process.h"
#include "core/tools.h"
#include "config/config.h"
#include "render/helm.h"

namespace kv::cli {

namespace {

struct ToolVersion {
  std::string name;
  std::optional<ToolLocation> where;
  std::string version;  // "" when the binary would not say
  std::string error;
  std::vector<render::Helm> others;  // helm only: the other helms kvalidate can see (`--helm`/`helm:` picks one)
};

// The helm `kvalidate chart` would use here ($KVALIDATE_HELM, then this folder's .kvalidate.yaml `helm:`,
// then the default) and every other helm it can see. A config that does not load is left out: `version`
// reports tools, `chart` reports the config's error.
ToolVersion helm_version() {
  ToolVersion t{"helm", {}, "", "", {}};
  render::HelmRequest req;
  if (auto cfg = config::find_and_load_config("", "."); cfg.ok() && *cfg) {
    req.config = (*cfg)->helm;
    req.config_file = (*cfg)->file;
  }
  auto helm = render::find_helm(req);
  if (helm.ok()) {
    t.where = ToolLocation{helm->path, helm->source};
    t.version = helm->version;
  } else if (auto found = find_tool("helm")) {
    t.where = found;
    t.error = helm.status().message();
  }
  for (auto& h : render::available_helms())
    if (!t.where || h.path != t.where->path) t.others.push_back(std::move(h));
  return t;
}

// Asks the binary for its version. Each tool words it differently.
std::string ask_version(const std::string& name, const std::string& path, std::string& error) {
  std::vector<std::string> argv{path, "--version"};
  if (name == "helm") argv = {path, "version", "--template", "{{.Version}}"};
  if (name == "kubectl") argv = {path, "version", "--client", "-o", "json"};
  RunOptions ro;
  ro.timeout = std::chrono::seconds(10);
  auto r = run_command(argv, ro);
  if (!r.ok()) { error = r.status().message(); return ""; }
  if (r->exit_code != 0) { error = fmt::format("exit {}: {}", r->exit_code, r->err.substr(0, 200)); return ""; }
  if (name == "kubectl") {
    auto doc = parse_json(r->out, "kubectl version");
    if (doc.ok() && (*doc)["clientVersion"] && (*doc)["clientVersion"]["gitVersion"])
      return (*doc)["clientVersion"]["gitVersion"].as<std::string>("");
    error = "unexpected output of kubectl version";
    return "";
  }
  // "v3.22.0", "Kubernetes v1.37.2", "etcd Version: 3.7.0", "k3s version v1.31.2+k3s1 (abc)"
  std::smatch m;
  static const std::regex re(R"(v?(\d+\.\d+\.\d+[^\s)]*))");
  if (std::regex_search(r->out, m, re)) return "v" + m[1].str();
  error = "unexpected output: " + r->out.substr(0, 100);
  return "";
}

int run_version(const std::string& output) {
  const std::vector<std::string> names{"helm", "kube-apiserver", "etcd", "kubectl", "k3s"};
  std::vector<std::future<ToolVersion>> jobs;
  for (const auto& n : names)
    jobs.push_back(std::async(std::launch::async, [n] {
      if (n == "helm") return helm_version();
      ToolVersion t{n, {}, "", "", {}};
      // The PATH kubectl is often an unrelated old one: prefer kvalidate's own (env, assets, cache).
      t.where = n == "kubectl" ? find_tool(n, false) : find_tool(n);
      if (n == "kubectl" && !t.where) t.where = find_tool(n);
      if (t.where) t.version = ask_version(n, t.where->path, t.error);
      return t;
    }));
  std::vector<ToolVersion> tools;
  for (auto& j : jobs) tools.push_back(j.get());
  std::optional<controlplane::PolicyApis> policies;  // of the kube-apiserver an owned plane would run
  for (const auto& t : tools)
    if (t.name == "kube-apiserver" && !t.version.empty()) policies = controlplane::policy_apis(controlplane::kube_minor(t.version));

  if (output == "json") {
    JsonWriter w;
    w.begin_object();
    w.key("kvalidate").begin_object().key("version").value(KV_VERSION).end_object();
    w.key("tools").begin_object();
    for (const auto& t : tools) {
      w.key(t.name).begin_object();
      w.key("found").value(t.where.has_value());
      if (t.where) {
        w.key("version");
        if (t.version.empty()) w.null(); else w.value(t.version);
        w.key("path").value(t.where->path);
        w.key("source").value(t.where->source);
        if (!t.error.empty()) w.key("error").value(t.error);
      } else {
        w.key("version").null();
      }
      if (t.name == "helm") {
        if (t.where) w.key("major").value(render::helm_major_version(t.version));
        w.key("available").begin_array();
        for (const auto& h : t.others) {
          w.begin_object().key("version");
          if (h.version.empty()) w.null(); else w.value(h.version);
          w.key("major").value(h.major).key("path").value(h.path).key("source").value(h.source).end_object();
        }
        w.end_array();
      }
      w.end_object();
    }
    w.end_object();
    w.key("admission_policies");
    if (!policies) {
      w.null();
    } else {
      w.begin_object();
      for (const auto& a : policies->apis) {
        w.key(a.kind).begin_object().key("version");
        if (a.version.empty()) w.null(); else w.value("admissionregistration.k8s.io/" + a.version);
        w.key("enabled_by_flags").value(a.enabled_by_flags).end_object();
      }
      w.key("flags").begin_array();
      for (const auto& f : policies->flags) w.value(f);
      w.end_array().end_object();
    }
    w.end_object();
    fmt::print("{}\n", w.str());
    return 0;
  }
  fmt::print("{:<15} {}\n", "kvalidate", KV_VERSION);
  for (const auto& t : tools) {
    if (!t.where) { fmt::print("{:<15} not found\n", t.name); continue; }
    std::string v = t.version.empty() ? "unknown (" + t.error + ")" : t.version;
    fmt::print("{:<15} {:<10} {} ({})\n", t.name, v, t.where->path, t.where->source);
    for (const auto& h : t.others)
      fmt::print("{:<15} {:<10} {} ({}; available: --helm {})\n", "", h.version.empty() ? "unknown" : h.version,
                 h.path, h.source, h.major == 3 || h.major == 4 ? std::to_string(h.major) : h.path);
  }
  if (policies) fmt::print("{:<15} {}\n", "policies", policies->describe());
  return 0;
}

Registrar reg({"version", "Show kvalidate's version and the helm/kube-apiserver/etcd/kubectl/k3s it would use", 90,
               [](CLI::App& app) -> std::function<int()> {
                 auto output = std::make_shared<std::string>("text");
                 CLI::App* cmd = app.add_subcommand(
                     "version", "Show kvalidate's version and the helm, kube-apiserver, etcd, kubectl and k3s it "
                                "would use");
                 cmd->footer("For each tool: version, path and where it was found (KVALIDATE_<TOOL>, PATH, "
                             "KUBEBUILDER_ASSETS, cache), or \"not found\". For helm: the one `chart` uses here "
                             "(KVALIDATE_HELM, .kvalidate.yaml `helm:`, else PATH, else the newest in the cache) and "
                             "every other one available; then the admission-policy APIs a plane started with that "
                             "kube-apiserver serves. Exit 0.");
                 cmd->add_option("-o,--output", *output, "text or json")->check(CLI::IsMember({"text", "json"}));
                 return [output] { return run_version(*output); };
               }});

}  // namespace

}  // namespace kv::cli
