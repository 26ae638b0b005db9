#include "render/helm.h"

#include <cctype>

#include "core/tools.h"

namespace kv::render {

namespace {
constexpr const char* kHowToGetHelm =
    "run tools/go/build.sh helm from kvalidate's source tree, put helm on PATH, or set KVALIDATE_HELM";
}

int helm_major_version(const std::string& version) {
  size_t i = version.rfind('v', 0) == 0 ? 1 : 0;
  int major = 0;
  bool digits = false;
  for (; i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])); ++i) {
    major = major * 10 + (version[i] - '0');
    digits = true;
  }
  if (!digits || (i < version.size() && version[i] != '.')) return 0;
  return major;
}

Result<RunResult> run_helm(const Helm& helm, const std::vector<std::string>& args) {
  std::vector<std::string> argv{helm.path};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions opts;
  // helm must not reach for a cluster or the user's repositories while rendering; HELM_* of the user
  // (plugins, repository config) stay as they are.
  opts.env["KUBECONFIG"] = "/dev/null";
  auto run = run_command(argv, opts);
  if (!run.ok()) return run.status().Prefixed("cannot run helm (" + helm.path + ")");
  if (run->timed_out) return Status::Unavailable("helm (" + helm.path + ") did not finish in time");
  return run;
}

Result<Helm> find_helm() {
  auto found = find_tool("helm");
  if (!found) return Status::Unavailable(std::string("helm not found: ") + kHowToGetHelm);
  Helm helm{found->path, found->source, "", 0};
  RunOptions opts;
  opts.timeout = std::chrono::seconds(30);
  auto run = run_command({helm.path, "version", "--template", "{{.Version}}"}, opts);
  if (!run.ok() || run->exit_code != 0) {
    std::string why = !run.ok() ? run.status().message() : run->err.substr(0, run->err.find('\n'));
    return Status::Unavailable("helm at " + helm.path + " (from " + helm.source + ") does not run: " + why +
                               "; " + kHowToGetHelm);
  }
  helm.version = run->out.substr(0, run->out.find_first_of("\r\n"));
  helm.major = helm_major_version(helm.version);
  if (helm.major < 3)
    return Status::Unavailable("helm at " + helm.path + " reports version \"" + helm.version +
                               "\"; kvalidate needs Helm 3 or 4: " + kHowToGetHelm);
  return helm;
}

}  // namespace kv::render
