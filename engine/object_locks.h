// Turn-taking between concurrent runs on one plane for the objects they create for real: a run holds a
// "use" of (key, digest) for as long as it needs the object; runs whose digests are equal share it, a run
// with another digest waits until no run uses the current one. Built on flock(2) in the plane's state
// dir, so a run that dies loses its holds with its process and never blocks the others.
//
// Files in <dir> (per key, '/' written as '_'): KEY.gate (an exclusive lock held only while deciding),
// KEY.current (the digest in use), KEY.use-DIGEST (held shared by each run using that digest).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"

namespace kv::engine {

// One run's hold on (key, digest). Destroying it drops the hold without deciding anything (a crash
// does the same); use ObjectLocks::begin_release to learn whether this run was the last user.
class ObjectHold {
 public:
  ObjectHold(ObjectHold&& o) noexcept : fd_(o.fd_), key_(std::move(o.key_)), digest_(std::move(o.digest_)) { o.fd_ = -1; }
  ObjectHold& operator=(ObjectHold&& o) noexcept;
  ObjectHold(const ObjectHold&) = delete;
  ~ObjectHold();
  const std::string& key() const { return key_; }
  const std::string& digest() const { return digest_; }

 private:
  friend class ObjectLocks;
  ObjectHold(int fd, std::string key, std::string digest) : fd_(fd), key_(std::move(key)), digest_(std::move(digest)) {}
  int fd_ = -1;
  std::string key_, digest_;
};

// Turns per key: the decision made under its gate (begin_release(), if_unused()) while the gate is held.
class ObjectLocks {
 public:
  explicit ObjectLocks(std::string dir) : dir_(std::move(dir)) {}

  // Takes a use of (key, digest): at once when nobody uses the key or every user has the same digest,
  // else after the users of the other digest are gone. Unavailable after `wait`; IOError when the
  // lock files cannot be made.
  Result<ObjectHold> acquire(const std::string& key, const std::string& digest, std::chrono::milliseconds wait);

 private:
  struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    ~Fd();
  };

 public:
  // Drops `hold` with its key's gate taken and says whether this run was the last user of (key, digest);
  // the gate stays taken until the Releasing is destroyed, so that no run takes the key while the last
  // user deletes the object. A run that takes several gates at once takes them in key order (so two runs
  // never wait on each other).
  struct Releasing {
    Fd gate;
    bool last_user = false;
  };
  Result<Releasing> begin_release(ObjectHold hold);

  // For a sweep of a dead run's object: calls `unused_fn()` with the gate held when no live run uses
  // the key at all (neither `digest` nor the key's current digest, which a live run may have taken over
  // since); returns its Status, or Ok (nothing done) when a live run uses it.
  template <typename F>
  Status if_unused(const std::string& key, const std::string& digest, F&& unused_fn) {
    auto gate = lock_gate(key, std::chrono::minutes(5));
    if (!gate.ok()) return gate.status();
    if (!unused(key, digest) || !unused(key, current(key))) return Status::Ok();
    return unused_fn();
  }

 private:
  Result<Fd> lock_gate(const std::string& key, std::chrono::milliseconds wait);
  // True when nobody holds a use of (key, digest) (checked with an exclusive non-blocking lock).
  bool unused(const std::string& key, const std::string& digest);
  std::string file(const std::string& key, const std::string& suffix) const;
  std::string current(const std::string& key) const;  // "" when none was recorded
  std::string dir_;
};

}  // namespace kv::engine
