// For unit tests only: a minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) run on a thread, so the
// client's sending, ordering, cancel and error rules are tested without a real API server. Each request
// is answered by a handler from its method and path: a status, body and headers after a delay, or a
// dropped connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kv::kube::testing {

struct Reply {
  int status = 200;
  std::string body = "{}";
  std::vector<std::string> headers;    // "Warning: 299 - \"x\""
  std::chrono::milliseconds delay{0};  // before answering (cut short when the server stops)
  bool drop = false;                   // close the connection without an answer
};

class TestServer {
 public:
  using Handler = std::function<Reply(const std::string& method, const std::string& path)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~TestServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    acceptor_.join();
    for (auto& t : connections_) t.join();
    close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }       // requests received
  int max_in_flight() const { return max_in_flight_; }  // most requests being answered at once

 private:
  void accept_loop() {
    for (;;) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) > 0) {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) connections_.emplace_back([this, fd] { serve(fd); });
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
  }

  // Reads one request (headers, then Content-Length bytes); false on EOF or when stopping.
  bool read_request(int fd, std::string& buf, std::string& method, std::string& path) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!read_some(fd, buf)) return false;
    }
    std::string head = buf.substr(0, end);
    size_t length = 0;
    if (auto cl = head.find("Content-Length: "); cl != std::string::npos) length = std::stoul(head.substr(cl + 16));
    while (buf.size() < end + 4 + length)
      if (!read_some(fd, buf)) return false;
    auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    method = head.substr(0, sp1);
    path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    buf.erase(0, end + 4 + length);
    return true;
  }

  bool read_some(int fd, std::string& buf) {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, 20);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return false;
      }
      if (r <= 0) continue;
      char chunk[4096];
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return false;
      buf.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  void serve(int fd) {
    std::string buf, method, path;
    while (read_request(fd, buf, method, path)) {
      ++requests_;
      int now = ++in_flight_;
      for (int seen = max_in_flight_; now > seen && !max_in_flight_.compare_exchange_weak(seen, now);) {}
      Reply reply = handler_(method, path);
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait_for(lock, reply.delay, [this] { return stopping_; });
      }
      --in_flight_;
      if (reply.drop) break;
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\nContent-Type: application/json\r\n";
      for (const auto& h : reply.headers) out += h + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
      if (write(fd, out.data(), out.size()) < 0) break;
    }
    close(fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // touched by the acceptor thread only, joined after it
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<int> requests_{0}, in_flight_{0}, max_in_flight_{0};
};

}  // namespace kv::kube::testing
