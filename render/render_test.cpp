#include "render/render.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "render/helm_output.h"
#include "render/template_lines.h"

namespace fs = std::filesystem;

namespace {
const std::string kCharts = std::string(KV_SOURCE_DIR) + "/fixtures/charts";

// The real helm of each major that is built (Helm 4, then Helm 3); a missing one is skipped, saying why.
std::vector<kv::render::Helm> real_helms() {
  std::vector<kv::render::Helm> out;
  for (const char* major : {"4", "3"}) {
    auto helm = kv::render::find_helm({major, "", ""});
    if (helm.ok()) out.push_back(*helm);
    else MESSAGE("skipped for Helm " << major << ": " << helm.status().message());
  }
  return out;
}

kv::render::Chart chart(const std::string& name) {
  auto c = kv::render::load_chart(kCharts + "/" + name);
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  return *c;
}

const kv::Resource* find(const kv::render::Rendered& r, const std::string& kind) {
  for (const auto& res : r.resources)
    if (res.kind == kind) return &res;
  return nullptr;
}
}  // namespace

TEST_CASE("helm is found and its major version detected") {
  CHECK(kv::render::helm_major_version("v3.22.0") == 3);
  CHECK(kv::render::helm_major_version("v4.0.1+gabc") == 4);
  CHECK(kv::render::helm_major_version("garbage") == 0);
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    CHECK(helm->major >= 3);
    CHECK(helm->version.rfind("v" + std::to_string(helm->major) + ".", 0) == 0);
  }
}

TEST_CASE("no helm anywhere is exit 3 saying how to get one") {
  std::string saved_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  std::string saved_xdg = xdg ? xdg : "";
  const char* env = std::getenv("KVALIDATE_HELM");
  std::string saved_env = env ? env : "";
  setenv("PATH", "/nonexistent", 1);
  setenv("XDG_CACHE_HOME", "/nonexistent", 1);
  unsetenv("KVALIDATE_HELM");
  auto helm = kv::render::find_helm();
  setenv("PATH", saved_path.c_str(), 1);
  if (xdg) setenv("XDG_CACHE_HOME", saved_xdg.c_str(), 1); else unsetenv("XDG_CACHE_HOME");
  if (env) setenv("KVALIDATE_HELM", saved_env.c_str(), 1);
  REQUIRE_FALSE(helm.ok());
  CHECK(helm.status().exit_code() == 3);
  CHECK(helm.status().message().find("tools/go/build.sh helm") != std::string::npos);
  CHECK(helm.status().message().find("KVALIDATE_HELM") != std::string::npos);
}

TEST_CASE("helm-create's chart renders with its template paths, and fields map to template lines") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    auto webapp = chart("webapp");
    kv::render::RenderRequest req;
    req.kube_version = "v1.37.2";
    req.suite = "s";
    auto out = kv::render::render_chart(*helm, webapp, req);
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK_FALSE(out->failed());
    REQUIRE(out->resources.size() == 4);  // ServiceAccount, Service, Deployment, the test Pod
    const kv::Resource* deploy = find(*out, "Deployment");
    REQUIRE(deploy);
    CHECK(deploy->api_version == "apps/v1");
    CHECK(deploy->name == "webapp");
    CHECK(deploy->source.chart == kCharts + "/webapp");
    CHECK(deploy->source.template_path == "templates/deployment.yaml");
    CHECK(deploy->source.file == kCharts + "/webapp/templates/deployment.yaml");
    CHECK(deploy->source.line == 1);
    CHECK(deploy->body.find("kind: Deployment") != std::string::npos);
    CHECK(kv::render::template_line_for(deploy->source, "spec.template.spec.containers[0].imagePullPolicy") == 42);
    CHECK(find(*out, "Pod")->source.template_path == "templates/tests/test-connection.yaml");

    req.skip_tests = true;
    req.release = "rel";
    req.namespace_ = "demo";
    req.values.set = {"image.pullPolicy=Sometimes"};
    auto skipped = kv::render::render_chart(*helm, webapp, req);
    REQUIRE(skipped.ok());
    REQUIRE(skipped->resources.size() == 3);
    deploy = find(*skipped, "Deployment");
    REQUIRE(deploy);
    CHECK(deploy->name == "rel-webapp");
    CHECK(deploy->object["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"].as<std::string>() == "Sometimes");
  }
}

TEST_CASE("CRDs from crds/ come first, then the custom resources") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    auto out = kv::render::render_chart(*helm, chart("with-crd"), {});
    REQUIRE(out.ok());
    REQUIRE(out->resources.size() == 2);
    CHECK(out->resources[0].kind == "CustomResourceDefinition");
    CHECK(out->resources[0].source.template_path == "crds/widgets.yaml");
    CHECK(out->resources[1].kind == "Widget");
    CHECK(out->resources[1].name == "with-crd-widget");
  }
}

