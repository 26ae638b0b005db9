#include "render/lookup.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json.h"
#include "render/helm_output.h"

namespace kv::render {
namespace fs = std::filesystem;
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads one argument of a template call at `pos`: a "string" (value: its content), a (parenthesized
// expression) or a bare word (value: the word). `known` is false for anything but a string literal or
// .Release.Namespace. Returns false at the end of the action.
bool next_arg(const std::string& s, size_t& pos, const std::string& release_ns, std::string& value, bool& known) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  if (pos >= s.size() || s[pos] == ')' || s[pos] == '|' || s.compare(pos, 2, "}}") == 0 || s.compare(pos, 3, "-}}") == 0)
    return false;
  known = false;
  value.clear();
  if (s[pos] == '"') {
    size_t end = pos + 1;
    while (end < s.size() && s[end] != '"' && s[end] != '\n') end += s[end] == '\\' ? 2 : 1;
    value = s.substr(pos + 1, std::min(end, s.size()) - pos - 1);
    known = end < s.size() && s[end] == '"' && value.find('\\') == std::string::npos;
    pos = std::min(end + 1, s.size());
    return true;
  }
  if (s[pos] == '(') {
    int depth = 0;
    size_t start = pos;
    for (; pos < s.size(); ++pos) {
      if (s[pos] == '(') ++depth;
      if (s[pos] == ')' && --depth == 0) { ++pos; break; }
    }
    value = s.substr(start, pos - start);
    return true;
  }
  size_t start = pos;
  while (pos < s.size() && !is_space(s[pos]) && s[pos] != ')' && s[pos] != '|' && s.compare(pos, 2, "}}") != 0) ++pos;
  value = s.substr(start, pos - start);
  if (value == ".Release.Namespace" || value == "$.Release.Namespace") {
    value = release_ns;
    known = true;
  }
  return pos > start;
}

// `lookup` calls in one template's text.
void scan(const std::string& text, const std::string& display, const std::string& release_ns,
          std::vector<LookupCall>& out) {
  size_t open = 0;
  while ((open = text.find("{{", open)) != std::string::npos) {
    size_t close = text.find("}}", open);
    if (close == std::string::npos) break;
    std::string action = text.substr(open, close + 2 - open);
    if (action.rfind("{{/*", 0) != 0 && action.rfind("{{- /*", 0) != 0) {
      for (size_t at = action.find("lookup"); at != std::string::npos; at = action.find("lookup", at + 6)) {
        bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(action[at - 1])) || action[at - 1] == '_' ||
                                       action[at - 1] == '.' || action[at - 1] == '$');
        if (!word_start || at + 6 >= action.size() || !is_space(action[at + 6])) continue;
        LookupCall call;
        call.file = display;
        call.line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(open + at), '\n'));
        size_t pos = at + 6;
        std::vector<std::string> args;
        bool all_known = true;
        std::string value;
        bool known = false;
        while (args.size() < 4 && next_arg(action, pos, release_ns, value, known)) {
          args.push_back(value);
          all_known = all_known && known;
        }
        call.text = action.substr(at, pos - at);
        call.literal = all_known && args.size() == 4;
        if (call.literal) {
          call.api_version = args[0], call.kind = args[1], call.namespace_ = args[2], call.name = args[3];
        }
        out.push_back(std::move(call));
      }
    }
    open = close + 2;
  }
}

void scan_dir(const Chart& chart, const fs::path& templates, const std::string& release_ns, std::vector<LookupCall>& out) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(templates, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    scan(ss.str(), chart_file(chart, f.lexically_relative(chart.root).string()), release_ns, out);
  }
}

std::string describe(const LookupCall& c) {
  std::string where = c.namespace_.empty() ? "" : c.namespace_ + "/";
  return c.kind + " " + where + (c.name.empty() ? "(any)" : c.name);
}

}  // namespace

