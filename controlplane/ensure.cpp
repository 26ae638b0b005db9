#include "controlplane/ensure.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include <fmt/core.h>

#include "controlplane/apiserver_backend.h"
#include "controlplane/ensure_step.h"
#include "controlplane/files.h"
#include "controlplane/full_plane.h"
#include "controlplane/kwok_config.h"
#include "controlplane/k3s_backend.h"
#include "controlplane/launch.h"
#include "controlplane/data_template.h"
#include "controlplane/start_template.h"
#include "core/file_lock.h"
#include "controlplane/state.h"
#include "core/kube_versions.h"
#include "core/tools.h"
#include "core/trust.h"
#include "kube/api_status.h"
#include "kube/client.h"
#include "kube/credentials.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace {

using Clock = std::chrono::steady_clock;

// --as/--as-group override the kubeconfig's as/as-groups, as kubectl's flags do.
Status apply_impersonation(const EnsureOptions& opts, kube::Cluster& c) {
  if (!opts.as_user.empty()) c.impersonate.user = opts.as_user;
  if (!opts.as_groups.empty()) c.impersonate.groups = opts.as_groups;
  if (!opts.as_uid.empty()) c.impersonate.uid = opts.as_uid;
  if (c.impersonate.user.empty() && !c.impersonate.empty())
    return Status::Usage("--as-group/--as-uid (or the kubeconfig's as-groups, as-uid, as-user-extra) need a user "
                         "to impersonate: give --as (or as: in the kubeconfig)");
  return Status::Ok();
}

Result<Plane> external(const EnsureOptions& opts) {
  std::string paths = opts.kubeconfig;
  if (paths.empty()) {
    if (const char* env = std::getenv("KUBECONFIG"); env && *env) paths = env;
    else if (const char* home = std::getenv("HOME"); home && *home) paths = std::string(home) + "/.kube/config";
    else return Status::InvalidInput("--context: no kubeconfig (set KUBECONFIG or use --kubeconfig)");
  }
  auto cluster = kube::load_kubeconfig(paths, opts.context);
  if (!cluster.ok()) return cluster.status();
  KV_RETURN_IF_ERROR(apply_impersonation(opts, *cluster));
  std::string who = fmt::format("cluster {} (context \"{}\" of {})", cluster->server, cluster->context, paths);
  // An exec plugin runs here, once, so that its failure reads as what it is.
  if (auto creds = kube::current_credentials(*cluster); !creds.ok()) {
    Status why = creds.status().Prefixed(who + ": user \"" + cluster->user + "\": getting credentials");
    return creds.status().code() == Status::Code::kNotFound ? Status::InvalidInput(why.message()) : why;
  }
  // Any HTTP answer from /readyz or /version shows the server is there; reviewers without rights on
  // /readyz still get /version (public-info-viewer).
  std::string detail;
  if (!plane_ready(*cluster, &detail, 5000)) {
    kube::ClientOptions co;
    co.connect_timeout_ms = 5000;
    co.request_timeout_ms = 10000;
    auto client = kube::Client::Create(*cluster, co);
    if (!client.ok()) return client.status();
    kube::Request req;
    req.path = "/version";
    kube::Response r = (*client)->send(req);
    if (r.status == 401) return kube::credentials_rejected(*cluster);
    if (r.status == 403)
      return kube::credentials_forbidden(*cluster, cluster->server + "/version",
                                         kube::parse_api_status(r.body, r.status).message);
    if (!r.success())
      return Status::Unavailable(fmt::format("{} does not answer: {}", who, r.transport_ok() ? detail : r.transport_error));
  }
  Plane p;
  p.cluster = *cluster;
  p.backend = "external";
  p.kubeconfig_path = paths;
  return p;
}

std::string recorded_version(const State& s) {
  auto it = s.versions.find(s.backend == "k3s" ? "k3s" : "kube-apiserver");
  return it == s.versions.end() ? "" : it->second;
}

