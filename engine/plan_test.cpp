#include "engine/plan.h"

#include <doctest/doctest.h>

#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

const Verdict* verdict_for(const Plan& p, size_t i) {
  for (const auto& v : p.verdicts)
    if (v.index == i) return &v;
  return nullptr;
}

}  // namespace

TEST_CASE("plan: served kinds get a target; namespaced ones default their namespace, cluster-scoped get none") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: demo}\n---\n"
                  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "dflt");
  CHECK(p.verdicts.empty());
  CHECK_FALSE(p.unresolved);
  REQUIRE(p.targets[0]);
  CHECK(p.targets[0]->namespace_ == "dflt");
  CHECK(p.targets[1]->namespace_ == "demo");
  CHECK(p.targets[2]->api().resource == "deployments");
  CHECK(p.rest.objects == std::vector<size_t>{0, 1, 2});
  CHECK(p.crds.objects.empty());
  CHECK(p.namespaces.objects.empty());
}

TEST_CASE("plan: CRDs, Namespaces and the rest are separate phases, for real only on an owned plane") {
  std::string yaml = std::string(kWidgetCrd) + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: team}\n";
  auto res = load(yaml);
  Plan owned = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(owned.crds.objects == std::vector<size_t>{0});
  CHECK(owned.namespaces.objects == std::vector<size_t>{1});
  CHECK(owned.rest.objects == std::vector<size_t>{2});
  CHECK(owned.crds.for_real);
  CHECK(owned.namespaces.for_real);
  CHECK(owned.create_missing_namespaces);
  CHECK_FALSE(owned.rest.for_real);
  CHECK(owned.targets[1]->namespace_.empty());  // Namespace is cluster-scoped

  Plan external = plan_small(res, PlaneKind::kExternal, "default");
  CHECK_FALSE(external.crds.for_real);
  CHECK_FALSE(external.namespaces.for_real);
  CHECK_FALSE(external.create_missing_namespaces);
}

TEST_CASE("plan: a kind served only by a CRD of the input resolves through it and awaits the CRD phase") {
  auto res = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  Plan p = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(p.verdicts.empty());
  REQUIRE(p.targets[1]);
  CHECK(p.targets[1]->api().resource == "widgets");
  CHECK(p.targets[1]->namespace_ == "default");
  CHECK(p.awaiting_crd == std::vector<size_t>{1});
  CHECK(p.rest.objects == std::vector<size_t>{1});
}

TEST_CASE("plan: a version the input's CRD does not serve is the apiVersion's fault, naming the served one") {
  auto res = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v0\nkind: Widget\nmetadata: {name: w}\n");
  Plan p = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(p.unresolved);
  const Verdict* v = verdict_for(p, 1);
  REQUIRE(v);
  CHECK(v->findings.at(0).rule == "dry-run/api-not-served");
  CHECK(v->findings.at(0).path == "apiVersion");
  CHECK(v->findings.at(0).message ==
        "apiVersion example.com/v0 is not served for Widget by this API server (v1.31.0); use example.com/v1");
  // A kind no CRD defines in any version stays an unknown kind.
  auto other = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g}\n");
  Plan q = plan_small(other, PlaneKind::kOwned, "default");
  const Verdict* g = verdict_for(q, 1);
  REQUIRE(g);
  CHECK(g->findings.at(0).rule == "dry-run/unknown-kind");
}

TEST_CASE("plan: an unknown kind is invalid at its kind field, naming the server's version") {
  auto res = load("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n");
  Plan p = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(p.unresolved);
  CHECK_FALSE(p.targets[0]);
  CHECK(p.rest.objects.empty());
  const Verdict* v = verdict_for(p, 0);
  REQUIRE(v);
  CHECK(v->status == ObjectStatus::kInvalid);
  REQUIRE(v->findings.size() == 1);
  CHECK(v->findings[0].rule == "dry-run/unknown-kind");
  CHECK(v->findings[0].path == "kind");
  CHECK(v->findings[0].message ==
        "no kind \"Gadget\" is served for apiVersion \"example.com/v1\" by this API server (v1.31.0)");
}

