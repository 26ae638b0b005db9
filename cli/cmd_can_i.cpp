// `kvalidate can-i VERB RESOURCE[.GROUP][/NAME] --as USER`: one SubjectAccessReview on the plane, as
// `kubectl auth can-i --as`; `--list` builds an access matrix (served resources × verbs) from reviews.
#include <algorithm>
#include <map>

#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "core/exit_codes.h"
#include "core/json.h"
#include "validators/access_query.h"

namespace kv::cli {
namespace {

struct CanIOptions {
  std::string verb, resource;
  std::string as;
  std::vector<std::string> as_groups;
  std::string namespace_, subresource, output = "text";
  bool all_namespaces = false, quiet = false, list = false;
  int jobs = 32;
  ClusterFlags cluster;
};

// The one connect every cluster-needing command goes through (with its -n check).
Result<engine::Connection> connect_plane(const CanIOptions& o) {
  auto co = engine::connect_options(o.cluster, o.namespace_);
  if (!co.ok()) return co.status();
  return engine::connect(*co);
}

std::string namespace_for(const CanIOptions& o, const engine::Connection& c) {
  return o.all_namespaces ? "" : c.default_namespace;
}

// The resource fields of `q`, refreshing discovery once when the resource is not known (a CRD may have
// been added since discovery was cached).
Status resolve(const CanIOptions& o, engine::Connection& c, AccessQuery& q) {
  q.namespace_ = namespace_for(o, c);
  Status s = resolve_access_target(o.resource, o.subresource, c.discovery, q);
  if (s.code() != Status::Code::kNotFound) return s;
  KV_RETURN_IF_ERROR(engine::refresh_discovery(c));
  return resolve_access_target(o.resource, o.subresource, c.discovery, q);
}

int run_single(const CanIOptions& o) {
  if (o.verb.empty() || o.resource.empty())
    return fail(Status::Usage("can-i needs VERB and RESOURCE (or --list); see kvalidate can-i --help"));
  auto conn = connect_plane(o);
  if (!conn.ok()) return fail(conn.status());
  AccessQuery q;
  q.user = o.as;
  q.groups = impersonation_groups(o.as, o.as_groups);
  q.verb = o.verb;
  if (Status s = resolve(o, *conn, q); !s.ok()) return fail(s);
  auto a = review_access(*conn->client, q);
  if (!a.ok()) return fail(a.status());
  if (o.output == "json") {
    JsonWriter w;
    w.begin_object().key("allowed").value(a->allowed).key("denied").value(a->denied);
    w.key("reason").value(a->reason).key("evaluationError").value(a->evaluation_error).end_object();
    if (!o.quiet) fmt::print("{}\n", w.str());
  } else if (!o.quiet) {
    std::string line = a->allowed ? "yes" : "no";
    if (!a->reason.empty()) line += " - " + a->reason;
    if (!a->evaluation_error.empty()) line += " - " + a->evaluation_error;
    fmt::print("{}\n", line);
  }
  return a->allowed ? exit_code::kClean : exit_code::kFindings;
}

int run_list(const CanIOptions& o) {
  if (!o.verb.empty()) return fail(Status::Usage("--list takes no VERB or RESOURCE"));
  auto conn = connect_plane(o);
  if (!conn.ok()) return fail(conn.status());
  auto rows = access_rows(conn->discovery);
  std::string ns = namespace_for(o, *conn);
  auto groups = impersonation_groups(o.as, o.as_groups);
  if (Status s = fill_access_matrix(*conn->client, rows, o.as, groups, ns, o.jobs); !s.ok()) return fail(s);
  if (o.output == "json") {
    JsonWriter w;
    w.begin_object().key("user").value(o.as).key("groups").begin_array();
    for (const auto& g : groups) w.value(g);
    w.end_array().key("namespace").value(ns).key("resources").begin_array();
    for (const auto& [name, row] : rows) {
      if (row.allowed.empty()) continue;
      w.begin_object().key("resource").value(row.resource).key("group").value(row.group);
      w.key("subresource").value(row.subresource).key("verbs").begin_array();
      for (const auto& v : row.allowed) w.value(v);
      w.end_array().end_object();
    }
    w.end_array().end_object();
    fmt::print("{}\n", w.str());
    return exit_code::kClean;
  }
  size_t width = std::string("Resources").size();
  for (const auto& [name, row] : rows)
    if (!row.allowed.empty()) width = std::max(width, name.size());
  fmt::print("{:<{}}   {}\n", "Resources", width, "Verbs");
  for (const auto& [name, row] : rows) {
    if (row.allowed.empty()) continue;
    std::string verbs;
    for (const auto& v : row.allowed) verbs += (verbs.empty() ? "" : " ") + v;
    fmt::print("{:<{}}   [{}]\n", name, width, verbs);
  }
  return exit_code::kClean;
}

int run(const CanIOptions& o) {
  if (o.as.empty()) return fail(Status::Usage("can-i needs --as USER (the plane's own credentials can do anything)"));
  if (o.output != "text" && o.output != "json")
    return fail(Status::Usage("-o " + o.output + ": can-i prints text or json"));
  return o.list ? run_list(o) : run_single(o);
}

const Registrar kRegistrar{Command{
    "can-i", "Check whether USER may perform VERB on RESOURCE[.GROUP][/NAME] (exit 0 yes, 1 no), or list "
             "what USER may do (--list)", 40,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<CanIOptions>();
      cmd->add_option("verb", opts->verb, "get, list, watch, create, update, patch, delete, ... or *");
      cmd->add_option("resource", opts->resource,
                      "RESOURCE[.GROUP][/NAME] as kubectl (pods, deployments.apps, deploy/web), * or a "
                      "non-resource URL (/healthz)");
      cmd->add_option("--as", opts->as, "User to check; system:serviceaccount:NS:NAME implies its groups");
      cmd->add_option("--as-group", opts->as_groups, "Group to check as (repeatable)");
      cmd->add_option("-n,--namespace", opts->namespace_, "Namespace (default: the context's, else default)");
      cmd->add_flag("-A,--all-namespaces", opts->all_namespaces, "Check across all namespaces");
      cmd->add_option("--subresource", opts->subresource, "Subresource, e.g. exec, log, status, scale");
      cmd->add_flag("-q,--quiet", opts->quiet, "Print nothing; only the exit code answers");
      cmd->add_flag("--list", opts->list, "List what USER may do: served resources x verbs");
      cmd->add_option("-o,--output", opts->output, "text or json");
      cmd->add_option("-j,--jobs", opts->jobs, "Reviews in flight (--list)")->check(CLI::Range(1, 256));
      add_cluster_flags(cmd, opts->cluster);
      return [opts] { return run(*opts); };
    }}};

}  // namespace
}  // namespace kv::cli
