#include "render/render.h"

#include <algorithm>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>

#include <fmt/core.h>

#include "core/digest.h"
#include "core/parallel.h"
#include "core/tools.h"
#include "core/yaml_util.h"
#include "render/chart_copy.h"
#include "render/helm_output.h"
#include "render/line_map.h"
#include "render/render_cache.h"
#include "render/subchart_files.h"
#include "render/template_lines.h"
#include "render/template_parts.h"
#include "resources/documents.h"
#include "resources/loader.h"

namespace kv::render {

namespace {

// One document of helm's output with the template it came from.
struct RenderedDoc {
  std::string source;  // "mychart/templates/x.yaml" from the `# Source:` comment
  std::string text;
};

// Splits helm's output into documents. helm writes "---\n# Source: PATH\n" before each document; a
// document without its own comment (a template holding `---` twice in a row) keeps the last one seen.
std::vector<RenderedDoc> split_rendered(const std::string& output) {
  std::vector<RenderedDoc> docs;
  std::string source;
  for (const auto& chunk : split_documents(output)) {
    for (auto comment : chunk.leading_comments)
      if (comment.substr(0, 8) == "Source: ") source = std::string(comment.substr(8));
    if (is_blank_document(chunk.text)) continue;
    docs.push_back(RenderedDoc{source, std::string(chunk.text)});
  }
  return docs;
}

// A rendered document this long or longer is "large": parsed once per process, side by side with others.
constexpr size_t kLargeDocument = 65536;

// load_text() of one rendered document. A large one (a CRD's schema, megabytes of YAML) comes back in
// the output of every values file of the matrix with the same text: it is parsed once per process and its
// objects shared (their trees are only read; whoever changes one clones it first).
LoadResult load_document(const std::string& text, const std::string& file) {
  if (text.size() < kLargeDocument) return load_text(text, file);
  static std::mutex mu;
  // Parsed once, also when asked in parallel. Never freed: the trees live until the process ends, and
  // taking megabytes of them apart at exit only costs time.
  static auto& seen = *new std::map<std::string, std::shared_future<LoadResult>>;
  const std::string key = file + '\n' + hex_sha256(text);
  std::promise<LoadResult> mine;
  std::shared_future<LoadResult> result;
  bool fresh = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = seen.find(key);
    fresh = it == seen.end();
    if (fresh) it = seen.emplace(key, mine.get_future().share()).first;
    result = it->second;
  }
  if (fresh) mine.set_value(load_text(text, file));
  return result.get();
}

// What helm's environment needs for `chart`: Helm 4 loads charts of apiVersion v3 behind an
// experimental gate (some releases gate loading, later ones only `helm create`), so it is opened for
// such charts; --lookup points helm at the cluster (run_helm hides every cluster otherwise).
std::map<std::string, std::string> helm_env(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  std::map<std::string, std::string> env;
  if (helm.major >= 4 && chart.api_version == "v3") env.emplace("HELM_EXPERIMENTAL_CHART_V3", "1");
  if (!req.lookup_kubeconfig.empty()) env.emplace("KUBECONFIG", req.lookup_kubeconfig);
  return env;
}

// What helm reads besides its arguments: the chart's folder and the values files.
std::vector<std::string> helm_inputs(const Chart& chart, const RenderRequest& req) {
  std::vector<std::string> in{chart.path};
  if (!req.run_values_file.empty()) in.push_back(req.run_values_file);
  for (const auto& f : req.values.files) in.push_back(f);
  for (const auto& s : req.values.set_file)
    if (auto eq = s.find('='); eq != std::string::npos) in.push_back(s.substr(eq + 1));
  return in;
}

}  // namespace

Status check_helm_can_render(const Helm& helm, bool lookup) {
  if (lookup && helm.major == 3 && version_less(helm.version, "v3.13.0"))
    return Status::InvalidInput(fmt::format("--lookup needs `helm template --dry-run=server` (Helm 3.13 or later); {} is {}",
                                            helm.path, helm.version));
  return Status::Ok();
}