// The recorded plane, when every recorded process is still ours and /readyz answers (and, with
// `need_full`, it is a full plane).
std::optional<Plane> reuse(const std::string& dir, std::string* why = nullptr, bool need_full = false) {
  auto s = read_state(dir);
  if (!s.ok()) { if (why) *why = s.status().message(); return std::nullopt; }
  if (s->phase != "ready") { if (why) *why = "a start did not finish"; return std::nullopt; }
  if (need_full && !s->full) { if (why) *why = "it runs without the full plane's components"; return std::nullopt; }
  for (const auto& p : s->processes)
    if (!process_matches(p)) {
      if (why) *why = p.component + " (pid " + std::to_string(p.pid) + ") is gone";
      return std::nullopt;
    }
  auto cluster = kube::load_kubeconfig(s->kubeconfig);
  if (!cluster.ok()) { if (why) *why = cluster.status().message(); return std::nullopt; }
  if (!endpoint_ok(*cluster, recorded_ready_path(*s), why, 3000)) return std::nullopt;
  Plane p;
  p.cluster = *cluster;
  p.owned = true;
  p.backend = s->backend;
  p.kubeconfig_path = s->kubeconfig;
  p.full = s->full;
  p.server_version = recorded_version(*s);
  p.dir = dir;
  return p;
}

// True when a ready record's processes are all still the ones kvalidate started.
bool running_as_recorded(const State& s) {
  if (s.phase != "ready" || s.processes.empty()) return false;
  for (const auto& p : s.processes)
    if (!process_matches(p)) return false;
  return true;
}

std::string no_binaries_message() {
  return "no control plane binaries found: kvalidate starts kube-apiserver + etcd (or k3s). Build them with "
         "tools/go/build.sh in kvalidate's source tree (they go to " + cache_dir() + "/bin), or set "
         "KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd, or put k3s on PATH, "
         "or use an existing cluster with --kubeconfig";
}

// What a start needs besides the state dir.
struct StartSpec {
  std::string backend;
  std::string kube_version;                // "" = the newest kube-apiserver found (see make_plan)
  std::optional<FullBinaries> full;        // set: start a full plane with these programs
  std::map<std::string, int> keep_ports;   // a plane restarted as full keeps its ports where they are free
};

// `kube_version` "" takes the newest kube-apiserver found anywhere; a pinned version only its own
// cache folder's (a copy on PATH is of unknown version).
std::optional<ToolLocation> find_apiserver(const std::string& kube_version) {
  return kube_version.empty() ? find_tool("kube-apiserver") : find_cached_tool("kube-apiserver", kube_version);
}

// The full plane's programs, found or built once (see find_full_binaries).
Result<FullBinaries> full_binaries(const EnsureOptions& opts) {
  if (opts.backend == "k3s")
    return Status::Usage("--full runs kube-controller-manager, kube-scheduler and KWOK beside kube-apiserver + "
                         "etcd; it cannot be combined with --backend k3s");
  auto apiserver = find_apiserver(opts.kube_version);
  if (!apiserver || !find_tool("etcd"))
    return Status::Unavailable("--full needs kube-apiserver and etcd: " + no_binaries_message());
  return find_full_binaries(apiserver->path, go_build_runner(opts.progress));
}

// The apiserver backend's plan; a plane on empty data starts from the data template (made first when
// missing: once per binaries and flags). A template that cannot be made is left out, with the reason in
// `note`: the plane then bootstraps itself, as before templates.
Result<LaunchPlan> apiserver_launch_plan(const std::string& dir, const StartSpec& spec, ApiserverConfig c,
                                         Clock::time_point deadline, PhaseTimer& timer, std::string& note) {
  c.dir = dir;
  c.full = spec.full.has_value();
  auto kept = [&](const char* name) { auto it = spec.keep_ports.find(name); return it == spec.keep_ports.end() ? 0 : it->second; };
  c.apiserver_port = kept("apiserver");
  c.etcd_client_port = kept("etcd-client");
  c.etcd_peer_port = kept("etcd-peer");
  c.kube_minor = known_kube_minor(c.apiserver_bin, templates_root());
  timer.mark("version probe");
  if (std::error_code ec; !std::filesystem::exists(dir + "/etcd-data", ec)) {
    bool made = false;
    auto t = ensure_data_template(c, templates_root(), deadline, made);
    if (t.ok()) c.template_data = *t;
    else note = "started without a data template (" + t.status().message() + ")";
    if (made) note = "made the data template for this kube-apiserver and its flags (once): later starts copy it";
    timer.mark(!t.ok() ? "template failed" : made ? "template made (once)" : "template found");
  }
  auto plan = apiserver_plan(c);
  timer.mark(c.template_data.empty() ? "plan" : "plan (data copied)");
  if (plan.ok() && spec.full)
    plan->start_after_ready = [fc = FullConfig{dir, *spec.full, 0, 0}](State& s, const kube::Cluster& admin,
                                                                       Clock::time_point deadline) {
      return start_full(fc, s, admin, deadline);
    };
  return plan;
}