std::vector<LookupCall> find_lookup_calls(const Chart& chart, const std::string& release_namespace) {
  std::vector<LookupCall> out;
  scan_dir(chart, fs::path(chart.root) / "templates", release_namespace, out);
  std::error_code ec;
  std::vector<fs::path> subcharts;
  for (const auto& entry : fs::directory_iterator(fs::path(chart.root) / "charts", ec))
    if (entry.is_directory()) subcharts.push_back(entry.path());
  std::sort(subcharts.begin(), subcharts.end());
  for (const auto& sub : subcharts) scan_dir(chart, sub / "templates", release_namespace, out);
  return out;
}

std::vector<LookupAnswer> answer_lookups(kube::Client& client, const kube::Discovery& discovery,
                                         const std::vector<LookupCall>& calls, std::vector<std::string>& why) {
  std::vector<LookupAnswer> answers(calls.size(), LookupAnswer::kUnknown);
  why.assign(calls.size(), "");
  for (size_t i = 0; i < calls.size(); ++i) {
    const LookupCall& c = calls[i];
    if (!c.literal) {
      why[i] = "its arguments are computed";
      continue;
    }
    auto slash = c.api_version.find('/');
    std::string group = slash == std::string::npos ? "" : c.api_version.substr(0, slash);
    std::string version = slash == std::string::npos ? c.api_version : c.api_version.substr(slash + 1);
    const kube::ApiResource* api = discovery.find_kind(group, version, c.kind);
    if (!api) {
      answers[i] = LookupAnswer::kEmpty;  // helm's lookup returns an empty map for a kind not served
      why[i] = c.api_version + " " + c.kind + " is not served by the cluster";
      continue;
    }
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    if (api->namespaced && !c.namespace_.empty()) path += "/namespaces/" + c.namespace_;
    path += "/" + api->resource;
    path += c.name.empty() ? "?limit=1" : "/" + c.name;
    kube::Response r = client.send(kube::Request{"GET", path, "", "", "application/json"});
    if (r.status == 404) {
      answers[i] = LookupAnswer::kEmpty;
      why[i] = "no " + describe(c) + " on the cluster";
    } else if (r.success() && !c.name.empty()) {
      answers[i] = LookupAnswer::kFound;
    } else if (r.success()) {
      auto doc = parse_json(r.body, "API response");
      bool empty = doc.ok() && (!(*doc)["items"] || (*doc)["items"].size() == 0);
      answers[i] = empty ? LookupAnswer::kEmpty : LookupAnswer::kFound;
      if (empty) why[i] = "no " + describe(c) + " on the cluster";
    } else {
      why[i] = r.transport_ok() ? "the server answered HTTP " + std::to_string(r.status) : r.transport_error;
    }
  }
  return answers;
}

ObjectResult lookup_result(const Chart& chart, const std::vector<LookupCall>& calls,
                           const std::vector<LookupAnswer>& answers, const std::vector<std::string>& why,
                           const std::string& suite) {
  ObjectResult r = chart_result(chart, "lookup", ObjectStatus::kValid, suite);
  for (size_t i = 0; i < calls.size(); ++i) {
    Finding f;
    f.severity = Severity::kInfo;
    f.rule = "helm-render/lookup-empty";
    f.file = calls[i].file;
    f.line = calls[i].line;
    if (answers.empty()) {
      f.message = "`" + calls[i].text + "` returned an empty map: the chart was rendered without a cluster "
                  "(--lookup renders against the plane)";
    } else if (answers[i] == LookupAnswer::kEmpty) {
      f.message = "`" + calls[i].text + "` returned an empty map: " + why[i];
    } else if (answers[i] == LookupAnswer::kUnknown) {
      f.message = "`" + calls[i].text + "` may have returned an empty map (" + why[i] + ")";
    } else {
      continue;
    }
    r.findings.push_back(std::move(f));
  }
  if (!r.findings.empty()) {
    r.source.file = r.findings.front().file;
    r.source.line = r.findings.front().line;
  }
  return r;
}

}  // namespace kv::render
