#include "engine/chart_batches.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

// A config whose `charts:` entry for the chart at "./web" sets values, a release, a namespace and the matrix.
config::Config config_for_web() {
  config::Config c;
  config::ChartConfig cc;
  cc.values = {"/cfg/base.yaml"};
  cc.set = {"replicas=2"};
  cc.release = "cfg-release";
  cc.namespace_ = "cfg-ns";
  cc.values_matrix = true;
  c.charts[config::absolute_from(std::filesystem::current_path().string(), "web")] = cc;
  return c;
}

render::Chart chart_at(const std::string& path) {
  render::Chart chart;
  chart.path = path;
  return chart;
}

}  // namespace

TEST_CASE("plan_chart: values files replace the ci/ matrix unless it is asked for") {
  ChartSettings s;
  CHECK(plan_chart(chart_at("web"), s, {}, std::nullopt).matrix == render::ValuesMatrix::kCiValues);
  s.values.files = {"prod.yaml"};
  CHECK(plan_chart(chart_at("web"), s, {}, std::nullopt).matrix == render::ValuesMatrix::kOff);
  s.values_matrix = true;
  CHECK(plan_chart(chart_at("web"), s, {}, std::nullopt).matrix == render::ValuesMatrix::kAllCi);
  s.values_matrix = false;
  s.values.files.clear();
  CHECK(plan_chart(chart_at("web"), s, {}, std::nullopt).matrix == render::ValuesMatrix::kOff);
}

TEST_CASE("plan_chart layers the command line over the config's chart entry") {
  ChartSettings s;
  s.values.files = {"flag.yaml"};
  s.values.set = {"image.tag=v2"};
  s.release = "flag-release";
  auto p = plan_chart(chart_at("web"), s, {"--release"}, config_for_web());
  CHECK(p.values.files == std::vector<std::string>{"/cfg/base.yaml", "flag.yaml"});
  CHECK(p.values.set == std::vector<std::string>{"replicas=2", "image.tag=v2"});
  CHECK(p.release == "flag-release");
  CHECK(p.namespace_ == "cfg-ns");
  CHECK(p.matrix == render::ValuesMatrix::kAllCi);

  s.values_matrix = false;
  auto given = plan_chart(chart_at("web"), s, {"-n", "--namespace"}, config_for_web());
  CHECK(given.release == "cfg-release");
  CHECK(given.namespace_.empty());
  CHECK(given.matrix == render::ValuesMatrix::kOff);

  auto other = plan_chart(chart_at("api"), ChartSettings{}, {}, config_for_web());
  CHECK(other.values.files.empty());
  CHECK(other.release.empty());
}

TEST_CASE("place_in_namespace fills the namespace of namespaced objects that name none") {
  auto resources = load(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: own}
---
apiVersion: v1
kind: Namespace
metadata: {name: c}
---
apiVersion: example.com/v1
kind: Unknown
metadata: {name: d}
)");
  place_in_namespace(resources, "team", small_discovery());
  REQUIRE(resources.size() == 4);
  CHECK(resources[0].namespace_ == "team");
  CHECK(resources[1].namespace_ == "own");
  CHECK(resources[2].namespace_.empty());
  CHECK(resources[3].namespace_.empty());
}

TEST_CASE("load_old_chart names --upgrade-from in its errors") {
  auto old = load_old_chart("/no/such/chart", chart_at("web"));
  REQUIRE_FALSE(old.ok());
  CHECK(old.status().message().rfind("--upgrade-from /no/such/chart", 0) == 0);
}