TEST_CASE("a required value that is missing is a render finding with helm's message and the template line") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    kv::render::RenderRequest req;
    req.suite = "req";
    auto out = kv::render::render_chart(*helm, chart("required-value"), req);
    REQUIRE(out.ok());
    CHECK(out->resources.empty());
    REQUIRE(out->problems.size() == 1);
    const auto& r = out->problems[0];
    CHECK(r.kind_of_result == kv::ResultKind::kRender);
    CHECK(r.status == kv::ObjectStatus::kInvalid);
    CHECK(r.suite == "req");
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].file == kCharts + "/required-value/templates/configmap.yaml");
    CHECK(r.findings[0].line == 7);
    CHECK(r.findings[0].message == "database.host is required");

    req.values.set = {"database.host=db.local"};
    auto fixed = kv::render::render_chart(*helm, chart("required-value"), req);
    REQUIRE(fixed.ok());
    CHECK(fixed->problems.empty());
    CHECK(fixed->resources.size() == 1);
  }
}

TEST_CASE("--kube-version and --api-versions reach .Capabilities") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    auto kv_chart = chart("kube-version");
    kv::render::RenderRequest req;
    req.kube_version = "v1.20.0";
    auto old = kv::render::render_chart(*helm, kv_chart, req);
    REQUIRE(old.ok());
    REQUIRE(old->problems.size() == 1);
    CHECK(old->problems[0].findings[0].rule == "helm-render/kube-version");
    CHECK(old->problems[0].findings[0].file == kCharts + "/kube-version/Chart.yaml");
    CHECK(old->problems[0].findings[0].line == 6);

    req.kube_version = "v1.37.2";
    kv::kube::ApiResource deploy{"apps", "v1", "Deployment", "deployments", true, {}, {}, {}};
    kv::kube::ApiResource cm{"", "v1", "ConfigMap", "configmaps", true, {}, {}, {}};
    req.api_versions = kv::render::helm_api_versions({deploy, cm, deploy});
    CHECK(req.api_versions == std::vector<std::string>{"apps/v1", "apps/v1/Deployment", "v1", "v1/ConfigMap"});
    auto now = kv::render::render_chart(*helm, kv_chart, req);
    REQUIRE(now.ok());
    REQUIRE(now->resources.size() == 1);
    CHECK(now->resources[0].object["data"]["kubeVersion"].as<std::string>() == "v1.37.2");
    CHECK(now->resources[0].object["data"]["hasDeployments"].as<std::string>() == "true");
    req.api_versions.clear();
    auto without = kv::render::render_chart(*helm, kv_chart, req);
    REQUIRE(without.ok());
    CHECK_FALSE(without->resources[0].object["data"]["hasDeployments"]);
  }
}

TEST_CASE("the user's bad values are exit 2; the matrix run's values file is applied") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    auto matrix = chart("matrix");
    kv::render::RenderRequest req;
    req.values.set = {"a[x]=1"};  // both majors refuse it (Helm 4 takes "a[=1" as a plain key)
    auto bad = kv::render::render_chart(*helm, matrix, req);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().exit_code() == 2);
    CHECK(bad.status().message().rfind("invalid --set value: ", 0) == 0);

    req.values.set.clear();
    auto runs = kv::render::plan_runs(matrix, kv::render::ValuesMatrix::kCiValues);
    REQUIRE(runs.size() == 2);
    req.run_values_file = runs[1].values_file;
    auto b = kv::render::render_chart(*helm, matrix, req);
    REQUIRE(b.ok());
    REQUIRE(b->resources.size() == 1);
    CHECK(b->resources[0].object["spec"]["replicas"].as<int>() == -1);
  }
}

TEST_CASE("helm lint runs with the values and reports by file") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    auto lint = kv::render::lint_chart(*helm, chart("webapp"), {});
    REQUIRE(lint.ok());
    CHECK(lint->status == kv::ObjectStatus::kValid);
    CHECK(lint->kind_of_result == kv::ResultKind::kLint);
    bool icon = false;
    for (const auto& f : lint->findings)
      icon |= f.severity == kv::Severity::kInfo && f.file == kCharts + "/webapp/Chart.yaml";
    CHECK(icon);

    fs::path dir = fs::temp_directory_path() / "kv-lint-test" / "broken";
    fs::create_directories(dir / "templates");
    std::ofstream(dir / "Chart.yaml") << "apiVersion: v2\nname: broken\nversion: 0.1.0\n";
    std::ofstream(dir / "templates" / "y.yaml") << "ok: 1\n{{ if }}\n";
    auto broken = kv::render::load_chart(dir.string());
    REQUIRE(broken.ok());
    auto bad = kv::render::lint_chart(*helm, *broken, {});
    REQUIRE(bad.ok());
    CHECK(bad->status == kv::ObjectStatus::kInvalid);
    bool located = false;
    for (const auto& f : bad->findings)
      located |= f.severity == kv::Severity::kError && f.file == dir.string() + "/templates/y.yaml" && f.line == 2;
    CHECK(located);
    auto render = kv::render::render_chart(*helm, *broken, {});
    REQUIRE(render.ok());
    REQUIRE(render->problems.size() == 1);
    CHECK(render->problems[0].findings[0].line == 2);
    fs::remove_all(dir.parent_path());
  }
}