Result<LaunchPlan> make_plan(const std::string& dir, const StartSpec& spec, Clock::time_point deadline,
                             PhaseTimer& timer, std::string& note) {
  const std::string& backend = spec.backend;
  auto apiserver = find_apiserver(spec.kube_version);
  auto etcd = find_tool("etcd");
  if (backend == "apiserver" || (backend == "auto" && apiserver && etcd) || spec.full) {
    if (!apiserver || !etcd)
      return Status::Unavailable(std::string(!apiserver ? "kube-apiserver" : "etcd") + " not found; " +
                                 no_binaries_message());
    ApiserverConfig c;
    c.etcd_bin = etcd->path;
    c.apiserver_bin = apiserver->path;
    return apiserver_launch_plan(dir, spec, c, deadline, timer, note);
  }
  auto k3s = find_tool("k3s");
  if (k3s) {
    K3sConfig c;
    c.dir = dir;
    c.k3s_bin = k3s->path;
    return k3s_plan(c);
  }
  return Status::Unavailable((backend == "k3s" ? std::string("k3s not found; ") : std::string()) + no_binaries_message());
}

Result<Plane> start(const std::string& dir, const StartSpec& spec, Clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    PhaseTimer timer;
    std::string note;
    auto plan = make_plan(dir, spec, deadline, timer, note);
    if (!plan.ok()) return plan.status();
    bool port_taken = false;
    auto launched = launch(dir, *plan, deadline, port_taken);
    if (!launched.ok()) {
      if (port_taken && attempt < 3 && Clock::now() < deadline) continue;  // someone took a port: pick others
      return launched.status();
    }
    timer.append(launched->phases);
    Plane p;
    p.cluster = launched->cluster;
    p.owned = true;
    p.backend = launched->state.backend;
    p.kubeconfig_path = launched->state.kubeconfig;
    p.started_now = true;
    p.full = launched->state.full;
    if (spec.full && !spec.full->kwok.empty())
      note += fmt::format("{}{} simulated nodes (KWOK): pods are scheduled and run", note.empty() ? "" : "; ", kSimulatedNodes);
    else if (spec.full)
      note += (note.empty() ? "" : "; ") + std::string("no simulated nodes, pods stay Pending: ") + spec.full->kwok_missing;
    p.note = note;
    p.server_version = recorded_version(launched->state);
    p.dir = dir;
    p.phases = timer.phases();
    return p;
  }
}

}  // namespace

// The plane kvalidate owns in the state folder: reused when it runs, else (re)started.
Result<Plane> own_plane(const EnsureOptions& opts);

std::string state_dir(const std::string& home) {
  if (!home.empty()) return home;
  if (const char* h = std::getenv("KVALIDATE_HOME"); h && *h) return h;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/kvalidate";
  const char* h = std::getenv("HOME");
  return std::string(h && *h ? h : "/tmp") + "/.local/state/kvalidate";
}

std::string version_plane_dir(const std::string& state_dir, const std::string& kube_version) {
  return state_dir + "/" + kube_version;
}

std::vector<std::string> version_plane_dirs(const std::string& state_dir) {
  std::vector<std::string> versions;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(state_dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 1 && name[0] == 'v' && e.is_directory() && std::filesystem::exists(state_file(e.path().string())))
      versions.push_back(name);
  }
  std::sort(versions.begin(), versions.end(), version_less);
  for (auto& v : versions) v = version_plane_dir(state_dir, v);
  return versions;
}

