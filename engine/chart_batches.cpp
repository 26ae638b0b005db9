#include "engine/chart_batches.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include <fmt/core.h>

#include "core/parallel.h"
#include "engine/plane_objects.h"
#include "render/git_snapshot.h"
#include "render/line_map.h"
#include "render/lookup.h"
#include "render/render.h"
#include "render/template_lines.h"
#include "render/values_keys.h"
#include "render/values_origin.h"
#include "resources/locate.h"

namespace kv::engine {

ChartPlan plan_chart(render::Chart chart, const ChartSettings& s, const GivenFlags& given,
                     const std::optional<config::Config>& cfg) {
  ChartPlan p;
  p.values = s.values;
  p.release = s.release;
  std::optional<bool> matrix = s.values_matrix;  // given: on (every ci/*.yaml) or off
  const config::ChartConfig* cc = cfg ? config::chart_config(*cfg, chart.path) : nullptr;
  if (cc) {
    p.values.files.insert(p.values.files.begin(), cc->values.begin(), cc->values.end());
    p.values.set.insert(p.values.set.begin(), cc->set.begin(), cc->set.end());
    if (!given.count("--release")) p.release = cc->release;
    if (!given.count("--namespace")) p.namespace_ = cc->namespace_;
    if (!matrix) matrix = cc->values_matrix;
  }
  // Values files name the run the user wants: they replace the ci/ matrix unless it is asked for.
  p.matrix = matrix ? (*matrix ? render::ValuesMatrix::kAllCi : render::ValuesMatrix::kOff)
             : p.values.files.empty() ? render::ValuesMatrix::kCiValues
                                      : render::ValuesMatrix::kOff;
  p.chart = std::move(chart);
  return p;
}

void place_in_namespace(std::vector<Resource>& resources, const std::string& ns, const kube::Discovery& discovery) {
  for (auto& r : resources) {
    if (!r.namespace_.empty()) continue;
    const kube::ApiResource* api = discovery.find_kind(r.group(), r.version(), r.kind);
    if (api && api->namespaced) r.namespace_ = ns;
  }
}

Result<OldChart> load_old_chart(const std::string& spec, const render::Chart& chart) {
  OldChart old;
  std::string rev;
  std::string path = spec;
  old.label = spec;
  if (render::parse_git_spec(spec, rev)) {
    auto snap = render::git_snapshot(chart.path, rev);
    if (!snap.ok()) return snap.status();
    path = snap->path;
    old.snapshot = snap->tree;
    old.label = fmt::format("git:{} ({})", rev, snap->commit.substr(0, 12));
  }
  auto loaded = render::load_chart(path);
  if (!loaded.ok()) return loaded.status().Prefixed("--upgrade-from " + spec);
  old.chart = std::move(*loaded);
  return old;
}

namespace {

// Renders the old chart like the new one (same request: values, release, namespace, capabilities).
// A chart that does not render cannot be upgraded from: InvalidInput naming it.
Result<UpgradeFrom> render_old(const render::Helm& helm, const OldChart& old, const render::RenderRequest& req,
                                       const std::string& ns, const kube::Discovery& discovery) {
  auto rendered = render::render_chart(helm, old.chart, req);
  if (!rendered.ok()) return rendered.status().Prefixed("--upgrade-from " + old.label);
  if (rendered->failed()) {
    const auto& p = rendered->problems.front();
    return Status::InvalidInput(fmt::format("--upgrade-from {}: the old chart does not render: {}", old.label,
                                            p.findings.empty() ? p.title : p.findings.front().message));
  }
  if (!ns.empty()) place_in_namespace(rendered->resources, ns, discovery);
  return UpgradeFrom{std::move(rendered->resources), old.label};
}

// What the chart's `lookup` calls returned (once per chart; the calls are the same in every run).
ObjectResult lookup_report(const render::Chart& chart, const render::RenderRequest& req, Session& session) {
  auto calls = render::find_lookup_calls(chart, req.namespace_);
  std::vector<render::LookupAnswer> answers;
  std::vector<std::string> why;
  if (!calls.empty() && !req.lookup_kubeconfig.empty())
    answers = render::answer_lookups(*session.conn.client, session.conn.discovery, calls, why);
  return render::lookup_result(chart, calls, answers, why, req.suite);
}

// One values file of one chart: what to render it with, and what helm said (filled in parallel).
struct RenderJob {
  const ChartPlan* plan;
  render::ChartRun run;
  render::RenderRequest req;
  bool first = false;  // the chart's first run: its lint and its lookup report
  bool lint = false;
  std::optional<Result<ObjectResult>> linted;
  std::optional<Result<render::Rendered>> rendered;
};

// A values.schema.json failure is a defect of the value, not of the schema: each finding naming a values
// key moves to the line that sets it (values.yaml, a -f file, the run's ci/ file), or names the --set flag.
// helm lint, run with the same values, says the same once more: its finding goes when render has them.
void place_schema_findings(std::vector<ObjectResult>& pre, const render::Chart& chart, const render::RenderRequest& req) {
  bool schema = false;
  std::vector<std::string> said;  // "at '/replicaCount': ..." as helm words each failure
  for (auto& r : pre)
    for (auto& f : r.findings) {
      if (f.rule != "helm-render/values-schema") continue;
      schema = true;
      if (auto at = f.message.find("at '/"); at != std::string::npos) said.push_back(f.message.substr(at));
      if (f.path.empty()) continue;
      std::string origin = render::value_origin(chart, req.run_values_file, req.values, f.path);
      auto colon = origin.rfind(':');
      bool at_line = colon != std::string::npos && colon + 1 < origin.size() &&
                     std::all_of(origin.begin() + static_cast<long>(colon) + 1, origin.end(), ::isdigit);
      if (at_line) {
        f.message += " (the rule is in " + f.file + ")";
        f.file = origin.substr(0, colon);
        f.line = std::stoi(origin.substr(colon + 1));
        f.column = 0;
      } else if (!origin.empty()) {
        f.message += " (value set by " + origin + ")";
      }
    }
  if (!schema) return;
  for (auto& r : pre) {
    if (r.kind_of_result != ResultKind::kLint) continue;
    std::erase_if(r.findings, [&](const Finding& f) {
      if (f.rule != "helm-lint" || f.severity != Severity::kError) return false;
      if (f.message.find("don't meet the specifications of the schema") != std::string::npos) return true;
      return std::any_of(said.begin(), said.end(), [&](const std::string& s) { return f.message.find(s) != std::string::npos; });
    });
    if (!r.has_severity(Severity::kError)) r.status = ObjectStatus::kValid;
  }
}

// `message` with the numbers of "line N" out: helm lint counts the lines of a template's output from
// another start than helm template does.
std::string without_line_numbers(const std::string& message) {
  static const std::regex kLine(R"(line \d+)");
  return std::regex_replace(message, kLine, "line N");
}

// What a message of helm says without its framing, line numbers out: from "yaml: line" on for a YAML error
// (lint and render frame the same error differently: "unable to parse YAML: ...", "cannot load values.yaml:
// ..."), else all of it.
std::string core_of(std::string_view message) {
  auto at = message.find("yaml: line ");
  return without_line_numbers(std::string(at == std::string_view::npos ? message : message.substr(at)));
}

// helm lint renders the chart too, and says a render failure again in its own words ("[ERROR] templates/:
// parse error at (c/templates/x.yaml:2): ...", "unable to load chart validation: ...", "unable to parse
// YAML: ..."): one defect, one finding — the render's, placed at its line — so lint's errors that repeat
// it (about the same file, or about a folder) go.
void drop_lint_repeats(std::vector<ObjectResult>& pre) {
  constexpr size_t kShortest = 16;  // shorter messages could be part of another's words
  std::vector<std::pair<std::string, std::string>> failures;  // (file, core)
  for (const auto& r : pre)
    if (r.kind_of_result == ResultKind::kRender)
      for (const auto& f : r.findings)
        if (f.severity == Severity::kError)
          if (std::string core = core_of(f.message); core.size() >= kShortest) failures.emplace_back(f.file, core);
  if (failures.empty()) return;
  for (auto& r : pre) {
    if (r.kind_of_result != ResultKind::kLint) continue;
    std::erase_if(r.findings, [&](const Finding& f) {
      if (f.severity != Severity::kError) return false;
      std::error_code ec;
      const bool folder = f.file.empty() || f.file.back() == '/' || std::filesystem::is_directory(f.file, ec);
      const std::string core = core_of(f.message);
      return std::any_of(failures.begin(), failures.end(), [&](const auto& failure) {
        return (folder || f.file == failure.first) && core.find(failure.second) != std::string::npos;
      });
    });
    if (!r.has_severity(Severity::kError)) r.status = ObjectStatus::kValid;
  }
}

// The batch of a rendered job: lint, render problems, lookups (first run) and notes first, then the
// objects, every finding mapped from rendered lines to template lines. The lint or render failure otherwise.
Result<Batch> batch_of(RenderJob& j, Session& session) {
  Batch batch;
  batch.suite = j.run.suite;
  if (j.linted) {
    if (!j.linted->ok()) return j.linted->status();
    batch.pre_results.push_back(std::move(j.linted->value()));
  }
  auto& rendered = *j.rendered;
  if (!rendered.ok()) return rendered.status();
  batch.resources = std::move(rendered->resources);
  batch.partial = rendered->partial;
  if (!j.plan->namespace_.empty()) place_in_namespace(batch.resources, j.plan->namespace_, session.conn.discovery);
  for (auto& p : rendered->problems) batch.pre_results.push_back(std::move(p));
  if (j.first) {
    auto lookups = lookup_report(j.plan->chart, j.req, session);
    if (!lookups.findings.empty()) batch.pre_results.push_back(std::move(lookups));
  }
  for (auto& n : rendered->notes) batch.pre_results.push_back(std::move(n));
  // Keys written twice in the values files helm reads: the chart's own and the -f files once per chart, a
  // ci/ file with its run.
  const render::Chart& chart = j.plan->chart;
  std::vector<render::ValuesFileRef> values_files;
  if (j.first) {
    values_files.push_back({chart.root + "/values.yaml", chart.path + "/values.yaml"});
    for (const auto& f : j.req.values.files) values_files.push_back({f, f});
  }
  if (!j.run.values_file.empty() && !j.run.values_name.empty())
    values_files.push_back({j.run.values_file, chart.path + "/" + j.run.values_name});
  for (auto& r : render::values_duplicate_keys(values_files, batch.suite)) batch.pre_results.push_back(std::move(r));
  place_schema_findings(batch.pre_results, j.plan->chart, j.req);
  drop_lint_repeats(batch.pre_results);
  // Rendered lines are not template lines: every finding goes through the rendered → template mapping.
  // A field the template writes through toYaml points at the nearest key the template writes, and
  // names the value that produced it.
  batch.map_line = render::template_line_of;
  batch.locate = [&chart = j.plan->chart, run_values = j.req.run_values_file, values = j.req.values](
                     const Resource& r, const std::string& path) {
    auto spot = render::template_spot_for(r.source, path, r.kind);
    if (!spot.values_key.empty()) {
      std::string origin = render::template_value_origin(chart, run_values, values, render::helm_template_path(r.source), spot.values_key);
      // Where other actions write into the same block (an include of labels beside the toYaml), a key no
      // values source sets is theirs, and one that is set is at the toYaml that writes it.
      if (!spot.values_key_shared)
        return Place{spot.line, 0, "value " + spot.values_key + (origin.empty() ? "" : ", set by " + origin), ""};
      if (!origin.empty()) return Place{spot.toyaml_line, 0, "value " + spot.values_key + ", set by " + origin, ""};
    }
    if (auto pos = locate(r, path)) {
      Place at{render::template_line_of(r, pos->line), 0, "", ""};
      // `replicas: {{ .Values.replicaCount }}`: the values line that set it, when one does.
      if (!spot.direct_values_key.empty() && at.line == spot.line) {
        std::string origin = render::template_value_origin(chart, run_values, values, render::helm_template_path(r.source),
                                                           spot.direct_values_key);
        if (!origin.empty()) at.note = "value " + spot.direct_values_key + ", set by " + origin;
      }
      return at;
    }
    return Place{spot.line, 0, "", ""};
  };
  return batch;
}

}  // namespace

std::vector<Batch> render_batches(const std::vector<ChartPlan>& charts, const ChartSettings& s,
                                  const render::Helm& helm, Session& session, const std::vector<OldChart>& olds,
                                  Status& failed) {
  // What runs created on the plane (other runs' CRDs, the CRD pool's) is not the plane's: helm's
  // .Capabilities must not see it either. (The run's one list of the plane's CRDs: the batches use it too.)
  std::set<std::string> hidden;
  if (session.scope) {
    if (!session.plane_crds) session.plane_crds = all_crds(*session.conn.client);
    if (session.plane_crds)
      for (const auto& [name, crd] : *session.plane_crds)
        if (!crd.run.empty()) hidden.insert(name);
  }
  const kube::Discovery discovery = without_crds(session.conn.discovery, hidden);
  render::RenderRequest base;
  base.namespace_ = session.conn.default_namespace;
  base.skip_tests = s.skip_tests;
  base.cache = !s.no_cache;
  base.kube_version = discovery.server_version();
  base.api_versions = render::helm_api_versions(discovery.all());
  if (s.lookup) {
    base.lookup_kubeconfig = session.conn.plane.kubeconfig_path;
    base.lookup_context = session.conn.plane.cluster.context;
  }
  std::vector<RenderJob> jobs;
  for (const auto& plan : charts) {
    for (const auto& chart_run : render::plan_runs(plan.chart, plan.matrix)) {
      bool first = jobs.empty() || jobs.back().plan != &plan;
      RenderJob j{&plan, chart_run, base, first, !s.no_lint && first, {}, {}};
      j.req.release = plan.release;
      j.req.values = plan.values;
      if (!plan.namespace_.empty()) j.req.namespace_ = plan.namespace_;
      j.req.run_values_file = chart_run.values_file;
      j.req.suite = chart_run.suite;
      jobs.push_back(std::move(j));
    }
  }
  int helm_processes = hardware_workers(2, 8);
  parallel_for(jobs.size(), helm_processes, [&](size_t i) {
    RenderJob& j = jobs[i];
    if (j.lint) j.linted.emplace(render::lint_chart(helm, j.plan->chart, j.req));
    j.rendered.emplace(render::render_chart(helm, j.plan->chart, j.req));
  });
  std::vector<Batch> batches;
  for (auto& j : jobs) {
    auto batch = batch_of(j, session);
    if (!batch.ok()) { failed = batch.status(); return batches; }
    if (!olds.empty()) {
      const OldChart& old = olds[static_cast<size_t>(j.plan - charts.data())];
      auto from = render_old(helm, old, j.req, j.plan->namespace_, discovery);
      if (!from.ok()) { failed = from.status(); return batches; }
      batch->upgrade = std::move(*from);
    }
    for (auto& p : batch->pre_results) p.server_version = base.kube_version;
    batches.push_back(std::move(*batch));
  }
  return batches;
}

}  // namespace kv::engine
