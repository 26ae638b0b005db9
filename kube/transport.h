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

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends all requests with at most `jobs` in flight. Results are in request order; `on_done(i,
  // response)` is called as each completes. When on_done calls cancel(), nothing more is sent, requests
  // in flight are abandoned, and every request not answered gets transport_error "cancelled" (on_done
  // is not called for those). The next send_all starts afresh. With on_done, an answer's body and
  // warnings are dropped once on_done has seen it (a run of 100,000 objects holds no 100,000 answers):
  // the results keep the status and transport_error.
  virtual std::vector<Response> send_all(const std::vector<Request>& reqs, int jobs, const OnResponse& on_done) = 0;
  // Stops the send_all in progress (see there).
  virtual void cancel() = 0;
  // The server's URL, for messages ("https://127.0.0.1:6443").
  virtual const std::string& server() const = 0;

  std::vector<Response> send_all(const std::vector<Request>& reqs, int jobs) { return send_all(reqs, jobs, {}); }
  Response send(const Request& req) { return send_all({req}, 1, {}).front(); }
};

}  // namespace kv::kube
