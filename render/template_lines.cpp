#include "render/template_lines.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "render/chart.h"
#include "render/template_shape.h"
#include "resources/locate.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

struct Source {
  std::string root;
  std::shared_ptr<TempDir> keep;
};

// A template whose file is not at the chart's root + its path: a subchart's (render/subchart_files.h).
struct Placed {
  std::string file;       // where to read it
  std::string helm_path;  // the chart-relative path helm named it by
};

struct Cache {
  std::mutex mu;
  std::map<std::string, Source> charts;                    // chart path → where its files are
  std::map<std::string, Placed> placed;                   // chart path + '\n' + template path → its file
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
  if (auto p = c.placed.find(chart + '\n' + template_path); p != c.placed.end())
    file = p->second.file;
  else if (auto it = c.charts.find(chart); it != c.charts.end() && !template_path.empty())
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

// One step of a field path: a map key (also a bracketed one, "annotations[example.com/x]"), a list index
// ("[0]") or a list item selected by its fields ("[name=web]").
struct PathToken {
  enum class Kind { kKey, kIndex, kSelector } kind;
  std::string text;
};

std::vector<PathToken> path_tokens(std::string_view path) {
  std::vector<PathToken> out;
  std::string cur, inner;
  bool in_index = false;
  auto key = [&](std::string& k) {
    if (!k.empty()) out.push_back({PathToken::Kind::kKey, std::move(k)});
    k.clear();
  };
  for (char ch : path) {
    if (in_index) {
      if (ch != ']') { inner += ch; continue; }
      in_index = false;
      if (!inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos)
        out.push_back({PathToken::Kind::kIndex, inner});
      else if (inner.find('=') != std::string::npos)
        out.push_back({PathToken::Kind::kSelector, inner});
      else
        key(inner);
      inner.clear();
      continue;
    }
    if (ch == '[') { key(cur); in_index = true; continue; }
    if (ch == '.') { key(cur); continue; }
    cur += ch;
  }
  key(cur);
  return out;
}

// "spec.template.spec.containers[0].imagePullPolicy" → {"spec", "template", "spec", "containers", ...}.
std::vector<std::string> path_keys(std::string_view path) {
  std::vector<std::string> keys;
  for (auto& t : path_tokens(path))
    if (t.kind == PathToken::Kind::kKey) keys.push_back(std::move(t.text));
  return keys;
}

// What `path` holds after its first `skip` keys (as path_keys counts them), written as a values key goes on:
// ".operator", "[0]", ...; a selector ("[name=web]") ends it (values files hold lists by index).
std::string values_key_rest(std::string_view path, size_t skip) {
  std::string rest;
  size_t seen = 0;
  for (const auto& t : path_tokens(path)) {
    if (t.kind == PathToken::Kind::kKey) {
      if (seen++ >= skip) rest += "." + t.text;
    } else if (t.kind == PathToken::Kind::kIndex) {
      if (seen >= skip) rest += "[" + t.text + "]";
    } else {
      return seen >= skip ? rest : "";
    }
  }
  return rest;
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

// The key whose block holds line `at` within [begin, at): the nearest less indented key line that does not
// open a list item (`- name: web` is the item's own key, not what holds the item's other keys). "" when none.
std::string parent_key(const std::vector<std::string>& lines, int begin, int at) {
  size_t indent = indent_of(lines[at]);
  for (int i = at - 1; i >= begin && indent > 0; --i) {
    std::string key = key_of(lines[i]);
    size_t in = indent_of(lines[i]);
    if (key.empty() || in >= indent) continue;
    if (lines[i].compare(in, 2, "- ") == 0) {
      indent = in + 1;  // the item's key: what holds the list is less indented than the dash
      continue;
    }
    return key;
  }
  return "";
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

// The line (0-based) of the key keys.back() within [begin, end): the only one (unless the key it is under is
// not on the path), or the one whose enclosing keys match `keys` best when that is unique; -1 when none (or
// no single best).
int key_line_in(const std::vector<std::string>& lines, int begin, int end, const std::vector<std::string>& keys) {
  std::vector<int> hits;
  for (int i = begin; i < end; ++i)
    if (key_of(lines[i]) == keys.back()) hits.push_back(i);
  if (hits.size() == 1) {
    // The only such key, unless it is plainly another's: under a key the path does not go through
    // (a container's env `value:` is no toleration's `value`).
    if (keys.size() >= 2) {
      std::string parent = parent_key(lines, begin, hits[0]);
      if (!parent.empty() && std::find(keys.begin(), keys.end() - 1, parent) == keys.end() - 1) return -1;
    }
    return hits[0];
  }
  if (hits.empty() || keys.size() < 2) return -1;
  int best = -1, best_score = 0, best_count = 0;
  for (int h : hits) {
    int score = match_score(enclosing_keys(lines, begin, h), keys);
    if (score > best_score) { best = h; best_score = score; best_count = 1; }
    else if (score == best_score) ++best_count;
  }
  return best >= 0 && best_count == 1 ? best : -1;
}

// "X.Y" from the first `.Values.X.Y` in `text` at or after `from`, or "".
std::string values_ref(const std::string& text, size_t from = 0) {
  auto at = text.find(".Values.", from);
  if (at == std::string::npos) return "";
  size_t i = at + 8, j = i;
  while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' || text[j] == '.')) ++j;
  std::string ref = text.substr(i, j - i);
  while (!ref.empty() && ref.back() == '.') ref.pop_back();
  return ref;
}

// True when another line of only actions directly in the block of the key at `key_line` (not under a deeper
// key) writes output besides the toYaml at line `toyaml` (an include of labels beside `toYaml .Values.X`).
bool block_has_other_writer(const std::vector<std::string>& lines, int key_line, int toyaml) {
  size_t indent = indent_of(lines[key_line]);
  for (size_t i = static_cast<size_t>(key_line) + 1; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (!l.empty() && indent_of(l) <= indent && l.find("{{") == std::string::npos) break;
    if (static_cast<int>(i) == toyaml || !key_of(l).empty() || !enclosing_keys(lines, key_line + 1, static_cast<int>(i)).empty())
      continue;
    if (l.find("{{") != std::string::npos && writes_output(l)) return true;
  }
  return false;
}

// The values key a `toYaml` under the key at line `key_line` renders: `toYaml .Values.X` in the key's
// block, or `toYaml .` inside the nearest `{{ with .Values.X }}` that encloses it (in the block or around the
// key). "" when neither. `shared` is set when other actions in the block write output too (the field may be
// theirs); `at` is the toYaml's line (0-based).
std::string toyaml_values_key(const std::vector<std::string>& lines, int begin, int key_line, bool& shared, int& at) {
  size_t indent = indent_of(lines[key_line]);
  for (size_t i = static_cast<size_t>(key_line); i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (static_cast<int>(i) > key_line && !l.empty() && indent_of(l) <= indent &&
        l.find("{{") == std::string::npos)
      break;  // past the key's block
    auto t = l.find("toYaml");
    if (t == std::string::npos) continue;
    // A toYaml under a deeper key of the block writes that key's content, not this one's.
    if (static_cast<int>(i) > key_line && !enclosing_keys(lines, key_line + 1, static_cast<int>(i)).empty()) continue;
    shared = block_has_other_writer(lines, key_line, static_cast<int>(i));
    at = static_cast<int>(i);
    if (std::string ref = values_ref(l, t); !ref.empty()) return ref;
    {
      // `toYaml .`: the value is the dot of the enclosing `with` (an `if` keeps the dot, a `range` changes it).
      int depth = 0;
      for (int k = static_cast<int>(i) - 1; k >= begin; --k) {
        const std::string& w = lines[k];
        if (w.find("{{") == std::string::npos) continue;
        if (w.find(" end ") != std::string::npos || w.find("{{- end") != std::string::npos ||
            w.find("{{ end") != std::string::npos) ++depth;
        else if (w.find("with ") != std::string::npos || w.find("range ") != std::string::npos ||
                 w.find("if ") != std::string::npos) {
          if (depth > 0) { --depth; continue; }
          if (w.find("with ") != std::string::npos) return values_ref(w);
          if (w.find("range ") != std::string::npos) return "";
        }
      }
    }
    return "";
  }
  return "";
}

}  // namespace

void register_chart_source(const std::string& chart_path, const std::string& root, std::shared_ptr<TempDir> keep) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.charts[chart_path] = Source{root, std::move(keep)};
}

void register_template_file(const std::string& chart_path, const std::string& template_path, const std::string& file,
                            const std::string& helm_path) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.placed[chart_path + '\n' + template_path] = Placed{file, helm_path};
}

