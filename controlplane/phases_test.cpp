#include "controlplane/phases.h"

#include <doctest/doctest.h>

namespace kv::controlplane {

TEST_CASE("PhaseTimer: each mark is the time since the previous one; appended phases move the mark") {
  using namespace std::chrono_literals;
  PhaseTimer::Clock::time_point t0{};
  PhaseTimer t(t0);
  t.mark("plan", t0 + 30ms);
  t.mark("etcd listening", t0 + 100ms);
  t.append({{"apiserver ready", 900}}, t0 + 1000ms);
  t.mark("recorded", t0 + 1020ms);
  REQUIRE(t.phases().size() == 4);
  CHECK(t.phases()[0].name == "plan");
  CHECK(t.phases()[0].ms == 30);
  CHECK(t.phases()[1].ms == 70);
  CHECK(t.phases()[2].ms == 900);
  CHECK(t.phases()[3].name == "recorded");
  CHECK(t.phases()[3].ms == 20);
}

}  // namespace kv::controlplane
