#include "render/helm_output.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "render/subchart_files.h"

namespace kv::render {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// A location helm names inside a message: "(mychart/templates/x.yaml:12:14)", "mychart/templates/x.yaml:3:",
// "(line 7)". Fills file/line/column of `f` when found.
void locate(const std::string& message, const Chart& chart, Finding& f) {
  static const std::regex file_re(R"(([A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)+\.(?:yaml|yml|tpl|txt|json)):(\d+)(?::(\d+))?)");
  static const std::regex line_re(R"(\(line (\d+)\))");
  std::smatch m;
  if (std::regex_search(message, m, file_re)) {
    f.file = chart_file(chart, shown_template_path(chart, strip_chart_name(m[1].str())));
    f.line = std::stoi(m[2].str());
    f.column = m[3].matched ? std::stoi(m[3].str()) : 0;
  } else if (std::regex_search(message, m, line_re)) {
    f.line = std::stoi(m[1].str());
  }
}

// The 1-based line of `key:` at the top level of the chart's Chart.yaml, 0 if absent.
int chart_yaml_line(const Chart& chart, const std::string& key) {
  std::ifstream in(std::filesystem::path(chart.root) / "Chart.yaml");
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.rfind(key + ":", 0) == 0) return n;
  }
  return 0;
}

// The "Error: ..." message of helm's stderr with its continuation lines (up to a blank line), without
// helm's own log lines ("engine.go:206: [INFO] ...") and its "Use --debug" hint.
std::vector<std::string> error_block(const std::string& stderr_text) {
  std::vector<std::string> block;
  bool in = false;
  for (const auto& line : split_lines(stderr_text)) {
    if (line.rfind("Error: ", 0) == 0) {
      if (in) break;
      in = true;
      block.push_back(line.substr(7));
      continue;
    }
    if (!in) continue;
    if (trim(line).empty() || line.rfind("Use --debug", 0) == 0) break;
    block.push_back(line);
  }
  return block;
}

// helm's error message: the "Error:" block, or else (helm died some other way) its last non-empty line.
std::vector<std::string> error_message(const std::string& stderr_text) {
  auto block = error_block(stderr_text);
  if (!block.empty()) return block;
  std::string last;
  for (const auto& line : split_lines(stderr_text))
    if (!trim(line).empty()) last = trim(line);
  return {last.empty() ? "helm template failed without a message" : last};
}

// The user's input, not the chart, is at fault (exit 2): a bad --set value, missing dependencies, a
// values file that cannot be read or parsed. Ok otherwise.
Status input_error(const std::string& msg, const Chart& chart) {
  for (const char* flag : {"--set", "--set-string", "--set-file", "--set-json", "--set-literal"})
    if (msg.rfind(std::string("failed parsing ") + flag + " data", 0) == 0)
      return Status::InvalidInput("invalid " + std::string(flag) + " value: " + msg.substr(msg.find(':') + 2));
  if (msg.find("error occurred while checking for chart dependencies") != std::string::npos) {
    auto colon = msg.rfind(": ");
    return Status::InvalidInput(chart.path + ": dependencies " + msg.substr(colon + 2) + "; run `helm dependency build " +
                                chart.path + "`");
  }
  if (msg.rfind("open ", 0) == 0 || msg.rfind("failed to parse ", 0) == 0) return Status::InvalidInput(msg);
  return Status::Ok();
}

// A values schema failure: blocks of "chartname:" followed by "- at '/path': message" lines, one finding
// each at the (sub)chart's values.schema.json; the whole message when there are no such lines.
std::vector<Finding> schema_findings(const std::vector<std::string>& block, const Chart& chart) {
  std::vector<Finding> out;
  std::string schema_chart = chart.name;
  for (size_t i = 1; i < block.size(); ++i) {
    std::string line = trim(block[i]);
    if (line.size() > 1 && line.back() == ':' && line.find(' ') == std::string::npos) {
      schema_chart = line.substr(0, line.size() - 1);
      continue;
    }
    if (line.rfind("- ", 0) != 0) continue;
    Finding s;
    s.rule = "helm-render/values-schema";
    s.message = "values do not match values.schema.json: " + line.substr(2);
    s.file = chart_file(chart, schema_chart == chart.name ? "values.schema.json"
                                                          : "charts/" + schema_chart + "/values.schema.json");
    static const std::regex at_re(R"(^at '/?([^']*)')");
    std::smatch m;
    std::string rest = line.substr(2);
    if (std::regex_search(rest, m, at_re)) {
      s.path = m[1].str();
      for (auto& ch : s.path) if (ch == '/') ch = '.';
    }
    out.push_back(std::move(s));
  }
  if (out.empty()) {
    Finding f;
    f.rule = "helm-render/values-schema";
    f.message = block.front();
    f.file = chart_file(chart, "values.schema.json");
    out.push_back(std::move(f));
  }
  return out;
}

