#include "controlplane/launch.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <thread>

#include <fmt/core.h>

#include "controlplane/files.h"
#include "controlplane/ports.h"
#include "core/json.h"
#include "core/process.h"
#include "kube/client.h"

namespace kv::controlplane {

namespace {

kube::Response get(const kube::Cluster& cluster, const std::string& path, long timeout_ms) {
  kube::ClientOptions o;
  o.connect_timeout_ms = std::min<long>(timeout_ms, 1000);
  o.request_timeout_ms = timeout_ms;
  auto client = kube::Client::Create(cluster, o);
  if (!client.ok()) {
    kube::Response r;
    r.transport_error = client.status().message();
    return r;
  }
  kube::Request req;
  req.path = path;
  return (*client)->send(req);
}

// Moves an old log aside (one generation kept) so the new start's log holds only its own lines.
void rotate_log(const std::string& path) {
  std::string prev = path + ".1";
  ::rename(path.c_str(), prev.c_str());
}

// Waits until `port` accepts connections; Unavailable when `p` exits first or `deadline` passes.
Status await_port(const ProcessRecord& p, int port, std::chrono::steady_clock::time_point deadline) {
  while (!port_accepts(port)) {
    if (!process_running(p)) return Status::Unavailable(fmt::format("{} exited while starting", p.component));
    if (std::chrono::steady_clock::now() >= deadline)
      return Status::Unavailable(fmt::format("{} did not listen on port {} in time", p.component, port));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::Ok();
}

}  // namespace

const char* const kReadyzBootstrapped =
    "/readyz?exclude=poststarthook/rbac/bootstrap-roles"
    "&exclude=poststarthook/scheduling/bootstrap-system-priority-classes"
    "&exclude=poststarthook/priority-and-fairness-config-producer";

std::string recorded_ready_path(const State& s) {
  return s.backend == "apiserver" && s.phase == "ready" ? kReadyzBootstrapped : "/readyz";
}

Status abort_start(const std::string& dir, const State& s, const std::string& what, const std::string& component) {
  stop_recorded(s, true);
  ::unlink(state_file(dir).c_str());
  std::string msg = what;
  if (!component.empty()) {
    std::string tail = tail_lines(log_file(dir, component), 10);
    msg += fmt::format("\n--- last lines of {}\n{}", log_file(dir, component), tail.empty() ? "(empty)\n" : tail);
  }
  return Status::Unavailable(msg);
}

bool endpoint_ok(const kube::Cluster& cluster, const std::string& path, std::string* detail, long timeout_ms) {
  kube::Response r = get(cluster, path, timeout_ms);
  if (r.status == 200) return true;
  if (detail) *detail = r.transport_ok() ? fmt::format("{} answered HTTP {}: {}", path, r.status, r.body.substr(0, 300))
                                         : r.transport_error;
  return false;
}

bool plane_ready(const kube::Cluster& cluster, std::string* detail, long timeout_ms) {
  return endpoint_ok(cluster, "/readyz", detail, timeout_ms);
}

Status spawn_components(const std::string& dir, const std::vector<Component>& components, State& s,
                        std::chrono::steady_clock::time_point deadline, PhaseTimer* timer) {
  for (const auto& c : components) {
    std::string log = log_file(dir, c.name);
    rotate_log(log);
    auto pid = spawn_detached(c.argv, log, c.env);
    if (!pid.ok()) return Status::Unavailable(c.name + ": " + pid.status().message());
    auto start = pid_start_time(*pid);
    s.processes.push_back({c.name, *pid, start.value_or(0), c.exe});
    KV_RETURN_IF_ERROR(write_state(dir, s));  // recorded before we wait: a crash here leaves no orphan
    if (c.wait_port <= 0) continue;
    KV_RETURN_IF_ERROR(await_port(s.processes.back(), c.wait_port, deadline));
    if (timer) timer->mark(c.name + " listening");
  }
  if (timer) timer->mark("spawned");
  return Status::Ok();
}

std::string server_version(const kube::Cluster& cluster) {
  kube::Response r = get(cluster, "/version", 3000);
  if (!r.success()) return "";
  auto doc = parse_json(r.body, "/version");
  if (!doc.ok() || !(*doc)["gitVersion"]) return "";
  try { return (*doc)["gitVersion"].as<std::string>(); } catch (...) { return ""; }
}

bool stop_recorded(const State& s, bool just_spawned) {
  bool all = true;
  for (auto it = s.processes.rbegin(); it != s.processes.rend(); ++it)
    all = stop_process(*it, 5000, just_spawned) && all;
  return all;
}

namespace {

// Gives up a start because `p` died: its log says whether a port was taken (the caller retries then).
Status component_died(const std::string& dir, const State& s, const ProcessRecord& p, bool& port_taken) {
  std::string tail = tail_lines(log_file(dir, p.component), 40);
  port_taken = tail.find("address already in use") != std::string::npos;
  return abort_start(dir, s, fmt::format("{} exited while starting", p.component), p.component);
}

// Polls plan.ready_path until it answers 200 (marking the first answer of any kind and the ready one),
// a component dies, or `deadline`. Polls every 20 ms: a request costs the starting server little.
Result<kube::Cluster> await_ready(const std::string& dir, const LaunchPlan& plan, const State& s,
                                  std::chrono::steady_clock::time_point deadline, bool& port_taken,
                                  PhaseTimer& timer) {
  std::string detail = "no answer yet";
  kube::Cluster cluster;
  bool have_creds = false, answered = false;
  while (true) {
    for (const auto& p : s.processes)
      if (!process_running(p)) return component_died(dir, s, p, port_taken);
    if (!have_creds) {
      auto c = plan.credentials();
      if (c.ok()) { cluster = *c; have_creds = true; }
      else if (c.status().code() != Status::Code::kNotFound) return abort_start(dir, s, c.status().message(), "");
      else detail = c.status().message();
    }
    if (have_creds) {
      // No request outlasts the wait: a plane that answers only after --wait is not ready in time.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      kube::Response r = get(cluster, plan.ready_path, std::clamp<long>(static_cast<long>(left.count()), 1, 2000));
      if (r.transport_ok() && !answered) { answered = true; timer.mark("apiserver answering"); }
      // An answer that came after the deadline (a request may block past its timeout while the server
      // starts serving TLS) is not readiness in time.
      if (r.status == 200 && std::chrono::steady_clock::now() <= deadline) {
        timer.mark("apiserver ready");
        return cluster;
      }
      detail = r.transport_ok() ? fmt::format("{} answered HTTP {}: {}", plan.ready_path, r.status, r.body.substr(0, 300))
                                : r.transport_error;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::string comp = plan.components.empty() ? "" : plan.components.back().name;
      return abort_start(dir, s, fmt::format("{} control plane not ready in time (last: {})", plan.backend, detail), comp);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<Launched> launch(const std::string& dir, const LaunchPlan& plan,
                        std::chrono::steady_clock::time_point deadline, bool& port_taken) {
  port_taken = false;
  PhaseTimer timer;
  State s;
  s.backend = plan.backend;
  s.phase = "starting";
  s.server = plan.server;
  s.kubeconfig = plan.kubeconfig;
  s.ports = plan.ports;
  s.started_at = static_cast<int64_t>(std::time(nullptr));
  KV_RETURN_IF_ERROR(write_state(dir, s));
  if (Status st = spawn_components(dir, plan.components, s, deadline, &timer); !st.ok()) {
    if (!s.processes.empty() && !process_running(s.processes.back()))
      return component_died(dir, s, s.processes.back(), port_taken);
    return abort_start(dir, s, st.message(), s.processes.empty() ? "" : s.processes.back().component);
  }
  auto cluster = await_ready(dir, plan, s, deadline, port_taken, timer);
  if (!cluster.ok()) return cluster.status();

  if (auto v = server_version(*cluster); !v.empty()) s.versions[plan.backend == "k3s" ? "k3s" : "kube-apiserver"] = v;
  if (plan.after_ready) plan.after_ready(s);
  if (plan.start_after_ready) {
    if (Status st = plan.start_after_ready(s, *cluster, deadline); !st.ok()) return abort_start(dir, s, st.message(), "");
    timer.mark("full plane components");
  }
  s.phase = "ready";
  KV_RETURN_IF_ERROR(write_state(dir, s));
  timer.mark("recorded");
  return Launched{std::move(s), std::move(*cluster), timer.phases()};
}

}  // namespace kv::controlplane
