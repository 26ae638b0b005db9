// An HTTP client for one API server over libcurl: TLS with in-memory PEM credentials (or an exec plugin's,
// refreshed once after a 401), tls-server-name, proxy-url (loopback never proxied), impersonation headers,
// HTTP/2 with many requests multiplexed on one connection (send_all), Warning headers collected per
// response. A Client is used from one thread at a time; connections are kept between calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "kube/cluster.h"
#include "kube/transport.h"

namespace kv::kube {

struct ClientOptions {
  long connect_timeout_ms = 5000;
  long request_timeout_ms = 60000;
  std::string user_agent = "kvalidate";
};

// A libcurl debug line with the credentials in it masked: "Authorization: Bearer <masked>".
std::string mask_credentials(std::string_view line);

class Client : public Transport {
 public:
  // Checks the server URL and impersonation (InvalidInput). Credentials are read on the first request
  // (PEM parse errors and exec plugin failures surface then as transport errors).
  static Result<std::unique_ptr<Client>> Create(Cluster cluster, ClientOptions opts = {});
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  using Transport::send;
  using Transport::send_all;
  // Multiplexed over HTTP/2 where the server allows it; see Transport::send_each.
  void send_each(size_t count, const MakeRequest& make, int jobs, const TakeResponse& take) override;
  const Cluster& cluster() const { return cluster_; }
  void cancel() override { cancelled_ = true; }
  const std::string& server() const override { return cluster_.server; }

 private:
  Client(Cluster cluster, ClientOptions opts);
  Status prepare_target();
  // send_each; an answer 401 with exec credentials is held back and, when `may_refresh`, its request
  // made and sent again once with refreshed credentials.
  void send_batch(size_t count, const MakeRequest& make, int jobs, const TakeResponse& take, bool may_refresh);
  struct Impl;
  Cluster cluster_;
  ClientOptions opts_;
  std::unique_ptr<Impl> impl_;
  bool cancelled_ = false;
};

}  // namespace kv::kube
