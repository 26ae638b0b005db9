// The monotonic clock kvalidate measures durations with, in milliseconds.
#pragma once

#include <chrono>

namespace kv {

// Milliseconds on a monotonic clock (for durations only: the origin is arbitrary).
inline double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace kv
