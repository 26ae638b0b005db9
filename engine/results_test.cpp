#include "engine/results.h"

#include <doctest/doctest.h>

#include "core/exit_codes.h"
#include "engine/run.h"
#include "engine/test_support.h"

using namespace kv;
using namespace kv::engine;
using namespace kv::engine::testing;

namespace {

// A reporter that keeps what it is fed (and the summary it finishes with) for the test to look at.
struct Kept {
  std::vector<ObjectResult> results;
  RunSummary summary;
  bool finished = false;
};

class KeepingReporter : public report::Reporter {
 public:
  explicit KeepingReporter(Kept& kept) : kept_(kept) {}
  void add(const ObjectResult& r) override { kept_.results.push_back(r); }
  Status finish(const RunSummary& summary) override {
    kept_.summary = summary;
    kept_.finished = true;
    return Status::Ok();
  }

 private:
  Kept& kept_;
};

report::ReportSet keeping(Kept& kept) {
  std::vector<std::unique_ptr<report::Reporter>> reporters;
  reporters.push_back(std::make_unique<KeepingReporter>(kept));
  return report::ReportSet::FromReporters(std::move(reporters), nullptr);
}

ObjectResult with(ResultKind kind, ObjectStatus status) {
  ObjectResult r;
  r.kind_of_result = kind;
  r.status = status;
  return r;
}

}  // namespace

TEST_CASE("results: each result asks for its exit code; input problems are bad input") {
  CHECK(exit_code_of(with(ResultKind::kObject, ObjectStatus::kValid)) == exit_code::kClean);
  CHECK(exit_code_of(with(ResultKind::kObject, ObjectStatus::kSkipped)) == exit_code::kClean);
  CHECK(exit_code_of(with(ResultKind::kObject, ObjectStatus::kInvalid)) == exit_code::kFindings);
  CHECK(exit_code_of(with(ResultKind::kObject, ObjectStatus::kError)) == exit_code::kInfrastructure);
  CHECK(exit_code_of(with(ResultKind::kInput, ObjectStatus::kError)) == exit_code::kBadInput);
  CHECK(exit_code_of(with(ResultKind::kLint, ObjectStatus::kInvalid)) == exit_code::kFindings);
}

TEST_CASE("results: --disable-rule drops findings by rule; an object left without errors is valid again") {
  ObjectResult r = with(ResultKind::kObject, ObjectStatus::kInvalid);
  r.findings = {{Severity::kError, "dry-run/deprecated-api", "m", "", "", 1, 1},
                {Severity::kWarning, "dry-run/warning", "w", "", "", 1, 1}};
  drop_disabled(r, {"dry-run/deprecated-api"});
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].rule == "dry-run/warning");
  CHECK(r.status == ObjectStatus::kValid);
  ObjectResult lint = with(ResultKind::kLint, ObjectStatus::kInvalid);
  lint.findings = {{Severity::kError, "helm-lint", "m", "", "", 1, 1}};
  drop_disabled(lint, {"helm-lint"});
  CHECK(lint.status == ObjectStatus::kInvalid);  // only object results turn valid
}

TEST_CASE("results: a finding of a later pass about a map is at the field its words name, as in pass 1") {
  auto r = load("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec:\n  min: 5\n  max: 1\n").at(0);
  ObjectResult res;
  for (const char* suffix : {"", " (pass 3: found once the fields above were set aside)"})
    add_located(res, r, locate_in_source,
                Finding{Severity::kError, "dry-run/FieldValueInvalid",
                        std::string("spec: Invalid value: \"object\": min must not exceed max") + suffix, "spec", "", 0, 0});
  CHECK(res.findings.at(0).line == 6);  // max, written last
  CHECK(res.findings.at(1).line == 6);
}

TEST_CASE("results: a field refused for a sibling's value points at that sibling") {
  auto r = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  tolerations:\n  - key: a\n"
                "    operator: Exists\n    value: b\n  containers: []\n").at(0);
  ObjectResult res;
  add_located(res, r, locate_in_source,
              Finding{Severity::kError, "dry-run/FieldValueInvalid",
                      "spec.tolerations[0].operator: Invalid value: \"b\": value must be empty when `operator` is 'Exists'",
                      "spec.tolerations[0].operator", "", 0, 0});
  CHECK(res.findings.at(0).line == 8);  // value: b, not operator: Exists (7)
  // The field's own value quoted: the field itself.
  add_located(res, r, locate_in_source,
              Finding{Severity::kError, "dry-run/FieldValueNotSupported", "spec.tolerations[0].operator: Unsupported value: \"Exists\"",
                      "spec.tolerations[0].operator", "", 0, 0});
  CHECK(res.findings.at(1).line == 7);
}

