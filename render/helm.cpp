#include "render/helm.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "core/tools.h"

namespace kv::render {

namespace {
constexpr const char* kHowToGetHelm =
    "run tools/go/build.sh helm from kvalidate's source tree (Helm 4; `build.sh helm3` for Helm 3), put helm "
    "on PATH, or set KVALIDATE_HELM";

namespace fs = std::filesystem;

// "path size mtime": changes whenever the binary at `path` is replaced.
std::string binary_identity(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  return path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// Asking helm its version costs a process start on every run: the memo file remembers the answer of each
// binary, one "identity<TAB>version" line per binary (newest last, the last kMemoEntries kept).
constexpr size_t kMemoEntries = 16;

fs::path memo_file() { return fs::path(cache_dir()) / "helm-versions"; }

std::vector<std::pair<std::string, std::string>> read_memo() {
  std::vector<std::pair<std::string, std::string>> entries;
  std::ifstream f(memo_file());
  for (std::string line; std::getline(f, line);) {
    auto tab = line.find('\t');
    if (tab != std::string::npos && tab + 1 < line.size()) entries.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return entries;
}

std::optional<std::string> memo_lookup(const std::string& key) {
  if (key.empty()) return std::nullopt;
  for (const auto& [id, version] : read_memo())
    if (id == key) return version;
  return std::nullopt;
}

void memo_store(const std::string& key, const std::string& version) {
  if (key.empty()) return;
  auto entries = read_memo();
  std::erase_if(entries, [&](const auto& e) { return e.first == key; });
  entries.emplace_back(key, version);
  if (entries.size() > kMemoEntries) entries.erase(entries.begin(), entries.end() - kMemoEntries);
  std::error_code ec;
  fs::create_directories(memo_file().parent_path(), ec);
  fs::path tmp = memo_file();
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp);
    for (const auto& [id, v] : entries) f << id << '\t' << v << '\n';
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);  // cache files are 0600
  fs::rename(tmp, memo_file(), ec);
  if (ec) fs::remove(tmp, ec);
}

// The version `path` reports, from the memo or by running it; "" with `why` filled when it does not run.
std::string ask_version(const std::string& path, std::string& why) {
  const std::string key = binary_identity(path);
  if (auto cached = memo_lookup(key); cached && helm_major_version(*cached) >= 3) return *cached;
  RunOptions opts;
  opts.timeout = std::chrono::seconds(30);
  auto run = run_command({path, "version", "--template", "{{.Version}}"}, opts);
  if (!run.ok() || run->exit_code != 0) {
    why = !run.ok() ? run.status().message() : run->err.substr(0, run->err.find('\n'));
    return "";
  }
  std::string version = run->out.substr(0, run->out.find_first_of("\r\n"));
  if (helm_major_version(version) >= 3) memo_store(key, version);
  return version;
}

// Helm binaries in kvalidate's cache, newest version first: bin/<version>/helm.
std::vector<Helm> cached_helms() {
  std::vector<Helm> out;
  std::error_code ec;
  fs::path bin = fs::path(cache_dir()) / "bin";
  std::vector<std::string> versions;
  for (const auto& entry : fs::directory_iterator(bin, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && helm_major_version(name) >= 3) versions.push_back(name);
  }
  std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) { return version_less(b, a); });
  for (const auto& v : versions)
    if (auto p = find_in_path((bin / v / "helm").string())) out.push_back(Helm{*p, "cache", "", helm_major_version(v)});
  return out;
}

// Checks that the helm at `found` runs and is Helm 3 or 4; fills version and major.
Result<Helm> checked(Helm helm) {
  std::string why;
  helm.version = ask_version(helm.path, why);
  if (helm.version.empty())
    return Status::Unavailable("helm at " + helm.path + " (from " + helm.source + ") does not run: " + why + "; " +
                               kHowToGetHelm);
  helm.major = helm_major_version(helm.version);
  if (helm.major < 3 || helm.major > 4)
    return Status::Unavailable("helm at " + helm.path + " reports version \"" + helm.version +
                               "\"; kvalidate needs Helm 3 or 4: " + kHowToGetHelm);
  return helm;
}

// The helm of major `major` ("3" or "4"): the PATH helm when it is that major, else the newest in the cache.
Result<Helm> find_major(int major, const std::string& asked_by) {
  if (auto p = find_in_path("helm")) {
    std::string why;
    if (helm_major_version(ask_version(*p, why)) == major) return checked(Helm{*p, "PATH", "", major});
  }
  for (auto& h : cached_helms())
    if (h.major == major) {
      h.source = "cache";
      return checked(h);
    }
  return Status::Unavailable("Helm " + std::to_string(major) + " (asked for by " + asked_by +
                             ") not found on PATH nor in kvalidate's cache: run tools/go/build.sh " +
                             (major == 3 ? "helm3" : "helm") + " from kvalidate's source tree, or give a path");
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

Result<RunResult> run_helm(const Helm& helm, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{helm.path};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions opts;
  // helm must not reach for a cluster or the user's repositories while rendering; HELM_* of the user
  // (plugins, repository config) stay as they are.
  opts.env["KUBECONFIG"] = "/dev/null";
  for (const auto& [k, v] : env) opts.env[k] = v;
  auto run = run_command(argv, opts);
  if (!run.ok()) return run.status().Prefixed("cannot run helm (" + helm.path + ")");
  if (run->timed_out) return Status::Unavailable("helm (" + helm.path + ") did not finish in time");
  return run;
}

Result<Helm> find_helm(const HelmRequest& req) {
  std::string value, source;
  const char* env = std::getenv("KVALIDATE_HELM");
  if (!req.flag.empty()) {
    value = req.flag, source = "--helm";
  } else if (env && *env) {
    value = env, source = "KVALIDATE_HELM";
  } else if (!req.config.empty()) {
    value = req.config, source = req.config_file.empty() ? ".kvalidate.yaml" : req.config_file;
  }
  if (value == "3" || value == "4") return find_major(value[0] - '0', source + " " + value);
  if (!value.empty()) {
    auto p = find_in_path(value);
    if (!p) return Status::InvalidInput(source + ": helm \"" + value + "\" is not an executable file (give 3, 4 or a path)");
    return checked(Helm{*p, source, "", 0});
  }
  auto found = find_tool("helm");
  if (!found) return Status::Unavailable(std::string("helm not found: ") + kHowToGetHelm);
  return checked(Helm{found->path, found->source, "", 0});
}

std::vector<Helm> available_helms() {
  std::vector<Helm> candidates;
  if (const char* env = std::getenv("KVALIDATE_HELM"); env && *env && std::string(env) != "3" && std::string(env) != "4")
    if (auto p = find_in_path(env)) candidates.push_back(Helm{*p, "KVALIDATE_HELM", "", 0});
  if (auto p = find_in_path("helm")) candidates.push_back(Helm{*p, "PATH", "", 0});
  for (auto& h : cached_helms()) candidates.push_back(h);
  std::vector<Helm> out;
  std::set<std::string> seen;
  for (auto& h : candidates) {
    std::error_code ec;
    std::string real = fs::canonical(h.path, ec).string();
    if (!seen.insert(ec ? h.path : real).second) continue;
    std::string why;
    h.version = ask_version(h.path, why);
    h.major = helm_major_version(h.version);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace kv::render
