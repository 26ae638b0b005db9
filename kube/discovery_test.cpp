#include "kube/discovery.h"

#include "kube/credentials.h"

#include <atomic>
#include <filesystem>

#include <doctest/doctest.h>
#include <unistd.h>

#include "kube/test_server.h"

using namespace kv::kube;
using kv::kube::testing::Reply;
using kv::kube::testing::TestServer;

namespace fs = std::filesystem;

namespace {

const char* kCore = R"({"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":""},"versions":[{"version":"v1",
  "resources":[{"resource":"configmaps","responseKind":{"kind":"ConfigMap"},"scope":"Namespaced",
  "verbs":["create","get","patch"],"shortNames":["cm"]}]}]}]})";
const char* kApis = R"({"kind":"APIGroupDiscoveryList","items":[{"metadata":{"name":"apps"},"versions":[{"version":"v1",
  "resources":[{"resource":"deployments","responseKind":{"kind":"Deployment"},"scope":"Namespaced",
  "verbs":["create","get","patch"],"shortNames":["deploy"],"subresources":[{"subresource":"scale"}]}]}]}]})";

// An API server that serves ConfigMaps and Deployments at `version`, counting discovery requests.
Reply serve(const std::string& path, const std::string& version, std::atomic<int>& discovery_requests) {
  Reply r;
  if (path == "/version") r.body = "{\"gitVersion\":\"" + version + "\"}";
  else if (path == "/api") { r.body = kCore; ++discovery_requests; }
  else if (path == "/apis") { r.body = kApis; ++discovery_requests; }
  else r.status = 404;
  return r;
}

std::unique_ptr<Client> client_for(const std::string& url) {
  Cluster c;
  c.server = url;
  return std::move(Client::Create(c).value());
}

}  // namespace

TEST_CASE("discovery: the cache key differs per server, per version and per user, and is stable") {
  const std::string me(40, 'a'), other(40, 'b');
  auto a = discovery_cache_name("https://127.0.0.1:6443", "v1.31.0", me);
  CHECK(a == discovery_cache_name("https://127.0.0.1:6443", "v1.31.0", me));
  CHECK(a != discovery_cache_name("https://127.0.0.1:6444", "v1.31.0", me));
  CHECK(a != discovery_cache_name("https://127.0.0.1:6443", "v1.32.0", me));
  CHECK(a != discovery_cache_name("https://127.0.0.1:6443", "v1.31.0", other));
  CHECK(a.size() == 16 + 1 + 32 + 4);  // hash of server and version, "-", the identity's first 32, ".tsv"
  CHECK(a.substr(a.size() - 4) == ".tsv");
}

TEST_CASE("discovery: read from the server once, then from the cache until refreshed or the version moves") {
  fs::path cache = fs::temp_directory_path() / ("kv-discovery-test-" + std::to_string(getpid()));
  std::atomic<int> requests{0};
  std::atomic<bool> upgraded{false};
  TestServer server([&](const std::string&, const std::string& path) {
    return serve(path, upgraded ? "v1.32.0" : "v1.31.0", requests);
  });
  auto client = client_for(server.url());

  auto first = Discovery::Load(*client, cache.string());
  REQUIRE(first.ok());
  CHECK(requests == 2);
  CHECK(first->server_version() == "v1.31.0");
  REQUIRE(first->find_kind("apps", "v1", "Deployment"));
  CHECK(first->find_resource("deploy")->resource == "deployments");
  CHECK(fs::exists(cache / "discovery" / discovery_cache_name(server.url(), "v1.31.0", identity_key(client->cluster()))));

  auto cached = Discovery::Load(*client, cache.string());
  REQUIRE(cached.ok());
  CHECK(requests == 2);  // only /version was asked
  CHECK(cached->find_kind("", "v1", "ConfigMap"));
  CHECK(cached->find_kind("apps", "v1", "Deployment")->subresources == std::vector<std::string>{"scale"});

  auto refreshed = Discovery::Load(*client, cache.string(), true);
  REQUIRE(refreshed.ok());
  CHECK(requests == 4);

  upgraded = true;  // an upgraded server: its own cache entry
  auto after_upgrade = Discovery::Load(*client, cache.string());
  REQUIRE(after_upgrade.ok());
  CHECK(requests == 6);
  CHECK(after_upgrade->server_version() == "v1.32.0");
  fs::remove_all(cache);
}
