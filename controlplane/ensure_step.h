// The ensure step's decision table, as a pure function: from what ensure_plane() saw of the state dir
// and the recorded plane, what it does next. ensure.cpp does the seeing and the doing.
#pragma once

namespace kv::controlplane {

// What ensure_plane() observed, with the plane lock held.
struct Observed {
  bool external = false;        // --kubeconfig or --context named a cluster
  bool state_read = false;      // state.json exists and parses
  bool state_ready = false;     // ... and records a finished start (phase "ready")
  bool processes_ours = false;  // every recorded process still runs as recorded (same pid, start time, exe)
  bool answers = false;         // the recorded plane's /readyz answers
  bool full_wanted = false;     // --full: a controller-manager, scheduler and nodes are asked for
  bool state_full = false;      // the recorded plane is a full one
};

enum class EnsureStep {
  kUseExternal,     // use the named cluster, change nothing
  kReuse,           // the recorded plane is there and ready
  kWaitForReady,    // it runs but is not ready yet (etcd slow after a restart): give it a few seconds,
                    // then replace it
  kRestartFull,     // ours and ready but plain while --full asks for a full one: stop it and start it again
                    // on its own data and ports (its API server needs the ServiceAccount admission plugin)
  kReplace,         // stale, half-written or foreign: stop what the state names, then start afresh
  kStart,           // nothing recorded: start one
};

EnsureStep next_step(const Observed& o);

}  // namespace kv::controlplane
