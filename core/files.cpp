#include "core/files.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>
#include <fstream>
#include <sstream>

namespace kv {

Result<std::string> read_file(const std::string& path) {
  errno = 0;
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + (errno ? std::strerror(errno) : "cannot read"));
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status write_file_atomic(const std::string& path, const std::string& data, unsigned mode) {
  return write_file_atomic(path, [&](const PutPiece& put) { return put(data); }, mode);
}

Status write_file_atomic(const std::string& path, const WritePieces& pieces, unsigned mode) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string tmpl = dir + "/." + base + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  const std::string tmp = name.data();
  auto fail = [&](int err, bool open) {
    if (open) close(fd);
    unlink(tmp.c_str());
    return Status::IOError(path + ": " + std::strerror(err));
  };
  int write_error = 0;
  Status written = pieces([&](std::string_view data) {
    for (size_t done = 0; done < data.size();) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        write_error = n < 0 ? errno : EIO;
        return Status::IOError(path + ": " + std::strerror(write_error));
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  });
  if (write_error) return fail(write_error, true);
  if (!written.ok()) {
    close(fd);
    unlink(tmp.c_str());
    return written;
  }
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0 || fsync(fd) != 0) return fail(errno, true);
  if (close(fd) != 0) return fail(errno, false);
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, false);
  return Status::Ok();
}

unsigned default_file_mode() {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

std::vector<std::string> stems_of(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
        out.push_back(n.substr(0, n.size() - suffix.size()));
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void keep_newest_files(const std::string& dir, size_t max_entries,
                       const std::function<bool(const std::string&)>& counts) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.empty() || n[0] == '.' || (counts && !counts(n))) continue;
      names.push_back(std::move(n));
    }
    closedir(d);
  }
  if (names.size() <= max_entries) return;
  std::vector<std::pair<long long, std::string>> files;  // (mtime in ns, name)
  for (auto& n : names) {
    struct stat st {};
    if (::stat((dir + "/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode))
      files.emplace_back(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec, std::move(n));
  }
  if (files.size() <= max_entries) return;
  const size_t keep = max_entries - max_entries / 10;  // room for the next runs' files before the next stat
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + keep < files.size(); ++i) std::remove((dir + "/" + files[i].second).c_str());
}

}  // namespace kv
