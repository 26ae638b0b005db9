#include "engine/object_locks.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "controlplane/files.h"

namespace kv::engine {

namespace {

using Clock = std::chrono::steady_clock;

int open_lock_file(const std::string& path) { return open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); }

// flock with a bounded wait: polls so that the wait can end (flock itself cannot time out).
bool lock_within(int fd, int op, Clock::time_point until) {
  for (;;) {
    if (flock(fd, op | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK && errno != EINTR) return false;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

ObjectHold::~ObjectHold() {
  if (fd_ >= 0) close(fd_);  // closing drops the shared flock
}

ObjectHold& ObjectHold::operator=(ObjectHold&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
    key_ = std::move(o.key_);
    digest_ = std::move(o.digest_);
  }
  return *this;
}

ObjectLocks::Fd::~Fd() {
  if (fd >= 0) close(fd);
}

std::string ObjectLocks::file(const std::string& key, const std::string& suffix) const {
  std::string name;
  for (char c : key) name += (c == '/' || c == '\0') ? '_' : c;
  return dir_ + "/" + name + suffix;
}

Result<ObjectLocks::Fd> ObjectLocks::lock_gate(const std::string& key, std::chrono::milliseconds wait) {
  KV_RETURN_IF_ERROR(controlplane::make_private_dir(dir_));
  std::string path = file(key, ".gate");
  Fd gate(open_lock_file(path));
  if (gate.fd < 0) return Status::IOError(path + ": " + std::strerror(errno));
  if (!lock_within(gate.fd, LOCK_EX, Clock::now() + wait))
    return Status::Unavailable(path + ": another kvalidate run held this lock too long");
  return gate;
}

Result<ObjectLocks::Releasing> ObjectLocks::begin_release(ObjectHold hold) {
  auto gate = lock_gate(hold.key(), std::chrono::minutes(5));
  if (!gate.ok()) return gate.status();
  std::string key = hold.key(), digest = hold.digest();
  { ObjectHold dropped = std::move(hold); }
  Releasing r{std::move(*gate), false};
  r.last_user = unused(key, digest);
  return r;
}

std::string ObjectLocks::current(const std::string& key) const {
  auto text = read_file(file(key, ".current"));
  return text.ok() ? *text : "";
}

bool ObjectLocks::unused(const std::string& key, const std::string& digest) {
  if (digest.empty()) return true;
  Fd probe(open_lock_file(file(key, ".use-" + digest)));
  if (probe.fd < 0) return false;
  return flock(probe.fd, LOCK_EX | LOCK_NB) == 0;  // closing `probe` drops it again
}

Result<ObjectHold> ObjectLocks::acquire(const std::string& key, const std::string& digest,
                                        std::chrono::milliseconds wait) {
  const auto until = Clock::now() + wait;
  for (;;) {
    auto gate = lock_gate(key, std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    if (!gate.ok()) return gate.status();
    std::string cur = current(key);
    if (cur.empty() || cur == digest || unused(key, cur)) {
      std::string use_path = file(key, ".use-" + digest);
      int fd = open_lock_file(use_path);
      if (fd < 0) return Status::IOError(use_path + ": " + std::strerror(errno));
      // Under the gate nobody holds it exclusively for long (only unused() probes, which let go at once).
      if (!lock_within(fd, LOCK_SH, Clock::now() + std::chrono::seconds(5))) {
        close(fd);
        return Status::IOError(use_path + ": cannot take a shared lock");
      }
      if (cur != digest) KV_RETURN_IF_ERROR(write_file_atomic(file(key, ".current"), digest, 0600));
      return ObjectHold(fd, key, digest);
    }
    // Another version is in use: wait (without the gate) until its users are gone, then decide again.
    Fd other(open_lock_file(file(key, ".use-" + cur)));
    { Fd released_gate = std::move(*gate); }
    if (other.fd < 0 || !lock_within(other.fd, LOCK_EX, until))
      return Status::Unavailable("another kvalidate run on this control plane is using a different version of " + key +
                                 " and did not finish in time");
  }
}

}  // namespace kv::engine
