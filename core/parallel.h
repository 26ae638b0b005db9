// Running independent jobs on a few threads (e.g. one helm process per values file of a chart).
#pragma once

#include <cstddef>
#include <functional>

namespace kv {

// Calls f(0) … f(n-1), at most `workers` at a time (1 or less: one after another, in order), and returns
// when all are done. f must be safe to call concurrently for different indices and must not throw.
void parallel_for(size_t n, int workers, const std::function<void(size_t)>& f);

// Threads worth running CPU work on: the machine's hardware threads, between `at_least` and `at_most`.
int hardware_workers(unsigned at_least = 1, unsigned at_most = 4);

}  // namespace kv
