#include "controlplane/full_binaries.h"

#include <cstdlib>
#include <filesystem>

#include <fmt/core.h>
#include <fmt/format.h>

#include "core/process.h"
#include "core/tool_build.h"
#include "core/tools.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

namespace {

// $KVALIDATE_<NAME> when set, else `dir`/name; "" when neither is an executable.
std::string find_beside(const std::string& name, const std::string& dir) {
  std::string env_name = "KVALIDATE_";
  for (char c : name) env_name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* v = std::getenv(env_name.c_str()); v && *v) return find_in_path(v).value_or("");
  return find_in_path(dir + "/" + name).value_or("");
}

bool in_cache(const std::string& path) {
  std::string bin = cache_dir() + "/bin/";
  return path.compare(0, bin.size(), bin) == 0;
}

// The last `n` lines of `text`.
std::string last_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  size_t from = 0;
  while (from < text.size()) {
    size_t nl = text.find('\n', from);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(from, nl - from));
    from = nl + 1;
  }
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

}  // namespace

Result<FullBinaries> find_full_binaries(const std::string& apiserver_path, const BuildRunner& build) {
  const std::string dir = fs::path(apiserver_path).parent_path().string();
  FullBinaries b;
  auto look = [&] {
    b.controller_manager = find_beside("kube-controller-manager", dir);
    b.scheduler = find_beside("kube-scheduler", dir);
    auto kwok = find_tool("kwok");
    b.kwok = kwok ? kwok->path : "";
  };
  look();
  std::vector<std::string> targets;
  bool kube_missing = b.controller_manager.empty() || b.scheduler.empty();
  if (kube_missing && in_cache(apiserver_path)) targets.push_back("kubernetes-full");
  if (b.kwok.empty()) targets.push_back("kwok");
  Status built;
  if (!targets.empty()) {
    built = build(targets);
    look();
  }
  if (b.controller_manager.empty() || b.scheduler.empty()) {
    std::string missing = b.controller_manager.empty() ? "kube-controller-manager" : "kube-scheduler";
    std::string why = built.ok() ? "" : "; building it failed: " + built.message();
    return Status::Unavailable(fmt::format(
        "--full: {} not found beside {} (a full plane runs the controller-manager and scheduler of the API "
        "server's own version){}. Build them with tools/go/build.sh kubernetes-full in kvalidate's source tree, "
        "or set KVALIDATE_KUBE_CONTROLLER_MANAGER and KVALIDATE_KUBE_SCHEDULER",
        missing, apiserver_path, why));
  }
  if (b.kwok.empty())
    b.kwok_missing = built.ok() ? "kwok not found (set KVALIDATE_KWOK, or build it with tools/go/build.sh kwok)"
                                : "kwok could not be built: " + built.message();
  return b;
}

BuildRunner go_build_runner(std::function<void(std::string_view)> progress) {
  return [progress](const std::vector<std::string>& targets) -> Status {
    auto script = build_script();
    if (!script)
      return Status::Unavailable("tools/go/build.sh is not there (kvalidate was built elsewhere or moved; set "
                                 "KVALIDATE_TOOLS_DIR to kvalidate's tools/go)");
    if (!find_in_path("go"))
      return Status::Unavailable(fmt::format("go is not on PATH (needed to build {})", fmt::join(targets, ", ")));
    if (progress)
      progress(fmt::format("kvalidate: building {} for the full plane into {}/bin, once (several minutes)\n",
                           fmt::join(targets, " and "), cache_dir()));
    std::vector<std::string> argv = {"bash", *script};
    argv.insert(argv.end(), targets.begin(), targets.end());
    RunOptions ro;
    ro.timeout = std::chrono::minutes(60);
    ro.on_stderr = progress;
    auto r = run_command(argv, ro);
    if (!r.ok()) return r.status();
    if (r->exit_code != 0)
      return Status::Unavailable(fmt::format("tools/go/build.sh {} exited {}{}:\n{}", fmt::join(targets, " "),
                                             r->exit_code, r->timed_out ? " (timed out)" : "",
                                             last_lines(r->err, 15)));
    return Status::Ok();
  };
}

}  // namespace kv::controlplane
