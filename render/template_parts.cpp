#include "render/template_parts.h"

#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "render/template_lines.h"
#include "resources/documents.h"

namespace kv::render {

namespace {

using Kind = LineShape::Kind;

// The key a literal or pattern line starts with ("" for none).
std::string key_of(const LineShape& s) {
  if (s.kind != Kind::kLiteral && s.kind != Kind::kPattern) return "";
  return yaml_key_of(s.pieces.front());
}

// "Deployment" for `kind: Deployment` / `kind: "Deployment"`; "*" when actions write it.
std::string kind_value(const LineShape& s) {
  if (s.kind == Kind::kPattern) return "*";
  std::string v = s.pieces.front();
  v = v.substr(v.find(':') + 1);
  size_t b = v.find_first_not_of(' ');
  v = b == std::string::npos ? "" : v.substr(b);
  if (auto hash = v.find(" #"); hash != std::string::npos) v = v.substr(0, hash);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

void describe_part(const std::vector<std::string>& lines, const std::vector<LineShape>& shapes, TemplatePart& part) {
  int top = -1, first_action = -1;
  for (int i = part.begin; i < part.end; ++i) {
    const LineShape& s = shapes[i];
    if (s.kind == Kind::kActions && first_action < 0 && writes_output(lines[i])) first_action = i;
    if (s.kind != Kind::kLiteral && s.kind != Kind::kPattern) continue;
    const std::string& f = s.pieces.front();
    size_t nb = f.find_first_not_of(' ');
    bool comment = nb != std::string::npos && f[nb] == '#';
    if (part.first_content < 0 && !comment && (s.kind == Kind::kPattern || nb != std::string::npos))
      part.first_content = i;
    if (!key_of(s).empty() && (top < 0 || s.indent < top)) top = s.indent;
  }
  // A part of actions alone (`{{ toYaml . }}` in a range over values, an include) still renders objects;
  // one of control flow alone (`{{- if }}`, `{{- range }}`, assignments) renders nothing.
  if (part.first_content < 0) part.first_content = first_action;
  if (top < 0) return;
  for (int i = part.begin; i < part.end; ++i) {
    const LineShape& s = shapes[i];
    if (s.indent != top) continue;
    std::string key = key_of(s);
    if (key == "kind") part.kinds.push_back(kind_value(s));
    if (key != "metadata") continue;
    // metadata's own keys: the indentation of the first key line below it.
    int child = -1;
    for (int j = i + 1; j < part.end; ++j) {
      const LineShape& c = shapes[j];
      if (key_of(c).empty()) continue;
      if (c.indent <= top) break;
      if (child < 0) child = c.indent;
      if (c.indent == child && key_of(c) == "name") part.name_lines.push_back(j);
    }
  }
}

// How well `name` fits the name line `s`: literal characters of the value matched + 1; -1 when it cannot be.
int name_score(const LineShape& s, const std::string& name) {
  const std::string& first = s.pieces.front();
  size_t colon = first.find(':');
  if (colon == std::string::npos) return -1;
  size_t value_at = first.find_first_not_of(' ', colon + 1);
  std::string prefix = first.substr(0, value_at == std::string::npos ? first.size() : value_at);
  auto literal_chars = [](const std::string& text) {
    int n = 0;
    for (char c : text) n += c != ' ' && c != '"' && c != '\'';
    return n;
  };
  int literal = -literal_chars(first.substr(0, colon + 1));
  for (const auto& p : s.pieces) literal += literal_chars(p);
  for (const char* quote : {"", "\"", "'"}) {
    std::string line = prefix + quote + name + quote;
    if (shape_matches(s, line)) return literal + 1;
  }
  return -1;
}

// 2: the part writes this kind literally; 1: through an action; 0: it writes no kind; -1: another kind.
int kind_score(const TemplatePart& p, const std::string& kind) {
  if (p.kinds.empty()) return 0;
  int best = -1;
  for (const auto& k : p.kinds) best = std::max(best, k == kind ? 2 : k == "*" ? 1 : -1);
  return best;
}

}  // namespace

TemplateModel model_template(const std::vector<std::string>& lines) {
  TemplateModel m;
  m.lines = lines;
  m.shapes = line_shapes(lines);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  for (const auto& chunk : split_documents(text)) {
    TemplatePart part;
    part.begin = chunk.first_line - 1;
    int count = 0;
    for (char c : chunk.text) count += c == '\n';
    if (!chunk.text.empty() && chunk.text.back() != '\n') ++count;
    part.end = std::min(part.begin + count, static_cast<int>(lines.size()));
    describe_part(m.lines, m.shapes, part);
    m.parts.push_back(std::move(part));
  }
  return m;
}

std::shared_ptr<const TemplateModel> template_model(const SourceRef& src) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TemplateModel>> models;
  std::string path = template_source_path(src);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = models.find(path); it != models.end()) return it->second;
  }
  std::ifstream in(path);
  if (!in) return nullptr;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  if (lines.empty()) return nullptr;
  auto model = std::make_shared<const TemplateModel>(model_template(lines));
  std::lock_guard<std::mutex> lock(mu);
  return models.emplace(path, std::move(model)).first->second;
}

std::vector<int> match_parts(const TemplateModel& model, const std::vector<RenderedObject>& objects) {
  std::vector<int> out;
  std::map<std::string, std::set<int>> taken;  // kind → parts already given to an object of that kind
  for (const auto& o : objects) {
    std::vector<int> cands;
    int best = -2;
    for (int i = 0; i < static_cast<int>(model.parts.size()); ++i) {
      if (model.parts[i].first_content < 0) continue;
      int score = kind_score(model.parts[i], o.kind);
      if (score > best) { best = score; cands.clear(); }
      if (score == best) cands.push_back(i);
    }
    // Narrow by name; names written by helpers or tpl may match no part: then keep the kind's parts.
    std::vector<int> named;
    int best_name = 0;
    for (int i : cands) {
      int score = -1;
      for (int line : model.parts[i].name_lines) score = std::max(score, name_score(model.shapes[line], o.name));
      if (model.parts[i].name_lines.empty()) score = 0;
      if (score > best_name) { best_name = score; named.clear(); }
      if (score == best_name && score >= 0) named.push_back(i);
    }
    if (!named.empty()) cands = named;
    int chosen = -1;
    for (int i : cands)
      if (!taken[o.kind].count(i)) { chosen = i; break; }
    if (chosen < 0 && !cands.empty()) chosen = cands.front();
    if (chosen >= 0) taken[o.kind].insert(chosen);
    out.push_back(chosen);
  }
  return out;
}

int part_at(const TemplateModel& model, int line) {
  for (int i = 0; i < static_cast<int>(model.parts.size()); ++i)
    if (line >= model.parts[i].begin && line < model.parts[i].end) return i;
  return -1;
}

}  // namespace kv::render
