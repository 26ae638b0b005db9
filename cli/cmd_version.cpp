// `kvalidate version`: kvalidate's own version and, for each external program it runs, the version,
// the path and where it was found (see core/tools.h), or "not found"; and which admission-policy APIs
// a plane kvalidate starts with that kube-apiserver serves (and the flags that turn them on).
#include <fmt/core.h>

#include "build_info.h"
#include "cli/command.h"
#include "engine/tool_report.h"

namespace kv::cli {

namespace {

int run_version(const std::string& output) {
  auto report = engine::find_tool_versions();
  fmt::print("{}", output == "json" ? engine::tool_report_json(report, KV_VERSION)
                                    : engine::tool_report_text(report, KV_VERSION));
  return 0;
}

Registrar reg({"version", "Show kvalidate's version and the helm, kube-apiserver, etcd, kubectl and k3s it "
                          "would use", 90,
               [](CLI::App* cmd) -> std::function<int()> {
                 auto output = std::make_shared<std::string>("text");
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
