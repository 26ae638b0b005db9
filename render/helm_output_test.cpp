#include "render/helm_output.h"

#include <filesystem>

#include <doctest/doctest.h>

using kv::render::Chart;

namespace {
Chart fake_chart() {
  Chart c;
  c.path = "charts/mychart";
  c.root = std::string(KV_SOURCE_DIR) + "/fixtures/charts/kube-version";
  c.name = "mychart";
  return c;
}
}  // namespace

TEST_CASE("helm's template paths become files inside the chart") {
  CHECK(kv::render::strip_chart_name("mychart/templates/x.yaml") == "templates/x.yaml");
  CHECK(kv::render::strip_chart_name("p/charts/sub/templates/x.yaml") == "charts/sub/templates/x.yaml");
  Chart c = fake_chart();
  c.path = "charts/mychart/";
  CHECK(kv::render::chart_file(c, "templates/x.yaml") == "charts/mychart/templates/x.yaml");
}

TEST_CASE("render errors from required, fail and template syntax name the template, line and column") {
  Chart c = fake_chart();
  auto r = kv::render::parse_render_error(
      "Error: execution error at (mychart/templates/cm.yaml:6:11): database.host is required\n\n"
      "Use --debug flag to render out invalid YAML\nengine.go:206: [INFO] Missing required value: x\n",
      c, "suite");
  REQUIRE(r.ok());
  CHECK(r->kind_of_result == kv::ResultKind::kRender);
  CHECK(r->status == kv::ObjectStatus::kInvalid);
  CHECK(r->suite == "suite");
  REQUIRE(r->findings.size() == 1);
  CHECK(r->findings[0].file == "charts/mychart/templates/cm.yaml");
  CHECK(r->findings[0].line == 6);
  CHECK(r->findings[0].column == 11);
  CHECK(r->findings[0].message == "database.host is required");
  CHECK(r->source.template_path == "templates/cm.yaml");

  auto p = kv::render::parse_render_error("Error: parse error at (mychart/templates/y.yaml:2): missing value for if\n", c, "");
  REQUIRE(p.ok());
  CHECK(p->findings[0].file == "charts/mychart/templates/y.yaml");
  CHECK(p->findings[0].line == 2);
  CHECK(p->findings[0].message == "missing value for if");

  auto n = kv::render::parse_render_error(
      "Error: template: mychart/templates/a.yaml:1:13: executing \"mychart/templates/a.yaml\" at <.Values.x.y>: "
      "nil pointer evaluating interface {}.y\n", c, "");
  REQUIRE(n.ok());
  CHECK(n->findings[0].file == "charts/mychart/templates/a.yaml");
  CHECK(n->findings[0].line == 1);
  CHECK(n->findings[0].column == 13);

  // Helm 4: the place on a line of its own.
  auto h4 = kv::render::parse_render_error(
      "Error: mychart/templates/a.yaml:6:15\n  executing \"mychart/templates/a.yaml\" at <.Values.x.y>:\n"
      "    nil pointer evaluating interface {}.y\n\nUse --debug flag to render out invalid YAML\n", c, "");
  REQUIRE(h4.ok());
  CHECK(h4->findings[0].file == "charts/mychart/templates/a.yaml");
  CHECK(h4->findings[0].line == 6);
  CHECK(h4->findings[0].column == 15);
  CHECK(h4->findings[0].message ==
        "executing \"mychart/templates/a.yaml\" at <.Values.x.y>: nil pointer evaluating interface {}.y");
  CHECK(h4->source.template_path == "templates/a.yaml");

  auto y = kv::render::parse_render_error(
      "Error: YAML parse error on mychart/templates/a.yaml: error converting YAML to JSON: yaml: line 6: bad\n", c, "");
  REQUIRE(y.ok());
  CHECK(y->findings[0].file == "charts/mychart/templates/a.yaml");
  CHECK(y->findings[0].line == 0);  // helm's line counts rendered lines, not template lines

  auto v = kv::render::parse_render_error(
      "Error: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 2: "
      "did not find expected ',' or ']'\n", c, "");
  REQUIRE(v.ok());
  CHECK(v->findings[0].file == "charts/mychart/values.yaml");
  CHECK(v->findings[0].line == 2);  // a file helm reads as it is: its own line
}

TEST_CASE("values.schema.json violations become one finding per violation") {
  auto r = kv::render::parse_render_error(
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\n"
      "mychart:\n- at '/replicas': minimum: got -1, want 1\n- at '/image/tag': got number, want string\n"
      "sub:\n- at '': missing property 'x'\n\n",
      fake_chart(), "");
  REQUIRE(r.ok());
  REQUIRE(r->findings.size() == 3);
  CHECK(r->findings[0].file == "charts/mychart/values.schema.json");
  CHECK(r->findings[0].path == "replicas");
  CHECK(r->findings[0].message.find("minimum: got -1, want 1") != std::string::npos);
  CHECK(r->findings[1].path == "image.tag");
  CHECK(r->findings[2].file == "charts/mychart/charts/sub/values.schema.json");
}

