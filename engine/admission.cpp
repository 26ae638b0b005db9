#include "engine/admission.h"

#include <regex>

namespace kv::engine {

namespace {

std::string after(std::string_view s, std::string_view marker) {
  auto at = s.find(marker);
  return at == std::string_view::npos ? "" : std::string(s.substr(at + marker.size()));
}

// The quoted names after `word "` / `words "a", "b"` in `text`.
std::vector<std::string> quoted_names_after(const std::string& text, const std::string& word) {
  std::vector<std::string> out;
  for (const std::string& w : {word + "s \"", word + " \""}) {
    auto at = text.find(w);
    if (at == std::string::npos) continue;
    size_t i = at + w.size() - 1;
    while (i < text.size() && text[i] == '"') {
      auto close = text.find('"', i + 1);
      if (close == std::string::npos) break;
      out.push_back(text.substr(i + 1, close - i - 1));
      i = close + 1;
      if (text.compare(i, 2, ", ") == 0 && i + 2 < text.size() && text[i + 2] == '"') i += 2;
    }
    if (!out.empty()) break;
  }
  return out;
}

// The securityContext field a check names ("securityContext.privileged", "securityContext.runAsUser").
std::string security_field(const std::string& text) {
  static const std::regex kField(R"((securityContext(?:\.[A-Za-z]+)+)|\b(runAsUser|runAsNonRoot|procMount)\b)");
  std::smatch m;
  if (!std::regex_search(text, m, kField)) return "";
  return m[1].matched ? m[1].str() : "securityContext." + m[2].str();
}

std::vector<std::string> fields_of(const std::string& text) {
  std::vector<std::string> fields;
  std::string field = security_field(text);
  // A check with an '=': "securityContext.privileged=true", strip the value.
  for (auto* f : {&field})
    if (auto eq = f->find('='); eq != std::string::npos) f->erase(eq);
  for (const auto& c : quoted_names_after(text, "container")) {
    std::string base = "containers[name=" + c + "]";
    if (text.find("uses hostPort") != std::string::npos) fields.push_back(base + ".ports");
    else fields.push_back(field.empty() ? base : base + "." + field);
  }
  if (fields.empty() && !field.empty() && text.find("pod ") != std::string::npos) fields.push_back(field);
  for (const auto& v : quoted_names_after(text, "volume")) fields.push_back("volumes[name=" + v + "]");
  for (const char* host : {"hostNetwork", "hostPID", "hostIPC"})
    if (text.find(std::string(host) + "=true") != std::string::npos) fields.push_back(host);
  if (text.rfind("sysctls", 0) == 0) fields.push_back("securityContext.sysctls");
  return fields;
}

// The Pod field a built-in admission plugin's refusal is about (the message names none): the Priority
// plugin's unknown or misplaced PriorityClass and its computed priority, the RuntimeClass plugin's unknown
// class and its overhead.
std::string plugin_field(std::string_view message) {
  static const std::pair<std::string_view, std::string_view> kFields[] = {
      {"no PriorityClass with name ", "spec.priorityClassName"},
      {"priorityClass is not permitted in ", "spec.priorityClassName"},
      {"the integer value of priority (", "spec.priority"},
      {"pod rejected: RuntimeClass ", "spec.runtimeClassName"},
      {"pod rejected: Pod's Overhead doesn't match RuntimeClass", "spec.overhead"},
  };
  for (const auto& [words, field] : kFields)
    if (message.find(words) != std::string_view::npos) return std::string(field);
  return "";
}

}  // namespace

std::string pod_spec_path(std::string_view kind) {
  if (kind == "Pod") return "spec";
  if (kind == "CronJob") return "spec.jobTemplate.spec.template.spec";
  return "spec.template.spec";
}

Denial classify_denial(std::string_view message, long http_code) {
  Denial d;
  if (message.find("violates PodSecurity") != std::string_view::npos) {
    d.kind = DenialKind::kPodSecurity;
    d.rule = "admission/pod-security";
    auto at = message.find("violates PodSecurity");
    d.message = std::string(message.substr(at));
    return d;
  }
  static const std::regex kPolicy(R"(ValidatingAdmissionPolicy '([^']+)' with binding '[^']*' denied request: ?(.*))");
  static const std::regex kWebhook(R"re(admission webhook "([^"]+)" denied the request:? ?(.*))re");
  std::string text(message);
  std::smatch m;
  if (std::regex_search(text, m, kPolicy)) {
    d.kind = DenialKind::kPolicy;
    d.rule = "admission/" + m[1].str();
    d.message = m[0].str();
    return d;
  }
  if (std::regex_search(text, m, kWebhook)) {
    d.kind = DenialKind::kWebhook;
    d.rule = "admission/" + m[1].str();
    d.message = m[0].str();
    return d;
  }
  if (http_code != 403) return d;
  static const std::regex kRbac(R"re((User|ServiceAccount|Group) "[^"]*" cannot \w+ resource)re");
  if (std::regex_search(text, kRbac)) {
    d.kind = DenialKind::kRbac;
    d.message = text;
    return d;
  }
  // Other built-in admission refusals ("is forbidden: exceeded quota", "maximum memory usage per
  // Container is ..."), but not a namespace being deleted under us (that is the plane's state).
  if (text.find("is forbidden: ") != std::string::npos && text.find("because it is being terminated") == std::string::npos) {
    d.kind = DenialKind::kPlugin;
    d.rule = "admission/denied";
    d.message = after(text, "is forbidden: ");
    d.field = plugin_field(d.message);
  }
  return d;
}

std::vector<PodSecurityCheck> pod_security_checks(std::string_view message) {
  std::vector<PodSecurityCheck> out;
  auto at = message.find("violate");
  if (at == std::string_view::npos || message.find("PodSecurity", at) == std::string_view::npos) return out;
  auto colon = message.find("\": ", at);
  if (colon == std::string_view::npos) return out;
  std::string list(message.substr(colon + 3));
  // "a (x, y), b (z)": split at ", " outside parentheses.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    char c = i < list.size() ? list[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ',' && depth == 0 && (i == list.size() || (i + 1 < list.size() && list[i + 1] == ' '))) ) {
      std::string part = list.substr(start, i - start);
      while (!part.empty() && part.front() == ' ') part.erase(0, 1);
      if (!part.empty()) out.push_back({part, fields_of(part)});
      start = i + 1;
    }
  }
  return out;
}

}  // namespace kv::engine
