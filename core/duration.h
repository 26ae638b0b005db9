// Durations as users write them (flags and config): "60s", "2m", "500ms", "1.5h", "90" (seconds).
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace kv {

// Parses DIGITS[.DIGITS][ms|s|m|h] (no unit: seconds). Usage error naming the text otherwise (signs,
// spaces, exponents and other units included).
Result<std::chrono::milliseconds> parse_duration(const std::string& text);

}  // namespace kv
