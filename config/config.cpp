#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include "core/duration.h"
#include "core/files.h"
#include "core/yaml_util.h"
#include "core/trust.h"
#include "core/kube_versions.h"
#include "report/reporter.h"
#include "validators/pod_security.h"

namespace kv::config {
namespace fs = std::filesystem;
namespace {

const char* const kTopKeys =
    "outputs, namespace, jobs, backend, wait, full, kube_versions, warnings_as_errors, disabled_rules, "
    "risk_rules, rule_severity, fail_on, crds, rbac, expectations, policies, pod_security, charts, helm";
const char* const kChartKeys = "values, values_matrix, release, namespace, set";

// Parsing state: the file name for messages and the folder relative paths start from.
struct Ctx {
  std::string file, dir;
  Status bad(const YAML::Node& at, const std::string& what) const {
    return Status::InvalidInput(fmt::format("{}:{}: {}", file, at.Mark().line + 1, what));
  }
};

// A path from the config, made absolute; it must stay inside the config's folder tree (symbolic links
// resolved), so that a repository's config cannot make kvalidate read or write files elsewhere.
Result<std::string> inside_path(const Ctx& c, const YAML::Node& at, const std::string& key, const std::string& path) {
  std::string abs = absolute_from(c.dir, path);
  std::error_code ec;
  fs::path real = fs::weakly_canonical(abs, ec);
  fs::path root = fs::weakly_canonical(c.dir, ec);
  std::string r = root.string(), p = real.string();
  if (ec || !(p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/')))
    return c.bad(at, fmt::format("{}: \"{}\" is outside {} (a config may only name files in its own folder tree; "
                                 "give such paths on the command line)", key, path, c.dir));
  return abs;
}

Result<std::string> scalar(const Ctx& c, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar() || n.Scalar().empty()) return c.bad(n, fmt::format("\"{}\" must be a non-empty string", key));
  return n.Scalar();
}

Result<bool> boolean(const Ctx& c, const YAML::Node& n, const std::string& key) {
  bool b = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, b))
    return c.bad(n, fmt::format("\"{}\" must be true or false", key));
  return b;
}

// A list of non-empty strings; a single string counts as a list of one.
Result<std::vector<std::string>> strings(const Ctx& c, const YAML::Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsScalar() && !n.Scalar().empty()) return std::vector<std::string>{n.Scalar()};
  if (!n.IsSequence()) return c.bad(n, fmt::format("\"{}\" must be a list of strings", key));
  for (const auto& item : n) {
    if (!item.IsScalar() || item.Scalar().empty())
      return c.bad(item, fmt::format("\"{}\" must be a list of strings", key));
    out.push_back(item.Scalar());
  }
  return out;
}

// A string that is one of `allowed`.
Result<std::string> one_of(const Ctx& c, const YAML::Node& n, const std::string& key, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  if (n.IsScalar())
    for (const auto& a : allowed)
      if (n.Scalar() == a) return a;
  return c.bad(n, fmt::format("\"{}\" must be one of {}", key, list));
}

// Rejects keys met twice in one map (yaml-cpp keeps either silently).
Status check_duplicates(const Ctx& c, const YAML::Node& map) {
  std::set<std::string> seen;
  for (const auto& kv : map)
    if (!seen.insert(kv.first.Scalar()).second)
      return c.bad(kv.first, fmt::format("duplicate key \"{}\"", kv.first.Scalar()));
  return Status::Ok();
}

Result<std::vector<std::string>> parse_outputs(const Ctx& c, const YAML::Node& n) {
  auto list = strings(c, n, "outputs");
  if (!list.ok()) return list.status();
  if (auto specs = report::parse_output_specs(*list); !specs.ok()) return c.bad(n, "outputs: " + specs.status().message());
  for (auto& o : *list) {
    auto eq = o.find('=');
    if (eq == std::string::npos || o.substr(eq + 1) == "-") continue;
    auto file = inside_path(c, n, "outputs", o.substr(eq + 1));
    if (!file.ok()) return file.status();
    o = o.substr(0, eq + 1) + *file;
  }
  return *list;
}

// A path of the config's own tree: relative paths that climb out of the config's folder, absolute
// paths elsewhere and symbolic links that lead out are refused (a repo must not make kvalidate read,
// and apply, files that are not its own).
Result<std::string> path_inside(const Ctx& c, const YAML::Node& at, const std::string& key, const std::string& path) {
  std::string abs = absolute_from(c.dir, path);
  std::error_code ec;
  fs::path root = fs::weakly_canonical(c.dir, ec);
  if (ec) root = c.dir;
  fs::path real = fs::weakly_canonical(abs, ec);
  if (ec) real = abs;
  std::string r = root.string(), p = real.string();
  bool inside = p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && (r == "/" || p[r.size()] == '/'));
  if (!inside)
    return c.bad(at, fmt::format("{}: \"{}\" is outside the folder of this config ({}); give it on the command line "
                                 "instead",
                                 key, path, c.dir));
  return abs;
}

