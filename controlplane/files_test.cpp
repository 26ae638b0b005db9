#include "controlplane/files.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>

#include "controlplane/ports.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

TEST_CASE("write_file_atomic: content, mode, no temp file left; tail_lines") {
  std::string dir = (fs::temp_directory_path() / ("kv-files-test-" + std::to_string(getpid()))).string();
  REQUIRE(make_private_dir(dir + "/a/b").ok());
  std::string path = dir + "/a/b/f";
  REQUIRE(write_file_atomic(path, "old", 0644).ok());
  REQUIRE(write_file_atomic(path, "1\n2\n3\n4\n", 0600).ok());
  CHECK(*read_file(path) == "1\n2\n3\n4\n");
  struct stat sb;
  REQUIRE(stat(path.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  CHECK(std::distance(fs::directory_iterator(dir + "/a/b"), fs::directory_iterator{}) == 1);
  CHECK(tail_lines(path, 2) == "3\n4\n");
  CHECK(tail_lines(path, 10) == "1\n2\n3\n4\n");
  CHECK(tail_lines(dir + "/missing", 3).empty());
  CHECK(read_file(dir + "/missing").status().code() == Status::Code::kNotFound);
  fs::remove_all(dir);
}

TEST_CASE("free_port: distinct, bindable, pairs") {
  auto a = free_port();
  REQUIRE(a.ok());
  CHECK(port_free(*a));
  auto b = free_port({*a});
  REQUIRE(b.ok());
  CHECK(*b != *a);
  auto pair = free_port({}, true);
  REQUIRE(pair.ok());
  CHECK(port_free(*pair + 1));
  CHECK_FALSE(port_free(0));
}

TEST_CASE("port_accepts: true only while something listens") {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  int port = ntohs(a.sin_port);
  CHECK_FALSE(port_accepts(port));  // bound, not listening
  REQUIRE(listen(fd, 1) == 0);
  CHECK(port_accepts(port));
  close(fd);
  CHECK_FALSE(port_accepts(port));
}

}  // namespace kv::controlplane
