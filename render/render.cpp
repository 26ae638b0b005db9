#include "render/render.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/tools.h"
#include "render/helm_output.h"
#include "render/template_lines.h"

namespace kv::render {

namespace {

// One document of helm's output with the template it came from.
struct RenderedDoc {
  std::string source;  // "mychart/templates/x.yaml" from the `# Source:` comment
  std::string text;
};

bool separator_line(std::string_view line) {
  if (line.substr(0, 3) != "---") return false;
  return line.find_first_not_of(" \t\r", 3) == std::string_view::npos;
}

// Splits helm's output at `---` lines. helm writes "---\n# Source: PATH\n" before each document; a
// document without its own comment (a template holding `---` twice in a row) keeps the last one seen.
std::vector<RenderedDoc> split_rendered(const std::string& output) {
  std::vector<RenderedDoc> docs;
  std::string source;
  RenderedDoc cur;
  auto flush = [&] {
    bool content = false;
    size_t pos = 0;
    while (pos < cur.text.size()) {
      size_t eol = cur.text.find('\n', pos);
      std::string_view line(cur.text.data() + pos, (eol == std::string::npos ? cur.text.size() : eol) - pos);
      size_t s = line.find_first_not_of(" \t\r");
      if (s != std::string_view::npos && line[s] != '#') content = true;
      if (eol == std::string::npos) break;
      pos = eol + 1;
    }
    if (content) docs.push_back(cur);
    cur = RenderedDoc{source, ""};
  };
  size_t pos = 0;
  while (pos <= output.size()) {
    size_t eol = output.find('\n', pos);
    std::string line = output.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    if (separator_line(line)) {
      flush();
    } else {
      if (line.rfind("# Source: ", 0) == 0) {
        source = line.substr(10);
        while (!source.empty() && (source.back() == '\r' || source.back() == ' ')) source.pop_back();
        cur.source = source;
      }
      cur.text += line + "\n";
    }
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  flush();
  return docs;
}

std::string str_field(const YAML::Node& map, const char* key) {
  auto v = map[key];
  return v && v.IsScalar() ? v.Scalar() : "";
}

ObjectResult document_problem(const SourceRef& src, const std::string& suite, const std::string& message) {
  ObjectResult r;
  r.kind_of_result = ResultKind::kRender;
  r.title = "render " + src.template_path;
  r.suite = suite;
  r.source = src;
  r.status = ObjectStatus::kInvalid;
  Finding f;
  f.rule = "helm-render/not-an-object";
  f.message = message;
  f.file = src.file;
  f.line = src.line;
  r.findings.push_back(f);
  return r;
}

}  // namespace

std::vector<std::string> template_args(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  (void)helm;  // Helm 3 and 4 take the same flags for what kvalidate uses
  std::vector<std::string> args{"template", req.release.empty() ? chart.name : req.release, chart.path,
                                "--namespace", req.namespace_.empty() ? "default" : req.namespace_, "--include-crds"};
  if (!req.kube_version.empty()) args.insert(args.end(), {"--kube-version", req.kube_version});
  if (!req.api_versions.empty()) {
    std::string joined;
    for (const auto& v : req.api_versions) joined += (joined.empty() ? "" : ",") + v;
    args.insert(args.end(), {"--api-versions", joined});
  }
  if (req.skip_tests) args.push_back("--skip-tests");
  if (!req.run_values_file.empty()) args.insert(args.end(), {"--values", req.run_values_file});
  append_values_args(req.values, args);
  return args;
}

Rendered parse_rendered(const std::string& output, const Chart& chart, const std::string& suite) {
  Rendered out;
  auto docs = split_rendered(output);
  std::map<std::string, int> per_template;
  for (const auto& d : docs) ++per_template[d.source];
  std::map<std::string, int> seen;
  for (const auto& d : docs) {
    SourceRef src;
    src.chart = chart.path;
    src.template_path = strip_chart_name(d.source);
    src.file = chart_file(chart, src.template_path);
    src.document = seen[d.source]++;
    src.line = template_document_line(chart.path, src.template_path, src.document, per_template[d.source]);
    src.column = src.line > 0 ? 1 : 0;
    YAML::Node node;
    try {
      node = YAML::Load(d.text);
    } catch (const YAML::Exception& e) {
      out.problems.push_back(document_problem(src, suite, "rendered output is not valid YAML: " + e.msg));
      continue;
    }
    if (node.IsNull()) continue;
    if (!node.IsMap()) {
      out.problems.push_back(document_problem(src, suite, "rendered document is not a YAML map"));
      continue;
    }
    Resource r;
    r.api_version = str_field(node, "apiVersion");
    r.kind = str_field(node, "kind");
    if (r.api_version.empty() || r.kind.empty()) {
      out.problems.push_back(document_problem(
          src, suite, std::string("rendered object has no ") + (r.api_version.empty() ? "apiVersion" : "kind")));
      continue;
    }
    if (auto meta = node["metadata"]; meta && meta.IsMap()) {
      r.name = str_field(meta, "name");
      r.generate_name = str_field(meta, "generateName");
      r.namespace_ = str_field(meta, "namespace");
    }
    r.object = node;
    r.source = src;
    r.body = d.text;
    out.resources.push_back(std::move(r));
  }
  return out;
}

Result<Rendered> render_chart(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  KV_RETURN_IF_ERROR(check_values(req.values));
  auto run = run_helm(helm, template_args(helm, chart, req));
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    auto failure = parse_render_error(run->err, chart, req.suite);
    if (!failure.ok()) return failure.status();
    Rendered out;
    out.problems.push_back(std::move(failure.value()));
    return out;
  }
  return parse_rendered(run->out, chart, req.suite);
}

Result<ObjectResult> lint_chart(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  KV_RETURN_IF_ERROR(check_values(req.values));
  std::vector<std::string> args{"lint", chart.path, "--namespace", req.namespace_.empty() ? "default" : req.namespace_};
  // `helm lint --kube-version` arrived in Helm 3.12.
  if (!req.kube_version.empty() && (helm.major >= 4 || !version_less(helm.version, "v3.12.0")))
    args.insert(args.end(), {"--kube-version", req.kube_version});
  if (!req.run_values_file.empty()) args.insert(args.end(), {"--values", req.run_values_file});
  append_values_args(req.values, args);
  auto run = run_helm(helm, args);
  if (!run.ok()) return run.status();
  return parse_lint_output(run->out + "\n" + run->err, run->exit_code, chart, req.suite);
}

std::vector<std::string> helm_api_versions(const std::vector<kube::ApiResource>& served) {
  std::set<std::string> out;
  for (const auto& r : served) {
    std::string gv = r.group_version();
    out.insert(gv);
    if (!r.kind.empty()) out.insert(gv + "/" + r.kind);
  }
  return {out.begin(), out.end()};
}

}  // namespace kv::render
