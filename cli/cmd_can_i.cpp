// `kvalidate can-i VERB RESOURCE[.GROUP][/NAME] --as USER`: one SubjectAccessReview on the plane, as
// `kubectl auth can-i --as`; `--list` builds an access matrix (served resources × verbs) from reviews.
#include <fmt/core.h>

#include "cli/command.h"
#include "cli/options.h"
#include "core/exit_codes.h"
#include "engine/access_check.h"

namespace kv::cli {
namespace {

struct CanIOptions {
  engine::AccessCheck check;
  std::string output = "text";
  bool quiet = false, list = false;
};

int run_single(const CanIOptions& o) {
  if (o.check.verb.empty() || o.check.resource.empty())
    return fail(Status::Usage("can-i needs VERB and RESOURCE (or --list); see kvalidate can-i --help"));
  auto a = engine::check_access(o.check);
  if (!a.ok()) return fail(a.status());
  if (!o.quiet) fmt::print("{}\n", o.output == "json" ? engine::access_answer_json(*a) : engine::access_answer_text(*a));
  return a->allowed ? exit_code::kClean : exit_code::kFindings;
}

int run_list(const CanIOptions& o) {
  if (!o.check.verb.empty()) return fail(Status::Usage("--list takes no VERB or RESOURCE"));
  auto l = engine::list_access(o.check);
  if (!l.ok()) return fail(l.status());
  if (o.output == "json") fmt::print("{}\n", engine::access_list_json(*l));
  else fmt::print("{}", engine::access_list_text(*l));
  return exit_code::kClean;
}

int run(const CanIOptions& o) {
  if (o.check.user.empty())
    return fail(Status::Usage("can-i needs --as USER (the plane's own credentials can do anything)"));
  if (o.output != "text" && o.output != "json")
    return fail(Status::Usage("-o " + o.output + ": can-i prints text or json"));
  return o.list ? run_list(o) : run_single(o);
}

const Registrar kRegistrar{Command{
    "can-i", "Check whether USER may perform VERB on RESOURCE[.GROUP][/NAME] (exit 0 yes, 1 no), or list "
             "what USER may do (--list)", 40,
    [](CLI::App* cmd) -> std::function<int()> {
      auto opts = std::make_shared<CanIOptions>();
      cmd->add_option("verb", opts->check.verb, "get, list, watch, create, update, patch, delete, ... or *");
      cmd->add_option("resource", opts->check.resource,
                      "RESOURCE[.GROUP][/NAME] as kubectl (pods, deployments.apps, deploy/web), * or a "
                      "non-resource URL (/healthz)");
      cmd->add_option("--as", opts->check.user, "User to check; system:serviceaccount:NS:NAME implies its groups");
      cmd->add_option("--as-group", opts->check.groups, "Group to check as (repeatable)");
      cmd->add_option("-n,--namespace", opts->check.namespace_, "Namespace (default: the context's, else default)");
      cmd->add_flag("-A,--all-namespaces", opts->check.all_namespaces, "Check across all namespaces");
      cmd->add_option("--subresource", opts->check.subresource, "Subresource, e.g. exec, log, status, scale");
      cmd->add_flag("-q,--quiet", opts->quiet, "Print nothing; only the exit code answers");
      cmd->add_flag("--list", opts->list, "List what USER may do: served resources x verbs");
      cmd->add_option("-o,--output", opts->output, "text or json");
      cmd->add_option("-j,--jobs", opts->check.jobs, "Reviews in flight (--list)")->check(CLI::Range(1, 256));
      add_cluster_flags(cmd, opts->check.cluster);
      return [opts] { return run(*opts); };
    }}};

}  // namespace
}  // namespace kv::cli