TEST_CASE("a packaged chart renders like its directory and names files inside the archive") {
  for (const auto& each : real_helms()) {
    INFO("helm " << each.version);
    const kv::render::Helm* helm = &each;
    fs::path dir = fs::temp_directory_path() / "kv-package-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto pkg = kv::render::run_helm(*helm, {"package", kCharts + "/webapp", "--destination", dir.string()});
    REQUIRE(pkg.ok());
    REQUIRE_MESSAGE(pkg->exit_code == 0, pkg->err);
    std::string tgz = (dir / "webapp-0.1.0.tgz").string();
    auto archived = kv::render::load_chart(tgz);
    REQUIRE_MESSAGE(archived.ok(), archived.status().message());
    CHECK(archived->archive);
    CHECK(archived->name == "webapp");
    kv::render::RenderRequest req;
    req.skip_tests = true;
    auto out = kv::render::render_chart(*helm, *archived, req);
    REQUIRE(out.ok());
    REQUIRE(out->resources.size() == 3);
    const kv::Resource* deploy = find(*out, "Deployment");
    REQUIRE(deploy);
    CHECK(deploy->source.file == tgz + "/templates/deployment.yaml");
    CHECK(kv::render::template_line_for(deploy->source, "imagePullPolicy") == 42);
    fs::remove_all(dir);
  }
}

TEST_CASE("rendered documents the loader refuses are render findings on their template") {
  kv::render::Chart c;
  c.path = "charts/mychart";
  c.root = "/nonexistent";
  c.name = "mychart";
  auto out = kv::render::parse_rendered(
      "---\n# Source: mychart/templates/a.yaml\njust a string\n"
      "---\n# Source: mychart/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
      "---\n# Source: mychart/templates/b.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
      c, "s");
  REQUIRE(out.problems.size() == 1);
  CHECK(out.problems[0].kind_of_result == kv::ResultKind::kRender);
  CHECK(out.problems[0].status == kv::ObjectStatus::kInvalid);
  CHECK(out.problems[0].suite == "s");
  REQUIRE(out.problems[0].findings.size() == 1);
  CHECK(out.problems[0].findings[0].file == "charts/mychart/templates/a.yaml");
  REQUIRE(out.resources.size() == 2);
  CHECK(out.resources[0].name == "b");
  CHECK(out.resources[1].name == "c");
  CHECK(out.resources[1].source.template_path == "templates/b.yaml");  // Source carried over the empty document
  CHECK(out.resources[1].source.document == 1);
}

TEST_CASE("helm template's stderr becomes helm/warning findings without log prefixes, its logs info") {
  auto r = kv::render::parse_template_warnings(
      "walk.go:75: found symbolic link in path: /c/files/x resolves to /etc/passwd. Contents of linked file "
      "included and used\n\nWARNING: something deprecated\n",
      chart("webapp"), "suite");
  CHECK(r.status == kv::ObjectStatus::kValid);
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].rule == "helm/warning");
  CHECK(r.findings[0].severity == kv::Severity::kInfo);  // a Go log line: what helm did
  CHECK(r.findings[1].severity == kv::Severity::kWarning);
  CHECK(r.findings[0].message.rfind("found symbolic link in path: /c/files/x", 0) == 0);
  CHECK(r.findings[1].message == "something deprecated");
  // Helm 4's structured log: the level sets the severity, the message is msg and its attributes.
  auto h4 = kv::render::parse_template_warnings(
      "level=INFO msg=\"found symbolic link in path. Contents of linked file included and used\" path=/c/t/x.yaml "
      "resolved=/c/shared/x.yaml\nlevel=WARN msg=\"chart is deprecated\"\n",
      chart("webapp"), "suite");
  REQUIRE(h4.findings.size() == 2);
  CHECK(h4.findings[0].severity == kv::Severity::kInfo);
  CHECK(h4.findings[0].message ==
        "found symbolic link in path. Contents of linked file included and used (path=/c/t/x.yaml resolved=/c/shared/x.yaml)");
  CHECK(h4.findings[1].severity == kv::Severity::kWarning);
  CHECK(h4.findings[1].message == "chart is deprecated");
}
