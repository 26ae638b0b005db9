#include "controlplane/ensure.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <thread>

#include <fmt/core.h>

#include "controlplane/apiserver_backend.h"
#include "controlplane/files.h"
#include "controlplane/k3s_backend.h"
#include "controlplane/launch.h"
#include "controlplane/lock.h"
#include "controlplane/state.h"
#include "core/kube_versions.h"
#include "core/tools.h"
#include "core/trust.h"
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

// The recorded plane, when every recorded process is still ours and /readyz answers.
std::optional<Plane> reuse(const std::string& dir, std::string* why = nullptr) {
  auto s = read_state(dir);
  if (!s.ok()) { if (why) *why = s.status().message(); return std::nullopt; }
  if (s->phase != "ready") { if (why) *why = "a start did not finish"; return std::nullopt; }
  for (const auto& p : s->processes)
    if (!process_matches(p)) {
      if (why) *why = p.component + " (pid " + std::to_string(p.pid) + ") is gone";
      return std::nullopt;
    }
  auto cluster = kube::load_kubeconfig(s->kubeconfig);
  if (!cluster.ok()) { if (why) *why = cluster.status().message(); return std::nullopt; }
  if (!plane_ready(*cluster, why, 3000)) return std::nullopt;
  Plane p;
  p.cluster = *cluster;
  p.owned = true;
  p.backend = s->backend;
  p.kubeconfig_path = s->kubeconfig;
  p.server_version = recorded_version(*s);
  p.dir = dir;
  return p;
}

std::string no_binaries_message() {
  return "no control plane binaries found: kvalidate starts kube-apiserver + etcd (or k3s). Build them with "
         "tools/go/build.sh in kvalidate's source tree (they go to " + cache_dir() + "/bin), or set "
         "KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd, or put k3s on PATH, "
         "or use an existing cluster with --kubeconfig";
}

// `kube_version` "" takes the newest kube-apiserver found anywhere; a pinned version only its own
// cache folder's (a copy on PATH is of unknown version).
Result<LaunchPlan> make_plan(const std::string& dir, const std::string& backend, const std::string& kube_version) {
  auto apiserver = kube_version.empty() ? find_tool("kube-apiserver") : find_cached_tool("kube-apiserver", kube_version);
  auto etcd = find_tool("etcd");
  if (backend == "apiserver" || (backend == "auto" && apiserver && etcd)) {
    if (!apiserver || !etcd)
      return Status::Unavailable(std::string(!apiserver ? "kube-apiserver" : "etcd") + " not found; " +
                                 no_binaries_message());
    ApiserverConfig c;
    c.dir = dir;
    c.etcd_bin = etcd->path;
    c.apiserver_bin = apiserver->path;
    return apiserver_plan(c);
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

Result<Plane> start(const std::string& dir, const EnsureOptions& opts, Clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    auto plan = make_plan(dir, opts.backend, opts.kube_version);
    if (!plan.ok()) return plan.status();
    bool port_taken = false;
    auto launched = launch(dir, *plan, deadline, port_taken);
    if (!launched.ok()) {
      if (port_taken && attempt < 3 && Clock::now() < deadline) continue;  // someone took a port: pick others
      return launched.status();
    }
    Plane p;
    p.cluster = launched->cluster;
    p.owned = true;
    p.backend = launched->state.backend;
    p.kubeconfig_path = launched->state.kubeconfig;
    p.started_now = true;
    p.server_version = recorded_version(launched->state);
    p.dir = dir;
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
    if (auto p = reuse(dir); p && p->server_version == opts.kube_version) return *p;
    dir = version_plane_dir(dir, opts.kube_version);
  }
  if (auto p = reuse(dir)) return *p;  // warm path: no lock, no writes
  if (!opts.kube_version.empty())
    KV_RETURN_IF_ERROR(ensure_kube_binaries(opts.kube_version, opts.build_progress));

  KV_RETURN_IF_ERROR(make_private_dir(dir));
  auto deadline = Clock::now() + opts.wait;
  auto lock = FileLock::acquire(dir + "/lock", opts.wait + std::chrono::seconds(30));
  if (!lock.ok()) return lock.status();
  // Whoever held the lock may have just started it.
  std::string why;
  if (auto p = reuse(dir, &why)) return *p;
  auto s = read_state(dir);
  if (s.ok() && s->phase == "ready") {
    bool all_ours = true;
    for (const auto& p : s->processes) all_ours = all_ours && process_matches(p);
    // Running but not (yet) ready, e.g. etcd slow after a restart: give it a few seconds first.
    for (int i = 0; all_ours && i < 50 && Clock::now() < deadline; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (auto p = reuse(dir, &why)) return *p;
    }
  }
  if (s.ok()) {
    if (!stop_recorded(*s)) return Status::Unavailable("cannot stop the stale control plane recorded in " + state_file(dir));
  }
  ::unlink(state_file(dir).c_str());  // stale, half-written or foreign: never trusted
  return start(dir, opts, deadline);
}

std::vector<Result<Plane>> ensure_planes(const std::vector<EnsureOptions>& opts) {
  std::vector<std::future<Result<Plane>>> running;
  for (const auto& o : opts) running.push_back(std::async(std::launch::async, [&o] { return ensure_plane(o); }));
  std::vector<Result<Plane>> out;
  for (auto& r : running) out.push_back(r.get());
  return out;
}

}  // namespace kv::controlplane
