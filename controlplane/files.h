// Small file helpers for the state dir: whole-file reads and atomic, mode-setting writes.
#pragma once

#include <string>

#include "core/status.h"

namespace kv::controlplane {

// Writes `data` to `path` with `mode` through a temporary file in the same folder and a rename, so a
// reader sees the old file or the new one, never half of one.
Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode);

// The whole file, or NotFound (missing) / IOError.
Result<std::string> read_file(const std::string& path);

// Creates `dir` and its parents; `dir` itself gets `mode` (also when it already existed).
Status make_private_dir(const std::string& dir, unsigned mode = 0700);

// The last `n` lines of a file ("" when it cannot be read); reads at most the final 64 KiB.
std::string tail_lines(const std::string& path, size_t n);

}  // namespace kv::controlplane
