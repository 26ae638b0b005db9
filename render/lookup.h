// Charts that call helm's `lookup`: where they call it, and whether each call found its object. Offline
// (`helm template` without a cluster) every lookup returns an empty map, so what a chart renders from it
// is not what it renders on a cluster; `kvalidate chart --lookup` renders against the plane instead, and
// the findings here say which lookups still came back empty.
#pragma once

#include <string>
#include <vector>

#include "kube/client.h"
#include "kube/discovery.h"
#include "render/chart.h"
#include "resources/result.h"

namespace kv::render {

struct LookupCall {
  std::string file;                              // as the user opens it: chart.path + "/templates/x.yaml"
  int line = 0;                                  // 1-based
  std::string text;                              // the call as written: `lookup "v1" "Secret" .Release.Namespace "x"`
  std::string api_version, kind, namespace_, name;  // the arguments when `literal`
  bool literal = false;                          // every argument is a string or .Release.Namespace
};

// Every `lookup` call in the chart's templates (templates/ and the templates/ of unpacked subcharts
// under charts/), in file then line order. .Release.Namespace is replaced by `release_namespace`.
std::vector<LookupCall> find_lookup_calls(const Chart& chart, const std::string& release_namespace);

// What a lookup on the cluster returned.
enum class LookupAnswer { kFound, kEmpty, kUnknown };

// Asks the server what each literal call would return (GET the object, or a list of one when the name is
// empty): kFound, kEmpty (404, or an empty list), kUnknown for computed arguments, a kind the server
// does not serve, or any other answer (`why` of the same index says which). Reads no object's content.
std::vector<LookupAnswer> answer_lookups(kube::Client& client, const kube::Discovery& discovery,
                                         const std::vector<LookupCall>& calls, std::vector<std::string>& why);

// One result (kind kRender, title "lookup", status valid) with an info finding per call that returned,
// or may have returned, an empty map: offline (`answers` empty) every call; against a cluster the calls
// answered kEmpty or kUnknown. No result (nullopt-like: empty findings) when there is nothing to say.
ObjectResult lookup_result(const Chart& chart, const std::vector<LookupCall>& calls,
                           const std::vector<LookupAnswer>& answers, const std::vector<std::string>& why,
                           const std::string& suite);

}  // namespace kv::render
