#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace kv {

void parallel_for(size_t n, int workers, const std::function<void(size_t)>& f) {
  if (workers <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) f(i);
  };
  std::vector<std::thread> threads;
  size_t count = std::min(n, static_cast<size_t>(workers)) - 1;
  for (size_t t = 0; t < count; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

int hardware_workers(unsigned at_least, unsigned at_most) {
  return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), at_least, at_most));
}

}  // namespace kv
