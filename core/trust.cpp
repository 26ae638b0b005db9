#include "core/trust.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

namespace kv {

namespace {

std::string user_name(uid_t uid) {
  if (const passwd* pw = getpwuid(uid); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

}  // namespace

Status check_trusted_path(const std::string& path, const std::string& what) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::InvalidInput(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
  }
  uid_t me = geteuid();
  if (st.st_uid != me && st.st_uid != 0)
    return Status::InvalidInput(fmt::format(
        "{} {} belongs to {}, not to {} who runs kvalidate: refusing to use it (another user could plant "
        "credentials or settings there); chown it or use another path",
        what, path, user_name(st.st_uid), user_name(me)));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return Status::InvalidInput(fmt::format(
        "{} {} is writable by {} (mode {:o}): refusing to use it; chmod go-w {}", what, path,
        (st.st_mode & S_IWOTH) ? "everyone" : "its group", st.st_mode & 07777, path));
  return Status::Ok();
}

}  // namespace kv
