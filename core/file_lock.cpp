#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace kv {

Result<FileLock> FileLock::acquire(const std::string& path, std::chrono::milliseconds timeout) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  fchmod(fd, 0600);  // a lock file an older kvalidate made 0644 becomes private too
  auto until = std::chrono::steady_clock::now() + timeout;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      std::string err = std::strerror(errno);
      close(fd);
      return Status::IOError(path + ": lock: " + err);
    }
    if (std::chrono::steady_clock::now() >= until) {
      close(fd);
      return Status::Unavailable(path + ": another kvalidate process held this lock for too long");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace kv
