// Running other programs (helm, etcd, kube-apiserver, k3s) and asking about processes by pid.
// All functions return errors as values; none throws.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kv {

struct RunOptions {
  std::string stdin_data;                      // written to the child's stdin, then closed
  std::map<std::string, std::string> env;      // added to (or overriding) the inherited environment
  std::string cwd;                             // empty: inherit
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  size_t max_output = 256u << 20;              // stdout/stderr beyond this are cut
  bool inherit_stdin = false;                  // the child reads this process' stdin (stdin_data unused)
  bool pass_stderr = false;                    // the child writes to this process' stderr (err stays empty)
  // Sees each piece of stderr as it arrives (e.g. to show a long build's progress); it is still captured.
  std::function<void(std::string_view)> on_stderr;
};

struct RunResult {
  int exit_code = -1;      // -1 if killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
};

// Runs argv[0] (looked up in PATH) to completion, capturing stdout and stderr.
// Fails only when the program cannot be started; a non-zero exit is a RunResult.
Result<RunResult> run_command(const std::vector<std::string>& argv, const RunOptions& opts = {});

// Starts argv as a daemon: its own session, stdin from /dev/null, stdout and stderr appended to
// log_file, not a child of this process (it outlives kvalidate). Returns the daemon's pid.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::string& log_file,
                             const std::map<std::string, std::string>& env = {});

// True when a process with this pid exists (zombies included).
bool pid_alive(pid_t pid);
// The process' start time in clock ticks since boot (/proc/PID/stat field 22), or nullopt when the
// pid does not exist. With the pid it identifies a process: a reused pid has another start time.
std::optional<unsigned long long> pid_start_time(pid_t pid);
// argv[0]'s base name of a running process, or "" when it cannot be read.
std::string pid_exe_name(pid_t pid);
// Sends SIGTERM, waits up to `grace`, then SIGKILL; returns once the process is gone (or after a
// further second). Returns true when the process is gone.
bool terminate_process(pid_t pid, std::chrono::milliseconds grace);

// The absolute path of `name` found in PATH, or nullopt. A name with '/' is checked as a path.
std::optional<std::string> find_in_path(const std::string& name);

}  // namespace kv
