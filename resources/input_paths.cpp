#include "resources/input_paths.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/parallel.h"
#include "resources/loader.h"

namespace kv {

namespace {

std::string mib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

PathProblem too_large(const std::string& name, size_t max_bytes, size_t size) {
  std::string what = size > 0 ? "is " + mib(size) : "is larger than that";
  return {name, "input/too-large",
          "input " + what + "; files over " + mib(max_bytes) + " are refused (split it into smaller files)"};
}

PathProblem from_errno(const std::string& path, int err, const char* doing) {
  if (err == ENOENT) return {path, "input/not-found", "no such file or directory"};
  if (err == ELOOP) return {path, "input/symlink-loop", "too many levels of symbolic links"};
  return {path, "input/unreadable", std::string("cannot ") + doing + ": " + std::strerror(err)};
}

std::string join(const std::string& dir, const std::string& name) {
  return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

struct DirWalk {
  std::vector<std::pair<dev_t, ino_t>> stack;  // directories being walked, to catch symlink loops
  std::vector<std::string> stack_names;
  ExpandedPath* out;

  void walk(const std::string& dir, const struct stat& st) {
    for (size_t i = 0; i < stack.size(); ++i) {
      if (stack[i] == std::pair{st.st_dev, st.st_ino}) {
        out->problems.push_back({dir, "input/symlink-loop",
                                 "symlink loop: this directory is " + stack_names[i] + " again"});
        return;
      }
    }
    DIR* d = opendir(dir.c_str());
    if (!d) {
      out->problems.push_back(from_errno(dir, errno, "list directory"));
      return;
    }
    std::vector<std::string> names;
    while (struct dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    closedir(d);
    stack.emplace_back(st.st_dev, st.st_ino);
    stack_names.push_back(dir);
    for (const std::string& name : names) {
      std::string full = join(dir, name);
      struct stat child;
      if (stat(full.c_str(), &child) != 0) {
        int err = errno;
        // Broken links and loops among non-YAML names are not the user's input; skip them.
        if (has_yaml_extension(name) || err == ELOOP) out->problems.push_back(from_errno(full, err, "stat"));
        continue;
      }
      if (S_ISDIR(child.st_mode)) {
        walk(full, child);
      } else if (has_yaml_extension(name)) {
        out->files.push_back(std::move(full));
      }
    }
    stack.pop_back();
    stack_names.pop_back();
  }
};

}  // namespace

bool has_yaml_extension(const std::string& name) {
  auto ends = [&](std::string_view ext) {
    return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  return ends(".yaml") || ends(".yml") || ends(".json");
}

std::optional<PathProblem> read_fd(int fd, const std::string& name, size_t max_bytes, std::string& text) {
  text.clear();
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<unsigned long long>(st.st_size) > max_bytes)
      return too_large(name, max_bytes, static_cast<size_t>(st.st_size));
    text.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      text.clear();
      return from_errno(name, errno, "read");
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      text.clear();
      text.shrink_to_fit();
      return too_large(name, max_bytes, 0);
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return std::nullopt;
}

std::optional<PathProblem> read_file(const std::string& path, size_t max_bytes, std::string& text) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return from_errno(path, errno, "open");
  auto problem = read_fd(fd, path, max_bytes, text);
  close(fd);
  return problem;
}

ExpandedPath expand_path(const std::string& path) {
  ExpandedPath out;
  if (path == "-") {
    out.files.push_back(path);
    return out;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    int err = errno;
    struct stat lst;
    if (err == ENOENT && lstat(path.c_str(), &lst) == 0) {
      out.problems.push_back({path, "input/not-found", "broken symbolic link (its target does not exist)"});
    } else {
      out.problems.push_back(from_errno(path, err, "stat"));
    }
    return out;
  }
  if (!S_ISDIR(st.st_mode)) {
    out.files.push_back(path);
    return out;
  }
  struct stat chart_yaml;
  if (stat((path + "/Chart.yaml").c_str(), &chart_yaml) == 0) {
    // Templates are not manifests: reading them gives a syntax error per `{{` and no hint.
    out.problems.push_back({path, "input/is-a-chart",
                            "this is a chart (it holds Chart.yaml): use `kvalidate chart " + path + "`"});
    return out;
  }
  DirWalk walk{{}, {}, &out};
  walk.walk(path, st);
  std::sort(out.files.begin(), out.files.end());
  if (out.files.empty() && out.problems.empty())
    out.problems.push_back({path, "input/no-yaml-files", "directory holds no *.yaml, *.yml or *.json files"});
  return out;
}

namespace {

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The Helm charts among `files` (found in one directory): folders that hold a Chart.yaml.
std::vector<std::string> chart_roots(const std::vector<std::string>& files) {
  std::vector<std::string> roots;
  for (const auto& f : files)
    if (base_name(f) == "Chart.yaml") roots.push_back(dir_name(f) + "/");
  return roots;
}

// The chart root `file` belongs to, or "".
std::string chart_of(const std::string& file, const std::vector<std::string>& roots) {
  for (const auto& r : roots)
    if (file.compare(0, r.size(), r) == 0) return r.substr(0, r.size() - 1);
  return "";
}

bool is_kustomization_file(const std::string& name) {
  return name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization";
}

}  // namespace

// Files read and loaded side by side when a path holds at least this many, a window of them at a time.
constexpr size_t kParallelFiles = 8;
constexpr size_t kFileWindow = 64;

LoadResult load_paths(const std::vector<std::string>& paths, const LoadOptions& options) {
  LoadResult out;
  auto problem_of = [](const PathProblem& p) { return input_problem(p.path, 0, 0, 0, p.rule, p.message); };
  LoadOptions in_directory = options;
  in_directory.skip_non_objects = !options.ignore_non_objects;  // hook mode ignores them silently
  for (const std::string& path : paths) {
    size_t resources_before = out.resources.size(), problems_before = out.problems.size();
    size_t other_shards_before = out.other_shards;
    ExpandedPath expanded = expand_path(path);
    for (const PathProblem& p : expanded.problems) {
      if (options.shard.holds(p.path)) out.problems.push_back(problem_of(p));
      else ++out.other_shards;
    }
    const bool directory = expanded.files.size() != 1 || expanded.files[0] != path;
    const auto charts = directory ? chart_roots(expanded.files) : std::vector<std::string>{};
    // Each file's outcome in its own slot, the files read and loaded side by side, the slots joined in order.
    struct Slot {
      const std::string* file = nullptr;  // to read and load; null: decided without reading
      LoadResult result;
    };
    std::vector<Slot> slots;
    std::string last_chart;
    for (const std::string& file : expanded.files) {
      // A chart inside a directory goes whole, by its folder's path; any other file by its own.
      std::string chart = chart_of(file, charts);
      if (!options.shard.holds(chart.empty() ? file : chart)) {
        ++out.other_shards;
        continue;
      }
      Slot slot;
      if (!chart.empty()) {
        if (chart != last_chart && !options.ignore_non_objects)
          slot.result.skipped.push_back(input_skipped(chart, 0, "input/helm-chart",
                                                      "a Helm chart, not manifests: validate it with `kvalidate chart " +
                                                          chart + "`"));
        last_chart = chart;
      } else if (directory && is_kustomization_file(base_name(file))) {
        if (!options.ignore_non_objects)
          slot.result.skipped.push_back(input_skipped(file, 0, "input/not-an-object",
                                                      "kustomize configuration, not a Kubernetes object"));
      } else {
        slot.file = &file;
      }
      slots.push_back(std::move(slot));
    }
    const int workers = slots.size() >= kParallelFiles
                            ? hardware_workers() : 1;
    auto load = [&](size_t k) {
      if (!slots[k].file) return;
      const std::string& file = *slots[k].file;
      LoadResult& mine = slots[k].result;
      std::string text;
      auto problem = file == "-" ? read_fd(options.stdin_fd, "-", options.max_file_bytes, text)
                                 : read_file(file, options.max_file_bytes, text);
      if (problem) {
        mine.problems.push_back(problem_of(*problem));
        return;
      }
      load_text(text, file, directory ? in_directory : options, mine);
      if (directory && !options.ignore_non_objects && mine.resources.empty() && mine.problems.empty() &&
          mine.skipped.empty())
        mine.skipped.push_back(input_skipped(file, 0, "input/no-objects", "holds no Kubernetes object (blank or comments only)"));
    };
    // A window of files at a time, joined and let go before the next (a folder of 10,000 files is not
    // held twice).
    for (size_t from = 0; from < slots.size(); from += kFileWindow) {
      const size_t n = std::min(kFileWindow, slots.size() - from);
      parallel_for(n, workers, [&](size_t k) { load(from + k); });
      for (size_t k = from; k < from + n; ++k) {
        LoadResult r = std::move(slots[k].result);
        std::move(r.resources.begin(), r.resources.end(), std::back_inserter(out.resources));
        std::move(r.problems.begin(), r.problems.end(), std::back_inserter(out.problems));
        std::move(r.skipped.begin(), r.skipped.end(), std::back_inserter(out.skipped));
      }
    }
    if (out.resources.size() == resources_before && out.problems.size() == problems_before &&
        out.other_shards == other_shards_before && !options.ignore_non_objects)
      out.problems.push_back(input_problem(path, 0, 0, 0, "input/no-objects",
                                           "no Kubernetes objects found in " + path));
  }
  out.resources.shrink_to_fit();  // the run holds them to its end: not the growth's spare half too
  return out;
}

}  // namespace kv
