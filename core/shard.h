// --shard I/N: which inputs one job of a CI matrix validates. An input unit (a manifest file after
// directory expansion, a chart, a kustomization folder) belongs to the shard its normalised path hashes
// to, so adding a file never moves any other file to another shard.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kv {

// One shard of a split run: `index` in 1..count. count 0 means "not sharded".
struct Shard {
  int index = 0;
  int count = 0;
  bool enabled() const { return count > 0; }
  std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// The largest N of --shard I/N (a CI matrix is far smaller).
inline constexpr int kMaxShards = 1000;

// Parses "I/N" (1 ≤ I ≤ N ≤ kMaxShards); "" → not sharded. Error (Usage, exit 2): one line quoting the value.
Result<Shard> parse_shard(std::string_view text);

// The folder shard keys are relative to: the nearest folder holding `.git` at or above `cwd` (the
// repository's root, the same in every CI job whatever its checkout path), else `cwd` itself.
std::string shard_base_dir(const std::string& cwd);

// The key a path is assigned by: `path` made absolute against `cwd`, lexically normalised (no ".", "..",
// doubled or trailing slashes; symbolic links are not followed), then relative to `base` when inside it.
// "-" (stdin) stays "-".
std::string shard_key(std::string_view path, const std::string& cwd, const std::string& base);

// The shard (1..count) of `key`: the first 8 bytes of SHA-256(key) as a big-endian number, mod count,
// plus one. Stdin ("-") is always shard 1.
int shard_of(std::string_view key, int count);

// Decides membership of paths for one shard, keyed from the working directory of the process.
class ShardFilter {
 public:
  ShardFilter() = default;  // not sharded: holds every path
  // `cwd` "" = the process's working directory.
  explicit ShardFilter(Shard shard, std::string cwd = "");
  const Shard& shard() const { return shard_; }
  bool enabled() const { return shard_.enabled(); }
  // True when `path` belongs to this shard (always, when not sharded).
  bool holds(std::string_view path) const;
  // The paths of `paths` this shard holds, in their order.
  std::vector<std::string> select(const std::vector<std::string>& paths) const;

 private:
  Shard shard_;
  std::string cwd_, base_;
};

}  // namespace kv
