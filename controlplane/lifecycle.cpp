#include "controlplane/lifecycle.h"

#include <unistd.h>

#include <filesystem>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "controlplane/launch.h"
#include "core/file_lock.h"
#include "core/trust.h"
#include "kube/kubeconfig.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

namespace {
bool is_plane_file(const std::string& name) {
  static const char* const kExact[] = {"state.json", "kubeconfig", "etcd-data", "k3s", "pki", "kwok"};
  for (const char* e : kExact)
    if (name == e) return true;
  auto ends = [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".log") || ends(".log.1") || name.rfind("state.json.tmp.", 0) == 0 ||
         name.rfind("kubeconfig.tmp.", 0) == 0;
}
}  // namespace

PlaneStatus plane_status(const std::string& dir) {
  PlaneStatus st;
  st.dir = dir;
  auto s = read_state(dir);
  if (!s.ok()) {
    st.detail = s.status().code() == Status::Code::kNotFound ? "not running" : s.status().message();
    return st;
  }
  st.recorded = true;
  st.state = *s;
  st.running = true;
  for (const auto& p : s->processes) {
    bool ok = process_matches(p);
    st.process_running.push_back(ok);
    if (!ok && st.detail.empty()) st.detail = fmt::format("{} (pid {}) is gone", p.component, p.pid);
    st.running = st.running && ok;
  }
  if (s->processes.empty()) { st.running = false; st.detail = "no processes recorded"; }
  if (st.running && s->phase != "ready") { st.detail = "starting"; return st; }
  if (!st.running) return st;
  auto cluster = kube::load_kubeconfig(s->kubeconfig);
  if (!cluster.ok()) { st.detail = cluster.status().message(); return st; }
  st.healthy = endpoint_ok(*cluster, recorded_ready_path(*s), &st.detail, 3000);
  return st;
}

Result<DownResult> stop_plane(const std::string& dir, bool keep_data) {
  DownResult res;
  if (!fs::exists(dir)) return res;
  // The pids recorded in a folder someone else can write are not ours to stop.
  KV_RETURN_IF_ERROR(check_trusted_path(dir, "state folder"));
  auto lock = FileLock::acquire(dir + "/lock", std::chrono::seconds(120));
  if (!lock.ok()) return lock.status();
  auto s = read_state(dir);
  if (s.ok()) {
    res.was_recorded = true;
    for (auto it = s->processes.rbegin(); it != s->processes.rend(); ++it) {
      std::string name = fmt::format("{} (pid {})", it->component, it->pid);
      if (!process_matches(*it)) { res.skipped.push_back(name); continue; }
      if (!stop_process(*it, 10000))
        return Status::Unavailable(fmt::format("{} would not stop; state kept in {}", name, dir));
      res.stopped.push_back(name);
    }
  }
  // Only what kvalidate puts there (the home may be a folder the user also uses), never the lock
  // file (others may be waiting on it), and with keep_data not the data and PKI.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!is_plane_file(name)) continue;
    if (keep_data && (name == "etcd-data" || name == "k3s" || name == "pki")) continue;
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (rm) return Status::IOError(entry.path().string() + ": " + rm.message());
  }
  if (ec) return Status::IOError(dir + ": " + ec.message());
  return res;
}

}  // namespace kv::controlplane
