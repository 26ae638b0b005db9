// The SARIF 2.1.0 report: one run of kvalidate, a rule for every rule id seen (help text from a table
// of known prefixes), one result per finding with its physical location and a partial fingerprint that
// survives line moves. A multi-version run stays one run: each result names its version (message and
// the server_version property).

#include <map>

#include "core/digest.h"
#include "core/json.h"
#include "report/report_util.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

// Where kvalidate's documentation lives; SARIF consumers link the tool name to it.

struct RuleHelp {
  const char* prefix;  // matches ids equal to it or starting with it
  const char* short_description;
  const char* help;
};

const RuleHelp kKnownRules[] = {
    {"dry-run/Warning", "The API server accepted the object with a warning",
     "The server answered the dry run with a Warning header: a deprecated API version, an unknown or "
     "duplicate field dropped by the server, or a similar notice. With --warnings-as-errors it fails."},
    {"dry-run/apply-fallback", "Validated with a dry-run create or update instead of server-side apply",
     "The credentials may not patch this kind, which server-side apply needs, so the object was validated "
     "as kubectl apply --dry-run=server does: read, then a dry-run create (new) or update (existing)."},
    {"dry-run/rules-not-checked", "The CRD's validation rules were checked in a further pass",
     "The API server left out the CustomResourceDefinition's x-kubernetes-validations rules because of the "
     "object's other errors; kvalidate checked them again without the fields at fault. A note, no defect."},
    {"dry-run/", "The API server rejected the object in a server-side dry run",
     "The Kubernetes API server judged the object invalid (schema, field values, admission). The rule "
     "id names the server's cause type; the message and field path say what to change."},
    {"input/duplicate-object", "The same object is defined twice",
     "Two documents of one file (or of one chart render) define the same group, kind, namespace and name. "
     "kubectl apply and Helm 4 keep only the last; Helm 3 fails the install. Remove or rename one."},
    {"input/", "The input is not a valid Kubernetes object",
     "A document could not be read as a Kubernetes object (YAML syntax, missing apiVersion or kind, "
     "wrong structure). Fix the file at the given line."},
    {"helm-lint", "helm lint reported a problem in the chart",
     "helm lint checks a chart's structure, Chart.yaml and templates. The message is helm's."},
    {"render", "The chart could not be rendered",
     "helm template failed for this chart and values file, so its objects could not be validated."},
    {"service/node-port", "A Service asks for a node port its create would be refused",
     "A dry run does not allocate node ports, so the API server accepts a nodePort outside its range "
     "(30000-32767 by default) or one another Service of the input holds; creating the Service fails."},
    {"service/cluster-ip", "Two Services ask for the same cluster IP",
     "A dry run does not allocate cluster IPs, so the API server accepts a clusterIP another Service of the "
     "input asks for too; creating the second Service fails."},
    {"kustomize/patch-targets-nothing", "A kustomize patch selects no object",
     "The patch's target (kind, name) matches no object of the build, so kustomize applied it to nothing "
     "without a word: often a typo in the target's name. Fix the target or remove the patch."},
    {"kustomize-build", "The kustomization could not be built",
     "kustomize failed for this kustomization, so its objects could not be validated. The message is "
     "kustomize's."},
    {"KV-RBAC-", "An RBAC rule grants a risky permission",
     "kvalidate's RBAC risk rules flag permissions that allow privilege escalation or broad access "
     "(wildcards, secrets, escalate/bind/impersonate). Narrow the rule or accept the risk explicitly."},
    {"rbac-expectation", "An RBAC expectation did not hold",
     "A declared expectation (subject can / cannot verb resource) disagreed with what the API server's "
     "authorizer decided for the rendered RBAC objects."},
    {"server/missing-verb", "The credentials may not do what validating the object needs",
     "RBAC refused kvalidate's request for this object (HTTP 403): the message names the user and the verb "
     "to add to its role (docs/ci.md has a minimal Role). The object has no verdict; the run exits 2."},
    {"server/", "The API server could not judge the object",
     "The API server was unreachable or failed while this object was being validated (for example the "
     "control plane was lost); the object has no verdict."},
    {"kvalidate/", "kvalidate could not complete a check",
     "The check ended without a verdict from the API server, or the run ended early."},
};

const RuleHelp kGenericRule = {"", "A kvalidate finding", "A finding reported by kvalidate."};

const RuleHelp& help_for(const std::string& id) {
  for (const auto& r : kKnownRules) {
    if (id.rfind(r.prefix, 0) == 0) return r;
  }
  return kGenericRule;
}

// A path as a URI reference: unreserved characters and '/' kept, the rest percent-encoded.
std::string uri_path(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

const char* level_of(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    default: return "note";
  }
}

