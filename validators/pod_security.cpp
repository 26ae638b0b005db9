#include "validators/pod_security.h"

#include <regex>

#include "core/yaml_util.h"

namespace kv {

namespace {

bool has_label(const YAML::Node& labels, const char* key) { return labels && labels.IsMap() && labels[key]; }

// The quoted names after the first `WORD "` or `WORDs "` in `detail`: `containers "a", "b"` → {a, b}.
std::vector<std::string> quoted_after(std::string_view detail, const std::string& word) {
  std::vector<std::string> out;
  for (const std::string& lead : {word + " \"", word + "s \""}) {
    size_t p = detail.find(lead);
    if (p == std::string_view::npos) continue;
    p += lead.size() - 1;
    while (p < detail.size() && detail[p] == '"') {
      size_t close = detail.find('"', p + 1);
      if (close == std::string_view::npos) break;
      out.emplace_back(detail.substr(p + 1, close - p - 1));
      if (detail.compare(close + 1, 3, ", \"") != 0) break;
      p = close + 3;
    }
    if (!out.empty()) return out;
  }
  return out;
}

// The securityContext field a detail names: "must not set securityContext.privileged=true" →
// "privileged"; "" when none.
std::string security_context_field(std::string_view detail) {
  static const std::string kKey = "securityContext.";
  size_t p = detail.find(kKey);
  if (p == std::string_view::npos) return "";
  p += kKey.size();
  size_t e = p;
  while (e < detail.size() && (std::isalnum(static_cast<unsigned char>(detail[e])) || detail[e] == '.')) ++e;
  std::string f(detail.substr(p, e - p));
  while (!f.empty() && f.back() == '.') f.pop_back();
  return f;
}

// Which container list of `pod_spec` holds a container named `name` ("containers" when none does).
std::string container_list(const YAML::Node& pod_spec, const std::string& name) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    const YAML::Node items = pod_spec && pod_spec.IsMap() ? pod_spec[list] : YAML::Node();
    if (!items || !items.IsSequence()) continue;
    for (const auto& c : items)
      if (scalar_at(c, "name") == name) return list;
  }
  return "containers";
}

YAML::Node node_at(const YAML::Node& root, const std::string& dotted) {
  YAML::Node cur;
  cur.reset(root);
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const YAML::Node& c = cur;
    if (!c || !c.IsMap() || !c[key]) return YAML::Node();
    cur.reset(c[key]);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::string field_of(const std::string& reason, const std::string& detail, const YAML::Node& object,
                     const std::string& spec_path) {
  const YAML::Node pod_spec = node_at(object, spec_path);
  std::string sc = security_context_field(detail);
  if (auto names = quoted_after(detail, "container"); !names.empty()) {
    std::string base = spec_path + "." + container_list(pod_spec, names[0]) + "[name=" + names[0] + "]";
    if (!sc.empty()) return base + ".securityContext." + sc;
    if (reason == "hostPort") {
      std::smatch m;
      static const std::regex kPort(R"(hostPorts? (\d+))");
      return std::regex_search(detail, m, kPort) ? base + ".ports[hostPort=" + m[1].str() + "]" : base + ".ports";
    }
    if (reason.find("AppArmor") != std::string::npos) return base + ".securityContext.appArmorProfile";
    return base;
  }
  if (auto volumes = quoted_after(detail, "volume"); !volumes.empty())
    return spec_path + ".volumes[name=" + volumes[0] + "]";
  if (!sc.empty()) return spec_path + ".securityContext." + sc;
  if (reason == "host namespaces")
    for (const char* f : {"hostNetwork", "hostPID", "hostIPC"})
      if (detail.find(f) != std::string::npos) return spec_path + "." + f;
  if (reason == "forbidden sysctls") return spec_path + ".securityContext.sysctls";
  return spec_path;
}

// Splits "a (x, y), b, c (z)" at the commas outside parentheses and quotes.
std::vector<std::string> split_checks(std::string_view list) {
  std::vector<std::string> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    if (c == ',' && depth == 0 && i + 1 < list.size() && list[i + 1] == ' ') {
      out.emplace_back(list.substr(start, i - start));
      start = i + 2;
    }
  }
  if (start < list.size()) out.emplace_back(list.substr(start));
  return out;
}

}  // namespace

Result<PodSecurityLevel> parse_pod_security_level(std::string_view text) {
  static const std::regex kForm(R"(^(privileged|baseline|restricted)(:(latest|v1\.[0-9]+))?$)");
  std::string s(text);
  std::smatch m;
  if (!std::regex_match(s, m, kForm))
    return Status::Usage("\"" + s +
                         "\" is not LEVEL[:VERSION] (LEVEL: privileged, baseline or restricted; VERSION: latest or "
                         "v1.N, e.g. restricted:v1.30)");
  PodSecurityLevel l;
  l.level = m[1].str();
  if (m[3].matched) l.version = m[3].str();
  return l;
}

std::map<std::string, std::string> pod_security_labels(const PodSecurityLevel& level, const YAML::Node& labels) {
  std::map<std::string, std::string> out;
  if (!has_label(labels, kPodSecurityEnforce)) {
    out[kPodSecurityEnforce] = level.level;
    if (!has_label(labels, kPodSecurityEnforceVersion)) out[kPodSecurityEnforceVersion] = level.version;
  }
  if (!has_label(labels, kPodSecurityWarn)) {
    out[kPodSecurityWarn] = level.level;
    if (!has_label(labels, kPodSecurityWarnVersion)) out[kPodSecurityWarnVersion] = level.version;
  }
  return out;
}

std::string enforced_policy(const YAML::Node& labels) {
  std::string level = scalar_at(labels, kPodSecurityEnforce);
  if (level.empty()) return "";
  std::string version = scalar_at(labels, kPodSecurityEnforceVersion);
  return level + ":" + (version.empty() ? "latest" : version);
}

std::string pod_spec_path(std::string_view kind) {
  if (kind == "Pod") return "spec";
  if (kind == "PodTemplate") return "template.spec";
  if (kind == "CronJob") return "spec.jobTemplate.spec.template.spec";
  return "spec.template.spec";
}

std::optional<PodSecurityVerdict> parse_pod_security(std::string_view text, const YAML::Node& object,
                                                     std::string_view kind) {
  static const std::string kMarker = "violates PodSecurity \"";
  static const std::string kWould = "would violate PodSecurity \"";
  PodSecurityVerdict v;
  size_t p = text.find(kWould);
  if (p != std::string_view::npos) {
    p += kWould.size();
  } else {
    p = text.find(kMarker);
    if (p == std::string_view::npos) return std::nullopt;
    p += kMarker.size();
    v.refused = true;
  }
  size_t close = text.find("\": ", p);
  if (close == std::string_view::npos) return std::nullopt;
  v.policy = std::string(text.substr(p, close - p));
  std::string spec_path = pod_spec_path(kind);
  for (auto& check : split_checks(text.substr(close + 3))) {
    PodSecurityViolation pv;
    size_t open = check.find(" (");
    std::string reason = check.substr(0, open);
    std::string detail;
    if (open != std::string::npos && check.back() == ')') detail = check.substr(open + 2, check.size() - open - 3);
    pv.field = field_of(reason, detail, object, spec_path);
    pv.text = std::move(check);
    v.violations.push_back(std::move(pv));
  }
  return v;
}

}  // namespace kv