// A finding at the line of `key:` in the chart's Chart.yaml.
Finding chart_yaml_finding(const Chart& chart, const std::string& rule, const std::string& message,
                           const std::string& key) {
  Finding f;
  f.rule = rule;
  f.message = message;
  f.file = chart_file(chart, "Chart.yaml");
  f.line = chart_yaml_line(chart, key);
  return f;
}

// Any other failure (a template's execution or parse error, output that is not YAML, ...), placed at the
// template helm names when it names one.
Finding template_finding(const std::vector<std::string>& block, const Chart& chart) {
  static const std::regex exec_re(R"(^(?:execution|parse) error at \(([^)]*)\): (.*)$)");
  static const std::regex tmpl_re(R"(^template: ([^:]+):(\d+)(?::(\d+))?: (.*)$)");
  static const std::regex yaml_re(R"(^YAML parse error on ([^:]+): (.*)$)");
  static const std::regex where_re(R"(^([^\s:]+/[^\s:]+):(\d+)(?::(\d+))?$)");
  const std::string& msg = block.front();
  Finding f;
  f.rule = "helm-render";
  std::smatch m;
  std::string joined = msg;
  for (size_t i = 1; i < block.size(); ++i) joined += " " + trim(block[i]);
  f.message = joined;
  if (std::regex_match(msg, m, exec_re)) {
    locate("(" + m[1].str() + ")", chart, f);
    f.message = m[2].str();
  } else if (std::regex_match(msg, m, tmpl_re)) {
    f.file = chart_file(chart, shown_template_path(chart, strip_chart_name(m[1].str())));
    f.line = std::stoi(m[2].str());
    f.column = m[3].matched ? std::stoi(m[3].str()) : 0;
    f.message = m[4].str();
  } else if (block.size() > 1 && std::regex_match(msg, m, where_re)) {
    // Helm 4 puts the place on a line of its own, and what failed on the next ones.
    f.file = chart_file(chart, shown_template_path(chart, strip_chart_name(m[1].str())));
    f.line = std::stoi(m[2].str());
    f.column = m[3].matched ? std::stoi(m[3].str()) : 0;
    f.message = trim(block[1]);
    for (size_t i = 2; i < block.size(); ++i) f.message += " " + trim(block[i]);
  } else if (std::regex_match(msg, m, yaml_re)) {
    // helm's line number counts lines of the rendered output, not of the template: keep it in the
    // message only.
    f.file = chart_file(chart, shown_template_path(chart, strip_chart_name(m[1].str())));
    f.message = std::string(kRenderedNotYaml) + m[2].str();
  } else {
    locate(msg, chart, f);
  }
  return f;
}

// The findings of a render failure that is the chart's.
std::vector<Finding> render_findings(const std::vector<std::string>& block, const Chart& chart) {
  static const std::string kSchema = "values don't meet the specifications of the schema(s)";
  static const std::string kKubeVersion = "chart requires kubeVersion: ";
  static const std::string kChartApi = "invalid chart apiVersion";  // Helm 4 (4.3) renders chart API v1/v2 only
  const std::string& msg = block.front();
  if (msg.rfind(kSchema, 0) == 0) return schema_findings(block, chart);
  if (msg == kChartApi)
    return {chart_yaml_finding(
        chart, "helm-render/chart-api-version",
        msg + " \"" + chart.api_version + "\": this helm renders charts of apiVersion v1 and v2 only" +
            (chart.api_version == "v3" ? " (chart API v3 is experimental, HELM_EXPERIMENTAL_CHART_V3)" : ""),
        "apiVersion")};
  if (msg.rfind(kKubeVersion, 0) == 0) return {chart_yaml_finding(chart, "helm-render/kube-version", msg, "kubeVersion")};
  // "cannot load values.yaml: cannot unmarshal yaml document: ... yaml: line N: ...": a file of the chart
  // that helm reads as it is, so N is its line.
  static const std::regex kCannotLoad(R"(^cannot load ([\w.\-/]+\.ya?ml): .*yaml: line (\d+):)");
  std::smatch load;
  if (std::regex_search(msg, load, kCannotLoad)) {
    Finding f;
    f.rule = "helm-render";
    f.message = msg;
    f.file = chart_file(chart, load[1].str());
    f.line = std::stoi(load[2].str());
    return {f};
  }
  // "validation: chart.metadata.version \"x\" is invalid": the Chart.yaml key it names.
  static const std::regex kMetadata(R"(^validation: chart\.metadata\.([A-Za-z]+))");
  std::smatch m;
  if (std::regex_search(msg, m, kMetadata)) return {chart_yaml_finding(chart, "helm-render", msg, m[1].str())};
  return {template_finding(block, chart)};
}

}  // namespace

