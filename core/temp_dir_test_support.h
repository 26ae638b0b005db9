// For unit tests only: a private temporary folder, removed with everything in it when the test ends,
// and a way to write files into it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace kv::core::testing {

class TempDir {
 public:
  // A new folder "kv-<name>-XXXXXX" in the system's temporary folder; `path` stays "" if it cannot be made.
  explicit TempDir(const std::string& name = "test") {
    std::string tmpl = (std::filesystem::temp_directory_path() / ("kv-" + name + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data())) path = tmpl;
  }
  // Folders a test locked (no permissions) are opened again first, so that everything goes.
  ~TempDir() {
    namespace fs = std::filesystem;
    if (path.empty()) return;
    std::error_code ec, ignored;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_directory(ignored) && !it->is_symlink(ignored))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path root() const { return path; }

  // Writes `text` to `rel` inside the folder, making the folders on the way; returns the file's path.
  std::string write(const std::string& rel, const std::string& text) const {
    std::filesystem::path file = root() / rel;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

  std::string path;  // the folder, absolute
};

}  // namespace kv::core::testing
