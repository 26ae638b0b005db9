// `kvalidate version`: kvalidate's own version and, for each external program it runs, the version,
// the path and where it was found (see core/tools.h), or "not found".
#include <fmt/core.h>

#include "build_info.h"
#include "cli/command.h"
#include "core/json.h"
#include "core/tool_versions.h"

namespace kv::cli {

namespace {

int run_version(const std::string& output) {
  std::vector<ToolVersion> tools = tool_versions();
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
      w.end_object();
    }
    w.end_object();
    w.end_object();
    fmt::print("{}\n", w.str());
    return 0;
  }
  fmt::print("{:<15} {}\n", "kvalidate", KV_VERSION);
  for (const auto& t : tools) {
    if (!t.where) { fmt::print("{:<15} not found\n", t.name); continue; }
    std::string v = t.version.empty() ? "unknown (" + t.error + ")" : t.version;
    fmt::print("{:<15} {:<10} {} ({})\n", t.name, v, t.where->path, t.where->source);
  }
  return 0;
}

Registrar reg({"version", "Show kvalidate's version and the helm, kube-apiserver, etcd, kubectl and k3s it "
                          "would use", 90,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto output = std::make_shared<std::string>("text");
                 cmd->footer("For each tool: version, path and where it was found (KVALIDATE_<TOOL>, PATH, "
                             "KUBEBUILDER_ASSETS, cache), or \"not found\". Exit 0.");
                 cmd->add_option("-o,--output", *output, "text or json")->check(CLI::IsMember({"text", "json"}));
                 return [output] { return run_version(*output); };
               }});

}  // namespace

}  // namespace kv::cli
