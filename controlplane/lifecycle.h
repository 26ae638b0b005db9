// Looking at and stopping the plane recorded in a state dir: what `kvalidate status` and
// `kvalidate down` do. Neither starts anything; status takes no lock and writes nothing.
#pragma once

#include <string>
#include <vector>

#include "controlplane/state.h"
#include "core/status.h"

namespace kv::controlplane {

struct PlaneStatus {
  std::string dir;
  bool recorded = false;     // state.json exists and parses
  bool running = false;      // every recorded process is still the one kvalidate started
  bool healthy = false;      // running and /readyz answers 200
  std::string detail;        // why not running / not healthy
  State state;               // valid when recorded
  std::vector<bool> process_running;  // per state.processes
};

// Reads the record in `dir` and checks processes and /readyz (timeout 3 s).
PlaneStatus plane_status(const std::string& dir);

struct DownResult {
  bool was_recorded = false;
  std::vector<std::string> stopped;   // "etcd (pid 123)"
  std::vector<std::string> skipped;   // recorded pids that are gone or now belong to another program
};

// Under the state dir's lock: stops the recorded processes that are still ours (TERM, KILL after 10 s),
// then removes the state; etcd data, k3s data and the PKI stay when `keep_data`. Fails when a process
// would not die or a file cannot be removed.
Result<DownResult> stop_plane(const std::string& dir, bool keep_data);

}  // namespace kv::controlplane
