#include "render/render_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/digest.h"
#include "core/env.h"
#include "core/files.h"
#include "core/tools.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHeader = "kvalidate-render 1\n";

// What `path` holds, for the key: a file's contents' digest, a link's target text, a folder's entries
// (sorted, each with its path relative to `root`). Folders are walked without following links.
void describe(const fs::path& root, const fs::path& path, std::string& out) {
  std::error_code ec;
  auto st = fs::symlink_status(path, ec);
  std::string rel = path.lexically_relative(root).generic_string();
  if (ec) {
    out += "?" + rel + "\n";
  } else if (fs::is_symlink(st)) {
    out += "L" + rel + "\0"[0] + fs::read_symlink(path, ec).string() + "\n";
  } else if (fs::is_directory(st)) {
    out += "D" + rel + "\n";
    std::vector<fs::path> entries;
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      entries.push_back(it->path());
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) describe(root, e, out);
  } else {
    auto text = read_file(path.string());
    out += "F" + rel + " " + (text.ok() ? hex_sha256(*text) : std::string("unreadable")) + "\n";
  }
}

// describe() of each input, remembered for the process (a chart rendered for nine values files is read once).
std::string inputs_digest(const std::string& input) {
  static std::mutex mu;
  static std::map<std::string, std::string> seen;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = seen.find(input); it != seen.end()) return it->second;
  }
  std::string text;
  describe(fs::path(input), fs::path(input), text);
  std::string digest = hex_sha256(text);
  std::lock_guard<std::mutex> lock(mu);
  seen[input] = digest;
  return digest;
}

std::string helm_identity(const Helm& helm) {
  struct stat st {};
  std::string id = helm.path + "\n" + helm.version + "\n";
  if (::stat(helm.path.c_str(), &st) == 0)
    id += std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  return id;
}

}  // namespace

std::string render_key(const Helm& helm, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env, const std::vector<std::string>& inputs) {
  std::string material = kHeader + helm_identity(helm) + "\nargs\n";
  for (const auto& a : args) material += a + '\0';
  material += "\nenv\n";
  for (const auto& [k, v] : env) material += k + "=" + v + '\0';
  for (char** e = environ; e && *e; ++e)  // the user's HELM_* settings reach helm too
    if (std::strncmp(*e, "HELM_", 5) == 0) material += std::string(*e) + '\0';
  material += "\ninputs\n";
  for (const auto& in : inputs) material += in + " " + inputs_digest(in) + "\n";
  return hex_sha256(material);
}

std::optional<RunResult> cached_answer(const std::string& dir, const std::string& key) {
  auto text = read_file(dir + "/" + key);
  if (!text.ok() || text->rfind(kHeader, 0) != 0) return std::nullopt;
  size_t pos = std::strlen(kHeader);
  auto field = [&]() -> std::optional<long long> {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) return std::nullopt;
    try {
      long long v = std::stoll(text->substr(pos, nl - pos));
      pos = nl + 1;
      return v;
    } catch (...) {
      return std::nullopt;
    }
  };
  auto code = field(), out_len = field(), err_len = field();
  if (!code || !out_len || !err_len || *out_len < 0 || *err_len < 0) return std::nullopt;
  if (text->size() - pos != static_cast<size_t>(*out_len + *err_len)) return std::nullopt;
  RunResult r;
  r.exit_code = static_cast<int>(*code);
  r.out = text->substr(pos, static_cast<size_t>(*out_len));
  r.err = text->substr(pos + static_cast<size_t>(*out_len));
  return r;
}

void keep_answer(const std::string& dir, const std::string& key, const RunResult& run, size_t max_entries) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (::chmod(dir.c_str(), 0700) != 0) return;
  std::string text = kHeader + std::to_string(run.exit_code) + "\n" + std::to_string(run.out.size()) + "\n" +
                     std::to_string(run.err.size()) + "\n" + run.out + run.err;
  if (write_file_atomic(dir + "/" + key, text, 0600).ok()) keep_newest_files(dir, max_entries);
}

Result<RunResult> run_helm_cached(const Helm& helm, const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env, const std::vector<std::string>& inputs,
                                  const std::vector<std::string>* key_args) {
  if (env_turned_off("KVALIDATE_CACHE")) return run_helm(helm, args, env);
  const std::string dir = cache_dir() + "/renders";
  const std::string key = render_key(helm, key_args ? *key_args : args, env, inputs);
  if (auto hit = cached_answer(dir, key)) return *hit;
  auto run = run_helm(helm, args, env);
  if (run.ok() && !run->timed_out) keep_answer(dir, key, *run);
  return run;
}

}  // namespace kv::render
