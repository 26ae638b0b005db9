#include "resources/documents.h"

#include <cstdio>
#include <vector>

#include "core/utf8.h"

namespace kv {

namespace {

enum class LineKind { kContent, kSeparator, kSeparatorWithContent, kEnd };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Whether `rest` (what follows a marker on its line) is empty, whitespace or a comment.
bool only_comment(std::string_view rest) {
  size_t i = 0;
  while (i < rest.size() && is_space(rest[i])) ++i;
  return i == rest.size() || (rest[i] == '#' && i > 0);
}

LineKind classify(std::string_view line) {
  if (line.size() < 3) return LineKind::kContent;
  std::string_view head = line.substr(0, 3), rest = line.substr(3);
  if (head == "---") {
    if (only_comment(rest)) return LineKind::kSeparator;
    if (is_space(rest[0])) return LineKind::kSeparatorWithContent;  // "--- !tag", "--- |"
    return LineKind::kContent;                                      // "----" is a plain scalar
  }
  if (head == "..." && only_comment(rest)) return LineKind::kEnd;
  return LineKind::kContent;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Calls f(line) for each line of `text` (without the newline) until f returns false.
template <typename F>
void for_each_line(std::string_view text, F f) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t end = eol == std::string_view::npos ? text.size() : eol;
    if (!f(text.substr(pos, end - pos))) return;
    pos = end + 1;
  }
}

}  // namespace

std::vector<DocumentChunk> split_documents(std::string_view text) {
  std::vector<DocumentChunk> chunks;
  for_each_document(text, [&](const DocumentChunk& c) {
    chunks.push_back(c);
    return true;
  });
  return chunks;
}

void for_each_document(std::string_view text, const std::function<bool(const DocumentChunk&)>& f) {
  bool go_on = true;
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  size_t begin = pos;
  int line_no = 1, begin_line = 1, index = 0;
  auto emit = [&](size_t end) {
    if (end <= begin || !go_on) return;
    DocumentChunk c;
    c.text = text.substr(begin, end - begin);
    c.first_line = begin_line;
    for_each_line(c.text, [&](std::string_view line) {
      std::string_view t = trim(line);
      if (t.empty()) return true;
      if (t.front() != '#') return false;
      c.leading_comments.push_back(trim(t.substr(1)));
      return true;
    });
    bool blank = is_blank_document(c.text);
    c.index = index;
    if (!blank) ++index;
    go_on = f(c);
  };
  while (go_on && pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    LineKind kind = classify(text.substr(pos, next - pos - (eol == std::string_view::npos ? 0 : 1)));
    if (kind == LineKind::kSeparatorWithContent) {
      emit(pos);
      begin = pos;
      begin_line = line_no;
    } else if (kind != LineKind::kContent) {
      emit(pos);
      begin = next;
      begin_line = line_no + 1;
    }
    pos = next;
    ++line_no;
  }
  emit(text.size());
}

bool is_blank_document(std::string_view chunk) {
  bool blank = true;
  for_each_line(chunk, [&](std::string_view line) {
    std::string_view t = trim(line);
    if (t.empty() || t.front() == '#' || t.front() == '%') return true;
    blank = false;
    return false;
  });
  return blank;
}

std::optional<TextDefect> find_encoding_defect(std::string_view text) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') { ++line; line_start = ++i; continue; }
    if (c == 0) {
      return TextDefect{line, static_cast<int>(i - line_start) + 1,
                        "NUL byte in the text (is this a binary file?)"};
    }
    if (c < 0x80) { ++i; continue; }
    size_t n = utf8_sequence(text, i);
    if (n == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      return TextDefect{line, static_cast<int>(i - line_start) + 1,
                        std::string("invalid UTF-8 (byte ") + hex + "); YAML input must be UTF-8"};
    }
    i += n;
  }
  return std::nullopt;
}

std::string_view line_of(std::string_view text, int line) {
  std::string_view found;
  int n = 0;
  for_each_line(text, [&](std::string_view l) {
    if (++n < line) return true;
    found = l;
    return false;
  });
  return found;
}

int find_tab_indentation(std::string_view text, int line) {
  int n = 0, hit = 0;
  for_each_line(text, [&](std::string_view l) {
    if (++n > line) return false;
    if (n < line - 2) return true;
    for (char c : l) {
      if (c == '\t') { hit = n; break; }
      if (c != ' ') break;
    }
    return true;
  });
  return hit;
}

std::optional<TextPosition> find_unclosed_flow(std::string_view text, int line) {
  std::vector<TextPosition> open;
  int n = 0;
  for_each_line(text, [&](std::string_view l) {
    if (++n >= line) return false;
    char quote = 0;
    bool value_start = true;  // at the indentation: a block value may begin here
    for (size_t i = 0; i < l.size(); ++i) {
      char c = l[i];
      if (quote) {
        if (c == quote && quote == '\'' && i + 1 < l.size() && l[i + 1] == '\'') ++i;  // '' inside '...'
        else if (c == '\\' && quote == '"') ++i;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) break;  // a comment
      if (c == ' ' || c == '\t') continue;
      bool in_flow = !open.empty();
      if ((c == '\'' || c == '"') && (value_start || in_flow)) {
        quote = c;
        value_start = false;
        continue;
      }
      if ((c == '[' || c == '{') && (value_start || in_flow)) {
        open.push_back(TextPosition{n, static_cast<int>(i) + 1, c});
        value_start = true;
        continue;
      }
      if ((c == ']' || c == '}') && in_flow) {
        open.pop_back();
        value_start = false;
        continue;
      }
      if (c == ',' && in_flow) { value_start = true; continue; }
      if (c == ':' && (i + 1 == l.size() || l[i + 1] == ' ')) { value_start = true; continue; }
      if (c == '-' && value_start && !in_flow && (i + 1 == l.size() || l[i + 1] == ' ')) continue;
      value_start = false;
    }
    return true;
  });
  if (open.empty()) return std::nullopt;
  return open.back();
}

}  // namespace kv
