// kvalidate's exit codes, part of its interface: one place that names them all.
#pragma once

namespace kv::exit_code {
inline constexpr int kClean = 0;           // nothing wrong (can-i: "yes")
inline constexpr int kFindings = 1;        // at least one invalid object or failed expectation (can-i: "no")
inline constexpr int kBadInput = 2;        // usage error or bad input (a file, a flag, a config)
inline constexpr int kInfrastructure = 3;  // control plane or other infrastructure unavailable or lost
}  // namespace kv::exit_code
