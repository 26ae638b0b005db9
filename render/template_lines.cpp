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

struct Source {
  std::string root;
  std::shared_ptr<TempDir> keep;
};

struct Cache {
  std::mutex mu;
  std::map<std::string, Source> charts;                    // chart path → where its files are
  std::map<std::string, std::vector<std::string>> files;  // template file → its lines
};

Cache& cache() {
  static Cache c;
  return c;
}

// The template's lines (empty when unreadable). Caller holds the lock.
const std::vector<std::string>& lines_of(Cache& c, const std::string& chart, const std::string& template_path,
                                         const std::string& fallback_file) {
  std::string file;
  if (auto it = c.charts.find(chart); it != c.charts.end() && !template_path.empty())
    file = (fs::path(it->second.root) / template_path).string();
  else if (!template_path.empty() && !chart.empty())
    file = (fs::path(chart) / template_path).string();
  else
    file = fallback_file;
  auto found = c.files.find(file);
  if (found != c.files.end()) return found->second;
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return c.files.emplace(file, std::move(lines)).first->second;
}

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

void register_chart_source(const std::string& chart_path, const std::string& root, std::shared_ptr<TempDir> keep) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.charts[chart_path] = Source{root, std::move(keep)};
}

std::string template_source_path(const SourceRef& src) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (src.template_path.empty()) return src.file;
  if (auto it = c.charts.find(src.chart); it != c.charts.end())
    return (fs::path(it->second.root) / src.template_path).string();
  return src.chart.empty() ? src.file : (fs::path(src.chart) / src.template_path).string();
}

int template_line_for(const SourceRef& src, std::string_view field_path) {
  auto keys = path_keys(field_path);
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  const auto& lines = lines_of(c, src.chart, src.template_path, src.file);
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

}  // namespace kv::render
