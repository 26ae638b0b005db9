#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include "report/reporter.h"

namespace kv::config {
namespace fs = std::filesystem;
namespace {

const char* const kTopKeys =
    "outputs, namespace, jobs, backend, wait, full, kubeconfig, context, warnings_as_errors, disabled_rules, "
    "rbac, expectations, charts";
const char* const kChartKeys = "values, values_matrix, release, namespace, set";

// Parsing state: the file name for messages and the folder relative paths start from.
struct Ctx {
  std::string file, dir;
  Status bad(const YAML::Node& at, const std::string& what) const {
    return Status::InvalidInput(fmt::format("{}:{}: {}", file, at.Mark().line + 1, what));
  }
};

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
    o = o.substr(0, eq + 1) + absolute_from(c.dir, o.substr(eq + 1));
  }
  return *list;
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
      auto files = strings(c, v, "values");
      if (!files.ok()) return files.status();
      for (const auto& f : *files) out.values.push_back(absolute_from(c.dir, f));
    } else if (key == "values_matrix") {
      auto b = boolean(c, v, key);
      if (!b.ok()) return b.status();
      out.values_matrix = *b;
    } else if (key == "release" || key == "namespace") {
      auto s = scalar(c, v, key);
      if (!s.ok()) return s.status();
      (key == "release" ? out.release : out.namespace_) = *s;
    } else if (key == "set") {
      if (!v.IsMap()) return c.bad(v, "\"set\" must be a map of KEY: VALUE");
      KV_RETURN_IF_ERROR(check_duplicates(c, v));
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

Status parse_top(const Ctx& c, const YAML::Node& doc, Config& cfg) {
  static const std::regex kDuration(R"(^[0-9]+(\.[0-9]+)?(ms|s|m|h)?$)");
  KV_RETURN_IF_ERROR(check_duplicates(c, doc));
  for (const auto& field : doc) {
    const std::string key = field.first.Scalar();
    const YAML::Node& v = field.second;
    if (key == "outputs") {
      auto o = parse_outputs(c, v);
      if (!o.ok()) return o.status();
      cfg.outputs = std::move(*o);
    } else if (key == "namespace" || key == "backend" || key == "wait" || key == "context" || key == "kubeconfig" ||
               key == "rbac") {
      auto s = scalar(c, v, key);
      if (!s.ok()) return s.status();
      if (key == "namespace") cfg.namespace_ = *s;
      if (key == "context") cfg.context = *s;
      if (key == "kubeconfig") cfg.kubeconfig = absolute_from(c.dir, *s);
      if (key == "rbac") cfg.rbac_file = absolute_from(c.dir, *s);
      if (key == "backend") {
        if (*s != "auto" && *s != "apiserver" && *s != "k3s")
          return c.bad(v, fmt::format("backend \"{}\" is not one of auto, apiserver, k3s", *s));
        cfg.backend = *s;
      }
      if (key == "wait") {
        if (!std::regex_match(*s, kDuration))
          return c.bad(v, fmt::format("wait \"{}\" is not a duration (use e.g. 60s, 2m, 500ms)", *s));
        cfg.wait = *s;
      }
    } else if (key == "jobs") {
      int jobs = 0;
      if (!v.IsScalar() || !YAML::convert<int>::decode(v, jobs) || jobs < 1 || jobs > 256)
        return c.bad(v, "\"jobs\" must be a number from 1 to 256");
      cfg.jobs = jobs;
    } else if (key == "warnings_as_errors" || key == "full") {
      auto b = boolean(c, v, key);
      if (!b.ok()) return b.status();
      (key == "full" ? cfg.full : cfg.warnings_as_errors) = *b;
    } else if (key == "disabled_rules") {
      auto rules = strings(c, v, key);
      if (!rules.ok()) return rules.status();
      cfg.disabled_rules = std::move(*rules);
    } else if (key == "expectations") {
      auto exps = parse_expectations_node(v, c.file);
      if (!exps.ok()) return exps.status();
      cfg.expectations = std::move(*exps);
    } else if (key == "charts") {
      if (!v.IsMap()) return c.bad(v, "\"charts\" must be a map of chart path to settings");
      KV_RETURN_IF_ERROR(check_duplicates(c, v));
      for (const auto& chart : v) {
        const std::string name = chart.first.Scalar();
        if (name.empty()) return c.bad(chart.first, "charts: empty chart path");
        auto cc = parse_chart(c, chart.second, name);
        if (!cc.ok()) return cc.status();
        cfg.charts[absolute_from(c.dir, name)] = std::move(*cc);
      }
    } else {
      return c.bad(field.first, fmt::format("unknown key \"{}\" (known: {})", key, kTopKeys));
    }
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
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(fmt::format("{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.msg));
  }
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
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
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
