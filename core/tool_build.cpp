#include "core/tool_build.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include <fmt/core.h>

#include "build_info.h"
#include "core/process.h"
#include "core/tools.h"

namespace kv {

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_lines(const std::string& text, size_t n) {
  size_t pos = text.size();
  if (pos && text[pos - 1] == '\n') --pos;
  for (size_t i = 0; i < n && pos != std::string::npos && pos > 0; ++i) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

}  // namespace

std::optional<std::string> build_script() {
  const char* env = std::getenv("KVALIDATE_TOOLS_DIR");
  std::string script = std::string(env && *env ? env : KV_TOOLS_DIR) + "/build.sh";
  if (access(script.c_str(), R_OK) != 0) return std::nullopt;
  return script;
}

bool kube_binaries_cached(const std::string& version) {
  return find_cached_tool("kube-apiserver", version) && find_tool("etcd", false);
}

std::string build_step(const std::string& log) {
  static const std::string kPrefix = "tools/go/build.sh: ";
  std::string step = "starting tools/go/build.sh";
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(kPrefix, 0) != 0) continue;
    std::string what = line.substr(kPrefix.size());
    if (what.rfind("waiting", 0) == 0) step = "waiting for another build to finish";
    else if (what.rfind("building ", 0) == 0) step = what.substr(0, what.find(" (")) + " from the Go module proxy";
    else if (what.rfind("built ", 0) == 0 || what.rfind("cached: ", 0) == 0) step = what;
  }
  return step;
}

std::string format_build_progress(const BuildProgress& p) {
  int s = static_cast<int>(p.elapsed_s);
  std::string elapsed = s >= 60 ? fmt::format("{}m{:02}s", s / 60, s % 60) : fmt::format("{}s", s);
  if (p.done) return fmt::format("Kubernetes {} (first use): binaries built in {}", p.version, elapsed);
  return fmt::format("Kubernetes {} (first use, several minutes): {}, {}", p.version, p.step, elapsed);
}

Status ensure_kube_binaries(const std::string& version, const BuildProgressFn& progress,
                            std::chrono::seconds every) {
  if (kube_binaries_cached(version)) return Status::Ok();
  auto script = build_script();
  if (!script)
    return Status::Unavailable(fmt::format(
        "Kubernetes {} is not built and tools/go/build.sh is not at {} (set KVALIDATE_TOOLS_DIR to kvalidate's "
        "tools/go, or run scripts/setup.sh --kube-versions {} in kvalidate's source tree)",
        version, KV_TOOLS_DIR, version));
  std::error_code ec;
  std::filesystem::create_directories(cache_dir() + "/bin", ec);
  std::string log = fmt::format("{}/bin/.build-{}-{}.log", cache_dir(), version, getpid());
  RunOptions ro;
  ro.timeout = std::chrono::minutes(90);  // a build takes minutes, and may first wait for another one
  std::vector<std::string> argv = {"bash", "-c", "log=$1; shift; exec \"$@\" >\"$log\" 2>&1", "kvalidate-build",
                                   log, *script, "kubernetes@" + version, "etcd"};
  auto start = std::chrono::steady_clock::now();
  auto run = std::async(std::launch::async, [argv, ro] { return run_command(argv, ro); });
  BuildProgress p;
  p.version = version;
  auto last_report = start - every;
  while (run.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
    auto now = std::chrono::steady_clock::now();
    std::string step = build_step(read_all(log));
    if (progress && (step != p.step || now - last_report >= every)) {
      p.step = step;
      p.elapsed_s = std::chrono::duration<double>(now - start).count();
      progress(p);
      last_report = now;
    }
  }
  auto r = run.get();
  std::string text = read_all(log);
  if (!r.ok() || r->exit_code != 0 || !kube_binaries_cached(version))
    return Status::Unavailable(fmt::format("building Kubernetes {} failed ({}); last lines of {}:\n{}", version,
                                           !r.ok() ? r.status().message()
                                           : r->timed_out ? "timed out"
                                                          : fmt::format("exit {}", r->exit_code),
                                           log, last_lines(text, 15)));
  std::filesystem::remove(log, ec);
  if (progress) {
    p.done = true;
    p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress(p);
  }
  return Status::Ok();
}

}  // namespace kv
