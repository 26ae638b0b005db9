#include "render/subchart_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "render/chart.h"
#include "render/template_lines.h"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

}  // namespace

TEST_CASE("subchart_file: helm's subchart names lead to the folder, the alias's chart, or the archive") {
  fs::path dir = fs::temp_directory_path() / "kv-subchart-files-test";
  fs::remove_all(dir);
  write(dir / "Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n"
                            "  - {name: postgresql, version: 1.0.0, alias: db}\n  - {name: cache, version: 2.0.0}\n"
                            "  - {name: common, version: 1.0.0}\n");
  // A folder of another name than its chart's, holding a subchart of its own.
  write(dir / "charts" / "pg" / "Chart.yaml", "apiVersion: v2\nname: postgresql\nversion: 1.0.0\n");
  write(dir / "charts" / "pg" / "templates" / "sts.yaml", "kind: StatefulSet\n");
  write(dir / "charts" / "pg" / "charts" / "metrics" / "Chart.yaml", "apiVersion: v2\nname: metrics\nversion: 1.0.0\n");
  write(dir / "charts" / "pg" / "charts" / "metrics" / "templates" / "svc.yaml", "kind: Service\n");
  // An archive as `helm dependency build` leaves it.
  write(dir / "pack" / "cache" / "Chart.yaml", "apiVersion: v2\nname: cache\nversion: 2.0.0\n");
  write(dir / "pack" / "cache" / "templates" / "deploy.yaml", "kind: Deployment\n");
  fs::create_directories(dir / "charts");
  std::string tar = "tar -czf '" + (dir / "charts" / "cache-2.0.0.tgz").string() + "' -C '" + (dir / "pack").string() + "' cache";
  REQUIRE(std::system(tar.c_str()) == 0);
  const std::string root = dir.string();

  auto sts = kv::render::subchart_file(root, "charts/db/templates/sts.yaml");
  REQUIRE(sts);
  CHECK(sts->shown == "charts/pg/templates/sts.yaml");
  CHECK(sts->read == (dir / "charts" / "pg" / "templates" / "sts.yaml").string());
  auto nested = kv::render::subchart_file(root, "charts/db/charts/metrics/templates/svc.yaml");
  REQUIRE(nested);
  CHECK(nested->shown == "charts/pg/charts/metrics/templates/svc.yaml");
  auto packed = kv::render::subchart_file(root, "charts/cache/templates/deploy.yaml");
  REQUIRE(packed);
  CHECK(packed->shown == "charts/cache-2.0.0.tgz/templates/deploy.yaml");
  std::ifstream in(packed->read);
  std::string first;
  std::getline(in, first);
  CHECK(first == "kind: Deployment");
  CHECK_FALSE(kv::render::subchart_file(root, "charts/common/templates/x.yaml"));  // not present
  CHECK_FALSE(kv::render::subchart_file(root, "charts/db/templates/missing.yaml"));
  CHECK_FALSE(kv::render::subchart_file(root, "templates/x.yaml"));

  // Reports show the file that is there, and its lines are read from it.
  kv::render::Chart chart;
  chart.path = "./app";
  chart.root = root;
  CHECK(kv::render::shown_template_path(chart, "charts/cache/templates/deploy.yaml") ==
        "charts/cache-2.0.0.tgz/templates/deploy.yaml");
  kv::SourceRef src{"./app/charts/cache-2.0.0.tgz/templates/deploy.yaml", 1, 1, 0,
                    "charts/cache-2.0.0.tgz/templates/deploy.yaml", "./app"};
  CHECK(kv::render::template_source_path(src) == packed->read);
  CHECK(kv::render::helm_template_path(src) == "charts/cache/templates/deploy.yaml");
  CHECK(kv::render::shown_template_path(chart, "templates/x.yaml") == "templates/x.yaml");
  fs::remove_all(dir);
}
