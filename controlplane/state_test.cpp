#include "controlplane/state.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>

#include "core/process.h"

namespace kv::controlplane {

TEST_CASE("state: JSON round trip") {
  State s;
  s.backend = "apiserver";
  s.phase = "ready";
  s.server = "https://127.0.0.1:4321";
  s.kubeconfig = "/x/kubeconfig";
  s.started_at = 1700000000;
  s.ports = {{"apiserver", 4321}, {"etcd-client", 1234}};
  s.versions = {{"kube-apiserver", "v1.37.2"}};
  s.processes = {{"etcd", 10, 999, "etcd"}, {"apiserver", 11, 1000, "kube-apiserver"}};
  auto back = parse_state(state_json(s));
  REQUIRE(back.ok());
  CHECK(back->backend == "apiserver");
  CHECK(back->server == s.server);
  CHECK(back->started_at == s.started_at);
  CHECK(back->ports == s.ports);
  CHECK(back->versions == s.versions);
  REQUIRE(back->processes.size() == 2);
  CHECK(back->processes[1].pid == 11);
  CHECK(back->processes[1].start_time == 1000);
  CHECK(back->processes[1].exe == "kube-apiserver");
  CHECK_FALSE(back->full);
}

TEST_CASE("state: a full plane's record keeps the flag and its extra components") {
  State s;
  s.backend = "apiserver";
  s.phase = "ready";
  s.full = true;
  s.processes = {{"etcd", 10, 999, "etcd"}, {"apiserver", 11, 1000, "kube-apiserver"},
                 {"controller-manager", 12, 1001, "kube-controller-manager"}, {"kwok", 13, 1002, "kwok"}};
  auto back = parse_state(state_json(s));
  REQUIRE(back.ok());
  CHECK(back->full);
  REQUIRE(back->processes.size() == 4);
  CHECK(back->processes[2].component == "controller-manager");
  CHECK(back->processes[3].exe == "kwok");
  // A record written before full planes existed reads as a plain plane.
  s.full = false;
  CHECK(state_json(s).find("\"full\"") == std::string::npos);
}

TEST_CASE("state: half-written, foreign or invalid records are rejected") {
  State s;
  s.backend = "apiserver";
  s.phase = "ready";
  s.processes = {{"etcd", 10, 999, "etcd"}};
  std::string full = state_json(s);
  for (size_t cut : {size_t(0), size_t(5), full.size() / 2, full.size() - 3})
    CHECK_FALSE(parse_state(full.substr(0, cut)).ok());
  CHECK_FALSE(parse_state("{\"hello\": 1}").ok());
  CHECK_FALSE(parse_state("[1,2]").ok());
  std::string bad_backend = full;
  bad_backend.replace(bad_backend.find("apiserver"), 9, "minikube!");
  CHECK_FALSE(parse_state(bad_backend).ok());
  std::string bad_pid = full;
  bad_pid.replace(bad_pid.find("\"pid\": 10"), 9, "\"pid\": -1");
  CHECK_FALSE(parse_state(bad_pid).ok());
}

TEST_CASE("process_matches: pid, start time and name must all agree") {
  pid_t child = fork();
  if (child == 0) {
    execlp("sleep", "sleep", "30", nullptr);
    _exit(127);
  }
  REQUIRE(child > 0);
  usleep(100000);  // let it exec
  auto start = pid_start_time(child);
  REQUIRE(start.has_value());
  CHECK(process_matches({"x", child, *start, "sleep"}));
  CHECK_FALSE(process_matches({"x", child, *start + 1, "sleep"}));          // pid reused later
  CHECK_FALSE(process_matches({"x", child, *start, "kube-apiserver"}));     // another program
  CHECK(process_running({"x", child, *start, "kube-apiserver"}));
  // stop_process leaves a process that is not ours alone.
  CHECK(stop_process({"x", child, *start, "etcd"}, 100));
  CHECK(process_matches({"x", child, *start, "sleep"}));
  CHECK(stop_process({"x", child, *start, "sleep"}, 2000));
  CHECK_FALSE(pid_alive(child));
  CHECK_FALSE(process_matches({"x", child, *start, "sleep"}));
}

TEST_CASE("process_matches: a zombie is not running") {
  pid_t child = fork();
  if (child == 0) _exit(0);
  REQUIRE(child > 0);
  usleep(100000);  // exited, not yet reaped: a zombie
  auto start = pid_start_time(child);
  REQUIRE(start.has_value());
  CHECK_FALSE(process_running({"x", child, *start, "x"}));
  int st;
  waitpid(child, &st, 0);
}

}  // namespace kv::controlplane
