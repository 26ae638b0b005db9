#include "engine/chart_batches.h"

#include "render/render.h"
#include "render/template_lines.h"

namespace kv::engine {

namespace {

// A chart with its own namespace: its namespaced objects that name none go there.
void place_in_namespace(std::vector<Resource>& resources, const std::string& ns, const kube::Discovery& discovery) {
  for (auto& r : resources) {
    if (!r.namespace_.empty()) continue;
    const kube::ApiResource* api = discovery.find_kind(r.group(), r.version(), r.kind);
    if (api && api->namespaced) r.namespace_ = ns;
  }
}

// Rendered lines are not template lines: findings point at the field's key in the template.
LocateFn template_locator(const render::Chart& chart) {
  return [templates = chart.templates](const Resource& r, const std::string& path) {
    return std::pair<int, int>{templates ? templates->line_for(r.source, path) : 0, 0};
  };
}

}  // namespace

Status chart_batches(const render::Helm& helm, const std::vector<ChartInput>& charts, const Connection& conn,
                     const ChartBatchOptions& opts, std::vector<Batch>& batches) {
  render::RenderRequest base;
  base.namespace_ = conn.default_namespace;
  base.skip_tests = opts.skip_tests;
  base.kube_version = conn.discovery.server_version();
  base.api_versions = render::helm_api_versions(conn.discovery.all());
  for (const auto& input : charts) {
    for (const auto& chart_run : render::plan_runs(input.chart, input.values_matrix)) {
      render::RenderRequest req = base;
      req.release = input.release;
      req.values = input.values;
      if (!input.namespace_.empty()) req.namespace_ = input.namespace_;
      req.run_values_file = chart_run.values_file;
      req.suite = chart_run.suite;
      Batch batch;
      batch.suite = chart_run.suite;
      if (opts.lint) {
        auto lint = render::lint_chart(helm, input.chart, req);
        if (!lint.ok()) return lint.status();
        batch.pre_results.push_back(std::move(lint.value()));
      }
      auto rendered = render::render_chart(helm, input.chart, req);
      if (!rendered.ok()) return rendered.status();
      batch.resources = std::move(rendered->resources);
      if (!input.namespace_.empty()) place_in_namespace(batch.resources, input.namespace_, conn.discovery);
      for (auto& p : rendered->problems) batch.pre_results.push_back(std::move(p));
      batch.locate = template_locator(input.chart);
      batches.push_back(std::move(batch));
    }
  }
  return Status::Ok();
}

}  // namespace kv::engine
