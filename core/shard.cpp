#include "core/shard.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <filesystem>

#include "core/digest.h"
#include "core/text.h"

namespace kv {
namespace {

namespace fs = std::filesystem;

std::string process_cwd() {
  char buf[4096];
  return getcwd(buf, sizeof buf) ? std::string(buf) : std::string(".");
}

std::string without_trailing_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Result<Shard> parse_shard(std::string_view text) {
  if (text.empty()) return Shard{};
  const std::string quoted = "--shard " + std::string(text);
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : parse_int(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : parse_int(text.substr(slash + 1));
  if (!index || !count) return Status::Usage(quoted + ": expected I/N, this job's shard I of N (e.g. --shard 2/4)");
  Shard s;
  s.index = *index;
  s.count = *count;
  if (s.count < 1 || s.count > kMaxShards)
    return Status::Usage(quoted + ": N must be between 1 and " + std::to_string(kMaxShards));
  if (s.index < 1 || s.index > s.count)
    return Status::Usage(quoted + ": I must be between 1 and N (shards are numbered from 1)");
  return s;
}

std::string shard_base_dir(const std::string& cwd) {
  for (fs::path dir = fs::path(cwd).lexically_normal();; dir = dir.parent_path()) {
    struct stat st {};
    if (stat((dir / ".git").c_str(), &st) == 0) return without_trailing_slash(dir.string());
    if (dir == dir.parent_path() || dir.empty()) break;
  }
  return without_trailing_slash(fs::path(cwd).lexically_normal().string());
}

std::string shard_key(std::string_view path, const std::string& cwd, const std::string& base) {
  if (path == "-") return "-";
  fs::path p(path);
  fs::path abs = (p.is_absolute() ? p : fs::path(cwd) / p).lexically_normal();
  std::string key = without_trailing_slash(abs.string());
  const std::string prefix = base == "/" ? base : base + "/";
  if (key == base) return ".";
  if (key.compare(0, prefix.size(), prefix) == 0) return key.substr(prefix.size());
  return key;
}

int shard_of(std::string_view key, int count) {
  if (count <= 1 || key == "-") return 1;
  const std::string hex = hex_sha256(key, 8);
  uint64_t n = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), n, 16);
  return static_cast<int>(n % static_cast<uint64_t>(count)) + 1;
}

ShardFilter::ShardFilter(Shard shard, std::string cwd) : shard_(shard), cwd_(std::move(cwd)) {
  if (cwd_.empty()) cwd_ = process_cwd();
  base_ = shard_base_dir(cwd_);
}

bool ShardFilter::holds(std::string_view path) const {
  if (!shard_.enabled()) return true;
  return shard_of(shard_key(path, cwd_, base_), shard_.count) == shard_.index;
}

std::vector<std::string> ShardFilter::select(const std::vector<std::string>& paths) const {
  std::vector<std::string> out;
  for (const auto& p : paths)
    if (holds(p)) out.push_back(p);
  return out;
}

}  // namespace kv