// A list of paths, each made absolute and kept inside the config's folder tree.
Result<std::vector<std::string>> inside_paths(const Ctx& c, const YAML::Node& v, const std::string& key) {
  auto paths = strings(c, v, key);
  if (!paths.ok()) return paths.status();
  for (auto& p : *paths) {
    auto file = inside_path(c, v, key, p);
    if (!file.ok()) return file.status();
    p = *file;
  }
  return paths;
}

// The checks of a map value whose keys are names: a map, each key once.
Status name_map(const Ctx& c, const YAML::Node& v, const std::string& what) {
  if (!v.IsMap()) return c.bad(v, what);
  return check_duplicates(c, v);
}

Result<ChartConfig> parse_chart(const Ctx& c, const YAML::Node& n, const std::string& name) {
  ChartConfig out;
  if (n.IsNull()) return out;
  if (!n.IsMap()) return c.bad(n, fmt::format("charts: \"{}\" must be a map (keys: {})", name, kChartKeys));
  KV_RETURN_IF_ERROR(check_duplicates(c, n));
  for (const auto& field : n) {
    const std::string key = field.first.Scalar();
    const YAML::Node& v = field.second;
    if (key == "values") {
      auto files = inside_paths(c, v, key);
      if (!files.ok()) return files.status();
      out.values.insert(out.values.end(), files->begin(), files->end());
    } else if (key == "values_matrix") {
      auto b = boolean(c, v, key);
      if (!b.ok()) return b.status();
      out.values_matrix = *b;
    } else if (key == "release" || key == "namespace") {
      auto s = scalar(c, v, key);
      if (!s.ok()) return s.status();
      (key == "release" ? out.release : out.namespace_) = *s;
    } else if (key == "set") {
      KV_RETURN_IF_ERROR(name_map(c, v, "\"set\" must be a map of KEY: VALUE"));
      for (const auto& kv : v) {
        if (!kv.second.IsScalar() && !kv.second.IsNull())
          return c.bad(kv.second, fmt::format("set: \"{}\" must be a plain value (write nested keys dotted: a.b: x)",
                                              kv.first.Scalar()));
        out.set.push_back(kv.first.Scalar() + "=" + (kv.second.IsNull() ? "null" : kv.second.Scalar()));
      }
    } else {
      return c.bad(field.first, fmt::format("unknown key \"{}\" in charts: {} (known: {})", key, name, kChartKeys));
    }
  }
  return out;
}

// One top-level key of the config: its name as written, the key's node (for messages at the key) and
// its value.
struct Field {
  const std::string& key;
  const YAML::Node& at;
  const YAML::Node& v;
};
using TopHandler = Status (*)(const Ctx&, const Field&, Config&);

Status set_outputs(const Ctx& c, const Field& f, Config& cfg) {
  auto o = parse_outputs(c, f.v);
  if (!o.ok()) return o.status();
  cfg.outputs = std::move(*o);
  return Status::Ok();
}

// A repository's config must not choose the credentials a CI runner sends, nor where it sends them.
Status refuse_cluster(const Ctx& c, const Field& f, Config&) {
  return c.bad(f.at, fmt::format("\"{}\" is not allowed in a config file: which cluster and credentials "
                                 "to use comes only from --{} or KVALIDATE_KUBECONFIG/KUBECONFIG",
                                 f.key, f.key));
}

Status set_namespace(const Ctx& c, const Field& f, Config& cfg) {
  auto s = scalar(c, f.v, f.key);
  if (!s.ok()) return s.status();
  cfg.namespace_ = *s;
  return Status::Ok();
}

Status set_rbac(const Ctx& c, const Field& f, Config& cfg) {
  auto s = scalar(c, f.v, f.key);
  if (!s.ok()) return s.status();
  auto file = inside_path(c, f.v, "rbac", *s);
  if (!file.ok()) return file.status();
  cfg.rbac_file = *file;
  return Status::Ok();
}

Status set_backend(const Ctx& c, const Field& f, Config& cfg) {
  auto s = scalar(c, f.v, f.key);
  if (!s.ok()) return s.status();
  if (*s != "auto" && *s != "apiserver" && *s != "k3s")
    return c.bad(f.v, fmt::format("backend \"{}\" is not one of auto, apiserver, k3s", *s));
  cfg.backend = *s;
  return Status::Ok();
}

