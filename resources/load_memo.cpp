#include "resources/load_memo.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/digest.h"
#include "core/files.h"
#include "core/self.h"
#include "core/text.h"
#include "core/tools.h"

namespace kv {

namespace {

constexpr std::string_view kHeader = "kvalidate-load-memo 1\n";

bool key_safe(const std::string& key) {
  return key.size() == 64 && key.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool plain(const std::string& s) { return s.find_first_of("\t\n\r") == std::string::npos; }

// One line: index, line, column, apiVersion, kind, name, generateName, namespace (tab-separated).
std::optional<MemoDocument> parse_line(std::string_view line) {
  std::vector<std::string_view> f;
  size_t from = 0;
  for (size_t tab; (tab = line.find('\t', from)) != std::string_view::npos; from = tab + 1) f.push_back(line.substr(from, tab - from));
  f.push_back(line.substr(from));
  if (f.size() != 8) return std::nullopt;
  auto index = parse_int(f[0]), at = parse_int(f[1]), column = parse_int(f[2]);
  if (!index || !at || !column || f[3].empty() || f[4].empty() || (f[5].empty() && f[6].empty())) return std::nullopt;
  return MemoDocument{*index, *at, *column, std::string(f[3]), std::string(f[4]), std::string(f[5]),
                      std::string(f[6]), std::string(f[7])};
}

}  // namespace

LoadMemo LoadMemo::Default() { return LoadMemo(cache_dir() + "/loads"); }

std::string LoadMemo::key_of(std::string_view text) {
  static const std::string salt = "kvalidate-load-memo 1\n" + self_identity() + "\n";
  std::string material = salt;
  material += hex_sha256(text);
  return hex_sha256(material);
}

std::optional<std::map<int, MemoDocument>> LoadMemo::get(const std::string& key) const {
  if (!key_safe(key)) return std::nullopt;
  const std::string path = dir_ + "/" + key;
  auto text = read_file(path);
  if (!text.ok() || text->compare(0, kHeader.size(), kHeader) != 0) return std::nullopt;
  std::map<int, MemoDocument> out;
  std::string_view rest(*text);
  rest.remove_prefix(kHeader.size());
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // cut short: not trusted
    auto doc = parse_line(rest.substr(0, nl));
    if (!doc) return std::nullopt;
    int index = doc->index;
    out.emplace(index, std::move(*doc));
    rest.remove_prefix(nl + 1);
  }
  (void)::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // used now: the last to be pruned
  return out;
}

void LoadMemo::put(const std::string& key, const std::vector<MemoDocument>& docs) const {
  if (!key_safe(key)) return;
  std::string text(kHeader);
  for (const auto& d : docs) {
    if (!plain(d.api_version) || !plain(d.kind) || !plain(d.name) || !plain(d.generate_name) || !plain(d.namespace_))
      continue;
    text += std::to_string(d.index) + "\t" + std::to_string(d.line) + "\t" + std::to_string(d.column) + "\t" +
            d.api_version + "\t" + d.kind + "\t" + d.name + "\t" + d.generate_name + "\t" + d.namespace_ + "\n";
  }
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (::chmod(dir_.c_str(), 0700) != 0) return;
  if (write_file_atomic(dir_ + "/" + key, text, 0600).ok()) ++written_;
}

void LoadMemo::prune(size_t max_entries) const {
  if (written_ > 0) keep_newest_files(dir_, max_entries, key_safe);
}

}  // namespace kv
