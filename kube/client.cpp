#include "kube/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>

#include "kube/credentials.h"
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

// What libcurl's VERBOSE would print, line by line, with credentials masked; bodies are never printed.
int debug_print(CURL*, curl_infotype type, char* data, size_t size, void*) {
  const char* prefix = type == CURLINFO_TEXT ? "* " : type == CURLINFO_HEADER_IN ? "< "
                       : type == CURLINFO_HEADER_OUT ? "> " : nullptr;
  if (!prefix) return 0;
  std::string_view text(data, size);
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) std::fprintf(stderr, "%s%s\n", prefix, mask_credentials(line).c_str());
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}

// Impersonate-Extra-<key>: the key percent-encoded where it is not a legal header name character.
std::string header_key_escape(const std::string& key) {
  static const std::string kLegal = "!#$&'*+-.^_`|~";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || kLegal.find(static_cast<char>(c)) != std::string::npos) out += static_cast<char>(c);
    else { char buf[4]; std::snprintf(buf, sizeof buf, "%%%02X", c); out += buf; }
  }
  return out;
}

bool is_loopback_host(std::string host) {
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host == "localhost" || host.ends_with(".localhost") || host.rfind("127.", 0) == 0 || host == "::1" ||
         host.rfind("::ffff:127.", 0) == 0;
}

// NO_PROXY (or no_proxy) as Go reads it: "*", or comma-separated names matching the host or a domain
// it is in (".example.com" and "example.com" alike), or literal addresses.
bool in_no_proxy(std::string host) {
  const char* env = std::getenv("NO_PROXY");
  if (!env || !*env) env = std::getenv("no_proxy");
  if (!env || !*env) return false;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string list(env);
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string entry = list.substr(start, end - start);
    start = end + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    for (auto& c : entry) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon)
      entry = entry.substr(0, colon);  // "host:port": the port is not compared
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry || (host.size() > entry.size() && host.ends_with("." + entry))) return true;
  }
  return false;
}

// Where and as whom every request of a client goes, worked out once from the cluster (prepare_target).
struct Route {
  std::string base;        // URL prefix requests go to (host replaced by tls-server-name when set)
  std::string connect_to;  // "NAME:PORT:HOST:PORT" when tls-server-name is set
  std::string host_header; // "Host: HOST:PORT" sent then, as client-go sends the server's own name
  bool direct = false;     // never proxied: loopback (as Go's ProxyFromEnvironment) or in NO_PROXY
  std::vector<std::string> impersonate_headers;
};

// One request in flight, kept at a stable address and reused: no copies, so libcurl's error buffer can
// live inside it.
struct Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  size_t index = 0;
  Request req;     // the request in flight (its body is what libcurl sends)
  Response resp;   // its answer as it arrives
  char error[CURL_ERROR_SIZE] = {};  // libcurl's detailed error text ("SSL certificate problem: ...")
};

// The slots of one send_batch: made on demand, handed out again once their request is done.
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
  // Frees the slot's lists; the caller has removed its handle from the multi handle.
  void give_back(Slot* s) {
    curl_slist_free_all(s->headers);
    curl_slist_free_all(s->connect_to);
    s->headers = s->connect_to = nullptr;
    free_.push_back(s);
  }

 private:
  std::deque<Slot> slots_;   // every slot made in this call
  std::vector<Slot*> free_;  // slots not in flight
};

// Everything a request needs besides itself: the cluster, the client's options and route, the shared
// connection cache and the credentials of this batch.
struct RequestContext {
  const Cluster& cluster;
  const ClientOptions& opts;
  const Route& route;
  CURLSH* share;
  const Credential& cred;
};

// The URL (with tls-server-name's connect-to) and the proxy rule of one request.
void set_target(CURL* e, Slot& s, const RequestContext& c, const Request& r) {
  std::string url = c.route.base + r.path;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  s.connect_to = nullptr;
  if (!c.route.connect_to.empty()) {
    s.connect_to = curl_slist_append(nullptr, c.route.connect_to.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, s.connect_to);
  }
  if (!c.cluster.proxy_url.empty()) {
    curl_easy_setopt(e, CURLOPT_PROXY, c.cluster.proxy_url.c_str());
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");  // proxy-url is used for every request, as client-go
  } else if (c.route.direct) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");  // loopback or NO_PROXY: HTTPS_PROXY does not apply
  } else {
    // HTTPS_PROXY from the environment, if set. NO_PROXY was matched against the server's own host
    // above: libcurl would match the URL's, which is the tls-server-name when one is set.
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  }
}