std::string helm_template_path(const SourceRef& src) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  auto p = c.placed.find(src.chart + '\n' + src.template_path);
  return p != c.placed.end() ? p->second.helm_path : src.template_path;
}

std::string template_source_path(const SourceRef& src) {
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (auto p = c.placed.find(src.chart + '\n' + src.template_path); p != c.placed.end()) return p->second.file;
  if (src.template_path.empty()) return src.file;
  if (auto it = c.charts.find(src.chart); it != c.charts.end())
    return (fs::path(it->second.root) / src.template_path).string();
  return src.chart.empty() ? src.file : (fs::path(src.chart) / src.template_path).string();
}

int template_line_for(const SourceRef& src, std::string_view field_path) {
  return template_spot_for(src, field_path).line;
}

namespace {

// The spot of the path `keys` in the document [begin, end) of `lines`, and how many of its keys the
// template writes (0: none, the document's start).
std::pair<TemplateSpot, size_t> spot_in(const std::vector<std::string>& lines, int begin, int end, int start,
                                        const std::vector<std::string>& keys, std::string_view path) {
  // The field's own key, else (written through toYaml) the nearest enclosing key the template writes.
  for (size_t depth = keys.size(); depth > 0; --depth) {
    std::vector<std::string> prefix(keys.begin(), keys.begin() + static_cast<long>(depth));
    int hit = key_line_in(lines, begin, end, prefix);
    if (hit < 0) continue;
    TemplateSpot spot;
    spot.line = hit + 1;
    if (depth < keys.size()) {
      int at = -1;
      std::string from = toyaml_values_key(lines, begin, hit, spot.values_key_shared, at);
      if (!from.empty()) {
        spot.toyaml_line = at + 1;
        spot.values_key = from + values_key_rest(path, depth);  // list items by index: "tolerations[0].value"
      }
    }
    return {spot, depth};
  }
  TemplateSpot none;
  none.line = start;
  return {none, 0};
}

}  // namespace