std::string strip_chart_name(const std::string& helm_path) {
  auto slash = helm_path.find('/');
  return slash == std::string::npos ? helm_path : helm_path.substr(slash + 1);
}

ObjectResult chart_result(const Chart& chart, const std::string& title, ObjectStatus status, const std::string& suite) {
  ObjectResult r;
  r.kind_of_result = ResultKind::kRender;
  r.title = title;
  r.suite = suite;
  r.status = status;
  r.source.chart = chart.path;
  r.source.file = chart.path;
  return r;
}

std::string chart_file(const Chart& chart, const std::string& chart_relative) {
  if (chart_relative.empty()) return chart.path;
  if (chart_relative.front() == '/') return chart_relative;
  std::string base = chart.path;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/" + chart_relative;
}

Result<ObjectResult> parse_render_error(const std::string& stderr_text, const Chart& chart, const std::string& suite) {
  const auto block = error_message(stderr_text);
  KV_RETURN_IF_ERROR(input_error(block.front(), chart));
  ObjectResult r = chart_result(chart, "render", ObjectStatus::kInvalid, suite);
  r.findings = render_findings(block, chart);
  // The result stands where its first finding does.
  const Finding& first = r.findings.front();
  if (!first.file.empty()) r.source.file = first.file;
  r.source.line = first.line;
  r.source.column = first.column;
  std::string prefix = chart.path + "/";
  if (first.file.rfind(prefix, 0) == 0) r.source.template_path = first.file.substr(prefix.size());
  return r;
}