TEST_CASE("results: of a chart whose templates failed, an unserved kind is skipped, not an error of its own") {
  ObjectResult r = with(ResultKind::kObject, ObjectStatus::kInvalid);
  r.findings = {{Severity::kError, "dry-run/unknown-kind", "no kind \"Widget\" is served", "", "", 2, 1}};
  excuse_unserved_kind(r);
  CHECK(r.status == ObjectStatus::kSkipped);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].severity == Severity::kInfo);
  CHECK(r.findings[0].rule == "skipped");
  CHECK(r.findings[0].message.find("no kind \"Widget\" is served") != std::string::npos);
  // Another error of its own stands, and so does the kind's.
  ObjectResult both = with(ResultKind::kObject, ObjectStatus::kInvalid);
  both.findings = {{Severity::kError, "dry-run/unknown-kind", "m", "", "", 2, 1},
                   {Severity::kError, "input/duplicate-key", "d", "", "", 3, 1}};
  excuse_unserved_kind(both);
  CHECK(both.status == ObjectStatus::kInvalid);
  CHECK(both.findings[0].rule == "dry-run/unknown-kind");
  ObjectResult other = with(ResultKind::kObject, ObjectStatus::kInvalid);
  other.findings = {{Severity::kError, "dry-run/unknown-field", "m", "", "", 2, 1}};
  excuse_unserved_kind(other);
  CHECK(other.status == ObjectStatus::kInvalid);
}

TEST_CASE("results: RBAC risk findings join a role's result; only an error-level one makes it invalid") {
  auto res = load("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
                  "rules:\n- apiGroups: ['']\n  resources: [secrets]\n  verbs: ['*']\n");
  ObjectResult r = object_result(res.at(0), "");
  add_rbac_risks(r, res[0], {}, RiskPolicy{RiskMode::kError, {}});
  CHECK(r.status == ObjectStatus::kInvalid);
  CHECK(r.suite == "in.yaml");
  std::vector<std::string> rules;
  for (const auto& f : r.findings) rules.push_back(f.rule);
  CHECK(rules == std::vector<std::string>{"KV-RBAC-001", "KV-RBAC-007"});
  ObjectResult quiet = object_result(res[0], "s");
  add_rbac_risks(quiet, res[0], {"KV-RBAC-001", "KV-RBAC-007"}, RiskPolicy{RiskMode::kError, {}});
  ObjectResult warned = object_result(res[0], "s");
  add_rbac_risks(warned, res[0], {}, RiskPolicy{});  // warnings by default: the role stays valid
  CHECK(warned.findings.size() == 2);
  CHECK(warned.status == ObjectStatus::kValid);
  CHECK(quiet.findings.empty());
  CHECK(quiet.status == ObjectStatus::kValid);
}

TEST_CASE("run: a run that stops early still reports the input's problems and says why (exit 3)") {
  Kept kept;
  auto reports = keeping(kept);
  std::vector<Batch> batches(1);
  batches[0].pre_results.push_back(with(ResultKind::kInput, ObjectStatus::kError));
  RunEnd end = fail_run(reports, batches, Status::Unavailable("no plane"), 0);
  CHECK(kept.finished);
  CHECK(kept.results.size() == 1);
  CHECK(kept.summary.aborted);
  CHECK(kept.summary.abort_message == "no plane");
  CHECK(end.exit_code == exit_code::kInfrastructure);
  CHECK(end.errors == std::vector<std::string>{"no plane"});
}

TEST_CASE("run: nothing to judge is not a failure; its problems decide the exit code") {
  Kept kept;
  auto reports = keeping(kept);
  std::vector<Batch> batches(1);
  RunEnd clean = fail_run(reports, batches, Status::Ok(), 0);
  CHECK(clean.exit_code == exit_code::kClean);
  CHECK(clean.errors.empty());
  CHECK_FALSE(kept.summary.aborted);
  Kept kept2;
  auto reports2 = keeping(kept2);
  batches[0].pre_results.push_back(with(ResultKind::kInput, ObjectStatus::kError));
  CHECK(fail_run(reports2, batches, Status::Ok(), 0).exit_code == exit_code::kBadInput);
}

TEST_CASE("add_located: a message naming fields of the map it is about points at the one written last") {
  auto pdb = load(
      "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n"  // 1-4
      "  minAvailable: 1\n"                                                              // 5
      "  selector: {matchLabels: {app: web}}\n"                                          // 6
      "  maxUnavailable: 1\n");                                                          // 7
  ObjectResult res;
  add_located(res, pdb[0], locate_in_source,
              Finding{Severity::kError, "dry-run/FieldValueInvalid",
                      "spec: Invalid value: {\"MinAvailable\":1,\"Selector\":{\"matchLabels\":{\"app\":\"web\"}}}: "
                      "minAvailable and maxUnavailable cannot be both set",
                      "spec", "", 0, 0});
  // Words of the quoted value ("Selector") do not count; prose that names no field leaves the map's line.
  add_located(res, pdb[0], locate_in_source,
              Finding{Severity::kError, "dry-run/FieldValueInvalid",
                      "spec: Invalid value: {\"selector\":1}: must be consistent", "spec", "", 0, 0});
  REQUIRE(res.findings.size() == 2);
  CHECK(res.findings[0].line == 7);
  CHECK(res.findings[0].column == 3);
  CHECK(res.findings[1].line == 4);
}

TEST_CASE("add_located: a key a Secret lacks is at its stringData, where the user wrote the others") {
  auto secret = load(
      "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\n"  // 1-4
      "stringData:\n"                                                                   // 5
      "  tls.crt: abc\n");                                                              // 6
  ObjectResult res;
  add_located(res, secret[0], locate_in_source,
              Finding{Severity::kError, "dry-run/FieldValueRequired", "data[tls.key]: Required value", "data[tls.key]",
                      "", 0, 0});
  REQUIRE(res.findings.size() == 1);
  CHECK(res.findings[0].line == 5);  // was the object's first line
}
