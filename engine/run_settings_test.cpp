#include "engine/run_settings.h"

#include <cstdlib>

#include <doctest/doctest.h>

#include "core/kube_versions.h"

using namespace kv;
using namespace kv::engine;

namespace {

// Unsets KVALIDATE_KUBECONFIG for one test (it would name an existing cluster) and restores it.
struct NoKubeconfigEnv {
  std::optional<std::string> old;
  NoKubeconfigEnv() {
    if (const char* v = std::getenv("KVALIDATE_KUBECONFIG")) old = v;
    unsetenv("KVALIDATE_KUBECONFIG");
  }
  ~NoKubeconfigEnv() {
    if (old) setenv("KVALIDATE_KUBECONFIG", old->c_str(), 1);
  }
};

}  // namespace

TEST_CASE("apply_config takes the config's settings except where a flag was given") {
  config::Config c;
  c.namespace_ = "from-config";
  c.jobs = 4;
  c.fail_on = "warning";
  c.backend = "k3s";
  c.wait = "5s";
  c.rbac_file = "/cfg/rbac.yaml";
  c.rule_severity["KV-RBAC-001"] = "error";
  PipelineOptions p;
  p.namespace_ = "from-flag";
  p.rbac_file = "flag-rbac.yaml";
  apply_config(c, {"-n", "--namespace", "--rbac", "--wait"}, p);
  CHECK(p.namespace_ == "from-flag");
  CHECK(p.rbac_file == "flag-rbac.yaml");
  CHECK(p.cluster.wait == "60s");
  CHECK(p.output.jobs == 4);
  CHECK(p.fail_on == "warning");
  CHECK(p.cluster.backend == "k3s");
  CHECK(p.rule_severity.at("KV-RBAC-001") == "error");

  PipelineOptions none;
  apply_config(c, {}, none);
  CHECK(none.namespace_ == "from-config");
  CHECK(none.rbac_file == "/cfg/rbac.yaml");
  CHECK(none.cluster.wait == "5s");
}

TEST_CASE("ensure options carry the cluster settings, the wait as given and the progress sinks") {
  NoKubeconfigEnv env;
  ClusterFlags f;
  f.wait = "10ms";
  f.as_user = "alice";
  int told = 0;
  f.progress = [&](std::string_view) { ++told; };
  auto o = ensure_options(f);
  REQUIRE(o.ok());
  CHECK(o->wait == std::chrono::milliseconds(10));  // `up --wait 10ms` gives up after 10 ms, not 1 s
  CHECK(o->as_user == "alice");
  CHECK(o->kube_version.empty());
  REQUIRE(o->progress);
  o->progress("x");
  CHECK(told == 1);

  f.wait = "soon";
  auto bad = ensure_options(f);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().exit_code() == 2);
  CHECK(bad.status().message().rfind("--wait", 0) == 0);
}

TEST_CASE("--kube-version: one plane per version; refused with an existing cluster or k3s") {
  NoKubeconfigEnv env;
  const auto& all = supported_kube_versions();
  REQUIRE(all.size() >= 2);
  ClusterFlags f;
  CHECK(kube_versions(f)->empty());
  CHECK_FALSE(several_kube_versions(f));
  f.kube_versions = {all[1].substr(1) + "," + all[0].substr(1)};
  auto versions = kube_versions(f);
  REQUIRE(versions.ok());
  CHECK(*versions == std::vector<std::string>{all[0], all[1]});
  CHECK(several_kube_versions(f));
  auto per = ensure_options_per_version(f);
  REQUIRE(per.ok());
  REQUIRE(per->size() == 2);
  CHECK((*per)[1].kube_version == all[1]);
  auto one = ensure_options(f);
  REQUIRE_FALSE(one.ok());
  CHECK(one.status().message().find("give one version") != std::string::npos);

  ClusterFlags external = f;
  external.context = "prod";
  CHECK(kube_versions(external).status().exit_code() == 2);
  CHECK_FALSE(several_kube_versions(external));
  ClusterFlags k3s = f;
  k3s.backend = "k3s";
  CHECK(kube_versions(k3s).status().message().find("--backend k3s") != std::string::npos);
}

TEST_CASE("run_options: the config's inline expectations unless --rbac; a bad --crds path names it") {
  NoKubeconfigEnv env;
  config::Config c;
  c.expectations = std::vector<Expectation>{};
  PipelineOptions p;
  p.output.jobs = 7;
  p.fail_on = "warning";
  auto o = run_options(p, c, {});
  REQUIRE(o.ok());
  CHECK(o->jobs == 7);
  CHECK(o->fail_on_warning);
  CHECK(o->inline_expectations.has_value());
  CHECK_FALSE(run_options(p, c, {"--rbac"})->inline_expectations.has_value());

  p.crds = {"/no/such/crds.yaml"};
  auto bad = run_options(p, c, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("--crds /no/such/crds.yaml", 0) == 0);
}