Status set_wait(const Ctx& c, const Field& f, Config& cfg) {
  auto s = scalar(c, f.v, f.key);
  if (!s.ok()) return s.status();
  if (!parse_duration(*s).ok())
    return c.bad(f.v, fmt::format("wait \"{}\" is not a duration (use e.g. 60s, 2m, 500ms)", *s));
  cfg.wait = *s;
  return Status::Ok();
}

Status set_helm(const Ctx& c, const Field& f, Config& cfg) {
  auto h = scalar(c, f.v, f.key);
  if (!h.ok()) return h.status();
  // Only a major: a repository's config must not choose a program kvalidate runs (an untrusted pull
  // request could point it at a script of its own). Paths come from --helm or KVALIDATE_HELM only.
  if (*h != "3" && *h != "4")
    return c.bad(f.v, fmt::format("helm \"{}\" must be 3 or 4 (a helm path is allowed only with --helm or "
                                  "KVALIDATE_HELM)", *h));
  cfg.helm = *h;
  return Status::Ok();
}

Status set_jobs(const Ctx& c, const Field& f, Config& cfg) {
  int jobs = 0;
  if (!f.v.IsScalar() || !YAML::convert<int>::decode(f.v, jobs) || jobs < 1 || jobs > 256)
    return c.bad(f.v, "\"jobs\" must be a number from 1 to 256");
  cfg.jobs = jobs;
  return Status::Ok();
}

Status set_flag(const Ctx& c, const Field& f, Config& cfg) {
  auto b = boolean(c, f.v, f.key);
  if (!b.ok()) return b.status();
  (f.key == "full" ? cfg.full : cfg.warnings_as_errors) = *b;
  return Status::Ok();
}

Status set_disabled_rules(const Ctx& c, const Field& f, Config& cfg) {
  auto rules = strings(c, f.v, f.key);
  if (!rules.ok()) return rules.status();
  cfg.disabled_rules = std::move(*rules);
  return Status::Ok();
}

Status set_risk_rules(const Ctx& c, const Field& f, Config& cfg) {
  auto s = one_of(c, f.v, f.key, {"off", "warn", "error"});
  if (!s.ok()) return s.status();
  cfg.risk_rules = *s;
  return Status::Ok();
}

Status set_fail_on(const Ctx& c, const Field& f, Config& cfg) {
  auto s = one_of(c, f.v, f.key, {"error", "warning"});
  if (!s.ok()) return s.status();
  cfg.fail_on = *s;
  return Status::Ok();
}

Status set_rule_severity(const Ctx& c, const Field& f, Config& cfg) {
  KV_RETURN_IF_ERROR(name_map(c, f.v, "\"rule_severity\" must be a map of rule id to off, info, warning or error"));
  for (const auto& kv : f.v) {
    auto s = one_of(c, kv.second, "rule_severity: " + kv.first.Scalar(), {"off", "info", "warning", "error"});
    if (!s.ok()) return s.status();
    cfg.rule_severity[kv.first.Scalar()] = *s;
  }
  return Status::Ok();
}

Status set_crds(const Ctx& c, const Field& f, Config& cfg) {
  auto paths = inside_paths(c, f.v, f.key);
  if (!paths.ok()) return paths.status();
  cfg.crds = std::move(*paths);
  return Status::Ok();
}

Status set_kube_versions(const Ctx& c, const Field& f, Config& cfg) {
  if (cfg.kube_versions) return c.bad(f.at, "give \"kube_versions\" once");
  auto list = strings(c, f.v, f.key);
  if (!list.ok()) return list.status();
  if (auto r = resolve_kube_versions(*list); !r.ok()) return c.bad(f.v, f.key + ": " + r.status().message());
  cfg.kube_versions = std::move(*list);
  return Status::Ok();
}

Status set_expectations(const Ctx& c, const Field& f, Config& cfg) {
  auto exps = parse_expectations_node(f.v, c.file);
  if (!exps.ok()) return exps.status();
  cfg.expectations = std::move(*exps);
  return Status::Ok();
}

Status set_policies(const Ctx& c, const Field& f, Config& cfg) {
  auto paths = strings(c, f.v, f.key);
  if (!paths.ok()) return paths.status();
  std::vector<std::string> abs;
  for (const auto& p : *paths) {
    auto inside = path_inside(c, f.v, f.key, p);
    if (!inside.ok()) return inside.status();
    abs.push_back(*inside);
  }
  cfg.policies = std::move(abs);
  return Status::Ok();
}

Status set_pod_security(const Ctx& c, const Field& f, Config& cfg) {
  auto s = scalar(c, f.v, f.key);
  if (!s.ok()) return s.status();
  if (auto level = parse_pod_security_level(*s); !level.ok())
    return c.bad(f.v, "pod_security: " + level.status().message());
  cfg.pod_security = *s;
  return Status::Ok();
}

