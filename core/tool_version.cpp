#include "core/tool_version.h"

#include <chrono>
#include <regex>
#include <vector>

#include <fmt/core.h>

#include "core/json.h"
#include "core/process.h"

namespace kv {

std::string parse_tool_version(const std::string& name, const std::string& out, std::string& error) {
  if (name == "kubectl") {
    auto doc = parse_json(out, "kubectl version");
    if (doc.ok() && (*doc)["clientVersion"] && (*doc)["clientVersion"]["gitVersion"])
      return (*doc)["clientVersion"]["gitVersion"].as<std::string>("");
    error = "unexpected output of kubectl version";
    return "";
  }
  // "v3.22.0", "Kubernetes v1.37.2", "etcd Version: 3.7.0", "k3s version v1.31.2+k3s1 (abc)"
  std::smatch m;
  static const std::regex re(R"(v?(\d+\.\d+\.\d+[^\s)]*))");
  if (std::regex_search(out, m, re)) return "v" + m[1].str();
  error = "unexpected output: " + out.substr(0, 100);
  return "";
}

std::string ask_tool_version(const std::string& name, const std::string& path, std::string& error) {
  std::vector<std::string> argv{path, "--version"};
  if (name == "helm") argv = {path, "version", "--template", "{{.Version}}"};
  if (name == "kubectl") argv = {path, "version", "--client", "-o", "json"};
  RunOptions ro;
  ro.timeout = std::chrono::seconds(10);
  auto r = run_command(argv, ro);
  if (!r.ok()) { error = r.status().message(); return ""; }
  if (r->exit_code != 0) { error = fmt::format("exit {}: {}", r->exit_code, r->err.substr(0, 200)); return ""; }
  return parse_tool_version(name, r->out, error);
}

}  // namespace kv
