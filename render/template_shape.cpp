#include "render/template_shape.h"

namespace kv::render {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view rtrim(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void rtrim_in_place(std::string& s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
}

bool blank(std::string_view s) { return rtrim(s).empty(); }

// Where a Go template's action text is, carried from one line to the next.
struct Scanner {
  bool in_action = false;
  bool in_comment = false;  // {{/* ... */}}
  char quote = 0;           // '"', '`' or '\'' inside an action
  bool trim_next = false;   // the last action ended with "-}}": the literal after it loses its leading spaces

  LineShape scan(const std::string& line) {
    LineShape shape;
    shape.indent = static_cast<int>(line.find_first_not_of(' ') == std::string::npos ? line.size()
                                                                                     : line.find_first_not_of(' '));
    bool had_action = in_action;
    std::vector<std::string> pieces;
    std::string cur;
    size_t i = 0;
    const size_t n = line.size();
    while (i < n) {
      if (!in_action) {
        if (line.compare(i, 2, "{{") == 0) {
          bool trim = i + 2 < n && line[i + 2] == '-' && (i + 3 >= n || line[i + 3] == ' ');
          if (trim) rtrim_in_place(cur);
          pieces.push_back(std::move(cur));
          cur.clear();
          in_action = had_action = true;
          trim_next = false;
          i += trim ? 3 : 2;
          size_t j = i;
          while (j < n && line[j] == ' ') ++j;
          if (line.compare(j, 2, "/*") == 0) { in_comment = true; i = j + 2; }
          continue;
        }
        if (trim_next && cur.empty() && is_space(line[i])) { ++i; continue; }
        trim_next = false;
        cur += line[i++];
        continue;
      }
      if (in_comment) {
        if (line.compare(i, 2, "*/") == 0) { in_comment = false; i += 2; } else { ++i; }
        continue;
      }
      if (quote) {
        if (quote == '"' && line[i] == '\\') { i += 2; continue; }
        if (line[i] == quote) quote = 0;
        ++i;
        continue;
      }
      if (line[i] == '"' || line[i] == '`' || line[i] == '\'') { quote = line[i++]; continue; }
      bool trim_end = line.compare(i, 3, "-}}") == 0 && (i == 0 || line[i - 1] == ' ');
      if (trim_end || line.compare(i, 2, "}}") == 0) {
        in_action = false;
        trim_next = trim_end;
        i += trim_end ? 3 : 2;
        continue;
      }
      ++i;
    }
    // A quote is never open across lines in an action but a raw string's; be forgiving with the rest.
    if (quote != '`') quote = 0;
    if (!had_action) {
      shape.kind = blank(line) ? LineShape::Kind::kBlank : LineShape::Kind::kLiteral;
      if (shape.kind == LineShape::Kind::kLiteral) shape.pieces.emplace_back(rtrim(line));
      return shape;
    }
    if (!in_action) pieces.push_back(std::move(cur));
    else pieces.emplace_back();
    rtrim_in_place(pieces.back());
    bool literal = false;
    for (const auto& p : pieces)
      if (!blank(p)) literal = true;
    shape.kind = literal ? LineShape::Kind::kPattern : LineShape::Kind::kActions;
    if (literal) shape.pieces = std::move(pieces);
    return shape;
  }
};

int nonspace(const std::vector<std::string>& pieces) {
  int count = 0;
  for (const auto& p : pieces)
    for (char c : p) count += !is_space(c);
  return count;
}

}  // namespace

std::vector<LineShape> line_shapes(const std::vector<std::string>& lines) {
  std::vector<LineShape> out;
  out.reserve(lines.size());
  Scanner s;
  for (const auto& line : lines) out.push_back(s.scan(line));
  return out;
}

bool shape_matches(const LineShape& shape, std::string_view line) {
  line = rtrim(line);
  switch (shape.kind) {
    case LineShape::Kind::kLiteral: return line == shape.pieces.front();
    case LineShape::Kind::kPattern: break;
    default: return false;
  }
  const auto& p = shape.pieces;
  std::string_view first = p.front();
  if (first.find_first_not_of(' ') == std::string_view::npos && !first.empty()) {
    // "  {{ $k }}: {{ $v }}": the indentation is what anchors the line.
    if (indent_of(line) != static_cast<int>(first.size()) && line.rfind("- ", first.size()) != first.size())
      return false;
  }
  if (line.substr(0, first.size()) != first) {
    // "  name: {{ .Values.x }}" with an empty value renders "  name:".
    for (size_t k = 1; k < p.size(); ++k)
      if (!p[k].empty()) return false;
    return rtrim(first) == line;
  }
  size_t pos = first.size();
  std::string_view last = p.back();
  if (line.size() < pos + last.size() || line.substr(line.size() - last.size()) != last) return false;
  size_t limit = line.size() - last.size();
  for (size_t k = 1; k + 1 < p.size(); ++k) {
    if (p[k].empty()) continue;
    size_t at = line.find(p[k], pos);
    if (at == std::string_view::npos || at + p[k].size() > limit) return false;
    pos = at + p[k].size();
  }
  return true;
}

int shape_weight(const LineShape& shape) {
  switch (shape.kind) {
    case LineShape::Kind::kLiteral: return 4;
    case LineShape::Kind::kPattern: return nonspace(shape.pieces) >= 3 ? 3 : 1;
    default: return 0;
  }
}

int indent_of(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return static_cast<int>(i);
}

std::string yaml_key_of(std::string_view line) {
  size_t i = static_cast<size_t>(indent_of(line));
  while (line.substr(i, 2) == "- ") {
    i += 2;
    while (i < line.size() && line[i] == ' ') ++i;
  }
  if (i >= line.size() || line[i] == '#' || line[i] == '{' || line[i] == '[') return "";
  if (line[i] == '"' || line[i] == '\'') {
    size_t close = line.find(line[i], i + 1);
    if (close == std::string_view::npos || close + 1 >= line.size() || line[close + 1] != ':') return "";
    return std::string(line.substr(i + 1, close - i - 1));
  }
  for (size_t j = i; j < line.size(); ++j) {
    if (line[j] == ':' && (j + 1 == line.size() || line[j + 1] == ' ' || line[j + 1] == '\r'))
      return std::string(line.substr(i, j - i));
    if (line[j] == ' ' || line[j] == '{' || line[j] == '"') return "";
  }
  return "";
}

bool writes_output(std::string_view line) {
  for (size_t at = line.find("{{"); at != std::string_view::npos; at = line.find("{{", at + 2)) {
    size_t i = at + 2;
    if (i < line.size() && line[i] == '-') ++i;
    while (i < line.size() && line[i] == ' ') ++i;
    std::string_view rest = line.substr(i);
    bool control = false;
    for (std::string_view word : {"if ", "else", "end", "with ", "range ", "define ", "/*"})
      if (rest.substr(0, word.size()) == word) control = true;
    if (rest.substr(0, 1) == "$" && rest.find(":=") != std::string_view::npos &&
        rest.find(":=") < rest.find("}}"))
      control = true;
    if (!control) return true;
  }
  return false;
}


}  // namespace kv::render
