#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

namespace fs = std::filesystem;
using kv::config::parse_config;

namespace {
struct TempTree : kv::core::testing::TempDir {
  TempTree() : TempDir("config-test") {}
};
}  // namespace

TEST_CASE("parse_config reads every key and makes paths absolute against the config's folder") {
  std::string text =
      "outputs: [text, junit=reports/kv.xml, 'sarif=/proj/out/kv.sarif']\n"
      "namespace: demo\njobs: 4\nbackend: apiserver\nwait: 2m\nfull: true\n"
      "warnings_as_errors: true\ndisabled_rules: [KV-RBAC-001, dry-run/deprecated-api]\n"
      "rbac: rbac/expect.yaml\n"
      "risk_rules: error\nfail_on: warning\nrule_severity: {KV-RBAC-007: error, KV-RBAC-003: 'off'}\n"
      "crds: [deps/crds, crds/cm.yaml]\n"
      "charts:\n  charts/web:\n    values: [charts/web/ci/a.yaml]\n    values_matrix: yes\n"
      "    release: web\n    namespace: webns\n    set: {image.tag: '1.2', replicas: 3}\n";
  auto cfg = parse_config(text, "/proj/.kvalidate.yaml");
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().message());
  CHECK(cfg->dir == "/proj");
  CHECK(*cfg->outputs == std::vector<std::string>{"text", "junit=/proj/reports/kv.xml", "sarif=/proj/out/kv.sarif"});
  CHECK(*cfg->namespace_ == "demo");
  CHECK(*cfg->jobs == 4);
  CHECK(*cfg->backend == "apiserver");
  CHECK(*cfg->wait == "2m");
  CHECK(*cfg->full == true);
  CHECK(*cfg->warnings_as_errors == true);
  CHECK(cfg->disabled_rules->size() == 2);
  CHECK(cfg->rbac_file == "/proj/rbac/expect.yaml");
  CHECK(*cfg->risk_rules == "error");
  CHECK(*cfg->fail_on == "warning");
  CHECK(cfg->rule_severity == std::map<std::string, std::string>{{"KV-RBAC-003", "off"}, {"KV-RBAC-007", "error"}});
  CHECK(*cfg->crds == std::vector<std::string>{"/proj/deps/crds", "/proj/crds/cm.yaml"});
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
                        Case{"a: [b\n", "t.yaml:2:1: invalid YAML"}}) {
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
  auto found = kv::config::find_and_load_config("", (t.root() / "proj/sub/deeper").string());
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(*(*found)->namespace_ == "upper");
  CHECK((*found)->dir == (t.root() / "proj").string());

  auto none = kv::config::find_and_load_config("", (t.root() / "other").string());
  REQUIRE(none.ok());
  // Nothing in other/ or its ancestors under /tmp (a stray /tmp/.kvalidate.yaml would be found).
  CHECK(none->has_value() == fs::exists("/tmp/.kvalidate.yaml"));

  auto expl = kv::config::find_and_load_config((t.root() / "other/my.yaml").string(), t.path);
  REQUIRE(expl.ok());
  CHECK(*(*expl)->namespace_ == "explicit");

  auto missing = kv::config::find_and_load_config((t.root() / "nope.yaml").string(), t.path);
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

TEST_CASE("parse_config: helm is a major (3 or 4), never a program the repository chooses") {
  for (const char* major : {"3", "4"}) {
    auto cfg = parse_config(std::string("helm: ") + major + "\n", "/p/.kvalidate.yaml");
    REQUIRE_MESSAGE(cfg.ok(), cfg.status().message());
    CHECK(cfg->helm == major);
  }
  auto none = parse_config("namespace: a\n", "/p/.kvalidate.yaml");
  REQUIRE(none.ok());
  CHECK(none->helm.empty());
  for (const char* text : {"helm: tools/helm\n", "helm: /usr/bin/helm\n", "helm: helm3\n"}) {
    auto cfg = parse_config(text, "/p/.kvalidate.yaml");
    REQUIRE_MESSAGE(!cfg.ok(), text);
    CHECK(cfg.status().exit_code() == 2);
    CHECK(cfg.status().message().find("must be 3 or 4") != std::string::npos);
  }
  auto bad = parse_config("helm: [3]\n", "t.yaml");
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("t.yaml:1: \"helm\" must be a non-empty string") == 0);
}

