#include "controlplane/ensure_step.h"

namespace kv::controlplane {

EnsureStep next_step(const Observed& o) {
  if (o.external) return EnsureStep::kUseExternal;
  if (!o.state_read) return EnsureStep::kStart;
  if (!o.state_ready || !o.processes_ours) return EnsureStep::kReplace;
  if (o.full_wanted && !o.state_full) return EnsureStep::kRestartFull;
  return o.answers ? EnsureStep::kReuse : EnsureStep::kWaitForReady;
}

}  // namespace kv::controlplane
