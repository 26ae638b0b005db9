// Turning the engine's decisions into ObjectResults: the blank result of an object, findings located at
// file:line, RBAC risk findings, --disable-rule, and each result's exit code.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>

#include "resources/resource.h"
#include "resources/result.h"
#include "validators/service_allocations.h"
#include "validators/rbac_rules.h"

namespace kv::engine {

// Where a field is written: line and column (0 = unknown) in `file` ("" = the object's own source file;
// another file is a kustomize patch that set the field), and a note for the message when the place the
// user must change is elsewhere (a chart value: "value podAnnotations.x, set by values.yaml:12").
struct Place {
  int line = 0;
  int column = 0;
  std::string note;
  std::string file;
};
using FieldPlace = Place;

// Maps a field path of a resource to its Place. The manifests command uses resources/locate; the chart
// command a template-aware locator; the kustomize command the origin files and patches.
using LocateFn = std::function<Place(const Resource&, const std::string& field_path)>;

// Maps a line as an object's node marks count it to a line of its file: for a chart object, a line of
// its rendered document → the template line that wrote it (render/line_map.h).
using MapLineFn = std::function<int(const Resource&, int line)>;

// resources/locate's answer for the field, as a LocateFn.
Place locate_in_source(const Resource& r, const std::string& field_path);

// The result of `r` before any finding: kind kObject, status valid, suite `suite` ("" = the object's file).
ObjectResult object_result(const Resource& r, const std::string& suite);

// Appends `f` to `res`, placed at the line (and file) of its field (`locate`; for a message
// `Invalid value: "V"` about a map, the entry holding V), else at the object's first line; a Place's
// note is appended to the message in parentheses.
void add_located(ObjectResult& res, const Resource& r, const LocateFn& locate, Finding f);

// An error result for an object that was not judged: "server/unavailable", "not validated: <why>".
ObjectResult not_validated(const Resource& r, const std::string& suite, const std::string& why);

// The exit code one result asks for: 1 findings, 2 bad input (also an object RBAC did not let
// kvalidate judge: server/missing-verb), 3 infrastructure, else 0.
int exit_code_of(const ObjectResult& r);

// Counts the objects the user's RBAC did not let kvalidate judge (server/missing-verb), to say so once.
class RbacRefusals {
 public:
  void add(const ObjectResult& r);
  // "" when nothing was refused, else one line for stderr: how many of the objects seen were refused
  // (HTTP 403 from RBAC), and the first refusal's words (they name the user, the verb and the resource).
  std::string summary() const;

 private:
  int refused_ = 0;
  int seen_ = 0;
  std::string first_;
};

// RBAC risk findings of Roles, ClusterRoles and bindings join the object's result with the severity
// `policy` gives them (warnings by default), on the line of the object's file (`map_line`, null =
// unchanged); only an error-level risk (--risk-rules error, or a rule set to error) makes a valid object
// invalid. Rules in `disabled` are left out.
void add_rbac_risks(ObjectResult& r, const Resource& res, const std::set<std::string>& disabled,
                    const RiskPolicy& policy, const MapLineFn& map_line = {});

// What the loader found in the object's text (duplicate keys: Resource::local_findings) joins its
// result as errors, at the line of the object's file (`map_line`): the server judged the object as
// kubectl would send it, but would reject the text as written.
void add_local_findings(ObjectResult& r, const Resource& res, const MapLineFn& map_line = {});

// The node ports and cluster IPs Service `res` asks for that creating it would have refused
// (validators/service_allocations.h; `held` holds those of the batch's Services before it), placed by
// `locate` as the server's findings are (a kustomize patch, a chart's template and values line), else their
// lines mapped as above; such a finding makes a judged object invalid.
void add_allocation_findings(ObjectResult& r, const Resource& res, ServiceAllocations& held, const LocateFn& locate,
                             const MapLineFn& map_line);

// --disable-rule ID also silences server findings by rule ("dry-run/deprecated-api"); an invalid
// object left without errors becomes valid, except one that could not be checked at all (its kind is not
// served: dry-run/unknown-kind, dry-run/api-not-served), which becomes skipped with the reason.
void drop_disabled(ObjectResult& r, const std::set<std::string>& disabled);

// Puts the findings of `r` in file, line, column, rule and message order: the server lists an answer's
// causes in an order of its own, which varies from run to run. Same input, same report.
void order_findings(ObjectResult& r);

// An object of a chart some of whose templates failed to render (render::Rendered::partial): a kind no one
// serves may be the one a failed template's CustomResourceDefinition defines, so the object's
// dry-run/unknown-kind error (when it is its only error) becomes skipped, saying so. The failures are the
// chart's errors already.
void excuse_unserved_kind(ObjectResult& r);

}  // namespace kv::engine
