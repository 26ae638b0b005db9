#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

namespace fs = std::filesystem;
using kv::config::parse_config;

namespace {
struct TempTree {
  fs::path root;
  TempTree() {
    char tmpl[] = "/tmp/kv-config-test-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};
}  // namespace

TEST_CASE("parse_config reads every key and makes paths absolute against the config's folder") {
  std::string text =
      "outputs: [text, junit=reports/kv.xml, 'sarif=/abs/kv.sarif']\n"
      "namespace: demo\njobs: 4\nbackend: apiserver\nwait: 2m\nfull: true\nkubeconfig: kube/config\ncontext: ctx\n"
      "warnings_as_errors: true\ndisabled_rules: [KV-RBAC-001, dry-run/deprecated-api]\n"
      "rbac: rbac/expect.yaml\n"
      "charts:\n  charts/web:\n    values: [charts/web/ci/a.yaml]\n    values_matrix: yes\n"
      "    release: web\n    namespace: webns\n    set: {image.tag: '1.2', replicas: 3}\n";
  auto cfg = parse_config(text, "/proj/.kvalidate.yaml");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().message());
  CHECK(cfg->dir == "/proj");
  CHECK(*cfg->outputs == std::vector<std::string>{"text", "junit=/proj/reports/kv.xml", "sarif=/abs/kv.sarif"});
  CHECK(*cfg->namespace_ == "demo");
  CHECK(*cfg->jobs == 4);
  CHECK(*cfg->backend == "apiserver");
  CHECK(*cfg->wait == "2m");
  CHECK(*cfg->full == true);
  CHECK(*cfg->kubeconfig == "/proj/kube/config");
  CHECK(*cfg->context == "ctx");
  CHECK(*cfg->warnings_as_errors == true);
  CHECK(cfg->disabled_rules->size() == 2);
  CHECK(cfg->rbac_file == "/proj/rbac/expect.yaml");
  REQUIRE(cfg->charts.count("/proj/charts/web") == 1);
  const auto& web = cfg->charts.at("/proj/charts/web");
  CHECK(web.values == std::vector<std::string>{"/proj/charts/web/ci/a.yaml"});
  CHECK(web.values_matrix == true);
  CHECK(web.release == "web");
  CHECK(web.namespace_ == "webns");
  CHECK(web.set == std::vector<std::string>{"image.tag=1.2", "replicas=3"});
  CHECK(!cfg->expectations);
}

TEST_CASE("parse_config: an empty file sets nothing") {
  auto cfg = parse_config("# nothing yet\n", "/p/.kvalidate.yaml");
  REQUIRE(cfg.ok());
  CHECK(!cfg->outputs);
  CHECK(!cfg->jobs);
  CHECK(cfg->charts.empty());
}

TEST_CASE("parse_config: unknown keys at any level name the key, the file and the line") {
  auto top = parse_config("namespace: a\noutput: [json]\n", "x/.kvalidate.yaml");
  REQUIRE(!top.ok());
  CHECK(top.status().exit_code() == 2);
  CHECK(top.status().message().find("x/.kvalidate.yaml:2: unknown key \"output\"") == 0);
  auto chart = parse_config("charts:\n  web:\n    release: r\n    valuess: [a]\n", "c.yaml");
  REQUIRE(!chart.ok());
  CHECK(chart.status().message().find("c.yaml:4: unknown key \"valuess\" in charts: web") == 0);
  auto exp = parse_config("expectations:\n  - as: alice\n    allow: [get pods]\n    bogus: 1\n", "e.yaml");
  REQUIRE(!exp.ok());
  CHECK(exp.status().message().find("e.yaml:4:") == 0);
  CHECK(exp.status().message().find("bogus") != std::string::npos);
}

TEST_CASE("parse_config rejects wrong types and values with the line") {
  struct Case { const char* text; const char* expect; };
  for (const Case& c : {Case{"jobs: many\n", "t.yaml:1: \"jobs\" must be a number"},
                        Case{"jobs: 0\n", "t.yaml:1: \"jobs\" must be a number"},
                        Case{"\nbackend: docker\n", "t.yaml:2: backend \"docker\""},
                        Case{"wait: soon\n", "t.yaml:1: wait \"soon\" is not a duration"},
                        Case{"warnings_as_errors: maybe\n", "t.yaml:1: \"warnings_as_errors\" must be true or false"},
                        Case{"\nfull: [yes]\n", "t.yaml:2: \"full\" must be true or false"},
                        Case{"outputs: [xml]\n", "t.yaml:1: outputs: -o xml: unknown format"},
                        Case{"disabled_rules: {a: b}\n", "t.yaml:1: \"disabled_rules\" must be a list"},
                        Case{"namespace: a\nnamespace: b\n", "t.yaml:2: duplicate key \"namespace\""},
                        Case{"charts: [a]\n", "t.yaml:1: \"charts\" must be a map"},
                        Case{"charts:\n  web:\n    set: {image: {tag: x}}\n", "t.yaml:3: set: \"image\" must be a plain"},
                        Case{"- a\n", "t.yaml:1: the config must be a map"},
                        Case{"a: [b\n", "t.yaml:2: invalid YAML"}}) {
    auto cfg = parse_config(c.text, "t.yaml");
    REQUIRE_MESSAGE(!cfg.ok(), c.text);
    CHECK_MESSAGE(cfg.status().message().find(c.expect) == 0, cfg.status().message());
    CHECK(cfg.status().exit_code() == 2);
  }
}

TEST_CASE("parse_config: inline expectations, and not together with an rbac file") {
  auto cfg = parse_config("expectations:\n  - as: system:serviceaccount:demo:app\n    allow: [list pods]\n"
                          "    deny: [delete pods]\n",
                          "/p/.kvalidate.yaml");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().message());
  REQUIRE(cfg->expectations);
  REQUIRE(cfg->expectations->size() == 2);
  CHECK((*cfg->expectations)[0].allow);
  CHECK((*cfg->expectations)[0].line == 3);
  CHECK(!(*cfg->expectations)[1].allow);
  auto both = parse_config("rbac: r.yaml\nexpectations: []\n", "b.yaml");
  REQUIRE(!both.ok());
  CHECK(both.status().message().find("either") != std::string::npos);
}

