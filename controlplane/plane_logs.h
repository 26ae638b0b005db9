// Which log files `kvalidate logs` shows for the plane in a state dir: one component's, or those of every
// recorded process (else of every component that left a log).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace kv::controlplane {

// The components whose logs there can be, in the order `logs` lists them.
const std::vector<std::string>& log_components();

// The log files of `component` ("" = the recorded processes', else every component's that exists) in
// `dir`, those that exist. Unavailable (exit 3) when there are none, or when the one `component` asked
// for has none; with `follow` neither is an error (the files may yet appear).
Result<std::vector<std::string>> plane_log_files(const std::string& dir, const std::string& component, bool follow);

}  // namespace kv::controlplane