Result<Plane> ensure_plane(const EnsureOptions& opts) {
  const bool external_named = !opts.kubeconfig.empty() || !opts.context.empty();
  if (!opts.kube_version.empty() && (external_named || opts.backend == "k3s"))
    return Status::Usage(fmt::format("--kube-version needs kvalidate's own kube-apiserver planes: an existing "
                                     "cluster (--kubeconfig/--context) or k3s has one version of its own"));
  if (external_named) return external(opts);
  auto p = own_plane(opts);
  if (!p.ok()) return p;
  KV_RETURN_IF_ERROR(apply_impersonation(opts, p->cluster));
  return p;
}

Result<Plane> own_plane(const EnsureOptions& opts) {
  std::string dir = state_dir(opts.home);
  KV_RETURN_IF_ERROR(check_trusted_path(dir, "state folder"));
  if (!opts.kube_version.empty()) {
    // The default plane serves its own version: no second plane of the same version.
    if (auto p = reuse(dir, nullptr, opts.full); p && p->server_version == opts.kube_version) return *p;
    dir = version_plane_dir(dir, opts.kube_version);
  }
  if (auto p = reuse(dir, nullptr, opts.full)) return *p;  // warm path: no lock, no writes
  if (!opts.kube_version.empty())
    KV_RETURN_IF_ERROR(ensure_kube_binaries(opts.kube_version, opts.build_progress));
  StartSpec spec{opts.backend, opts.kube_version, std::nullopt, {}};
  if (opts.full) {  // before the lock: a first-use build takes minutes
    auto bins = full_binaries(opts);
    if (!bins.ok()) return bins.status();
    spec.full = std::move(*bins);
  }

  KV_RETURN_IF_ERROR(make_private_dir(dir));
  auto deadline = Clock::now() + opts.wait;
  auto lock = FileLock::acquire(dir + "/lock", opts.wait + std::chrono::seconds(30));
  if (!lock.ok()) return lock.status();
  // Whoever held the lock may have just started it.
  std::string why;
  if (auto p = reuse(dir, &why, opts.full)) return *p;
  auto s = read_state(dir);
  const bool ours = s.ok() && running_as_recorded(*s);
  const EnsureStep step = next_step(
      Observed{false, s.ok(), s.ok() && s->phase == "ready", ours, false, opts.full, s.ok() && s->full});
  if (step == EnsureStep::kWaitForReady) {
    // Running but not (yet) ready, e.g. etcd slow after a restart: give it a few seconds first.
    for (int i = 0; i < 50 && Clock::now() < deadline; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (auto p = reuse(dir, &why, opts.full)) return *p;
    }
  }
  std::string restarted;
  if (step == EnsureStep::kRestartFull) {
    // Its API server must run with the ServiceAccount admission plugin, which a plain plane runs without:
    // restarted on its own data (objects are kept) and, where they are still free, its ports.
    spec.keep_ports = s->ports;
    restarted = "the running plane was restarted as a full plane (its objects are kept): its API server now "
                "runs with the ServiceAccount admission plugin";
  }
  if (step != EnsureStep::kStart && !stop_recorded(*s))
    return Status::Unavailable("cannot stop the stale control plane recorded in " + state_file(dir));
  ::unlink(state_file(dir).c_str());  // stale, half-written or foreign: never trusted
  auto p = start(dir, spec, deadline);
  if (p.ok() && !restarted.empty()) p->note = restarted + (p->note.empty() ? "" : "; " + p->note);
  return p;
}

std::vector<Result<Plane>> ensure_planes(const std::vector<EnsureOptions>& opts) {
  std::vector<std::future<Result<Plane>>> running;
  for (const auto& o : opts) running.push_back(std::async(std::launch::async, [&o] { return ensure_plane(o); }));
  std::vector<Result<Plane>> out;
  for (auto& r : running) out.push_back(r.get());
  return out;
}

}  // namespace kv::controlplane
