#include "config/hook_paths.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

namespace fs = std::filesystem;

namespace {
// Runs in a temporary tree and restores the working directory afterwards.
struct InTempTree : kv::core::testing::TempDir {
  fs::path old = fs::current_path();
  InTempTree() : TempDir("hook-test") { fs::current_path(path); }
  ~InTempTree() { fs::current_path(old); }
  void write(const std::string& rel, const std::string& text = "x: 1\n") const { TempDir::write(rel, text); }
};
}  // namespace

TEST_CASE("chart_roots_for maps each file to its chart once and ignores files outside charts") {
  InTempTree t;
  for (const char* f : {"charts/web/Chart.yaml", "charts/web/values.yaml", "charts/web/templates/deploy.yaml",
                        "charts/web/templates/_helpers.tpl", "charts/web/ci/a-values.yaml",
                        "charts/web/charts/sub/Chart.yaml", "charts/web/charts/sub/templates/cm.yaml",
                        "charts/api/Chart.yaml", "charts/api/templates/svc.yaml", "deploy/plain.yaml",
                        "charts/README.md", ".github/workflows/ci.yaml"})
    t.write(f);
  auto roots = kv::config::chart_roots_for({"charts/web/templates/deploy.yaml", "charts/web/values.yaml",
                                            "./charts/web/Chart.yaml", "charts/web/templates/_helpers.tpl",
                                            "charts/web/ci/a-values.yaml", "deploy/plain.yaml", "charts/README.md",
                                            ".github/workflows/ci.yaml", "charts/api/templates/svc.yaml"});
  CHECK(roots == std::vector<std::string>{"charts/api", "charts/web"});
}

TEST_CASE("chart_roots_for: a subchart's file maps to the parent chart; absolute paths work") {
  InTempTree t;
  t.write("web/Chart.yaml");
  t.write("web/charts/sub/Chart.yaml");
  t.write("web/charts/sub/templates/cm.yaml");
  t.write("lone/charts/x/Chart.yaml");  // charts/ folder but no parent chart: x is its own chart
  t.write("lone/charts/x/values.yaml");
  CHECK(kv::config::chart_roots_for({"web/charts/sub/templates/cm.yaml"}) == std::vector<std::string>{"web"});
  CHECK(kv::config::chart_roots_for({(t.root() / "lone/charts/x/values.yaml").string()}) ==
        std::vector<std::string>{"lone/charts/x"});
  CHECK(kv::config::chart_roots_for({"no/such/dir/file.yaml"}).empty());
  CHECK(kv::config::chart_roots_for({}).empty());
}

TEST_CASE("chart_roots_for: the working directory itself can be the chart") {
  InTempTree t;
  t.write("Chart.yaml");
  t.write("templates/a.yaml");
  CHECK(kv::config::chart_roots_for({"templates/a.yaml", "Chart.yaml"}) == std::vector<std::string>{"."});
}

TEST_CASE("kustomization_roots_for climbs from a changed file to the overlays that build it") {
  InTempTree t;
  t.write("app/base/kustomization.yaml", "resources: [deployment.yaml, service.yaml]\n");
  t.write("app/base/deployment.yaml");
  t.write("app/base/service.yaml");
  t.write("app/base/unused.yaml");
  t.write("app/components/tls/kustomization.yaml", "kind: Component\npatches:\n  - path: tls.yaml\n");
  t.write("app/components/tls/tls.yaml");
  t.write("app/overlays/prod/kustomization.yaml",
          "resources: [../../base]\ncomponents: [../../components/tls]\npatches:\n  - path: replicas.yaml\n"
          "configMapGenerator:\n  - name: cfg\n    files: [app.properties, extra=extra.txt]\n");
  t.write("app/overlays/prod/replicas.yaml");
  t.write("app/overlays/prod/app.properties");
  t.write("app/overlays/prod/extra.txt");
  t.write("app/overlays/dev/kustomization.yaml", "resources:\n  - ../../base\n  - https://example.invalid/x.yaml\n");
  t.write("other/kustomization.yaml", "resources: [cm.yaml]\n");
  t.write("other/cm.yaml");
  t.write(".hidden/kustomization.yaml", "resources: [../app/base]\n");
  using V = std::vector<std::string>;
  // The base feeds both overlays (a folder whose name starts with '.' is not looked into).
  CHECK(kv::config::kustomization_roots_for({"app/base/deployment.yaml"}) == V{"app/overlays/dev", "app/overlays/prod"});
  CHECK(kv::config::kustomization_roots_for({"app/base/kustomization.yaml"}) == V{"app/overlays/dev", "app/overlays/prod"});
  // A patch, a component's patch, generator files (KEY=FILE too): only the overlay that uses them.
  for (const char* f : {"app/overlays/prod/replicas.yaml", "app/components/tls/tls.yaml",
                        "app/overlays/prod/app.properties", "app/overlays/prod/extra.txt"})
    CHECK_MESSAGE(kv::config::kustomization_roots_for({f}) == V{"app/overlays/prod"}, f);
  CHECK(kv::config::kustomization_roots_for({"other/cm.yaml", "./app/overlays/dev/kustomization.yaml"}) ==
        V{"app/overlays/dev", "other"});
  // Files no kustomization names.
  CHECK(kv::config::kustomization_roots_for({"app/base/unused.yaml", "README.md", "no/such.yaml"}).empty());
  CHECK(kv::config::kustomization_roots_for({(t.root() / "other/cm.yaml").string()}) == V{"other"});
}

TEST_CASE("kustomization_roots_for: the working directory itself can be the kustomization") {
  InTempTree t;
  t.write("kustomization.yaml", "resources: [cm.yaml]\n");
  t.write("cm.yaml");
  CHECK(kv::config::kustomization_roots_for({"cm.yaml"}) == std::vector<std::string>{"."});
}