Status set_charts(const Ctx& c, const Field& f, Config& cfg) {
  KV_RETURN_IF_ERROR(name_map(c, f.v, "\"charts\" must be a map of chart path to settings"));
  for (const auto& chart : f.v) {
    const std::string name = chart.first.Scalar();
    if (name.empty()) return c.bad(chart.first, "charts: empty chart path");
    auto cc = parse_chart(c, chart.second, name);
    if (!cc.ok()) return cc.status();
    cfg.charts[absolute_from(c.dir, name)] = std::move(*cc);
  }
  return Status::Ok();
}

// Every top-level key and what reads it; a key not here is unknown (kTopKeys lists the documented ones).
const std::map<std::string, TopHandler>& top_handlers() {
  static const std::map<std::string, TopHandler> kHandlers = {
      {"outputs", set_outputs},
      {"kubeconfig", refuse_cluster},
      {"context", refuse_cluster},
      {"namespace", set_namespace},
      {"backend", set_backend},
      {"wait", set_wait},
      {"rbac", set_rbac},
      {"helm", set_helm},
      {"jobs", set_jobs},
      {"warnings_as_errors", set_flag},
      {"full", set_flag},
      {"disabled_rules", set_disabled_rules},
      {"risk_rules", set_risk_rules},
      {"fail_on", set_fail_on},
      {"rule_severity", set_rule_severity},
      {"crds", set_crds},
      {"kube_versions", set_kube_versions},
      {"kube-versions", set_kube_versions},
      {"expectations", set_expectations},
      {"policies", set_policies},
      {"pod_security", set_pod_security},
      {"charts", set_charts},
  };
  return kHandlers;
}

Status parse_top(const Ctx& c, const YAML::Node& doc, Config& cfg) {
  KV_RETURN_IF_ERROR(check_duplicates(c, doc));
  for (const auto& field : doc) {
    const std::string key = field.first.Scalar();
    auto handler = top_handlers().find(key);
    if (handler == top_handlers().end())
      return c.bad(field.first, fmt::format("unknown key \"{}\" (known: {})", key, kTopKeys));
    KV_RETURN_IF_ERROR(handler->second(c, Field{key, field.first, field.second}, cfg));
  }
  if (!cfg.rbac_file.empty() && cfg.expectations)
    return Status::InvalidInput(c.file + ": give either \"rbac\" (a file) or \"expectations\" (inline), not both");
  return Status::Ok();
}

std::string current_dir() {
  std::error_code ec;
  auto cwd = fs::current_path(ec);
  return ec ? std::string("/") : cwd.string();
}

}  // namespace

std::string absolute_from(const std::string& base_dir, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  std::string s = p.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

Result<Config> parse_config(const std::string& text, const std::string& file) {
  Config cfg;
  cfg.file = absolute_from(current_dir(), file);
  cfg.dir = fs::path(cfg.file).parent_path().string();
  Ctx c{file, cfg.dir};
  auto parsed = parse_yaml(text, file);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node doc = *parsed;
  if (!doc || doc.IsNull()) return cfg;  // an empty config changes nothing
  if (!doc.IsMap()) return c.bad(doc, "the config must be a map of settings (see docs/configuration.md)");
  try {
    KV_RETURN_IF_ERROR(parse_top(c, doc, cfg));
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(fmt::format("{}:{}: {}", file, e.mark.line + 1, e.msg));
  }
  return cfg;
}

Result<Config> load_config(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Status::InvalidInput(path + ": is a directory, not a config file");
  KV_RETURN_IF_ERROR(check_trusted_path(path, "config file"));
  auto text = read_file(path);
  if (!text.ok()) return Status::InvalidInput(path + ": cannot read the config file");
  return parse_config(*text, path);
}

std::string find_config_file(const std::string& start_dir) {
  fs::path dir = absolute_from(current_dir(), start_dir.empty() ? "." : start_dir);
  std::error_code ec;
  while (true) {
    fs::path candidate = dir / kConfigFileName;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return "";
    dir = dir.parent_path();
  }
}

Result<std::optional<Config>> find_and_load_config(const std::string& explicit_path, const std::string& start_dir) {
  std::string path = explicit_path;
  if (path.empty()) path = find_config_file(start_dir);
  if (path.empty()) return std::optional<Config>();
  auto cfg = load_config(path);
  if (!cfg.ok()) return cfg.status();
  return std::optional<Config>(std::move(*cfg));
}

const ChartConfig* chart_config(const Config& config, const std::string& chart_path) {
  auto it = config.charts.find(absolute_from(current_dir(), chart_path));
  return it == config.charts.end() ? nullptr : &it->second;
}

}  // namespace kv::config
