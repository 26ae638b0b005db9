#include "engine/access_check.h"

#include <algorithm>
#include <set>

#include <fmt/core.h>

#include "core/json.h"
#include "engine/connect.h"
#include "engine/plane_objects.h"

namespace kv::engine {
namespace {

Result<Connection> connect_plane(const AccessCheck& c) {
  auto co = connect_options(c.cluster, c.namespace_);
  if (!co.ok()) return co.status();
  return connect(*co);
}

std::string namespace_for(const AccessCheck& c, const Connection& conn) {
  return c.all_namespaces ? "" : conn.default_namespace;
}

// The resource fields of `q`, refreshing discovery once when the resource is not known (a CRD may have
// been added since discovery was cached).
Status resolve(const AccessCheck& c, Connection& conn, AccessQuery& q) {
  q.namespace_ = namespace_for(c, conn);
  Status s = resolve_access_target(c.resource, c.subresource, conn.discovery, q);
  if (s.code() != Status::Code::kNotFound) return s;
  KV_RETURN_IF_ERROR(refresh_discovery(conn));
  return resolve_access_target(c.resource, c.subresource, conn.discovery, q);
}

}  // namespace

Result<AccessAnswer> check_access(const AccessCheck& c) {
  auto conn = connect_plane(c);
  if (!conn.ok()) return conn.status();
  AccessQuery q;
  q.user = c.user;
  q.groups = impersonation_groups(c.user, c.groups);
  q.verb = c.verb;
  KV_RETURN_IF_ERROR(resolve(c, *conn, q));
  return review_access(*conn->client, q);
}

Result<AccessList> list_access(const AccessCheck& c) {
  auto conn = connect_plane(c);
  if (!conn.ok()) return conn.status();
  // On kvalidate's plane, the CRDs runs created (the CRD pool's) are not the plane's own: not listed.
  std::set<std::string> hidden;
  if (conn->plane.owned)
    if (auto labelled = labelled_crds(*conn->client))
      for (const auto& [name, crd] : *labelled) hidden.insert(name);
  AccessList l{c.user, impersonation_groups(c.user, c.groups), namespace_for(c, *conn),
               access_rows(without_crds(conn->discovery, hidden))};
  KV_RETURN_IF_ERROR(fill_access_matrix(*conn->client, l.rows, l.user, l.groups, l.namespace_, c.jobs));
  return l;
}

std::string access_answer_text(const AccessAnswer& a) {
  std::string line = a.allowed ? "yes" : "no";
  if (!a.reason.empty()) line += " - " + a.reason;
  if (!a.evaluation_error.empty()) line += " - " + a.evaluation_error;
  return line;
}

std::string access_answer_json(const AccessAnswer& a) {
  JsonWriter w;
  w.begin_object().key("allowed").value(a.allowed).key("denied").value(a.denied);
  w.key("reason").value(a.reason).key("evaluationError").value(a.evaluation_error).end_object();
  return w.str();
}

std::string access_list_json(const AccessList& l) {
  JsonWriter w;
  w.begin_object().key("user").value(l.user).key("groups").begin_array();
  for (const auto& g : l.groups) w.value(g);
  w.end_array().key("namespace").value(l.namespace_).key("resources").begin_array();
  for (const auto& [name, row] : l.rows) {
    if (row.allowed.empty()) continue;
    w.begin_object().key("resource").value(row.resource).key("group").value(row.group);
    w.key("subresource").value(row.subresource).key("verbs").begin_array();
    for (const auto& v : row.allowed) w.value(v);
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::string access_list_text(const AccessList& l) {
  size_t width = std::string("Resources").size();
  for (const auto& [name, row] : l.rows)
    if (!row.allowed.empty()) width = std::max(width, name.size());
  std::string out = fmt::format("{:<{}}   {}\n", "Resources", width, "Verbs");
  for (const auto& [name, row] : l.rows) {
    if (row.allowed.empty()) continue;
    std::string verbs;
    for (const auto& v : row.allowed) verbs += (verbs.empty() ? "" : " ") + v;
    out += fmt::format("{:<{}}   [{}]\n", name, width, verbs);
  }
  return out;
}

}  // namespace kv::engine