TEST_CASE("a config may not pick the cluster or credentials, nor name files outside its folder tree") {
  for (const char* key : {"kubeconfig: kube/config\n", "context: prod\n"}) {
    auto cfg = parse_config(std::string("jobs: 2\n") + key, "/proj/.kvalidate.yaml");
    REQUIRE(!cfg.ok());
    CHECK(cfg.status().exit_code() == 2);
    CHECK(cfg.status().message().find("/proj/.kvalidate.yaml:2:") == 0);
    CHECK(cfg.status().message().find("not allowed in a config file") != std::string::npos);
  }
  for (const char* text : {"outputs: [json=../out.json]\n", "outputs: ['junit=/etc/kv.xml']\n", "rbac: /etc/passwd\n", "crds: [/abs/cm.yaml]\n",
                           "charts:\n  web:\n    values: [../../home/u/.kube/config]\n"}) {
    auto cfg = parse_config(text, "/proj/sub/.kvalidate.yaml");
    REQUIRE_MESSAGE(!cfg.ok(), text);
    CHECK(cfg.status().message().find("is outside /proj/sub") != std::string::npos);
  }
  CHECK(parse_config("outputs: [json=reports/../kv.json]\n", "/proj/.kvalidate.yaml").ok());
}

TEST_CASE("parse_config: risk_rules, fail_on and rule_severity take only their words") {
  auto bad = parse_config("risk_rules: loud\n", "/p/.kvalidate.yaml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "/p/.kvalidate.yaml:1: \"risk_rules\" must be one of off, warn, error");
  auto sev = parse_config("rule_severity:\n  KV-RBAC-001: fatal\n", "/p/.kvalidate.yaml");
  REQUIRE_FALSE(sev.ok());
  CHECK(sev.status().message().find(":2: \"rule_severity: KV-RBAC-001\" must be one of off, info, warning, error") !=
        std::string::npos);
  CHECK_FALSE(parse_config("fail_on: [error]\n", "/p/.kvalidate.yaml").ok());
}

TEST_CASE("policies stay inside the config's folder; pod_security is LEVEL[:VERSION]") {
  TempTree t;
  t.write("proj/policies/max.yaml", "");
  t.write("outside/p.yaml", "");
  fs::create_directory_symlink(t.root() / "outside", t.root() / "proj/escape");
  std::string cfg_file = (t.root() / "proj/.kvalidate.yaml").string();

  auto ok = parse_config("policies: [policies, ./policies/max.yaml]\npod_security: restricted:v1.30\n", cfg_file);
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(*ok->policies == std::vector<std::string>{(t.root() / "proj/policies").string(),
                                                  (t.root() / "proj/policies/max.yaml").string()});
  CHECK(*ok->pod_security == "restricted:v1.30");
  auto one = parse_config("policies: policies\n", cfg_file);
  REQUIRE(one.ok());
  CHECK(one->policies->size() == 1);

  for (const char* bad : {"policies: ../outside\n", "policies: [policies, /etc]\n", "policies: escape/p.yaml\n"}) {
    CAPTURE(bad);
    auto r = parse_config(bad, cfg_file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().exit_code() == 2);
    CHECK(r.status().message().find("is outside the folder of this config") != std::string::npos);
  }
  auto level = parse_config("\npod_security: strict\n", cfg_file);
  REQUIRE_FALSE(level.ok());
  CHECK(level.status().message().find(".kvalidate.yaml:2: pod_security: \"strict\" is not LEVEL[:VERSION]") !=
        std::string::npos);
}
