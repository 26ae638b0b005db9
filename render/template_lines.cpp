#include "render/template_lines.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "render/chart.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

bool is_separator(const std::string& line) {
  if (line.rfind("---", 0) != 0) return false;
  for (size_t i = 3; i < line.size(); ++i)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') return line[i] == '#';
  return true;
}

size_t indent_of(const std::string& line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

// The YAML key the line starts ("image" for "  - image: x", "\"a.b\"" unquoted), or "".
std::string key_of(const std::string& line) {
  size_t i = indent_of(line);
  while (line.compare(i, 2, "- ") == 0) {
    i += 2;
    while (i < line.size() && line[i] == ' ') ++i;
  }
  if (i >= line.size() || line[i] == '#' || line[i] == '{') return "";
  size_t colon = std::string::npos;
  char quote = (line[i] == '"' || line[i] == '\'') ? line[i] : 0;
  size_t start = quote ? i + 1 : i;
  if (quote) {
    size_t close = line.find(quote, start);
    if (close == std::string::npos || close + 1 >= line.size() || line[close + 1] != ':') return "";
    return line.substr(start, close - start);
  }
  for (size_t j = start; j < line.size(); ++j) {
    if (line[j] == ':' && (j + 1 == line.size() || line[j + 1] == ' ' || line[j + 1] == '\r')) { colon = j; break; }
    if (line[j] == ' ' || line[j] == '{' || line[j] == '"') return "";
  }
  if (colon == std::string::npos) return "";
  return line.substr(start, colon - start);
}

// "spec.template.spec.containers[0].imagePullPolicy" → {"spec", "template", "spec", "containers", ...}.
std::vector<std::string> path_keys(std::string_view path) {
  std::vector<std::string> keys;
  std::string cur;
  bool in_index = false;
  for (char ch : path) {
    if (in_index) { in_index = ch != ']'; continue; }
    if (ch == '[') { in_index = true; continue; }
    if (ch == '.') { if (!cur.empty()) keys.push_back(cur); cur.clear(); continue; }
    cur += ch;
  }
  if (!cur.empty()) keys.push_back(cur);
  return keys;
}

// The keys enclosing line `at` (by indentation) within [begin, at), outermost first.
std::vector<std::string> enclosing_keys(const std::vector<std::string>& lines, int begin, int at) {
  std::vector<std::string> chain;
  size_t indent = indent_of(lines[at]);
  for (int i = at - 1; i >= begin && indent > 0; --i) {
    std::string key = key_of(lines[i]);
    if (key.empty() || indent_of(lines[i]) >= indent) continue;
    indent = indent_of(lines[i]);
    chain.insert(chain.begin(), key);
  }
  return chain;
}

// How well a line's enclosing keys match the path's keys before the leaf: 1000 for an exact match,
// else the length of the common suffix (innermost keys first).
int match_score(const std::vector<std::string>& chain, const std::vector<std::string>& keys) {
  const std::vector<std::string> parents(keys.begin(), keys.end() - 1);
  if (chain == parents) return 1000;
  int score = 0;
  for (auto c = chain.rbegin(), k = parents.rbegin(); c != chain.rend() && k != parents.rend() && *c == *k; ++c, ++k)
    ++score;
  return score;
}

}  // namespace

struct TemplateSource::Files {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> lines;  // template file → its lines

  // The lines of `file` (empty when unreadable). Caller holds `mu`.
  const std::vector<std::string>& of(const std::string& file) {
    auto found = lines.find(file);
    if (found != lines.end()) return found->second;
    std::vector<std::string> read;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) read.push_back(line);
    return lines.emplace(file, std::move(read)).first->second;
  }
};

TemplateSource::TemplateSource(std::string root, std::shared_ptr<TempDir> keep)
    : root_(std::move(root)), keep_(std::move(keep)), files_(std::make_unique<Files>()) {}

TemplateSource::~TemplateSource() = default;

int TemplateSource::line_for(const SourceRef& src, std::string_view field_path) const {
  auto keys = path_keys(field_path);
  std::lock_guard<std::mutex> lock(files_->mu);
  const auto& lines = files_->of(src.template_path.empty() ? src.file : (fs::path(root_) / src.template_path).string());
  if (lines.empty()) return 0;
  int start = src.line > 0 ? src.line : 1;
  if (keys.empty()) return start;
  // The object's document: from its start to the next separator.
  int begin = start - 1, end = begin;
  while (end < static_cast<int>(lines.size()) && !(end > begin && is_separator(lines[end]))) ++end;
  std::vector<int> hits;
  for (int i = begin; i < end; ++i)
    if (key_of(lines[i]) == keys.back()) hits.push_back(i);
  if (hits.size() == 1) return hits[0] + 1;
  if (hits.empty() || keys.size() < 2) return start;
  int best = -1, best_score = 0, best_count = 0;
  for (int h : hits) {
    int score = match_score(enclosing_keys(lines, begin, h), keys);
    if (score > best_score) { best = h; best_score = score; best_count = 1; }
    else if (score == best_score) ++best_count;
  }
  return best >= 0 && best_count == 1 ? best + 1 : start;
}

int TemplateSource::document_line(const std::string& template_path, int index, int count) const {
  std::lock_guard<std::mutex> lock(files_->mu);
  const auto& lines = files_->of((fs::path(root_) / template_path).string());
  if (lines.empty()) return 0;
  // Start line of each part that holds more than blanks, comments and template actions alone.
  std::vector<int> starts;
  int part_start = 0;
  bool content = false;
  auto close_part = [&](int) { if (content) starts.push_back(part_start + 1); };
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    const auto& l = lines[i];
    if (is_separator(l)) { close_part(i); part_start = i + 1; content = false; continue; }
    size_t s = indent_of(l);
    if (s < l.size() && l[s] != '#' && l.compare(s, 2, "{{") != 0 && l[s] != '\r') content = true;
    else if (s < l.size() && l.compare(s, 2, "{{") == 0 && l.find("}}") != std::string::npos &&
             l.find_first_not_of(" \t\r", l.rfind("}}") + 2) != std::string::npos) content = true;
  }
  close_part(static_cast<int>(lines.size()));
  if (static_cast<int>(starts.size()) != count || index < 0 || index >= count) return 1;
  return starts[index];
}

}  // namespace kv::render