std::vector<std::string> template_args(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  (void)helm;  // Helm 3 (3.13+) and 4 take the same flags for what kvalidate uses
  std::vector<std::string> args{"template", req.release.empty() ? chart.name : req.release, chart.path,
                                "--namespace", req.namespace_.empty() ? "default" : req.namespace_, "--include-crds"};
  if (!req.kube_version.empty()) args.insert(args.end(), {"--kube-version", req.kube_version});
  if (!req.api_versions.empty()) {
    std::string joined;
    for (const auto& v : req.api_versions) joined += (joined.empty() ? "" : ",") + v;
    args.insert(args.end(), {"--api-versions", joined});
  }
  if (req.skip_tests) args.push_back("--skip-tests");
  if (!req.lookup_kubeconfig.empty()) {
    args.push_back("--dry-run=server");
    if (!req.lookup_context.empty()) args.insert(args.end(), {"--kube-context", req.lookup_context});
  }
  if (!req.run_values_file.empty()) args.insert(args.end(), {"--values", req.run_values_file});
  append_values_args(req.values, args);
  return args;
}

// The text a chart's List items may hold copies of, all items of one document together.
constexpr size_t kListDocumentBudget = 16u << 20;

Rendered parse_rendered(const std::string& output, const Chart& chart, const std::string& suite) {
  Rendered out;
  auto docs = split_rendered(output);
  // Every document loaded first, then each template's objects matched to the parts that wrote them by
  // kind and name (helm sorts its output by kind: order says nothing).
  // Large documents (CRDs of megabytes) are parsed side by side.
  std::vector<LoadResult> loaded(docs.size());
  std::map<std::string, std::vector<size_t>> by_template;  // source → document indices, in output order
  size_t large = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    by_template[docs[i].source].push_back(i);
    if (docs[i].text.size() >= kLargeDocument) ++large;
  }
  const int workers = large > 1 ? hardware_workers(2) : 1;
  parallel_for(docs.size(), workers, [&](size_t i) {
    loaded[i] = load_document(docs[i].text, chart_file(chart, strip_chart_name(docs[i].source)));
  });
  std::vector<SourceRef> doc_source(docs.size());
  std::vector<std::vector<int>> object_line(docs.size());
  for (const auto& [source, indices] : by_template) {
    SourceRef src;
    src.chart = chart.path;
    src.template_path = shown_template_path(chart, strip_chart_name(source));
    src.file = chart_file(chart, src.template_path);
    auto model = template_model(src);
    std::vector<RenderedObject> objects;
    for (size_t i : indices)
      for (const auto& r : loaded[i].resources) objects.push_back({r.kind, r.name.empty() ? r.generate_name : r.name});
    std::vector<int> parts = model ? match_parts(*model, objects) : std::vector<int>(objects.size(), -1);
    size_t k = 0;
    for (size_t n = 0; n < indices.size(); ++n) {
      size_t i = indices[n];
      doc_source[i] = src;
      doc_source[i].document = static_cast<int>(n);
      for (size_t j = 0; j < loaded[i].resources.size(); ++j, ++k) {
        int part = parts[k];
        int line = part >= 0 ? model->parts[part].first_content + 1 : model ? 1 : 0;
        object_line[i].push_back(line);
      }
    }
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    SourceRef src = doc_source[i];
    auto model = template_model(src);
    // The loader parses safely and checks the object as it does for manifests; its problems are the
    // chart's (exit 1), reported on the template line that wrote the rendered line.
    for (auto& problem : loaded[i].problems) {
      problem.kind_of_result = ResultKind::kRender;
      problem.title = "render " + src.template_path;
      problem.status = ObjectStatus::kInvalid;
      problem.suite = suite;
      for (auto& f : problem.findings) {
        int line = model ? map_rendered_line(*model, 0, static_cast<int>(model->lines.size()), docs[i].text, f.line) : 0;
        f.file = src.file;
        f.line = line > 0 ? line : (model ? 1 : 0);
        f.column = 0;
      }
      problem.source = src;
      problem.source.line = problem.findings.empty() ? 0 : problem.findings.front().line;
      out.problems.push_back(std::move(problem));
    }
    // The items of a List the template wrote keep the rendered document, so that their fields map to the
    // template lines that wrote them as a whole document's do (within a budget: each item holds a copy).
    const size_t items = loaded[i].resources.size();
    const bool list_items = items > 1 || (items == 1 && loaded[i].resources[0].body != docs[i].text);
    const bool keep_document = list_items && docs[i].text.size() * items <= kListDocumentBudget;
    for (size_t j = 0; j < items; ++j) {
      Resource& r = loaded[i].resources[j];
      r.source = src;
      r.source.line = object_line[i][j];
      r.source.column = r.source.line > 0 ? 1 : 0;
      if (keep_document && r.document_text.empty() && r.object.IsMap() && r.object.Mark().line >= 0) {
        r.document_text = docs[i].text;
        if (int line = template_line_of(r, r.object.Mark().line + 1 + r.line_base); line > 0) r.source.line = line;
      }
      out.resources.push_back(std::move(r));
    }
  }
  return out;
}