// Trust and the client certificate of one request.
void set_tls(CURL* e, const RequestContext& c) {
  if (c.cluster.insecure_skip_tls_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  } else if (!c.cluster.ca_pem.empty()) {
    curl_blob ca = blob_of(c.cluster.ca_pem);
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!c.cred.cert_pem.empty()) {
    curl_blob cert = blob_of(c.cred.cert_pem);
    curl_blob key = blob_of(c.cred.key_pem);
    curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
  }
}

// Headers (the slot's list, freed when it is given back), credentials, method and body of one request.
void set_headers_and_body(CURL* e, Slot& s, const RequestContext& c, const Request& r) {
  curl_slist* h = nullptr;
  h = curl_slist_append(h, ("Accept: " + r.accept).c_str());
  if (!r.content_type.empty()) h = curl_slist_append(h, ("Content-Type: " + r.content_type).c_str());
  if (!c.cred.token.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + c.cred.token).c_str());
  if (!c.route.host_header.empty()) h = curl_slist_append(h, c.route.host_header.c_str());
  for (const auto& ih : c.route.impersonate_headers) h = curl_slist_append(h, ih.c_str());
  h = curl_slist_append(h, "Expect:");
  s.headers = h;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  if (!c.cluster.username.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, c.cluster.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, c.cluster.password.c_str());
  }
  if (r.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
}

// Everything one request needs on its slot's easy handle: target, HTTP/2 over the shared connection,
// timeouts, where the answer goes, TLS, headers, method and body.
void setup_request(Slot& s, const RequestContext& c, const Request& r, Response& resp) {
  CURL* e = s.easy;
  set_target(e, s, c, r);
  curl_easy_setopt(e, CURLOPT_SHARE, c.share);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c.opts.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c.opts.request_timeout_ms);
  curl_easy_setopt(e, CURLOPT_USERAGENT, c.opts.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &s);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s.error);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (debug_http()) {
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_print);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  }
  set_tls(e, c);
  set_headers_and_body(e, s, c, r);
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

}  // namespace

std::string mask_credentials(std::string_view line) {
  std::string out(line);
  std::string lower(line);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  constexpr std::string_view kName = "authorization:";  // also Proxy-Authorization
  size_t at = lower.find(kName);
  if (at == std::string::npos) return out;
  size_t v = at + kName.size();
  while (v < out.size() && out[v] == ' ') ++v;
  size_t scheme_end = out.find(' ', v);
  size_t end = out.find(']', v);  // HTTP/2 lines: "[authorization: Bearer xyz]"
  if (end == std::string::npos) end = out.size();
  if (scheme_end != std::string::npos && scheme_end < end) v = scheme_end + 1;  // keep "Bearer"/"Basic"
  return out.substr(0, v) + "<masked>" + out.substr(end);
}

struct Client::Impl : Route {
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
  KV_RETURN_IF_ERROR(c->prepare_target());
  return c;
}