TEST_CASE("plan: a kind served under another apiVersion names the served ones") {
  auto res = load("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  const Verdict* v = verdict_for(p, 0);
  REQUIRE(v);
  CHECK(v->findings.at(0).rule == "dry-run/api-not-served");
  CHECK(v->findings.at(0).path == "apiVersion");
  CHECK(v->findings.at(0).message ==
        "apiVersion batch/v1beta1 is not served for CronJob by this API server (v1.31.0); use batch/v1");
}

TEST_CASE("plan: Secrets with values that are not strings are judged here and never sent") {
  auto res = load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  port: 8080\n  ok: \"8080\"\n"
                  "  flag: yes\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: t}\ndata: [1]\n---\n"
                  "apiVersion: v1\nkind: Secret\nmetadata: {name: u}\nstringData: {a: b}\n");
  Plan p = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(p.rest.objects == std::vector<size_t>{2});
  const Verdict* s = verdict_for(p, 0);
  REQUIRE(s);
  CHECK(s->status == ObjectStatus::kInvalid);
  REQUIRE(s->findings.size() == 2);
  CHECK(s->findings[0].rule == "dry-run/wrong-type");
  CHECK(s->findings[0].path == "stringData[port]");
  CHECK(s->findings[1].path == "stringData[flag]");
  CHECK(s->findings[0].message.find("8080") == std::string::npos);  // the value itself is never repeated
  const Verdict* t = verdict_for(p, 1);
  REQUIRE(t);
  CHECK(t->findings.at(0).path == "data");
  CHECK(t->findings.at(0).message.find("must be a map of strings") != std::string::npos);
  CHECK_FALSE(p.unresolved);
}

TEST_CASE("plan: after the CRD phase, objects of an invalid CRD are skipped; on an external cluster all awaiting are") {
  auto res = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  Plan owned = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(skips_after_crds(owned, res, {}, PlaneKind::kOwned).empty());
  auto failed = skips_after_crds(owned, res, {{"example.com/Widget", "w.yaml:1"}}, PlaneKind::kOwned);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].index == 1);
  CHECK(failed[0].status == ObjectStatus::kSkipped);
  CHECK(failed[0].namespace_ == "default");
  CHECK(failed[0].findings.at(0).rule == "skipped");
  CHECK(failed[0].findings.at(0).severity == Severity::kInfo);
  CHECK(failed[0].findings.at(0).message ==
        "not validated: its CustomResourceDefinition in this input is invalid (w.yaml:1)");

  Plan external = plan_small(res, PlaneKind::kExternal, "default");
  auto skipped = skips_after_crds(external, res, {}, PlaneKind::kExternal);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].findings.at(0).message.find("the cluster does not serve example.com/v1 Widget") !=
        std::string::npos);
  // An invalid CRD is named first, also on an external cluster.
  auto both = skips_after_crds(external, res, {{"example.com/Widget", "w.yaml:1"}}, PlaneKind::kExternal);
  CHECK(both.at(0).findings.at(0).message.find("is invalid") != std::string::npos);
}

TEST_CASE("plan: the namespaces to create are those the remaining objects use and the cluster lacks") {
  auto res = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\n"
                  "apiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: z}\n");
  Plan p = plan_small(res, PlaneKind::kOwned, "default");
  CHECK(missing_namespaces(p, {0, 1, 3}, {"default", "z"}) == std::set<std::string>{"x"});
  CHECK(missing_namespaces(p, {0, 1}, {}) == std::set<std::string>{"default", "x"});
  CHECK(missing_namespaces(p, {}, {}).empty());
}

