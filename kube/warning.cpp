#include "kube/warning.h"

#include <cctype>

namespace kv::kube {

std::optional<std::string> parse_warning_header(std::string_view v) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  v = trim(v);
  // warn-code: three digits
  if (v.size() < 5 || !std::isdigit(static_cast<unsigned char>(v[0])) ||
      !std::isdigit(static_cast<unsigned char>(v[1])) || !std::isdigit(static_cast<unsigned char>(v[2])) || v[3] != ' ')
    return std::nullopt;
  v.remove_prefix(4);
  auto sp = v.find(' ');  // warn-agent
  if (sp == std::string_view::npos) return std::nullopt;
  v = trim(v.substr(sp + 1));
  if (v.empty() || v.front() != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\' && i + 1 < v.size()) { out += v[++i]; continue; }
    if (c == '"') return out;
    out += c;
  }
  return std::nullopt;  // unterminated quote
}

}  // namespace kv::kube
