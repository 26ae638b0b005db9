// `kvalidate can-i`'s work from plain settings: connect, resolve the asked resource against discovery
// (refreshed once when it does not know it: a CRD may be newer than the cache), one SubjectAccessReview
// or the whole access matrix (served resources × verbs); and both answers worded as text or JSON.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/run_settings.h"
#include "validators/access_query.h"

namespace kv::engine {

struct AccessCheck {
  std::string verb, resource, subresource;  // VERB, RESOURCE[.GROUP][/NAME], --subresource
  std::string user;                         // --as
  std::vector<std::string> groups;          // --as-group (the implied ones are added)
  std::string namespace_;                   // -n; "" = the context's namespace, else default
  bool all_namespaces = false;              // -A
  int jobs = 32;                            // reviews in flight (the matrix)
  ClusterFlags cluster;
};

// Connects and asks whether the user may do the verb on the resource. Errors: those of connect(), of
// resolve_access_target() (Usage, NotFound, InvalidInput), and of the review.
Result<AccessAnswer> check_access(const AccessCheck& c);

// What the user may do: every served resource with the verbs allowed (rows with none are kept, empty).
struct AccessList {
  std::string user;
  std::vector<std::string> groups;  // as sent (impersonation_groups)
  std::string namespace_;           // "" = all namespaces
  std::map<std::string, AccessRow> rows;
};

// Connects and fills the access matrix for the user. Errors: those of connect() and the first failed review.
Result<AccessList> list_access(const AccessCheck& c);

// "yes", "no - REASON - EVALUATION ERROR" (the parts there are); and the JSON object. No trailing newline.
std::string access_answer_text(const AccessAnswer& a);
std::string access_answer_json(const AccessAnswer& a);

// The resources with some verb allowed: a "Resources   Verbs" table (lines end in "\n"), or one JSON
// object (no trailing newline).
std::string access_list_text(const AccessList& l);
std::string access_list_json(const AccessList& l);

}  // namespace kv::engine
