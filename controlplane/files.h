// Small file helpers for the state dir: private folders and log tails (reads and atomic writes:
// core/files.h).
#pragma once

#include <string>

#include "core/files.h"
#include "core/status.h"

namespace kv::controlplane {

// Creates `dir` and its parents; `dir` itself gets `mode` (also when it already existed).
Status make_private_dir(const std::string& dir, unsigned mode = 0700);

// The last `n` lines of a file ("" when it cannot be read); reads at most the final 64 KiB.
std::string tail_lines(const std::string& path, size_t n);

}  // namespace kv::controlplane
