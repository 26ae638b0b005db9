// What validation produces, and what every reporter serializes: one ObjectResult per object (or per
// render/lint step, RBAC expectation, risk-rule subject), each with findings that point at file:line:col.
#pragma once

#include <string>
#include <vector>

#include "resources/resource.h"

namespace kv {

enum class Severity { kError, kWarning, kInfo };
enum class ObjectStatus { kValid, kInvalid, kSkipped, kError };

inline const char* to_string(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    default: return "info";
  }
}
inline const char* to_string(ObjectStatus s) {
  switch (s) {
    case ObjectStatus::kValid: return "valid";
    case ObjectStatus::kInvalid: return "invalid";
    case ObjectStatus::kSkipped: return "skipped";
    default: return "error";
  }
}

struct Finding {
  Severity severity = Severity::kError;
  std::string rule;      // stable id: "dry-run/FieldValueInvalid", "KV-RBAC-003", "helm-lint", ...
  std::string message;   // one line, secrets already redacted
  std::string path;      // field path as the server names it: "spec.template.spec.containers[0].image"
  std::string file;      // empty: the result's source file
  int line = 0;          // 1-based, 0: unknown
  int column = 0;        // 1-based, 0: unknown
  int pass = 1;          // 1: a defect of the object as written (the server's first answer, or a field it
                         // could not decode); 2: found once the fields the server could not read (or a
                         // blocking error, or a field validation refused before admission) were set aside
                         // (engine/batch_run.h)
};

// What a result describes; reporters use it for test-case names and grouping.
enum class ResultKind { kObject, kRender, kLint, kRbacExpectation, kRbacRule, kInput };

struct ObjectResult {
  ResultKind kind_of_result = ResultKind::kObject;
  std::string suite;          // chart (+ " values=" file) or input file: a JUnit testsuite
  SourceRef source;
  std::string api_version, kind, namespace_, name;
  std::string title;          // for non-object results: "helm lint", "render", "system:serviceaccount:demo:app list pods"
  ObjectStatus status = ObjectStatus::kValid;
  std::vector<Finding> findings;
  double duration_ms = 0;
  // The kube-apiserver version that judged it ("v1.37.2"); "" for what no server judged (input
  // problems of plain manifests). With several --kube-version planes, each version has its results.
  std::string server_version;
  bool cached = false;        // the verdict came from kvalidate's result cache (engine/result_cache.h)

  // "Kind/namespace/name" (namespace left out when empty) or the title for non-object results.
  std::string display_name() const {
    if (kind_of_result != ResultKind::kObject) return title;
    std::string id = kind + "/";
    if (!namespace_.empty()) id += namespace_ + "/";
    return id + name;
  }
  bool has_severity(Severity s) const {
    for (const auto& f : findings)
      if (f.severity == s) return true;
    return false;
  }
};

// The result of `r` before any finding: kind kObject, status valid, suite `suite` ("" = the object's file).
inline ObjectResult object_result_of(const Resource& r, const std::string& suite) {
  ObjectResult res;
  res.suite = suite.empty() ? r.source.file : suite;
  res.source = r.source;
  res.api_version = r.api_version;
  res.kind = r.kind;
  res.namespace_ = r.namespace_;
  res.name = r.name.empty() ? r.generate_name : r.name;
  return res;
}

// Summary of a whole run, given to reporters at the end.
struct RunSummary {
  int resources = 0, valid = 0, invalid = 0, skipped = 0, errors = 0, warnings = 0;
  int cached = 0;                // objects whose verdict came from the result cache
  double duration_ms = 0;
  bool aborted = false;          // the run ended early (plane lost, fatal input error)
  std::string abort_message;     // why, when aborted
  std::string server_version;    // of the plane that judged the objects, "" if none
  // A run over several Kubernetes versions: one summary per version (its results plus those no server
  // judged), oldest first; the fields above are the totals. Empty for a run on one server.
  std::vector<RunSummary> versions;
};

}  // namespace kv