Status Client::prepare_target() {
  Impl& im = *impl_;
  im.base = cluster_.server;
  CURLU* u = curl_url();
  if (!u || curl_url_set(u, CURLUPART_URL, cluster_.server.c_str(), 0) != CURLUE_OK) {
    if (u) curl_url_cleanup(u);
    return Status::InvalidInput("kubeconfig: invalid server URL \"" + cluster_.server + "\"");
  }
  auto part = [u](CURLUPart what, unsigned flags = 0) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u, what, &v, flags) == CURLUE_OK && v) out = v;
    curl_free(v);
    return out;
  };
  std::string host = part(CURLUPART_HOST), port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  im.direct = is_loopback_host(host) || in_no_proxy(host);
  if (!cluster_.tls_server_name.empty() && cluster_.tls_server_name != host) {
    curl_url_set(u, CURLUPART_HOST, cluster_.tls_server_name.c_str(), 0);
    im.base = part(CURLUPART_URL);
    while (!im.base.empty() && im.base.back() == '/') im.base.pop_back();
    im.connect_to = cluster_.tls_server_name + ":" + port + ":" + host + ":" + port;
    im.host_header = "Host: " + host + ":" + port;
  }
  curl_url_cleanup(u);
  const Impersonation& imp = cluster_.impersonate;
  if (imp.user.empty() && !imp.empty())
    return Status::InvalidInput("impersonation: groups, uid or user-extra are set but no user to impersonate "
                                "(as: in the kubeconfig, or --as)");
  if (!imp.user.empty()) im.impersonate_headers.push_back("Impersonate-User: " + imp.user);
  if (!imp.uid.empty()) im.impersonate_headers.push_back("Impersonate-Uid: " + imp.uid);
  for (const auto& g : imp.groups) im.impersonate_headers.push_back("Impersonate-Group: " + g);
  for (const auto& [k, vs] : imp.extra)
    for (const auto& v : vs) im.impersonate_headers.push_back("Impersonate-Extra-" + header_key_escape(k) + ": " + v);
  for (const auto& h : im.impersonate_headers)
    if (h.find_first_of("\r\n") != std::string::npos)
      return Status::InvalidInput("impersonation: a value holds a line break");
  return Status::Ok();
}

void Client::send_each(size_t count, const MakeRequest& make, int jobs, const TakeResponse& take) {
  send_batch(count, make, jobs, take, true);
}

void Client::send_batch(size_t count, const MakeRequest& make, int jobs, const TakeResponse& take, bool may_refresh) {
  if (count == 0) return;
  auto creds = current_credentials(cluster_);
  if (!creds.ok()) {
    // No credentials, no request: every one fails the same way (the plugin ran once).
    for (size_t i = 0; i < count; ++i) take(i, Response{0, "", {}, "getting credentials: " + creds.status().message()});
    return;
  }
  std::vector<std::pair<size_t, Response>> rejected;  // 401 with exec credentials: sent again after a refresh
  if (jobs < 1) jobs = 1;
  CURLM* multi = impl_->multi;
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, static_cast<long>(jobs));
  const RequestContext context{cluster_, opts_, *impl_, impl_->share, creds->cred};
  SlotPool pool;
  std::vector<Slot*> active;  // in flight
  size_t next = 0, done = 0;
  cancelled_ = false;
  while (done < count && !cancelled_) {
    for (; next < count && active.size() < static_cast<size_t>(jobs); ++next) {
      Slot* s = pool.take();
      s->index = next;
      s->req = make(next);
      s->resp = Response{};
      setup_request(*s, context, s->req, s->resp);
      active.push_back(s);
      curl_multi_add_handle(multi, s->easy);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      Slot* s = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
      read_outcome(m, *s, s->resp);
      curl_multi_remove_handle(multi, m->easy_handle);
      active.erase(std::find(active.begin(), active.end(), s));
      Response resp = std::move(s->resp);
      const size_t i = s->index;
      s->req = Request{};
      pool.give_back(s);
      ++done;
      if (resp.status == 401 && may_refresh && creds->from_exec) rejected.emplace_back(i, std::move(resp));
      else if (!cancelled_) take(i, std::move(resp));
    }
    if (done < count && running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  if (cancelled_) {
    // Abandon what is in flight; nothing more is taken, nor the answers held back for a refresh.
    for (Slot* s : active) {
      curl_multi_remove_handle(multi, s->easy);
      pool.give_back(s);
    }
    cancelled_ = false;
    return;
  }
  if (rejected.empty()) return;
  // client-go runs the plugin again after a 401 and the next request uses the new credentials.
  Status refreshed = refresh_credentials(cluster_, creds->generation);
  if (!refreshed.ok()) {
    for (auto& [i, resp] : rejected) take(i, std::move(resp));
    return;
  }
  send_batch(
      rejected.size(), [&](size_t k) { return make(rejected[k].first); }, jobs,
      [&](size_t k, Response&& resp) { take(rejected[k].first, std::move(resp)); }, false);
}

}  // namespace kv::kube
