#include "render/values_origin.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

TEST_CASE("value_origin names the values line or flag that set a key") {
  fs::path dir = fs::temp_directory_path() / "kv-values-origin-test";
  fs::create_directories(dir / "ci");
  std::ofstream(dir / "values.yaml") << "replicaCount: 1\n"       // 1
                                        "podAnnotations:\n"       // 2
                                        "  prometheus.io/port: \"9102\"\n"  // 3
                                        "resources: {}\n";        // 4
  std::ofstream(dir / "ci" / "a-values.yaml") << "resources:\n  limits:\n    memory: 12XB\n";
  std::ofstream(dir / "prod.yaml") << "replicaCount: three\n";
  kv::render::Chart chart;
  chart.path = "./c";
  chart.root = dir.string();
  kv::render::ValuesFlags none;
  CHECK(kv::render::value_origin(chart, "", none, "podAnnotations.prometheus.io/port") == "./c/values.yaml:3");
  CHECK(kv::render::value_origin(chart, "ci/a-values.yaml", none, "resources.limits.memory") ==
        "./c/ci/a-values.yaml:3");
  kv::render::ValuesFlags flags;
  flags.files = {(dir / "prod.yaml").string()};
  flags.set = {"image.tag=1.2,podAnnotations.prometheus\\.io/port=x"};
  CHECK(kv::render::value_origin(chart, "", flags, "replicaCount") == (dir / "prod.yaml").string() + ":1");
  CHECK(kv::render::value_origin(chart, "", flags, "podAnnotations.prometheus.io/port") ==
        "--set podAnnotations.prometheus\\.io/port");
  CHECK(kv::render::value_origin(chart, "", flags, "nothing.here").empty());
  fs::remove_all(dir);
}

TEST_CASE("value_origin follows list items by index") {
  fs::path dir = fs::temp_directory_path() / "kv-values-origin-list-test";
  fs::create_directories(dir);
  std::ofstream(dir / "values.yaml") << "tolerations:\n"         // 1
                                        "- key: a\n"              // 2
                                        "  operator: Exists\n"    // 3
                                        "- key: dedicated\n"      // 4
                                        "  operator: Exists\n"    // 5
                                        "  value: gpu\n"          // 6
                                        "matrix: [[1, 2], [3]]\n";  // 7
  kv::render::Chart chart;
  chart.path = "./c";
  chart.root = dir.string();
  kv::render::ValuesFlags none;
  CHECK(kv::render::value_origin(chart, "", none, "tolerations[1].value") == "./c/values.yaml:6");
  CHECK(kv::render::value_origin(chart, "", none, "tolerations[1]") == "./c/values.yaml:4");
  CHECK(kv::render::value_origin(chart, "", none, "matrix[1][0]") == "./c/values.yaml:7");
  CHECK(kv::render::value_origin(chart, "", none, "tolerations[2].value").empty());
  CHECK(kv::render::value_origin(chart, "", none, "tolerations[0].value").empty());
  fs::remove_all(dir);
}

TEST_CASE("template_value_origin: a subchart's value is set by the parent under its name, else by the subchart") {
  fs::path dir = fs::temp_directory_path() / "kv-values-origin-sub-test";
  fs::create_directories(dir / "charts" / "a" / "charts" / "b");
  std::ofstream(dir / "values.yaml") << "a:\n"             // 1
                                        "  b:\n"           // 2
                                        "    port: 70000\n";  // 3
  std::ofstream(dir / "charts" / "a" / "values.yaml") << "b:\n  mode: x\n";
  std::ofstream(dir / "charts" / "a" / "charts" / "b" / "values.yaml") << "port: 80\nmode: y\nsize: 1\n";
  kv::render::Chart chart;
  chart.path = "./p";
  chart.root = dir.string();
  kv::render::ValuesFlags none;
  const std::string tmpl = "charts/a/charts/b/templates/svc.yaml";
  CHECK(kv::render::template_value_origin(chart, "", none, tmpl, "port") == "./p/values.yaml:3");
  CHECK(kv::render::template_value_origin(chart, "", none, tmpl, "mode") == "./p/charts/a/values.yaml:2");
  CHECK(kv::render::template_value_origin(chart, "", none, tmpl, "size") == "./p/charts/a/charts/b/values.yaml:3");
  CHECK(kv::render::template_value_origin(chart, "", none, tmpl, "none").empty());
  kv::render::ValuesFlags flags;
  flags.set = {"a.b.size=2"};
  CHECK(kv::render::template_value_origin(chart, "", flags, tmpl, "size") == "--set a.b.size");
  // The parent's own template: the key as it is.
  CHECK(kv::render::template_value_origin(chart, "", none, "templates/x.yaml", "a.b.port") == "./p/values.yaml:3");
  fs::remove_all(dir);
}
