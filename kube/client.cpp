#include "kube/client.h"

#include <curl/curl.h>

#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>

#include "kube/warning.h"

namespace kv::kube {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t write_body(char* data, size_t size, size_t n, void* user) {
  static_cast<Response*>(user)->body.append(data, size * n);
  return size * n;
}

size_t read_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "warning:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) { match = false; break; }
    if (match) {
      auto value = line.substr(kName.size());
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
      auto* resp = static_cast<Response*>(user);
      if (auto text = parse_warning_header(value)) resp->warnings.push_back(*text);
      else resp->warnings.emplace_back(value);
    }
  }
  // A new status line (redirects, 100-continue) starts a fresh header set.
  if (line.rfind("HTTP/", 0) == 0) static_cast<Response*>(user)->warnings.clear();
  return size * n;
}

// KVALIDATE_DEBUG_HTTP=1 makes libcurl describe every connection and request on stderr.
bool debug_http() {
  static const bool on = [] {
    const char* v = std::getenv("KVALIDATE_DEBUG_HTTP");
    return v && *v && std::string(v) != "0";
  }();
  return on;
}

curl_blob blob_of(const std::string& s) {
  return curl_blob{const_cast<char*>(s.data()), s.size(), CURL_BLOB_COPY};
}

}  // namespace

struct Client::Impl {
  CURLM* multi = nullptr;
  CURLSH* share = nullptr;
  ~Impl() {
    if (multi) curl_multi_cleanup(multi);
    if (share) curl_share_cleanup(share);
  }
};

Client::Client(Cluster cluster, ClientOptions opts)
    : cluster_(std::move(cluster)), opts_(std::move(opts)), impl_(std::make_unique<Impl>()) {}

Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Create(Cluster cluster, ClientOptions opts) {
  global_init();
  if (cluster.server.empty()) return Status::InvalidInput("kubeconfig: cluster has no server");
  while (!cluster.server.empty() && cluster.server.back() == '/') cluster.server.pop_back();
  std::unique_ptr<Client> c(new Client(std::move(cluster), std::move(opts)));
  c->impl_->multi = curl_multi_init();
  c->impl_->share = curl_share_init();
  if (!c->impl_->multi || !c->impl_->share) return Status::Internal("libcurl initialisation failed");
  curl_multi_setopt(c->impl_->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  curl_share_setopt(c->impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(c->impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  return c;
}

namespace {

// One request in flight, kept at a stable address and reused: no copies, so libcurl's error buffer can
// live inside it.
struct Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  size_t index = 0;
  char error[CURL_ERROR_SIZE] = {};  // libcurl's detailed error text ("SSL certificate problem: ...")
};

// The slots of one send_all: made on demand, handed out again once their request is done.
class SlotPool {
 public:
  ~SlotPool() {
    for (auto& s : slots_) curl_easy_cleanup(s.easy);
  }
  Slot* take() {
    Slot* s;
    if (!free_.empty()) {
      s = free_.back();
      free_.pop_back();
      curl_easy_reset(s->easy);
    } else {
      s = &slots_.emplace_back();
      s->easy = curl_easy_init();
    }
    s->error[0] = '\0';
    return s;
  }
  void give_back(Slot* s) {
    curl_slist_free_all(s->headers);
    s->headers = nullptr;
    free_.push_back(s);
  }

 private:
  std::deque<Slot> slots_;     // every slot made in this call
  std::vector<Slot*> free_;    // slots not in flight
};

// Trust and client credentials of `cluster` on one request.
void set_tls(CURL* e, const Cluster& cluster) {
  if (cluster.insecure_skip_tls_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!cluster.ca_pem.empty()) {
    curl_blob ca = blob_of(cluster.ca_pem);
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!cluster.client_cert_pem.empty()) {
    curl_blob cert = blob_of(cluster.client_cert_pem);
    curl_blob key = blob_of(cluster.client_key_pem);
    curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
  }
}

// Headers and credentials of one request; the header list is the slot's (freed when it is given back).
void set_auth_and_headers(CURL* e, Slot& s, const Cluster& cluster, const Request& r) {
  curl_slist* h = nullptr;
  h = curl_slist_append(h, ("Accept: " + r.accept).c_str());
  if (!r.content_type.empty()) h = curl_slist_append(h, ("Content-Type: " + r.content_type).c_str());
  if (!cluster.token.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + cluster.token).c_str());
  h = curl_slist_append(h, "Expect:");
  s.headers = h;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  if (!cluster.username.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, cluster.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, cluster.password.c_str());
  }
}

void set_method(CURL* e, const Request& r) {
  if (r.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
}

// Records the outcome of a finished transfer in `resp`.
void read_outcome(CURLMsg* m, const Slot& s, Response& resp) {
  if (m->data.result != CURLE_OK) {
    // libcurl's detail names the cause ("SSL certificate problem: ...", the refused host and port).
    resp.transport_error = s.error[0] ? std::string(s.error) : curl_easy_strerror(m->data.result);
    resp.status = 0;
  } else {
    curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &resp.status);
  }
}

// Everything one request needs on its easy handle: URL, HTTP/2 over the shared connection, timeouts,
// where the answer goes, TLS, headers and credentials, method and body.
void setup_request(CURL* e, Slot* s, const Cluster& cluster, const ClientOptions& opts, CURLSH* share,
                   const Request& r, Response& resp) {
  std::string url = cluster.server + r.path;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_SHARE, share);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, opts.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, opts.request_timeout_ms);
  curl_easy_setopt(e, CURLOPT_USERAGENT, opts.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(e, CURLOPT_PRIVATE, s);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->error);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (debug_http()) curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  set_tls(e, cluster);
  set_auth_and_headers(e, *s, cluster, r);
  set_method(e, r);
}

}  // namespace

std::vector<Response> Client::send_all(const std::vector<Request>& reqs, int jobs, const OnResponse& on_done) {
  std::vector<Response> out(reqs.size());
  if (reqs.empty()) return out;
  if (jobs < 1) jobs = 1;
  CURLM* multi = impl_->multi;
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, static_cast<long>(jobs));
  SlotPool pool;
  std::vector<Slot*> active(reqs.size(), nullptr);
  size_t next = 0, done = 0;
  int in_flight = 0;
  cancelled_ = false;
  while (done < reqs.size() && !cancelled_) {
    for (; next < reqs.size() && in_flight < jobs; ++next, ++in_flight) {
      Slot* s = pool.take();
      s->index = next;
      setup_request(s->easy, s, cluster_, opts_, impl_->share, reqs[next], out[next]);
      active[next] = s;
      curl_multi_add_handle(multi, s->easy);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
      read_outcome(m, *s, out[s->index]);
      curl_multi_remove_handle(multi, m->easy_handle);
      active[s->index] = nullptr;
      pool.give_back(s);
      --in_flight;
      ++done;
      if (on_done) on_done(s->index, out[s->index]);
    }
    if (done < reqs.size() && running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  if (cancelled_) {
    // Abandon what is in flight; everything not answered is "cancelled".
    for (size_t i = 0; i < out.size(); ++i) {
      if (active[i]) {
        curl_multi_remove_handle(multi, active[i]->easy);
        pool.give_back(active[i]);
      }
      if (active[i] || i >= next) out[i] = Response{0, "", {}, "cancelled"};
    }
    cancelled_ = false;
  }
  return out;
}

}  // namespace kv::kube
