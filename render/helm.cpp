#include "render/helm.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/tools.h"

namespace kv::render {

namespace {
constexpr const char* kHowToGetHelm =
    "run tools/go/build.sh helm from kvalidate's source tree, put helm on PATH, or set KVALIDATE_HELM";

namespace fs = std::filesystem;

// "path size mtime": changes whenever the binary at `path` is replaced.
std::string binary_identity(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  return path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// The memo file holds two lines: the binary's identity and its version.
std::optional<std::string> read_memo(const fs::path& file, const std::string& key) {
  if (key.empty()) return std::nullopt;
  std::ifstream f(file);
  std::string id, version;
  if (!std::getline(f, id) || !std::getline(f, version) || id != key || version.empty()) return std::nullopt;
  return version;
}

void write_memo(const fs::path& file, const std::string& key, const std::string& version) {
  if (key.empty()) return;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  fs::path tmp = file;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp);
    f << key << "\n" << version << "\n";
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);  // cache files are 0600
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

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
  // Asking helm its version costs a process start on every run: remember the answer per binary.
  const std::string key = binary_identity(helm.path);
  const fs::path memo = fs::path(cache_dir()) / "helm-version";
  if (auto cached = read_memo(memo, key)) {
    helm.version = *cached;
    helm.major = helm_major_version(helm.version);
    if (helm.major >= 3) return helm;
  }
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
  write_memo(memo, key, helm.version);
  return helm;
}

}  // namespace kv::render
