// Switches read from the environment.
#pragma once

namespace kv {

// True when the environment variable `name` says off: "off", "0" or "false" (KVALIDATE_CACHE=off).
bool env_turned_off(const char* name);

}  // namespace kv
