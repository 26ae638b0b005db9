#include "engine/tool_report.h"

#include <future>

#include <fmt/core.h>

#include "config/config.h"
#include "core/json.h"
#include "core/tool_version.h"

namespace kv::engine {
namespace {

// The helm `kvalidate chart` would use here and every other helm it can see. A config that does not load
// is left out: `version` reports tools, `chart` reports the config's error.
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

}  // namespace

ToolReport find_tool_versions() {
  const std::vector<std::string> names{"helm", "kube-apiserver", "etcd", "kubectl", "k3s"};
  std::vector<std::future<ToolVersion>> jobs;
  for (const auto& n : names)
    jobs.push_back(std::async(std::launch::async, [n] {
      if (n == "helm") return helm_version();
      ToolVersion t{n, {}, "", "", {}};
      // The PATH kubectl is often an unrelated old one: prefer kvalidate's own (env, assets, cache).
      t.where = n == "kubectl" ? find_tool(n, false) : find_tool(n);
      if (n == "kubectl" && !t.where) t.where = find_tool(n);
      if (t.where) t.version = ask_tool_version(n, t.where->path, t.error);
      return t;
    }));
  ToolReport r;
  for (auto& j : jobs) r.tools.push_back(j.get());
  for (const auto& t : r.tools)
    if (t.name == "kube-apiserver" && !t.version.empty())
      r.policies = controlplane::policy_apis(controlplane::kube_minor(t.version));
  return r;
}

std::string tool_report_json(const ToolReport& r, const std::string& kvalidate_version) {
  JsonWriter w;
  w.begin_object();
  w.key("kvalidate").begin_object().key("version").value(kvalidate_version).end_object();
  w.key("tools").begin_object();
  for (const auto& t : r.tools) {
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
  if (!r.policies) {
    w.null();
  } else {
    w.begin_object();
    for (const auto& a : r.policies->apis) {
      w.key(a.kind).begin_object().key("version");
      if (a.version.empty()) w.null(); else w.value("admissionregistration.k8s.io/" + a.version);
      w.key("enabled_by_flags").value(a.enabled_by_flags).end_object();
    }
    w.key("flags").begin_array();
    for (const auto& f : r.policies->flags) w.value(f);
    w.end_array().end_object();
  }
  w.end_object();
  return w.str() + "\n";
}

std::string tool_report_text(const ToolReport& r, const std::string& kvalidate_version) {
  std::string out;
  out += fmt::format("{:<15} {}\n", "kvalidate", kvalidate_version);
  for (const auto& t : r.tools) {
    if (!t.where) { out += fmt::format("{:<15} not found\n", t.name); continue; }
    std::string v = t.version.empty() ? "unknown (" + t.error + ")" : t.version;
    out += fmt::format("{:<15} {:<10} {} ({})\n", t.name, v, t.where->path, t.where->source);
    for (const auto& h : t.others)
      out += fmt::format("{:<15} {:<10} {} ({}; available: --helm {})\n", "", h.version.empty() ? "unknown" : h.version,
                         h.path, h.source, h.major == 3 || h.major == 4 ? std::to_string(h.major) : h.path);
  }
  if (r.policies) out += fmt::format("{:<15} {}\n", "policies", r.policies->describe());
  return out;
}

}  // namespace kv::engine
