// Reading input files within a size limit and expanding directories into the YAML/JSON files they
// hold; the file-system half of load_paths() (loader.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace kv {

// Why a path or file could not be read: a loader problem rule ("input/not-found", "input/unreadable",
// "input/too-large", "input/symlink-loop", "input/no-yaml-files") and a one-line message.
struct PathProblem {
  std::string path;
  std::string rule;
  std::string message;
};

// Reads all of `fd` (not closed) into `text`. Fails with "input/too-large" past `max_bytes` bytes
// (checked before reading for regular files), or "input/unreadable" with the system's reason.
std::optional<PathProblem> read_fd(int fd, const std::string& name, size_t max_bytes, std::string& text);

// Reads the file at `path` like read_fd(); a missing path is "input/not-found".
std::optional<PathProblem> read_file(const std::string& path, size_t max_bytes, std::string& text);

// Whether `name` ends in .yaml, .yml or .json.
bool has_yaml_extension(const std::string& name);

struct ExpandedPath {
  std::vector<std::string> files;      // files to read, in order; "-" stands for stdin
  std::vector<PathProblem> problems;
};

// Expands `path`: "-" and files stay as they are; a directory becomes its YAML/JSON files found
// recursively (following symlinks; a symlink back to a directory being walked is "input/symlink-loop"),
// sorted by path; a directory with none is "input/no-yaml-files", a directory holding Chart.yaml is
// "input/is-a-chart" (its templates are not manifests: `kvalidate chart`). A path that does not exist is
// "input/not-found", one that cannot be stat'ed or listed "input/unreadable".
ExpandedPath expand_path(const std::string& path);

}  // namespace kv
