#include "render/chart.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include "core/files.h"
#include "core/process.h"
#include "core/yaml_util.h"
#include "render/template_lines.h"
#include "resources/yaml_document.h"

namespace kv::render {

namespace fs = std::filesystem;

TempDir::~TempDir() {
  std::error_code ec;
  if (!path.empty()) fs::remove_all(path, ec);
}

namespace {

Result<std::string> read_chart_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return Status::InvalidInput(path + ": cannot read file");
  return text;
}


bool has_subchart(const fs::path& charts_dir, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(charts_dir, ec)) {
    std::string file = entry.path().filename().string();
    if (entry.is_directory()) {
      if (chart_yaml_name(entry.path().string()) == name) return true;
    } else if (file.size() > 4 && file.ends_with(".tgz") && file.rfind(name + "-", 0) == 0) {
      return true;  // `helm dependency build` writes NAME-VERSION.tgz
    }
  }
  return false;
}

std::vector<std::string> ci_files(const std::string& root, bool all) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(root) / "ci", ec)) {
    std::string file = entry.path().filename().string();
    if (!entry.is_regular_file()) continue;
    bool take = all ? (file.ends_with(".yaml") || file.ends_with(".yml")) : file.ends_with("-values.yaml");
    if (take) out.push_back("ci/" + file);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A symbolic link under the chart whose target lies outside it: helm follows links, so `.Files.Get` or a
// template could put any file the user can read into the rendered objects and from there into reports.
Status check_symlinks(const Chart& chart) {
  std::error_code ec;
  fs::path root = fs::canonical(chart.root, ec);
  if (ec) return Status::Ok();
  std::string r = root.string();
  auto opts = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, opts, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    std::error_code ec2;
    std::string target = fs::weakly_canonical(it->path(), ec2).string();
    bool inside = !ec2 && (target == r || (target.size() > r.size() && target.compare(0, r.size(), r) == 0 &&
                                           target[r.size()] == '/'));
    if (inside) continue;
    std::string rel = it->path().lexically_relative(root).string();
    std::string shown = chart.archive ? chart.path + ":" + rel : (fs::path(chart.path) / rel).string();
    return Status::InvalidInput(shown + ": symbolic link to " + fs::read_symlink(it->path(), ec2).string() +
                                " leaves the chart; helm would read that file into the chart (pass "
                                "--allow-external-symlinks to allow it)");
  }
  return Status::Ok();
}

}  // namespace

std::string chart_yaml_name(const std::string& dir) {
  auto text = read_file((fs::path(dir) / "Chart.yaml").string());
  if (!text.ok()) return "";
  auto node = parse_yaml(*text, "");
  return node.ok() ? scalar_at(*node, "name") : "";
}

Result<std::string> extract_archive(const std::string& path, std::shared_ptr<TempDir>& keep) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  if (!in || magic[0] != 0x1f || magic[1] != 0x8b)
    return Status::InvalidInput(path + ": not a chart archive (not gzip-compressed)");
  std::string tmpl = (fs::temp_directory_path() / "kvalidate-chart-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return Status::IOError("cannot create a temporary directory for " + path);
  keep = std::make_shared<TempDir>();
  keep->path = tmpl;
  auto run = run_command({"tar", "-xzf", fs::absolute(path).string(), "-C", tmpl, "--no-same-owner"});
  if (!run.ok()) return run.status().Prefixed(path);
  if (run->exit_code != 0) {
    // The first non-empty line of tar's (or gzip's) complaint: a truncated archive starts with "\n".
    std::string why;
    for (size_t pos = 0; why.empty() && pos < run->err.size();) {
      size_t end = run->err.find('\n', pos);
      if (end == std::string::npos) end = run->err.size();
      why = run->err.substr(pos, end - pos);
      pos = end + 1;
    }
    for (const char* prefix : {"tar: ", "gzip: "})
      if (why.rfind(prefix, 0) == 0) why.erase(0, std::string(prefix).size());
    if (why.empty()) why = "tar exited with code " + std::to_string(run->exit_code);
    return Status::InvalidInput(path + ": not a valid chart archive (" + why + ")");
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tmpl, ec))
    if (entry.is_directory() && fs::exists(entry.path() / "Chart.yaml")) return entry.path().string();
  return Status::InvalidInput(path + ": not a chart archive (no <name>/Chart.yaml inside)");
}

