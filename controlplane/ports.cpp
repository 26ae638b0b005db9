#include "controlplane/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kv::controlplane {

namespace {

// Binds 127.0.0.1:port (0 = any) as Go listeners do (SO_REUSEADDR); returns the bound port or -1.
int try_bind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  int got = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) got = ntohs(a.sin_port);
  }
  close(fd);
  return got;
}

}  // namespace

bool port_accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

bool port_free(int port) { return port > 0 && port < 65536 && try_bind(port) == port; }

Result<int> free_port(const std::set<int>& avoid, bool pair) {
  for (int i = 0; i < 50; ++i) {
    int p = try_bind(0);
    if (p <= 0) return Status::Unavailable("cannot bind any TCP port on 127.0.0.1");
    if (avoid.count(p) || (pair && (p >= 65535 || avoid.count(p + 1) || !port_free(p + 1)))) continue;
    return p;
  }
  return Status::Unavailable("cannot find a free TCP port on 127.0.0.1");
}

}  // namespace kv::controlplane