TEST_CASE("a kubeVersion mismatch points at Chart.yaml's kubeVersion line") {
  auto r = kv::render::parse_render_error(
      "Error: chart requires kubeVersion: >=1.30.0 which is incompatible with Kubernetes v1.20.0\n", fake_chart(), "");
  REQUIRE(r.ok());
  CHECK(r->findings[0].file == "charts/mychart/Chart.yaml");
  CHECK(r->findings[0].line == 6);
  CHECK(r->findings[0].rule == "helm-render/kube-version");
}

TEST_CASE("the user's bad input in helm's errors is exit 2, not a finding") {
  auto s = kv::render::parse_render_error("Error: failed parsing --set data: key \"a\" has no value\n", fake_chart(), "");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().exit_code() == 2);
  CHECK(s.status().message() == "invalid --set value: key \"a\" has no value");
  auto d = kv::render::parse_render_error(
      "Error: An error occurred while checking for chart dependencies. You may need to run `helm dependency build` "
      "to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis\n",
      fake_chart(), "");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().exit_code() == 2);
  CHECK(d.status().message().find("redis") != std::string::npos);
  CHECK(d.status().message().find("helm dependency build charts/mychart") != std::string::npos);
}

TEST_CASE("helm lint's report becomes findings on the files it names") {
  std::string out =
      "==> Linting mychart\n"
      "[INFO] Chart.yaml: icon is recommended\n"
      "[WARNING] templates/f.yaml: object name does not conform\n"
      "[ERROR] templates/: parse error at (mychart/templates/y.yaml:2): missing value for if\n"
      "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):\n"
      "mychart:\n- at '/replicas': minimum: got -1, want 1\n\n"
      "1 chart(s) linted, 1 chart(s) failed\nError: 1 chart(s) linted, 1 chart(s) failed\n";
  auto r = kv::render::parse_lint_output(out, 1, fake_chart(), "s");
  CHECK(r.kind_of_result == kv::ResultKind::kLint);
  CHECK(r.title == "helm lint");
  CHECK(r.status == kv::ObjectStatus::kInvalid);
  REQUIRE(r.findings.size() == 4);
  CHECK(r.findings[0].severity == kv::Severity::kInfo);
  CHECK(r.findings[0].file == "charts/mychart/Chart.yaml");
  CHECK(r.findings[1].severity == kv::Severity::kWarning);
  CHECK(r.findings[1].file == "charts/mychart/templates/f.yaml");
  CHECK(r.findings[2].file == "charts/mychart/templates/y.yaml");
  CHECK(r.findings[2].line == 2);
  CHECK(r.findings[3].message.find("mychart: - at '/replicas': minimum: got -1, want 1") != std::string::npos);
  CHECK(r.findings[3].message.find('\n') == std::string::npos);

  // helm names the chart's folder by its absolute path (of the folder read, or of the path given).
  auto chart = fake_chart();
  std::string absolute = std::filesystem::absolute(chart.path).lexically_normal().string();
  auto named = kv::render::parse_lint_output(
      "[ERROR] " + absolute + ": chart metadata is missing these dependencies: sub\n[WARNING] " + chart.root +
          "/templates/f.yaml: object name does not conform\n",
      1, chart, "");
  REQUIRE(named.findings.size() == 2);
  CHECK(named.findings[0].file == "charts/mychart/Chart.yaml");
  CHECK(named.findings[1].file == "charts/mychart/templates/f.yaml");

  // A values file helm could not parse: its own line (a template's N counts its output, not its lines).
  auto yaml = kv::render::parse_lint_output(
      "[ERROR] values.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 3: found character "
      "that cannot start any token\n[ERROR] templates/x.yaml: unable to parse YAML: error converting YAML to JSON: "
      "yaml: line 7: mapping values are not allowed in this context\n",
      1, chart, "");
  REQUIRE(yaml.findings.size() == 2);
  CHECK(yaml.findings[0].file == "charts/mychart/values.yaml");
  CHECK(yaml.findings[0].line == 3);
  CHECK(yaml.findings[1].line == 0);

  auto clean = kv::render::parse_lint_output("==> Linting x\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n", 0, fake_chart(), "");
  CHECK(clean.status == kv::ObjectStatus::kValid);
  auto died = kv::render::parse_lint_output("Error unable to check Chart.yaml file in chart: stat x\n", 1, fake_chart(), "");
  CHECK(died.status == kv::ObjectStatus::kInvalid);
  REQUIRE(died.findings.size() == 1);
  CHECK(died.findings[0].message == "unable to check Chart.yaml file in chart: stat x");
}