Result<Chart> load_chart(const std::string& path, bool allow_external_symlinks) {
  Chart chart;
  chart.path = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::InvalidInput(path + ": no such chart directory or archive");
  std::string chart_yaml_display;
  if (fs::is_directory(path, ec)) {
    chart.root = path;
    chart_yaml_display = (fs::path(path) / "Chart.yaml").string();
    if (!fs::exists(chart_yaml_display, ec))
      return Status::InvalidInput(path + ": not a chart (no Chart.yaml in the directory)");
  } else {
    chart.archive = true;
    auto root = extract_archive(path, chart.extracted);
    if (!root.ok()) return root.status();
    chart.root = *root;
    chart_yaml_display = path + ":" + fs::path(*root).filename().string() + "/Chart.yaml";
  }
  auto text = read_chart_file((fs::path(chart.root) / "Chart.yaml").string());
  if (!text.ok()) return Status::InvalidInput(chart_yaml_display + ": cannot read file");
  auto meta = parse_yaml(*text, chart_yaml_display);
  if (!meta.ok()) return meta.status();
  if (!meta->IsMap()) return Status::InvalidInput(chart_yaml_display + ": invalid Chart.yaml: not a YAML map");
  for (const char* key : {"apiVersion", "name", "version"})
    if (scalar_at(*meta, key).empty())
      return Status::InvalidInput(chart_yaml_display + ": invalid Chart.yaml: " + key + " is required");
  chart.name = scalar_at(*meta, "name");
  chart.version = scalar_at(*meta, "version");
  chart.api_version = scalar_at(*meta, "apiVersion");
  if (!allow_external_symlinks) KV_RETURN_IF_ERROR(check_symlinks(chart));

  if (auto deps = (*meta)["dependencies"]; deps && deps.IsSequence()) {
    fs::path charts_dir = fs::path(chart.root) / "charts";
    for (const auto& dep : deps) {
      std::string name = scalar_at(dep, "name");
      if (name.empty() || has_subchart(charts_dir, name)) continue;
      return Status::InvalidInput(chart_yaml_display + ": dependency \"" + name +
                                  "\" is missing from charts/; run `helm dependency build " + path + "`");
    }
  }
  chart.ci_values = ci_files(chart.root, false);
  chart.ci_all = ci_files(chart.root, true);
  register_chart_source(chart.path, chart.root, chart.extracted);
  return chart;
}

Status check_values_file(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return Status::InvalidInput(file + ": no such values file");
  if (fs::is_directory(file, ec)) return Status::InvalidInput(file + ": is a directory, not a values file");
  auto text = read_chart_file(file);
  if (!text.ok()) return text.status();
  // Read as manifests are (resources/yaml_document.h): an unclosed bracket at the bracket, tabs, alias bombs.
  DocumentParse parsed = parse_document(*text);
  if (parsed.defect)
    return Status::InvalidInput(fmt::format("{}:{}:{}: invalid YAML: {}", file, parsed.defect->line,
                                            parsed.defect->column, parsed.defect->message));
  if (!parsed.root.IsNull() && !parsed.root.IsMap())
    return Status::InvalidInput(file + ": invalid values file: not a YAML map");
  return Status::Ok();
}

Status check_values(const ValuesFlags& values) {
  for (const auto& file : values.files) {
    if (file.find("://") != std::string::npos) continue;  // helm fetches URLs itself
    KV_RETURN_IF_ERROR(check_values_file(file));
  }
  auto key_value = [](const std::string& flag, const std::string& entry) -> Status {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::InvalidInput(flag + " " + entry + ": expected KEY=VALUE");
    return Status::Ok();
  };
  for (const auto& s : values.set) KV_RETURN_IF_ERROR(key_value("--set", s));
  for (const auto& s : values.set_string) KV_RETURN_IF_ERROR(key_value("--set-string", s));
  for (const auto& s : values.set_file) {
    std::stringstream pairs(s);  // KEY=FILE[,KEY=FILE...]
    for (std::string pair; std::getline(pairs, pair, ',');) {
      KV_RETURN_IF_ERROR(key_value("--set-file", pair));
      std::string file = pair.substr(pair.find('=') + 1);
      std::ifstream in(file);
      if (!in) return Status::InvalidInput("--set-file " + pair + ": " + file + ": no such readable file");
    }
  }
  return Status::Ok();
}

void append_values_args(const ValuesFlags& values, std::vector<std::string>& args) {
  for (const auto& f : values.files) args.insert(args.end(), {"--values", f});
  for (const auto& s : values.set) args.insert(args.end(), {"--set", s});
  for (const auto& s : values.set_string) args.insert(args.end(), {"--set-string", s});
  for (const auto& s : values.set_file) args.insert(args.end(), {"--set-file", s});
}

std::vector<ChartRun> plan_runs(const Chart& chart, ValuesMatrix matrix) {
  const auto& files = matrix == ValuesMatrix::kAllCi ? chart.ci_all : chart.ci_values;
  if (files.empty() || matrix == ValuesMatrix::kOff) return {ChartRun{chart.path, "", ""}};
  std::vector<ChartRun> runs;
  for (const auto& name : files)
    runs.push_back(ChartRun{chart.path + " (values: " + name + ")", (fs::path(chart.root) / name).string(), name});
  return runs;
}

}  // namespace kv::render
