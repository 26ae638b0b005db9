// The narrow seam between the engine and the network: requests to one API server, many in flight, with
// cancel. kube::Client is the real one (HTTP/2 over libcurl); unit tests use a fake.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace kv::kube {

// Accept headers asking for an object's (a list's items') metadata only, plain JSON from servers that
// cannot (the same fields, and more).
inline constexpr const char* kMetadataOnly = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json";
inline constexpr const char* kMetadataOnlyList =
    "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

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

using OnResponse = std::function<void(size_t index, const Response& response)>;
// Request `index`, made when it is about to go out: a phase of 100,000 objects holds only the requests
// in flight, not 100,000 copies of their bodies.
using MakeRequest = std::function<Request(size_t index)>;
// Takes answer `index`; it may move the answer away.
using TakeResponse = std::function<void(size_t index, Response&& response)>;

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends requests 0..count-1, each made by `make` when its turn comes (again if it must be sent again),
  // with at most `jobs` in flight; `take(i, response)` is called once per answer as it arrives, in any
  // order. When `take` calls cancel(), nothing more is sent, requests in flight are abandoned, and the
  // requests not answered are never taken. The next call starts afresh.
  virtual void send_each(size_t count, const MakeRequest& make, int jobs, const TakeResponse& take) = 0;
  // Stops the sending in progress (see send_each).
  virtual void cancel() = 0;
  // The server's URL, for messages ("https://127.0.0.1:6443").
  virtual const std::string& server() const = 0;

  // send_each over `reqs`, the answers in request order. `on_done(i, response)` is called as each
  // completes; an answer's body and warnings are then dropped (the result keeps the status and
  // transport_error). After cancel(), every request not answered gets transport_error "cancelled".
  std::vector<Response> send_all(const std::vector<Request>& reqs, int jobs, const OnResponse& on_done);
  std::vector<Response> send_all(const std::vector<Request>& reqs, int jobs) { return send_all(reqs, jobs, {}); }
  Response send(const Request& req) { return send_all({req}, 1, {}).front(); }
};

}  // namespace kv::kube
