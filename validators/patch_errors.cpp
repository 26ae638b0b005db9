#include "validators/patch_errors.h"

#include <sstream>

namespace kv {

namespace {

// ".spec.containers[name=\"app\"].image" → "spec.containers[name=app].image"
std::string to_field_path(std::string smd) {
  if (!smd.empty() && smd[0] == '.') smd.erase(0, 1);
  std::string out;
  bool in_bracket = false;
  for (char c : smd) {
    if (c == '[') in_bracket = true;
    if (c == ']') in_bracket = false;
    if (in_bracket && c == '"') continue;
    out += c;
  }
  return out;
}

std::string rule_for(const std::string& msg) {
  if (msg.find("field not declared in schema") != std::string::npos) return "dry-run/unknown-field";
  if (msg.find("expected ") != std::string::npos && msg.find(", got ") != std::string::npos) return "dry-run/wrong-type";
  return "dry-run/invalid-patch";
}

void add_line(std::string line, std::vector<PatchError>& out) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  if (line.empty() || line == "errors:") return;
  // ".path: message" — the path ends at the first ": " outside brackets and quotes.
  if (line[0] == '.') {
    int depth = 0;
    bool quoted = false;
    for (size_t i = 0; i + 1 < line.size(); ++i) {
      char c = line[i];
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      if (c == '[') ++depth;
      if (c == ']') --depth;
      if (depth == 0 && c == ':' && line[i + 1] == ' ') {
        std::string msg = line.substr(i + 2);
        out.push_back({to_field_path(line.substr(0, i)), msg, rule_for(msg)});
        return;
      }
    }
  }
  out.push_back({"", line, rule_for(line)});
}

}  // namespace

std::vector<PatchError> parse_patch_errors(const std::string& message) {
  std::vector<PatchError> out;
  constexpr std::string_view kPrefix = "failed to create typed patch object";
  auto start = message.find(kPrefix);
  if (start == std::string::npos) return out;
  // Skip "(/name; group/version, Kind=X): ".
  auto close = message.find("): ", start);
  if (close == std::string::npos) return out;
  std::string rest = message.substr(close + 3);
  std::istringstream lines(rest);
  for (std::string line; std::getline(lines, line);) add_line(line, out);
  return out;
}

}  // namespace kv
