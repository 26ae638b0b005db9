// The record of the plane kvalidate started, kept as state.json in the state dir, and the checks that
// decide whether a recorded process is still the one kvalidate started (pid + start time + name).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace kv::controlplane {

struct ProcessRecord {
  std::string component;              // "etcd", "apiserver", "k3s"; on a full plane also
                                      // "controller-manager", "scheduler", "kwok"
  pid_t pid = 0;
  unsigned long long start_time = 0;  // kv::pid_start_time when spawned
  std::string exe;                    // expected executable base name, e.g. "kube-apiserver"
};

struct State {
  std::string backend;                // "apiserver" or "k3s"
  std::string phase;                  // "starting" while a start is in progress, then "ready"
  bool full = false;                  // a full plane: controller-manager, scheduler, simulated nodes too
  std::string server;                 // https://127.0.0.1:PORT
  std::string kubeconfig;             // absolute path
  int64_t started_at = 0;             // unix seconds
  std::map<std::string, int> ports;   // "apiserver", "etcd-client", "etcd-peer", "k3s"
  std::map<std::string, std::string> versions;  // component → version, e.g. "kube-apiserver" → "v1.37.2"
  std::vector<ProcessRecord> processes;
};

// Paths inside a state dir.
std::string state_file(const std::string& dir);
std::string log_file(const std::string& dir, const std::string& component);

// Serializes / parses the record. parse_state fails (InvalidInput) on anything incomplete, so a
// half-written or foreign file is treated as stale, never trusted.
std::string state_json(const State& s);
Result<State> parse_state(const std::string& text);

// Reads state.json: NotFound when absent, InvalidInput when it does not parse.
Result<State> read_state(const std::string& dir);
// Writes state.json atomically (0600).
Status write_state(const std::string& dir, const State& s);

// True when the process recorded is running now: the pid exists, is not a zombie, has the recorded
// start time and the recorded executable name. A reused pid (another program) gives false.
bool process_matches(const ProcessRecord& p);

// Like process_matches but without the name check: for a process this very call just spawned, whose
// name is still kvalidate's until it execs.
bool process_running(const ProcessRecord& p);

// Stops the recorded process if, and only if, process_matches (process_running when `just_spawned`):
// SIGTERM, SIGKILL after `grace_ms`. Returns true when it is gone (or was not ours to begin with).
bool stop_process(const ProcessRecord& p, int grace_ms, bool just_spawned = false);

}  // namespace kv::controlplane
