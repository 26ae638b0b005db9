#include "controlplane/ensure_step.h"

#include <doctest/doctest.h>

using namespace kv::controlplane;

TEST_CASE("ensure: a named cluster is used whatever the state dir holds") {
  CHECK(next_step(Observed{true, false, false, false, false, false, false}) == EnsureStep::kUseExternal);
  CHECK(next_step(Observed{true, true, true, true, true, false, false}) == EnsureStep::kUseExternal);
}

TEST_CASE("ensure: nothing recorded starts a plane") {
  CHECK(next_step(Observed{false, false, false, false, false, false, false}) == EnsureStep::kStart);
}

TEST_CASE("ensure: a recorded plane that is ours and answers is reused; one not ready yet is waited for") {
  CHECK(next_step(Observed{false, true, true, true, true, false, false}) == EnsureStep::kReuse);
  CHECK(next_step(Observed{false, true, true, true, false, false, false}) == EnsureStep::kWaitForReady);
}

TEST_CASE("ensure: a half-written start or processes that are not ours any more are replaced") {
  CHECK(next_step(Observed{false, true, false, true, true, false, false}) == EnsureStep::kReplace);   // phase "starting"
  CHECK(next_step(Observed{false, true, true, false, true, false, false}) == EnsureStep::kReplace);   // a pid reused
  CHECK(next_step(Observed{false, true, false, false, false, false, false}) == EnsureStep::kReplace);
}

TEST_CASE("ensure: --full restarts a plain plane of ours as a full one; a full plane serves a plain run too") {
  CHECK(next_step(Observed{false, true, true, true, true, true, false}) == EnsureStep::kRestartFull);
  CHECK(next_step(Observed{false, true, true, true, false, true, false}) == EnsureStep::kRestartFull);
  CHECK(next_step(Observed{false, true, true, true, true, true, true}) == EnsureStep::kReuse);
  CHECK(next_step(Observed{false, true, true, true, true, false, true}) == EnsureStep::kReuse);
  CHECK(next_step(Observed{false, true, true, false, true, true, false}) == EnsureStep::kReplace);  // not ours
}