class SarifReporter : public Reporter {
 public:
  SarifReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)) {}

  void add(const ObjectResult& r) override {
    // A file without Kubernetes objects (skipped in a directory run) is nothing to report on.
    if (r.status == ObjectStatus::kSkipped && r.kind_of_result == ResultKind::kInput) return;
    // Only findings become SARIF results: a result without one is not kept (a run of 100,000 valid
    // objects holds none of them).
    if (shown_findings(r).empty()) return;
    results_.push_back(r);
  }

  Status finish(const RunSummary& s) override {
    const RuleTable rules = rule_table();
    JsonWriter w;
    w.begin_object();
    w.key("$schema").value("https://json.schemastore.org/sarif-2.1.0.json");
    w.key("version").value("2.1.0");
    w.key("runs").begin_array().begin_object();
    write_tool(w, rules);
    write_invocations(w, s);
    w.key("results").begin_array();
    for (const auto& r : results_)
      for (const auto& f : shown_findings(r)) write_result(w, r, f, rules);
    w.end_array();
    w.end_object().end_array();  // run, runs
    w.end_object();
    return sink_(w.str() + "\n");
  }

 private:
  // Rules in order of first use: ruleIndex points into `ids`.
  struct RuleTable {
    std::vector<std::string> ids;
    std::map<std::string, int> index;
  };

  RuleTable rule_table() const {
    RuleTable t;
    for (const auto& r : results_)
      for (const auto& f : shown_findings(r)) {
        const std::string id = rule_id(f);
        if (t.index.count(id)) continue;
        t.ids.push_back(id);
        t.index[id] = static_cast<int>(t.ids.size()) - 1;
      }
    return t;
  }

  void write_tool(JsonWriter& w, const RuleTable& rules) const {
    w.key("tool").begin_object().key("driver").begin_object();
    w.key("name").value("kvalidate");
    w.key("version").value(ctx_->tool_version);
    w.key("rules").begin_array();
    for (const auto& id : rules.ids) {
      const RuleHelp& h = help_for(id);
      w.begin_object();
      w.key("id").value(id);
      w.key("shortDescription").begin_object().key("text").value(h.short_description).end_object();
      w.key("help").begin_object().key("text").value(h.help).end_object();
      w.end_object();
    }
    w.end_array();
    w.end_object().end_object();  // driver, tool
  }

  static void write_invocations(JsonWriter& w, const RunSummary& s) {
    w.key("invocations").begin_array().begin_object();
    w.key("executionSuccessful").value(!s.aborted);
    if (s.aborted) {
      w.key("toolExecutionNotifications").begin_array().begin_object();
      w.key("level").value("error");
      w.key("message").begin_object()
          .key("text").value(s.abort_message.empty() ? "the run ended early" : s.abort_message)
          .end_object();
      w.end_object().end_array();
    }
    w.end_object().end_array();
  }

  void write_result(JsonWriter& w, const ObjectResult& r, const Finding& f, const RuleTable& rules) const {
    const bool skipped = r.status == ObjectStatus::kSkipped;
    const std::string id = rule_id(f);
    w.begin_object();
    w.key("ruleId").value(id);
    w.key("ruleIndex").value(rules.index.at(id));
    w.key("level").value(skipped ? "note" : level_of(f.severity));
    // A multi-version run names the version, and its fingerprints differ per version (code scanning
    // would merge two versions' results otherwise).
    const std::string version = ctx_->multi_version() ? r.server_version : "";
    const std::string subject = r.display_name() + (version.empty() ? "" : " [" + version + "]");
    w.key("message").begin_object().key("text").value(subject + ": " + f.message).end_object();
    write_locations(w, r, f);
    const Location loc = locate(r, f);
    w.key("partialFingerprints").begin_object();
    w.key("kvalidate/v1").value(hex_sha256(id + '\0' + loc.file + '\0' + r.display_name() + '\0' + f.path +
                                               (version.empty() ? "" : '\0' + version),
                                           16));
    w.end_object();
    w.key("properties").begin_object();
    w.key("suite").value(r.suite);
    w.key("kind_of_result").value(to_string(r.kind_of_result));
    w.key("status").value(kv::to_string(r.status));
    if (!f.path.empty()) w.key("path").value(f.path);
    if (!version.empty()) w.key("server_version").value(version);
    w.end_object();
    w.end_object();
  }

  static std::string rule_id(const Finding& f) { return f.rule.empty() ? "kvalidate/finding" : f.rule; }

  static void write_locations(JsonWriter& w, const ObjectResult& r, const Finding& f) {
    const Location loc = locate(r, f);
    if (loc.file.empty()) return;
    w.key("locations").begin_array().begin_object();
    w.key("physicalLocation").begin_object();
    w.key("artifactLocation").begin_object();
    if (loc.file.front() == '/') {
      w.key("uri").value("file://" + uri_path(loc.file));
    } else {
      w.key("uri").value(uri_path(loc.file));
      w.key("uriBaseId").value("%SRCROOT%");
    }
    w.end_object();
    if (loc.line > 0) {
      w.key("region").begin_object().key("startLine").value(loc.line);
      if (loc.column > 0) w.key("startColumn").value(loc.column);
      w.end_object();
    }
    w.end_object();  // physicalLocation
    if (r.kind_of_result == ResultKind::kObject) {
      w.key("logicalLocations").begin_array().begin_object();
      w.key("fullyQualifiedName").value(r.display_name());
      w.key("kind").value("resource");
      w.end_object().end_array();
    }
    w.end_object().end_array();
  }

  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  std::vector<ObjectResult> results_;
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<SarifReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
