// How long each step of a plane's start took, for `kvalidate up -v` and bench/controlplane.sh.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kv::controlplane {

struct Phase {
  std::string name;  // "etcd listening", "apiserver ready", ...
  long ms = 0;       // time since the phase before it (or the start)
};

// Records phases one after the other: mark(name) closes the phase that ran since the previous mark.
class PhaseTimer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit PhaseTimer(Clock::time_point start = Clock::now()) : last_(start) {}
  void mark(std::string name, Clock::time_point now = Clock::now());
  const std::vector<Phase>& phases() const { return phases_; }
  // Appends `more` (phases timed elsewhere, e.g. inside launch()) and moves the mark to `now`.
  void append(const std::vector<Phase>& more, Clock::time_point now = Clock::now());

 private:
  Clock::time_point last_;
  std::vector<Phase> phases_;
};

}  // namespace kv::controlplane