TemplateSpot template_spot_for(const SourceRef& src, std::string_view field_path, std::string_view kind) {
  auto keys = path_keys(field_path);
  auto& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  const auto& lines = lines_of(c, src.chart, src.template_path, src.file);
  if (lines.empty()) return {};
  int start = src.line > 0 ? src.line : 1;
  if (keys.empty()) {
    TemplateSpot whole;
    whole.line = start;
    return whole;
  }
  // The object's document: from its start to the next separator.
  int begin = start - 1, end = begin;
  while (end < static_cast<int>(lines.size()) && !(end > begin && is_separator(lines[end]))) ++end;
  auto [spot, depth] = spot_in(lines, begin, end, start, keys, without_path_prefix(field_path));
  if (depth == keys.size() && spot.line > 0) {
    // `key: {{ .Values.X ... }}`: the value is that chart value's (one reference, no other on the line).
    const std::string& l = lines[spot.line - 1];
    auto first = l.find(".Values.");
    if (first != std::string::npos && l.find(".Values.", first + 1) == std::string::npos)
      spot.direct_values_key = values_ref(l);
  }
  // The path as the user wrote it, where validation names it otherwise (resources/locate alias_paths): the
  // one the template writes more of.
  if (!kind.empty() && depth < keys.size()) {
    for (const std::string& alias : alias_paths(kind, without_path_prefix(field_path))) {
      auto alias_keys = path_keys(alias);
      auto [alt, alt_depth] = spot_in(lines, begin, end, start, alias_keys, alias);
      // Depth counts keys of different paths: compare what each leaves unwritten.
      if (alt_depth > 0 && alias_keys.size() - alt_depth < keys.size() - depth) {
        spot = alt;
        depth = alt_depth;
        keys = std::move(alias_keys);
      }
    }
  }
  return spot;
}

}  // namespace kv::render
