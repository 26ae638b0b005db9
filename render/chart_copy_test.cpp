#include "render/chart_copy.h"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/files.h"
#include "core/temp_dir_test_support.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

kv::ObjectResult failure_at(const std::string& template_path, const std::string& rule = "helm-render") {
  kv::ObjectResult r;
  r.source.template_path = template_path;
  kv::Finding f;
  f.rule = rule;
  r.findings.push_back(f);
  return r;
}

kv::render::Chart chart_at(const fs::path& root) {
  kv::render::Chart chart;
  chart.path = root.string();
  chart.root = root.string();
  return chart;
}

}  // namespace

TEST_CASE("a chart copy holds the chart's files and links, and empties a template without touching the chart") {
  kv::core::testing::TempDir dir("chart-copy");
  REQUIRE_FALSE(dir.path.empty());
  const fs::path root = fs::path(dir.path) / "mychart";
  write(root / "Chart.yaml", "apiVersion: v2\nname: mychart\nversion: 0.1.0\n");
  write(root / "templates/a.yaml", "a: {{ .Values.a }}\n");
  write(root / "files/shared.txt", "shared\n");
  fs::create_symlink("../files/shared.txt", root / "templates/linked.txt");
  const auto chart = chart_at(root);

  std::string copied;
  {
    auto copy = kv::render::ChartCopy::make(chart);
    REQUIRE(copy.ok());
    copied = copy->path();
    CHECK(fs::path(copied).filename() == "mychart");
    CHECK(*kv::read_file(copied + "/Chart.yaml") == "apiVersion: v2\nname: mychart\nversion: 0.1.0\n");
    CHECK(*kv::read_file(copied + "/templates/linked.txt") == "shared\n");  // the link still leads there
    REQUIRE(copy->empty_file("templates/a.yaml").ok());
    CHECK(*kv::read_file(copied + "/templates/a.yaml") == "");
    CHECK(*kv::read_file((root / "templates/a.yaml").string()) == "a: {{ .Values.a }}\n");
    // Emptying a link empties the copy's file, not what it leads to.
    REQUIRE(copy->empty_file("templates/linked.txt").ok());
    CHECK(*kv::read_file((root / "files/shared.txt").string()) == "shared\n");
  }
  CHECK_FALSE(fs::exists(copied));  // gone with the last copy
  // What helm said of a copy (this one's, or an earlier run's from the render cache) names the chart.
  std::string said = "found symbolic link path=" + copied + "/templates/linked.txt resolved=/x";
  kv::render::name_copies_as_chart(said, chart_at(root));
  CHECK(said == "found symbolic link path=" + root.string() + "/templates/linked.txt resolved=/x");
}

TEST_CASE("a chart copy never empties a file through a linked folder: that file is the chart's") {
  kv::core::testing::TempDir dir("chart-copy");
  REQUIRE_FALSE(dir.path.empty());
  const fs::path root = fs::path(dir.path) / "mychart";
  write(root / "Chart.yaml", "apiVersion: v2\nname: mychart\nversion: 0.1.0\n");
  write(root / "real/a.yaml", "a: 1\n");
  fs::create_directory_symlink("real", root / "templates");
  auto copy = kv::render::ChartCopy::make(chart_at(root));
  REQUIRE(copy.ok());
  CHECK(*kv::read_file(copy->path() + "/templates/a.yaml") == "a: 1\n");
  CHECK_FALSE(copy->empty_file("templates/a.yaml").ok());
  CHECK(*kv::read_file((root / "real/a.yaml").string()) == "a: 1\n");
  CHECK(copy->empty_file("real/a.yaml").ok());  // the copy's own folder
  CHECK(*kv::read_file((root / "real/a.yaml").string()) == "a: 1\n");
}

TEST_CASE("only a template of the chart or of a subchart folder is emptied, never a partial") {
  kv::core::testing::TempDir dir("chart-copy");
  REQUIRE_FALSE(dir.path.empty());
  const fs::path root = fs::path(dir.path) / "mychart";
  write(root / "templates/a.yaml", "x\n");
  write(root / "templates/_helpers.tpl", "x\n");
  write(root / "charts/db/templates/s.yaml", "x\n");
  write(root / "values.yaml", "x\n");
  write(root / "templates/defines.yaml", "{{- define \"name\" -}}x{{- end -}}\nkind: {{ fail \"no\" }}\n");
  write(root / "templates/blocks.yaml", "{{ block \"b\" . }}x{{ end }}\n");
  const auto chart = chart_at(root);
  using kv::render::template_to_empty;
  CHECK(template_to_empty(failure_at("templates/a.yaml"), chart) == "templates/a.yaml");
  CHECK(template_to_empty(failure_at("charts/db/templates/s.yaml"), chart) == "charts/db/templates/s.yaml");
  CHECK(template_to_empty(failure_at("templates/_helpers.tpl"), chart) == "");          // others include it
  CHECK(template_to_empty(failure_at("templates/defines.yaml"), chart) == "");         // so they may this one
  CHECK(template_to_empty(failure_at("templates/blocks.yaml"), chart) == "");
  CHECK(template_to_empty(failure_at("values.yaml"), chart) == "");                     // not a template
  CHECK(template_to_empty(failure_at("charts/db-0.1.0.tgz/templates/s.yaml"), chart) == "");  // in an archive
  CHECK(template_to_empty(failure_at("templates/gone.yaml"), chart) == "");
  CHECK(template_to_empty(failure_at("templates/../templates/a.yaml"), chart) == "");
  CHECK(template_to_empty(failure_at(""), chart) == "");
  CHECK(template_to_empty(failure_at("templates/a.yaml", "helm-render/values-schema"), chart) == "");
}
