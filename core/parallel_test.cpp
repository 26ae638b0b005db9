#include "core/parallel.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

TEST_CASE("parallel_for calls every index once, at most `workers` at a time") {
  for (int workers : {0, 1, 3, 16}) {
    std::vector<std::atomic<int>> calls(20);
    std::atomic<int> running{0}, most{0};
    kv::parallel_for(calls.size(), workers, [&](size_t i) {
      int now = ++running;
      for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ++calls[i];
      --running;
    });
    for (auto& c : calls) CHECK(c == 1);
    CHECK(most <= std::max(workers, 1));
  }
}
