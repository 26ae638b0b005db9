// The store of a pool of objects kept on an owned plane between runs (engine/crd_pool.h,
// engine/namespace_pool.h): one private JSON file per object, named after it, in a folder of the plane's
// state dir. An entry that does not parse, or names another object than its file, is not there.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "controlplane/files.h"
#include "core/files.h"
#include "core/status.h"

namespace kv::engine {

// Entry: a struct with a `name`. Its JSON and back (nullopt: not an entry), and which names may name a file.
template <typename Entry>
struct PoolFormat {
  std::string (*print)(const Entry&);
  std::optional<Entry> (*parse)(const std::string&);
  bool (*file_safe)(const std::string&);
};

template <typename Entry>
class PoolFolder {
 public:
  PoolFolder(std::string dir, PoolFormat<Entry> format) : dir_(std::move(dir)), format_(format) {}

  std::optional<Entry> get(const std::string& name) const {
    if (!format_.file_safe(name)) return std::nullopt;
    auto text = read_file(file(name));
    if (!text.ok()) return std::nullopt;
    auto e = format_.parse(*text);
    if (!e || e->name != name) return std::nullopt;
    return e;
  }
  // Every entry, by name.
  std::vector<Entry> all() const {
    std::vector<Entry> out;
    for (const auto& name : stems_of(dir_, ".json"))
      if (auto e = get(name)) out.push_back(std::move(*e));
    return out;
  }
  Status put(const Entry& e) {
    if (!format_.file_safe(e.name)) return Status::Internal("not a pooled object's name: " + e.name);
    KV_RETURN_IF_ERROR(controlplane::make_private_dir(dir_));
    return write_file_atomic(file(e.name), format_.print(e), 0600);
  }
  void drop(const std::string& name) {
    if (format_.file_safe(name)) std::remove(file(name).c_str());
  }

 private:
  std::string file(const std::string& name) const { return dir_ + "/" + name + ".json"; }
  std::string dir_;
  PoolFormat<Entry> format_;
};

}  // namespace kv::engine
