#include "engine/tool_report.h"

#include <doctest/doctest.h>

#include "core/json.h"

using namespace kv;
using namespace kv::engine;

namespace {

ToolReport sample() {
  ToolReport r;
  ToolVersion helm{"helm", ToolLocation{"/usr/bin/helm", "PATH"}, "v3.19.0", "", {}};
  helm.others.push_back(render::Helm{"/cache/helm-4", "cache", "v4.1.0", 4});
  r.tools.push_back(helm);
  r.tools.push_back(ToolVersion{"etcd", ToolLocation{"/cache/etcd", "cache"}, "", "exit 1: boom", {}});
  r.tools.push_back(ToolVersion{"k3s", std::nullopt, "", "", {}});
  return r;
}

}  // namespace

TEST_CASE("tool_report_text: one aligned line per tool, other helms under helm") {
  CHECK(tool_report_text(sample(), "1.2.3") ==
        "kvalidate       1.2.3\n"
        "helm            v3.19.0    /usr/bin/helm (PATH)\n"
        "                v4.1.0     /cache/helm-4 (cache; available: --helm 4)\n"
        "etcd            unknown (exit 1: boom) /cache/etcd (cache)\n"
        "k3s             not found\n");
}

TEST_CASE("tool_report_json: found tools with version, path and source; the rest null") {
  std::string json = tool_report_json(sample(), "1.2.3");
  CHECK(json.back() == '\n');
  auto doc = parse_json(json, "report");
  REQUIRE(doc.ok());
  const auto& d = *doc;
  CHECK(d["kvalidate"]["version"].as<std::string>() == "1.2.3");
  CHECK(d["tools"]["etcd"]["found"].as<bool>());
  CHECK(d["tools"]["etcd"]["version"].IsNull());
  CHECK(d["tools"]["etcd"]["path"].as<std::string>() == "/cache/etcd");
  CHECK(d["tools"]["etcd"]["error"].as<std::string>() == "exit 1: boom");
  CHECK_FALSE(d["tools"]["k3s"]["found"].as<bool>());
  CHECK(d["tools"]["helm"]["major"].as<int>() == 3);
  CHECK(d["tools"]["helm"]["available"][0]["major"].as<int>() == 4);
  CHECK(d["admission_policies"].IsNull());
}
