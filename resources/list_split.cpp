#include "resources/list_split.h"

namespace kv {

namespace {

size_t indent_of(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  return i;
}

bool blank_or_comment(std::string_view line) {
  size_t i = indent_of(line);
  return i == line.size() || line[i] == '#';
}

// "items:" at column 0, with nothing after it but spaces and a comment.
bool is_items_key(std::string_view line) {
  if (line.substr(0, 6) != "items:") return false;
  std::string_view rest = line.substr(6);
  size_t i = indent_of(rest);
  return i == rest.size() || (i > 0 && rest[i] == '#');
}

// A sequence entry at column `s`: "-" alone or "- ...".
bool entry_at(std::string_view line, size_t s) {
  return line.size() > s && line[s] == '-' && (line.size() == s + 1 || line[s + 1] == ' ');
}

}  // namespace

std::optional<ListSplit> split_block_list(std::string_view doc) {
  if (doc.find('\t') != std::string_view::npos || doc.find('\r') != std::string_view::npos) return std::nullopt;
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < doc.size();) {
    size_t nl = doc.find('\n', pos);
    if (nl == std::string_view::npos) nl = doc.size();
    lines.push_back(doc.substr(pos, nl - pos));
    pos = nl + 1;
  }
  size_t key = lines.size();
  for (size_t i = 0; i < lines.size(); ++i)
    if (is_items_key(lines[i])) {
      if (key != lines.size()) return std::nullopt;  // twice: the whole document's parse reports it
      key = i;
    }
  if (key == lines.size()) return std::nullopt;
  ListSplit out;
  std::vector<bool> in_items(lines.size(), false);
  size_t s = std::string_view::npos;  // the entries' column
  size_t i = key + 1;
  for (; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (blank_or_comment(line)) {
      if (!out.items.empty()) {
        out.items.back().text.append(line).push_back('\n');
        in_items[i] = true;
      }
      continue;
    }
    size_t indent = indent_of(line);
    if (s == std::string_view::npos) {
      if (!entry_at(line, indent)) return std::nullopt;  // not a block sequence
      s = indent;
    }
    if (indent == s && entry_at(line, s)) {
      ListItemText item;
      item.first_line = static_cast<int>(i) + 1;
      item.text.assign(line).push_back('\n');
      item.text[s] = ' ';
      out.items.push_back(std::move(item));
    } else if (indent > s) {
      out.items.back().text.append(line).push_back('\n');
    } else if (indent == 0) {
      break;  // the next top-level key: the sequence ended
    } else {
      return std::nullopt;
    }
    in_items[i] = true;
  }
  if (out.items.empty()) return std::nullopt;
  // Trailing blank and comment lines stay with the last item; what follows the sequence is the header's.
  for (size_t j = 0; j < lines.size(); ++j) {
    if (!in_items[j]) out.header.append(lines[j]);
    out.header.push_back('\n');
  }
  return out;
}

}  // namespace kv
