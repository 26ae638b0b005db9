#include "validators/access_query.h"

#include <algorithm>

#include <fmt/core.h>

namespace kv {

Status resolve_access_target(const std::string& spec_in, const std::string& subresource,
                             const kube::Discovery& discovery, AccessQuery& q) {
  std::string spec = spec_in;
  if (spec.rfind("/", 0) == 0) {
    if (!subresource.empty()) return Status::Usage("--subresource does not apply to a non-resource URL");
    q.non_resource_url = spec;
    return Status::Ok();
  }
  if (auto slash = spec.find('/'); slash != std::string::npos) {
    q.name = spec.substr(slash + 1);
    spec = spec.substr(0, slash);
    if (q.name.empty() || spec.empty()) return Status::Usage("\"" + spec_in + "\": expected RESOURCE[.GROUP][/NAME]");
  }
  q.subresource = subresource;
  if (spec == "*") {
    q.resource = "*";
    return Status::Ok();
  }
  const kube::ApiResource* api = discovery.find_resource(spec);
  if (!api) {
    if (rbac_only_resource(spec, &q.group)) {
      q.resource = spec.substr(0, spec.find('.'));
      q.namespace_.clear();
      return Status::Ok();
    }
    return Status::NotFound(fmt::format("unknown resource \"{}\": the API server does not serve it", spec));
  }
  if (!q.subresource.empty() && !api->subresources.empty() &&
      std::find(api->subresources.begin(), api->subresources.end(), q.subresource) == api->subresources.end())
    return Status::InvalidInput(fmt::format("unknown subresource \"{}\" of {}", q.subresource, api->resource));
  q.resource = api->resource;
  q.group = api->group;
  if (!api->namespaced) q.namespace_.clear();
  return Status::Ok();
}

std::string AccessRow::display() const {
  return resource + (subresource.empty() ? "" : "/" + subresource) + (group.empty() ? "" : "." + group);
}

std::map<std::string, AccessRow> access_rows(const kube::Discovery& discovery) {
  std::map<std::string, AccessRow> rows;
  for (const auto& r : discovery.all()) {
    AccessRow base{r.group, r.resource, "", r.namespaced, r.verbs, {}};
    rows.emplace(base.display(), base);
    for (const auto& sub : r.subresources) {
      AccessRow s{r.group, r.resource, sub, r.namespaced, {"get", "create", "update", "patch"}, {}};
      rows.emplace(s.display(), s);
    }
  }
  return rows;
}

Status fill_access_matrix(kube::Transport& transport, std::map<std::string, AccessRow>& rows, const std::string& user,
                          const std::vector<std::string>& groups, const std::string& ns, int jobs) {
  std::vector<AccessQuery> qs;
  std::vector<std::pair<AccessRow*, std::string>> owner;
  for (auto& [name, row] : rows)
    for (const auto& verb : row.verbs) {
      qs.push_back({user, groups, verb, row.group, row.resource, row.subresource, "", row.namespaced ? ns : "", ""});
      owner.emplace_back(&row, verb);
    }
  auto answers = review_access_all(transport, qs, jobs);
  for (size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i].ok()) return answers[i].status();
    if (answers[i]->allowed) owner[i].first->allowed.push_back(owner[i].second);
  }
  return Status::Ok();
}

}  // namespace kv
