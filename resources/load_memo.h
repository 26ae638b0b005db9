// What loading a text gave, kept between runs for the documents that load cleanly (one object, no
// problem, no duplicate key, no tree to keep): a warm run over unchanged files splits them into
// documents but parses none of those again (yaml-cpp reads ~3 MB/s; 2,000 objects ~0.2 s of CPU).
// Keyed by the SHA-256 of the text and this kvalidate binary (core/self.h); one file per text under
// ${XDG_CACHE_HOME:-~/.cache}/kvalidate/loads (0700, files 0600), at most 20,000, least recently used
// pruned first. Only with LoadOptions::keep_objects false (a memo holds no tree). A memo that cannot be
// read or written is only a parse more.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv {

// One clean document: what add_object() took from its tree.
struct MemoDocument {
  int index = 0;   // the document's index in its stream
  int line = 0;    // the object's first line and column in the stream
  int column = 0;
  std::string api_version, kind, name, generate_name, namespace_;
};

class LoadMemo {
 public:
  explicit LoadMemo(std::string dir) : dir_(std::move(dir)) {}
  static LoadMemo Default();

  // The key of `text`.
  static std::string key_of(std::string_view text);
  // The clean documents kept under `key`, by index; nullopt when none are kept (or the file is damaged).
  std::optional<std::map<int, MemoDocument>> get(const std::string& key) const;
  // Keeps `docs` under `key` (documents whose fields hold a tab or a line break are left out).
  void put(const std::string& key, const std::vector<MemoDocument>& docs) const;
  // Beyond `max_entries` texts, removes the least recently used; only when this memo wrote one.
  void prune(size_t max_entries = 20000) const;

 private:
  std::string dir_;
  mutable std::atomic<size_t> written_{0};  // (the files of a folder are loaded side by side)
};

}  // namespace kv