TEST_CASE("plan: after the namespace phase, objects in a namespace that does not exist are skipped") {
  auto res = load("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: team}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: other}\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  std::vector<size_t> rest = p.rest.objects;
  CHECK(rest == std::vector<size_t>{1, 2, 3});
  auto ext = skips_after_namespaces(p, res, rest, {"default", "kube-system"}, PlaneKind::kExternal);
  REQUIRE(ext.size() == 2);
  CHECK(ext[0].index == 1);
  CHECK(ext[0].findings.at(0).message ==
        "not validated: namespace \"team\" does not exist on the cluster (it is defined in the input) "
        "(kvalidate changes nothing on an existing cluster)");
  CHECK(ext[1].index == 2);
  CHECK(ext[1].findings.at(0).message.find("(it is defined in the input)") == std::string::npos);

  auto owned = skips_after_namespaces(p, res, rest, {"default", "team"}, PlaneKind::kOwned);
  REQUIRE(owned.size() == 1);
  CHECK(owned[0].findings.at(0).message == "not validated: namespace \"other\" could not be created");
  // A namespace the server refused to make as invalid: the object names one that cannot exist.
  auto refused = skips_after_namespaces(p, res, rest, {"default", "team"}, PlaneKind::kOwned,
                                        {{"other", "Invalid value: \"other\": a lowercase RFC 1123 label must ..."}});
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].status == ObjectStatus::kInvalid);
  CHECK(refused[0].findings.at(0).severity == Severity::kError);
  CHECK(refused[0].findings.at(0).path == "metadata.namespace");
  CHECK(refused[0].findings.at(0).message.rfind("metadata.namespace: Invalid value: \"other\"", 0) == 0);
  // Namespaces that could not be listed skip nothing: the server judges.
  CHECK(skips_after_namespaces(p, res, rest, {}, PlaneKind::kExternal).empty());
}

TEST_CASE("plan: on an external cluster an unknown kind is skipped, saying why and what to do") {
  auto res = load("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n");
  Plan p = plan_small(res, PlaneKind::kExternal, "default");
  const Verdict* v = verdict_for(p, 0);
  REQUIRE(v);
  CHECK(v->status == ObjectStatus::kSkipped);
  CHECK(v->findings.at(0).severity == Severity::kInfo);
  CHECK(v->findings.at(0).message.find("the cluster does not serve example.com/v1 Gadget") != std::string::npos);
  CHECK(v->findings.at(0).message.find("--crds") != std::string::npos);
}

TEST_CASE("plan: CRDs the run applied before are not sent again, and their kinds need no waiting") {
  auto res = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  RunCrds run;
  run.add(res[0]);
  Plan p = plan_small(res, PlaneKind::kOwned, "default", run);
  CHECK(p.crds.objects.empty());
  const Verdict* v = verdict_for(p, 0);
  REQUIRE(v);
  CHECK(v->status == ObjectStatus::kValid);
  CHECK(p.rest.objects == std::vector<size_t>{1});
  CHECK(p.awaiting_crd.empty());
  REQUIRE(p.targets[1]);
  CHECK(p.targets[1]->api().resource == "widgets");
  // The same CRD with other text is sent again; a Widget alone resolves through the run's CRDs.
  auto changed = load(std::string(kWidgetCrd) + "  # changed\n");
  CHECK(plan_small(changed, PlaneKind::kOwned, "default", run).crds.objects == std::vector<size_t>{0});
  auto alone = load("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  Plan q = plan_small(alone, PlaneKind::kOwned, "default", run);
  CHECK(q.verdicts.empty());
  CHECK(q.rest.objects == std::vector<size_t>{0});
}

TEST_CASE("plan: of the run's CRDs, only those the next batch or --crds holds with the same text stay") {
  auto applied_res = load(std::string(kWidgetCrd));
  RunCrds applied;
  applied.add(applied_res[0]);
  auto same = load(std::string(kWidgetCrd) + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  auto changed = load(std::string(kWidgetCrd) + "  # changed\n");
  auto widget_only = load("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  CHECK(crds_kept(applied, same, {}).has(applied_res[0]));
  CHECK(crds_kept(applied, same, {}).served.count("example.com/v1/Widget") == 1);
  CHECK(crds_kept(applied, changed, {}).applied.empty());  // other text: applied again, as that batch has it
  // A batch without the CRD must not see it: its Widget is then an unknown kind, as on a fresh plane.
  RunCrds none = crds_kept(applied, widget_only, {});
  CHECK(none.applied.empty());
  CHECK(none.served.empty());
  CHECK(crds_kept(applied, widget_only, applied_res).has(applied_res[0]));  // --crds: every batch's
  CHECK(crds_kept(RunCrds{}, same, applied_res).applied.empty());           // only what was applied
}
