#include "config/hook_paths.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

namespace {
// Runs in a temporary tree and restores the working directory afterwards.
struct InTempTree {
  fs::path root, old;
  InTempTree() {
    char tmpl[] = "/tmp/kv-hook-test-XXXXXX";
    root = mkdtemp(tmpl);
    old = fs::current_path();
    fs::current_path(root);
  }
  ~InTempTree() {
    fs::current_path(old);
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& rel) const {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << "x: 1\n";
  }
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
  CHECK(kv::config::chart_roots_for({(t.root / "lone/charts/x/values.yaml").string()}) ==
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
