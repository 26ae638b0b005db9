// Turning the engine's decisions into ObjectResults: the blank result of an object, findings located at
// file:line, RBAC risk findings, --disable-rule, and each result's exit code.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>

#include "resources/resource.h"
#include "resources/result.h"

namespace kv::engine {

// Maps a field path of a resource to (line, column) in its source file; (0, 0) when unknown. The
// manifests command uses resources/locate; the chart command a template-aware locator.
using LocateFn = std::function<std::pair<int, int>(const Resource&, const std::string& field_path)>;

// Maps a line as an object's node marks count it to a line of its file: for a chart object, a line of
// its rendered document → the template line that wrote it (render/line_map.h).
using MapLineFn = std::function<int(const Resource&, int line)>;

// resources/locate's answer for the field, as a LocateFn.
std::pair<int, int> locate_in_source(const Resource& r, const std::string& field_path);

// The result of `r` before any finding: kind kObject, status valid, suite `suite` ("" = the object's file).
ObjectResult object_result(const Resource& r, const std::string& suite);

// Appends `f` to `res`, placed at the line of its field (`locate`; for a message `Invalid value: "V"`
// about a map, the entry holding V), else at the object's first line.
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

// RBAC risk findings of Roles, ClusterRoles and bindings join the object's result, on the line of the
// object's file (`map_line`, null = unchanged); an error-level risk makes a valid object invalid. Rules in
// `disabled` are left out.
void add_rbac_risks(ObjectResult& r, const Resource& res, const std::set<std::string>& disabled,
                    const MapLineFn& map_line = {});

// What the loader found in the object's text (duplicate keys: Resource::local_findings) joins its
// result as errors, at the line of the object's file (`map_line`): the server judged the object as
// kubectl would send it, but would reject the text as written.
void add_local_findings(ObjectResult& r, const Resource& res, const MapLineFn& map_line = {});

// --disable-rule ID also silences server findings by rule ("dry-run/deprecated-api"); an invalid
// object left without errors becomes valid.
void drop_disabled(ObjectResult& r, const std::set<std::string>& disabled);

}  // namespace kv::engine