namespace {

// A line of one rendered document.
struct RenderedLine {
  std::string text;  // the document, as split_rendered cuts it
  int line = 0;      // 1-based in `text`; 0: not found
};

// The line of helm's --debug output `rendered` (all templates) where template T's output stops being YAML:
// where the loader (as for manifests) finds the first of T's documents' YAML defect; else the line helm's
// "yaml: line N: ..." names — helm splits T's output into documents, trims each and counts N in the one it
// could not read, taken to be the first that does not parse here (else T's last).
RenderedLine failing_line(const std::string& rendered, const std::string& template_path, int helm_line) {
  std::vector<RenderedDoc> docs;
  for (auto& d : split_rendered(rendered))
    if (strip_chart_name(d.source) == template_path) docs.push_back(std::move(d));
  for (auto& d : docs)
    for (const auto& problem : load_text(d.text, template_path).problems)
      for (const auto& f : problem.findings)
        if (f.rule == "input/yaml-syntax" && f.line > 0) return {std::move(d.text), f.line};
  for (size_t i = 0; i < docs.size(); ++i) {
    bool last = i + 1 == docs.size();
    if (!last && parse_yaml(docs[i].text, template_path).ok()) continue;
    auto lines = split_lines(docs[i].text);
    int first = 0;  // the trimmed document's first line: past the `# Source:` comment and blank lines
    while (first < static_cast<int>(lines.size()) &&
           (lines[first].find_first_not_of(" \t\r") == std::string_view::npos ||
            lines[first].rfind("# Source: ", 0) == 0))
      ++first;
    int line = first + helm_line;
    if (line > static_cast<int>(lines.size())) return {};
    return {std::move(docs[i].text), line};
  }
  return {};
}

// A template whose output is not YAML: helm names a line of that output, not of the template. Rendered
// again with --debug (helm then prints the output it could not read), the line is mapped back to the
// template line that wrote it. Nothing changes when that fails.
void place_yaml_error(ObjectResult& failure, const Helm& helm, std::vector<std::string> args,
                      const std::map<std::string, std::string>& env) {
  if (failure.findings.empty()) return;
  Finding& f = failure.findings.front();
  if (f.rule != "helm-render" || f.line != 0 || f.message.rfind(kRenderedNotYaml, 0) != 0 ||
      failure.source.template_path.empty())
    return;
  static const std::regex kLine(R"(yaml: line (\d+):)");
  std::smatch m;
  if (!std::regex_search(f.message, m, kLine)) return;
  args.push_back("--debug");
  auto run = run_helm(helm, args, env);
  if (!run.ok()) return;
  auto at = failing_line(run->out, helm_template_path(failure.source), std::stoi(m[1].str()));
  if (at.line == 0) return;
  auto model = template_model(failure.source);
  if (!model) return;
  int line = map_rendered_line(*model, 0, static_cast<int>(model->lines.size()), at.text, at.line);
  if (line <= 0) return;
  f.line = line;
  failure.source.line = line;
}

}  // namespace

