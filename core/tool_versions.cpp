#include "core/tool_versions.h"

#include <future>
#include <regex>

#include <fmt/core.h>

#include "core/json.h"
#include "core/process.h"

namespace kv {

namespace {

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

}  // namespace

std::vector<ToolVersion> tool_versions() {
  const std::vector<std::string> names{"helm", "kube-apiserver", "etcd", "kubectl", "k3s"};
  std::vector<std::future<ToolVersion>> jobs;
  for (const auto& n : names)
    jobs.push_back(std::async(std::launch::async, [n] {
      ToolVersion t{n, {}, "", ""};
      // The PATH kubectl is often an unrelated old one: prefer kvalidate's own (env, assets, cache).
      t.where = n == "kubectl" ? find_tool(n, false) : find_tool(n);
      if (n == "kubectl" && !t.where) t.where = find_tool(n);
      if (t.where) t.version = ask_version(n, t.where->path, t.error);
      return t;
    }));
  std::vector<ToolVersion> tools;
  for (auto& j : jobs) tools.push_back(j.get());
  return tools;
}

}  // namespace kv
