#include "engine/object_locks.h"

#include <stdlib.h>

#include <filesystem>
#include <future>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

namespace {
using kv::core::testing::TempDir;
using std::chrono::milliseconds;

// Drops `hold`; calls `last_user()` with the gate held when no other run uses (key, digest) any more.
template <typename F>
kv::Status release(kv::engine::ObjectLocks& locks, kv::engine::ObjectHold hold, F&& last_user) {
  auto r = locks.begin_release(std::move(hold));
  if (!r.ok()) return r.status();
  return r->last_user ? last_user() : kv::Status::Ok();
}
}  // namespace

// flock(2) locks belong to open file descriptions, so two holds in one process compete like two runs.
TEST_CASE("object locks: equal digests share, another digest waits for the last user") {
  TempDir t;
  kv::engine::ObjectLocks a(t.path), b(t.path), c(t.path);
  auto first = a.acquire("crd/w.example.com", "d1", milliseconds(500));
  REQUIRE(first.ok());
  auto same = b.acquire("crd/w.example.com", "d1", milliseconds(500));
  REQUIRE(same.ok());  // shared at once
  auto other = c.acquire("crd/w.example.com", "d2", milliseconds(100));
  CHECK_FALSE(other.ok());
  CHECK(other.status().exit_code() == 3);
  // Another key is independent.
  CHECK(c.acquire("namespace/shop", "d2", milliseconds(100)).ok());

  int deleted = 0;
  CHECK(release(a, std::move(*first), [&] { ++deleted; return kv::Status::Ok(); }).ok());
  CHECK(deleted == 0);  // b still uses it
  // The waiter gets its turn as soon as the last user is done.
  auto waiter = std::async(std::launch::async, [&] { return c.acquire("crd/w.example.com", "d2", milliseconds(5000)); });
  CHECK(waiter.wait_for(milliseconds(150)) == std::future_status::timeout);
  CHECK(release(b, std::move(*same), [&] { ++deleted; return kv::Status::Ok(); }).ok());
  CHECK(deleted == 1);  // b was the last user: it removed the object
  auto got = waiter.get();
  REQUIRE(got.ok());
  CHECK(got->digest() == "d2");
}

TEST_CASE("object locks: a holder that dies (its descriptor closed) never blocks the others") {
  TempDir t;
  kv::engine::ObjectLocks a(t.path), b(t.path);
  {
    auto dead = a.acquire("namespace/x", "d1", milliseconds(500));
    REQUIRE(dead.ok());
  }  // dropped without release(), as a crash would
  auto next = b.acquire("namespace/x", "d2", milliseconds(500));
  CHECK(next.ok());
  // A sweep of the dead run's object does nothing while a live run uses the key (here with d2).
  int swept = 0;
  CHECK(a.if_unused("namespace/x", "d1", [&] { ++swept; return kv::Status::Ok(); }).ok());
  CHECK(swept == 0);
  CHECK(release(b, std::move(*next), [] { return kv::Status::Ok(); }).ok());
  CHECK(a.if_unused("namespace/x", "d1", [&] { ++swept; return kv::Status::Ok(); }).ok());
  CHECK(swept == 1);
}

TEST_CASE("object locks: a release in two steps holds the key's gate until the caller is done") {
  TempDir t;
  kv::engine::ObjectLocks a(t.path), b(t.path), c(t.path);
  auto mine = a.acquire("namespace/shop", "auto", milliseconds(500));
  auto theirs = b.acquire("namespace/shop", "auto", milliseconds(500));
  REQUIRE(mine.ok());
  REQUIRE(theirs.ok());
  {
    auto r = a.begin_release(std::move(*mine));
    REQUIRE(r.ok());
    CHECK_FALSE(r->last_user);  // b still uses it
  }
  auto last = b.begin_release(std::move(*theirs));
  REQUIRE(last.ok());
  CHECK(last->last_user);
  // While the last user removes the object, no run takes the key (not even with the same digest).
  CHECK_FALSE(c.acquire("namespace/shop", "auto", milliseconds(100)).ok());
  { auto done = std::move(*last); }
  CHECK(c.acquire("namespace/shop", "auto", milliseconds(100)).ok());
}
