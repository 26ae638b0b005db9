// Choosing free TCP ports on 127.0.0.1 for the components kvalidate starts.
#pragma once

#include <set>

#include "core/status.h"

namespace kv::controlplane {

// A port on 127.0.0.1 that is free now (the kernel's choice), not in `avoid`, and, when `pair` is set,
// whose successor is free too. Another process may still take it before it is used: callers retry.
Result<int> free_port(const std::set<int>& avoid = {}, bool pair = false);

// True when a listener could bind 127.0.0.1:port now.
bool port_free(int port);

// True when something listens on 127.0.0.1:port now (a TCP connect succeeds; it is closed at once).
bool port_accepts(int port);

}  // namespace kv::controlplane
