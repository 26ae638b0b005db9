#include "controlplane/state.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "controlplane/files.h"
#include "core/json.h"
#include "core/process.h"

namespace kv::controlplane {

namespace {

struct ProcStat {
  char state = '?';
  unsigned long long start_time = 0;
};

// Field 3 (state) and field 22 (start time) of /proc/PID/stat; false when the pid does not exist.
bool read_proc_stat(pid_t pid, ProcStat& out) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return false;
  auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  std::istringstream rest(line.substr(paren + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return false;
    if (i == 3) out.state = field[0];
    if (i == 22) {
      try { out.start_time = std::stoull(field); } catch (...) { return false; }
    }
  }
  return true;
}

std::string comm_name(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(f, s);
  return s;
}

// Running (not a zombie: PID 1 in some containers never reaps) with the recorded start time.
bool same_process_running(const ProcessRecord& p) {
  ProcStat st;
  return p.pid > 0 && read_proc_stat(p.pid, st) && st.state != 'Z' && st.state != 'X' &&
         st.start_time == p.start_time;
}

}  // namespace

std::string state_file(const std::string& dir) { return dir + "/state.json"; }
std::string log_file(const std::string& dir, const std::string& component) {
  return dir + "/" + component + ".log";
}

std::string state_json(const State& s) {
  JsonWriter w;
  w.begin_object();
  w.key("version").value(1);
  w.key("backend").value(s.backend);
  w.key("phase").value(s.phase);
  if (s.full) w.key("full").value(true);
  w.key("server").value(s.server);
  w.key("kubeconfig").value(s.kubeconfig);
  w.key("startedAt").value(s.started_at);
  w.key("ports").begin_object();
  for (const auto& [k, v] : s.ports) w.key(k).value(v);
  w.end_object();
  w.key("versions").begin_object();
  for (const auto& [k, v] : s.versions) w.key(k).value(v);
  w.end_object();
  w.key("processes").begin_array();
  for (const auto& p : s.processes) {
    w.begin_object();
    w.key("component").value(p.component);
    w.key("pid").value(static_cast<int64_t>(p.pid));
    w.key("startTime").value(static_cast<int64_t>(p.start_time));
    w.key("exe").value(p.exe);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str() + "\n";
}

Result<State> parse_state(const std::string& text) {
  auto doc = parse_json(text, "state.json");
  if (!doc.ok()) return Status::InvalidInput(doc.status().message());
  const YAML::Node& n = *doc;
  State s;
  try {
    if (!n.IsMap() || !n["version"] || n["version"].as<int>() != 1 || !n["backend"] || !n["phase"] ||
        !n["processes"] || !n["processes"].IsSequence())
      return Status::InvalidInput("state.json: incomplete record");
    s.backend = n["backend"].as<std::string>();
    s.phase = n["phase"].as<std::string>();
    if (n["full"]) s.full = n["full"].as<bool>();
    if (n["server"]) s.server = n["server"].as<std::string>();
    if (n["kubeconfig"]) s.kubeconfig = n["kubeconfig"].as<std::string>();
    if (n["startedAt"]) s.started_at = n["startedAt"].as<int64_t>();
    if (n["ports"] && n["ports"].IsMap())
      for (const auto& kv : n["ports"]) s.ports[kv.first.as<std::string>()] = kv.second.as<int>();
    if (n["versions"] && n["versions"].IsMap())
      for (const auto& kv : n["versions"]) s.versions[kv.first.as<std::string>()] = kv.second.as<std::string>();
    for (const auto& p : n["processes"]) {
      ProcessRecord r;
      r.component = p["component"].as<std::string>();
      r.pid = p["pid"].as<pid_t>();
      r.start_time = p["startTime"].as<unsigned long long>();
      r.exe = p["exe"].as<std::string>();
      if (r.pid <= 0 || r.exe.empty()) return Status::InvalidInput("state.json: invalid process record");
      s.processes.push_back(std::move(r));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(std::string("state.json: ") + e.what());
  }
  if (s.backend != "apiserver" && s.backend != "k3s") return Status::InvalidInput("state.json: unknown backend");
  return s;
}

Result<State> read_state(const std::string& dir) {
  auto text = read_file(state_file(dir));
  if (!text.ok()) return text.status();
  return parse_state(*text);
}

Status write_state(const std::string& dir, const State& s) {
  return write_file_atomic(state_file(dir), state_json(s), 0600);
}

bool process_matches(const ProcessRecord& p) {
  if (!same_process_running(p)) return false;
  // argv[0] may be a full path or rewritten; comm is the kernel's (15-char) name of the executable.
  if (pid_exe_name(p.pid) == p.exe) return true;
  return comm_name(p.pid) == p.exe.substr(0, 15);
}

bool process_running(const ProcessRecord& p) { return same_process_running(p); }

bool stop_process(const ProcessRecord& p, int grace_ms, bool just_spawned) {
  if (!(just_spawned ? same_process_running(p) : process_matches(p))) return true;
  auto gone = [&p] {
    int st;
    waitpid(p.pid, &st, WNOHANG);
    return !same_process_running(p);
  };
  kill(p.pid, SIGTERM);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!same_process_running(p)) return true;  // re-check right before the KILL: never hit a reused pid
  kill(p.pid, SIGKILL);
  for (int i = 0; i < 100; ++i) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace kv::controlplane
