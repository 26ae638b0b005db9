#include "controlplane/phases.h"

namespace kv::controlplane {

void PhaseTimer::mark(std::string name, Clock::time_point now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
  phases_.push_back({std::move(name), static_cast<long>(ms)});
  last_ = now;
}

void PhaseTimer::append(const std::vector<Phase>& more, Clock::time_point now) {
  phases_.insert(phases_.end(), more.begin(), more.end());
  last_ = now;
}

}  // namespace kv::controlplane
