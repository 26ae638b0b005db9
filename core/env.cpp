#include "core/env.h"

#include <cstdlib>
#include <string_view>

namespace kv {

bool env_turned_off(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return false;
  const std::string_view s(v);
  return s == "off" || s == "0" || s == "false";
}

}  // namespace kv