Result<Rendered> render_chart(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  KV_RETURN_IF_ERROR(check_values(req.values));
  if (!req.run_values_file.empty()) KV_RETURN_IF_ERROR(check_values_file(req.run_values_file));
  KV_RETURN_IF_ERROR(check_helm_can_render(helm, !req.lookup_kubeconfig.empty()));
  auto args = template_args(helm, chart, req);
  auto key_args = args;
  auto env = helm_env(helm, chart, req);
  // With --lookup the output depends on the cluster: never from the cache.
  const bool cached = req.cache && req.lookup_kubeconfig.empty();
  const auto inputs = helm_inputs(chart, req);
  auto run = cached ? run_helm_cached(helm, args, env, inputs) : run_helm(helm, args, env);
  if (!run.ok()) return run.status();
  // helm stops at the first template that fails. Each failing template is emptied in a copy of the chart and
  // helm asked again, so that every template's failure is found in one run and the others' objects are
  // judged. Bounded: at most kMaxEmptied templates, and never the same one twice.
  constexpr size_t kMaxEmptied = 16;
  Rendered out;
  std::optional<ChartCopy> copy;
  std::set<std::string> emptied;
  while (run->exit_code != 0) {
    auto failure = parse_render_error(run->err, chart, req.suite);
    if (!failure.ok()) {
      if (emptied.empty()) return failure.status();
      return out;  // the first render said more; this one cannot add to it
    }
    place_yaml_error(*failure, helm, args, env);
    const std::string next = template_to_empty(*failure, chart);
    out.problems.push_back(std::move(failure.value()));
    if (next.empty() || emptied.size() >= kMaxEmptied || !emptied.insert(next).second) return out;
    if (!copy) {
      auto made = ChartCopy::make(chart);
      if (!made.ok()) return out;
      copy = std::move(*made);
      args[2] = copy->path();
    }
    if (!copy->empty_file(next).ok()) return out;
    key_args.push_back("--kvalidate-emptied=" + next);  // the key: the chart as it is, less these templates
    run = cached ? run_helm_cached(helm, args, env, inputs, &key_args) : run_helm(helm, args, env);
    if (!run.ok()) return out;
    // What helm says of the copy's files (a link it followed) names the chart's: the same words every run,
    // also when the answer is a cached one that named an earlier copy.
    for (std::string* text : {&run->out, &run->err}) name_copies_as_chart(*text, chart);
  }
  auto rendered = parse_rendered(run->out, chart, req.suite);
  for (auto& p : rendered.problems) out.problems.push_back(std::move(p));
  out.resources = std::move(rendered.resources);
  out.partial = !emptied.empty();
  if (!run->err.empty()) out.notes.push_back(parse_template_warnings(run->err, chart, req.suite));
  if (!out.notes.empty() && out.notes.back().findings.empty()) out.notes.pop_back();
  return out;
}

Result<ObjectResult> lint_chart(const Helm& helm, const Chart& chart, const RenderRequest& req) {
  KV_RETURN_IF_ERROR(check_values(req.values));
  if (!req.run_values_file.empty()) KV_RETURN_IF_ERROR(check_values_file(req.run_values_file));
  std::vector<std::string> args{"lint", chart.path, "--namespace", req.namespace_.empty() ? "default" : req.namespace_};
  // `helm lint --kube-version` arrived in Helm 3.12.
  if (!req.kube_version.empty() && (helm.major >= 4 || !version_less(helm.version, "v3.12.0")))
    args.insert(args.end(), {"--kube-version", req.kube_version});
  if (!req.run_values_file.empty()) args.insert(args.end(), {"--values", req.run_values_file});
  append_values_args(req.values, args);
  RenderRequest offline = req;  // lint never needs the cluster
  offline.lookup_kubeconfig.clear();
  auto run = req.cache ? run_helm_cached(helm, args, helm_env(helm, chart, offline), helm_inputs(chart, req))
                       : run_helm(helm, args, helm_env(helm, chart, offline));
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
