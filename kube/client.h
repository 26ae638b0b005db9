// An HTTP client for one API server over libcurl: TLS with in-memory PEM credentials, HTTP/2 with
// many requests multiplexed on one connection (send_all), Warning headers collected per response.
// A Client is used from one thread at a time; connections are kept between calls.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "kube/cluster.h"

namespace kv::kube {

struct Request {
  std::string method = "GET";
  std::string path;                       // "/api/v1/namespaces?limit=1", appended to the server URL
  std::string body;
  std::string content_type;               // e.g. "application/apply-patch+yaml"
  std::string accept = "application/json";
};

struct Response {
  long status = 0;                        // HTTP status; 0 when the request never got an answer
  std::string body;
  std::vector<std::string> warnings;      // decoded texts of Warning headers (warning.h)
  std::string transport_error;            // non-empty when no HTTP answer arrived (refused, TLS, timeout)
  bool transport_ok() const { return transport_error.empty(); }
  bool success() const { return transport_ok() && status >= 200 && status < 300; }
};

struct ClientOptions {
  long connect_timeout_ms = 5000;
  long request_timeout_ms = 60000;
  std::string user_agent = "kvalidate";
};

class Client {
 public:
  // Checks the credentials (PEM parse errors surface on the first request as transport errors).
  static Result<std::unique_ptr<Client>> Create(Cluster cluster, ClientOptions opts = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Response send(const Request& req);
  // Sends all requests with at most `jobs` in flight, multiplexed over HTTP/2 where the server
  // allows it. Results are in request order; `on_done(i, response)` is called as each completes.
  // When on_done calls cancel(), nothing more is sent, requests in flight are abandoned, and every
  // request not answered gets transport_error "cancelled" (on_done is not called for those).
  std::vector<Response> send_all(const std::vector<Request>& reqs, int jobs,
                                 const std::function<void(size_t, const Response&)>& on_done = {});
  const Cluster& cluster() const { return cluster_; }
  // Stops the send_all in progress (see there). The next send_all starts afresh.
  void cancel() { cancelled_ = true; }

 private:
  Client(Cluster cluster, ClientOptions opts);
  struct Impl;
  Cluster cluster_;
  ClientOptions opts_;
  std::unique_ptr<Impl> impl_;
  bool cancelled_ = false;
};

}  // namespace kv::kube