ObjectResult parse_template_warnings(const std::string& stderr_text, const Chart& chart, const std::string& suite) {
  ObjectResult r = chart_result(chart, "helm template", ObjectStatus::kValid, suite);
  static const std::regex prefix(R"(^([A-Za-z_]+\.go:[0-9]+: |WARNING: |warning: ))");
  static const std::regex go_log(R"(^[A-Za-z_]+\.go:[0-9]+: )");
  for (const auto& raw : split_lines(stderr_text)) {
    std::string line = trim(std::regex_replace(raw, prefix, ""));
    if (line.empty()) continue;
    Finding f;
    // Helm 3's Go log lines ("walk.go:75: found symbolic link ...") say what it did, as Helm 4's INFO lines
    // do: info, so that both majors give one verdict.
    f.severity = std::regex_search(raw, go_log) ? Severity::kInfo : Severity::kWarning;
    f.rule = "helm/warning";
    f.message = line;
    // Helm 4 logs structured lines: `level=INFO msg="found symbolic link in path..." path=... resolved=...`.
    static const std::regex slog(R"re(^(?:time=\S+ )?level=([A-Z]+) msg="((?:[^"\\]|\\.)*)"\s*(.*)$)re");
    std::smatch m;
    if (std::regex_match(line, m, slog)) {
      if (m[1] == "INFO" || m[1] == "DEBUG") f.severity = Severity::kInfo;
      f.message = m[2].str() + (m[3].length() ? " (" + m[3].str() + ")" : "");
    }
    f.file = chart.path;
    r.findings.push_back(std::move(f));
  }
  return r;
}

namespace {

// The absolute paths helm may name the chart's folder by: where it was read, and the path given, made absolute.
std::vector<std::string> chart_roots(const Chart& chart) {
  std::error_code ec;
  std::string given = std::filesystem::absolute(chart.path, ec).lexically_normal().string();
  while (given.size() > 1 && given.back() == '/') given.pop_back();
  return {chart.root, ec ? std::string() : given};
}

}  // namespace

ObjectResult parse_lint_output(const std::string& output, int exit_code, const Chart& chart, const std::string& suite) {
  ObjectResult r;
  r.kind_of_result = ResultKind::kLint;
  r.title = "helm lint";
  r.suite = suite;
  r.source.chart = chart.path;
  r.source.file = chart.path;
  static const std::regex item_re(R"(^\[(ERROR|WARNING|INFO)\] ([^:]*): ?(.*)$)");
  Finding* open = nullptr;
  std::string failure;  // a top-level "Error ..." line of helm
  for (const auto& line : split_lines(output)) {
    std::smatch m;
    if (std::regex_match(line, m, item_re)) {
      Finding f;
      std::string sev = m[1].str();
      f.severity = sev == "ERROR" ? Severity::kError : sev == "WARNING" ? Severity::kWarning : Severity::kInfo;
      f.rule = "helm-lint";
      std::string where = trim(m[2].str());
      // helm names the chart's own folder by its absolute path: the user's path instead; what it says of
      // the chart's metadata is about Chart.yaml.
      for (const std::string& root : chart_roots(chart))
        if (!root.empty() && where.rfind(root, 0) == 0 && (where.size() == root.size() || where[root.size()] == '/')) {
          where = where.substr(std::min(where.size(), root.size() + 1));
          break;
        }
      f.message = trim(m[3].str());
      if (where.empty() && f.message.rfind("chart metadata ", 0) == 0) where = "Chart.yaml";
      f.file = where.empty() ? chart.path : chart_file(chart, where);
      r.findings.push_back(std::move(f));
      open = &r.findings.back();
      continue;
    }
    // Helm 4 logs with slog ("level=WARN msg=..."), Helm 3 with the log package ("engine.go:206: [INFO] ..."):
    // neither is a lint result.
    if (line.rfind("level=", 0) == 0 || line.rfind("time=", 0) == 0) continue;
    std::string t = trim(line);
    if (t.empty() || line.rfind("==> Linting", 0) == 0 || t.find("chart(s) linted") != std::string::npos) {
      open = nullptr;
      continue;
    }
    if (line.rfind("Error", 0) == 0) {
      if (failure.empty()) failure = line.rfind("Error: ", 0) == 0 ? line.substr(7) : line.substr(6);
      open = nullptr;
      continue;
    }
    if (open) open->message += (open->message.empty() ? "" : " ") + t;
  }
  for (auto& f : r.findings) {
    Finding located = f;
    located.file.clear();
    locate(f.message, chart, located);
    if (!located.file.empty()) f.file = located.file;
    if (located.line) { f.line = located.line; f.column = located.column; }
    // "[ERROR] values.yaml: unable to parse YAML: ... yaml: line N: ...": a file helm reads as it is (not a
    // template, whose N counts its output), so N is its line.
    static const std::regex kYamlLine(R"(yaml: line (\d+):)");
    std::smatch yl;
    if (f.line == 0 && f.file.find("/templates/") == std::string::npos && f.file != chart.path &&
        std::regex_search(f.message, yl, kYamlLine) && (f.file.ends_with(".yaml") || f.file.ends_with(".yml")))
      f.line = std::stoi(yl[1].str());
    // "[ERROR] Chart.yaml: apiVersion 'v3' is not valid": the key the message starts with, when Chart.yaml has it.
    if (f.line == 0 && f.file == chart_file(chart, "Chart.yaml")) {
      std::string key = f.message.substr(0, f.message.find(' '));
      if (!key.empty() && key.find(':') == std::string::npos) f.line = chart_yaml_line(chart, key);
    }
  }
  bool errors = r.has_severity(Severity::kError);
  if (!errors && exit_code != 0) {
    Finding f;
    f.rule = "helm-lint";
    f.file = chart.path;
    f.message = failure.empty() ? "helm lint failed (exit " + std::to_string(exit_code) + ")" : failure;
    r.findings.push_back(f);
    errors = true;
  }
  r.status = errors ? ObjectStatus::kInvalid : ObjectStatus::kValid;
  return r;
}

}  // namespace kv::render
