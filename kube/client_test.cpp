#include "kube/client.h"

#include <map>

#include <doctest/doctest.h>

#include "kube/test_server.h"

using namespace kv::kube;
using kv::kube::testing::Reply;
using kv::kube::testing::TestServer;

namespace {

std::unique_ptr<Client> client_for(const std::string& url) {
  Cluster c;
  c.server = url + "/";  // a trailing slash is dropped
  ClientOptions o;
  o.connect_timeout_ms = 2000;
  o.request_timeout_ms = 30000;
  auto client = Client::Create(c, o);
  REQUIRE(client.ok());
  return std::move(client.value());
}

std::vector<Request> gets(int n) {
  std::vector<Request> reqs(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) reqs[static_cast<size_t>(i)].path = "/r/" + std::to_string(i);
  return reqs;
}

}  // namespace

TEST_CASE("client: answers come back in request order with status, body and decoded Warning headers") {
  TestServer server([](const std::string& method, const std::string& path) {
    Reply r;
    r.body = "{\"path\":\"" + path + "\",\"method\":\"" + method + "\"}";
    if (path == "/r/1") r.status = 422;
    if (path == "/r/2") r.headers = {"Warning: 299 - \"unknown field \\\"spec.foo\\\"\""};
    return r;
  });
  auto client = client_for(server.url());
  auto reqs = gets(4);
  reqs[3].method = "PATCH";
  reqs[3].body = "a: b";
  std::vector<size_t> done;
  std::map<size_t, Response> seen;
  auto out = client->send_all(reqs, 2, [&](size_t i, const Response& r) {
    done.push_back(i);
    seen[i] = r;
  });
  REQUIRE(out.size() == 4);
  CHECK(out[0].success());
  CHECK(seen[0].body == "{\"path\":\"/r/0\",\"method\":\"GET\"}");
  CHECK(out[1].status == 422);
  CHECK_FALSE(out[1].success());
  CHECK(out[1].transport_ok());
  CHECK(seen[2].warnings == std::vector<std::string>{"unknown field \"spec.foo\""});
  CHECK(seen[3].body == "{\"path\":\"/r/3\",\"method\":\"PATCH\"}");
  CHECK(done.size() == 4);
  // What on_done saw is not kept: a run of 100,000 objects holds no 100,000 answers.
  CHECK(out[0].body.empty());
  CHECK(out[2].warnings.empty());
  // Without on_done, the answers are the result.
  auto kept = client->send_all(reqs, 2);
  CHECK(kept[3].body == "{\"path\":\"/r/3\",\"method\":\"PATCH\"}");
  CHECK(kept[2].warnings == std::vector<std::string>{"unknown field \"spec.foo\""});
  CHECK(client->server() == server.url());
}

TEST_CASE("client: at most `jobs` requests are in flight") {
  TestServer server([](const std::string&, const std::string&) {
    Reply r;
    r.delay = std::chrono::milliseconds(50);
    return r;
  });
  auto client = client_for(server.url());
  auto out = client->send_all(gets(8), 2);
  for (const auto& r : out) CHECK(r.success());
  CHECK(server.requests() == 8);
  CHECK(server.max_in_flight() <= 2);
}

TEST_CASE("client: cancel from on_done abandons what is in flight and sends nothing more") {
  TestServer server([](const std::string&, const std::string& path) {
    Reply r;
    if (path != "/r/0") r.delay = std::chrono::seconds(20);  // answered only when the server stops
    return r;
  });
  auto client = client_for(server.url());
  int calls = 0;
  auto started = std::chrono::steady_clock::now();
  auto out = client->send_all(gets(6), 2, [&](size_t i, const Response& r) {
    ++calls;
    CHECK(i == 0);
    CHECK(r.success());
    client->cancel();
  });
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(calls == 1);
  CHECK(out[0].success());
  for (size_t i = 1; i < out.size(); ++i) {
    CAPTURE(i);
    CHECK(out[i].transport_error == "cancelled");
    CHECK(out[i].status == 0);
  }
  CHECK(took < std::chrono::seconds(15));  // the slow answer was not awaited
  CHECK(server.requests() <= 2);           // only what was in flight ever reached the server
  // The next send_all starts afresh.
  auto again = client->send(gets(1)[0]);  // "/r/0", answered at once
  CHECK(again.success());
}

TEST_CASE("client: send_each makes each request when it goes out, and none after a cancel") {
  TestServer server([](const std::string&, const std::string& path) {
    Reply r;
    r.body = path;
    if (path != "/r/0" && path.rfind("/s/", 0) != 0) r.delay = std::chrono::seconds(20);
    return r;
  });
  auto client = client_for(server.url());
  // 50 requests, 4 in flight: every one is made once, and at most 4 are made but not answered.
  size_t made = 0, answered = 0, most_ahead = 0;
  std::map<size_t, std::string> bodies;
  client->send_each(
      50,
      [&](size_t i) {
        ++made;
        most_ahead = std::max(most_ahead, made - answered);
        Request r;
        r.path = "/s/" + std::to_string(i);
        return r;
      },
      4,
      [&](size_t i, Response&& resp) {
        ++answered;
        bodies[i] = std::move(resp.body);
      });
  CHECK(made == 50);
  CHECK(answered == 50);
  CHECK(most_ahead <= 4);
  CHECK(bodies[0] == "/s/0");
  CHECK(bodies[49] == "/s/49");
  // Cancelled on the first answer: only the two in flight were ever made.
  made = 0;
  int taken = 0;
  client->send_each(
      6,
      [&](size_t i) {
        ++made;
        Request r;
        r.path = "/r/" + std::to_string(i);
        return r;
      },
      2,
      [&](size_t i, Response&&) {
        ++taken;
        CHECK(i == 0);
        client->cancel();
      });
  CHECK(taken == 1);
  CHECK(made == 2);
}

TEST_CASE("client: no answer is a transport error naming the cause, not an HTTP status") {
  TestServer server([](const std::string&, const std::string&) {
    Reply r;
    r.drop = true;
    return r;
  });
  auto client = client_for(server.url());
  auto dropped = client->send(gets(1)[0]);
  CHECK(dropped.status == 0);
  CHECK_FALSE(dropped.transport_ok());
  CHECK_FALSE(dropped.transport_error.empty());

  std::string closed_url;
  {
    TestServer gone([](const std::string&, const std::string&) { return Reply{}; });
    closed_url = gone.url();
  }
  auto refused = client_for(closed_url)->send(gets(1)[0]);
  CHECK_FALSE(refused.transport_ok());
  CHECK(refused.transport_error.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("client: a cluster without a server is refused at creation") {
  auto c = Client::Create(Cluster{});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().exit_code() == 2);
}