TEST_CASE("find_and_load_config looks upward from the start folder, or takes --config") {
  TempTree t;
  t.write("proj/.kvalidate.yaml", "namespace: upper\n");
  t.write("proj/sub/deeper/file.txt", "");
  t.write("other/my.yaml", "namespace: explicit\n");
  auto found = kv::config::find_and_load_config("", (t.root / "proj/sub/deeper").string());
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(*(*found)->namespace_ == "upper");
  CHECK((*found)->dir == (t.root / "proj").string());

  auto none = kv::config::find_and_load_config("", (t.root / "other").string());
  REQUIRE(none.ok());
  // Nothing in other/ or its ancestors under /tmp (a stray /tmp/.kvalidate.yaml would be found).
  CHECK(none->has_value() == fs::exists("/tmp/.kvalidate.yaml"));

  auto expl = kv::config::find_and_load_config((t.root / "other/my.yaml").string(), t.root.string());
  REQUIRE(expl.ok());
  CHECK(*(*expl)->namespace_ == "explicit");

  auto missing = kv::config::find_and_load_config((t.root / "nope.yaml").string(), t.root.string());
  REQUIRE(!missing.ok());
  CHECK(missing.status().message().find("nope.yaml: cannot read") != std::string::npos);
}

TEST_CASE("chart_config matches the chart path however it is written") {
  auto cfg = parse_config("charts:\n  ./charts/web/:\n    release: r\n", "/p/.kvalidate.yaml");
  REQUIRE(cfg.ok());
  CHECK(kv::config::chart_config(*cfg, "/p/charts/web") != nullptr);
  CHECK(kv::config::chart_config(*cfg, "/p/charts/web/") != nullptr);
  CHECK(kv::config::chart_config(*cfg, "/p/charts/../charts/web") != nullptr);
  CHECK(kv::config::chart_config(*cfg, "/p/charts/api") == nullptr);
}
