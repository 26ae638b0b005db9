// An exclusive advisory lock (flock) on a file, held for the lifetime of a FileLock: serializes what
// concurrent kvalidate processes must not do at once (starting and stopping the plane, applying RBAC
// objects for real). The kernel drops it if we die. The lock file is created private (0600).
#pragma once

#include <chrono>
#include <string>

#include "core/status.h"

namespace kv {

class FileLock {
 public:
  // Waits for the lock until `timeout`; Unavailable when another holder keeps it longer, IOError when
  // the file cannot be opened.
  static Result<FileLock> acquire(const std::string& path, std::chrono::milliseconds timeout);
  FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace kv
