// Running helm on a chart: `helm lint` and `helm template` with the values and the capabilities of the
// server that will judge the objects, and turning the rendered stream into Resources that remember the
// template they came from.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "kube/discovery.h"
#include "render/chart.h"
#include "render/helm.h"
#include "resources/resource.h"
#include "resources/result.h"

namespace kv::render {

struct RenderRequest {
  std::string release;                    // "" → the chart's name
  std::string namespace_ = "default";
  std::string kube_version;               // the server's, "v1.37.2"; "" → helm's built-in default
  std::vector<std::string> api_versions;  // served "apps/v1" and "apps/v1/Deployment" (see helm_api_versions)
  std::string run_values_file;            // the run's ci/ values file ("" for none), applied before `values`
  ValuesFlags values;                     // the user's -f/--set/--set-string/--set-file
  bool skip_tests = false;                // leave out templates/tests (helm test hooks)
  std::string suite;                      // copied into results
  // --lookup: render against this cluster (`helm template --dry-run=server`) so that `lookup` sees its
  // objects; "" renders offline (lookup returns empty maps).
  std::string lookup_kubeconfig, lookup_context;
  bool cache = true;                      // helm's answers from/into the render cache (render/render_cache.h)
};

struct Rendered {
  // Every object, in helm's output order (CRDs from crds/ first). SourceRef: chart = chart.path,
  // template_path = "templates/x.yaml" (from `# Source:`), file = chart.path + "/" + template_path,
  // line = the first content line of the template part that wrote the object, matched by kind and name
  // (match_parts), document = the index of the object's document among those its template rendered.
  // Resource.line_base is 0 and body is the rendered document: node marks count rendered lines; map them
  // to template lines with template_line_of() (render/line_map.h).
  std::vector<Resource> resources;
  // Render problems, each status invalid: a failed `helm template` (kind kRender), one per template that
  // failed (see `partial`), or a rendered document the loader refuses (not a Kubernetes object, no name,
  // YAML kubectl cannot read, ...): kind kRender, the loader's rule and message, on the template line that
  // wrote the offending line.
  std::vector<ObjectResult> problems;
  // Templates failed and were left out: `resources` are what the chart's other templates rendered (helm
  // asked again with each failing template emptied). False with no failure, and when a failure could not be
  // left out (values, Chart.yaml, a partial such as _helpers.tpl): then there are no resources.
  bool partial = false;
  // What helm printed on stderr while rendering successfully (a followed symbolic link, deprecations):
  // kind kRender, status valid, one finding (rule helm/warning; info for Helm 4's INFO lines) per line.
  std::vector<ObjectResult> notes;
  bool failed() const { return !problems.empty(); }
};

// The arguments of `helm template` for this request (without "helm" itself).
std::vector<std::string> template_args(const Helm& helm, const Chart& chart, const RenderRequest& req);

// Whether `helm` can render with `lookup` (against a cluster): InvalidInput (exit 2) for a helm older than
// 3.13, which has no `template --dry-run=server`.
Status check_helm_can_render(const Helm& helm, bool lookup);

// Renders `chart` with `helm template ... --include-crds`. A chart that fails to render is not an error of
// this function: it yields a Rendered with the problem, one per failing template, and the objects of the
// templates that render (see Rendered::partial). Fails with InvalidInput (exit 2) for the user's bad
// input (values files, --set syntax; checked with check_values() first), Unavailable when helm cannot run.
Result<Rendered> render_chart(const Helm& helm, const Chart& chart, const RenderRequest& req);

// Parses the stdout of a successful `helm template` into resources (see Rendered) with the loader.
Rendered parse_rendered(const std::string& output, const Chart& chart, const std::string& suite);

// Runs `helm lint` with the request's values (and kube version) and parses its report (parse_lint_output).
// Fails only when helm cannot run.
Result<ObjectResult> lint_chart(const Helm& helm, const Chart& chart, const RenderRequest& req);

// What helm's --api-versions should hold so that .Capabilities.APIVersions tells the truth, as helm itself
// fills it from a live cluster: every served "group/version" and "group/version/Kind", sorted, unique.
std::vector<std::string> helm_api_versions(const std::vector<kube::ApiResource>& served);

}  // namespace kv::render
