#include "resources/crd_sources.h"

#include <doctest/doctest.h>

namespace {
const std::string kFixtures = std::string(KV_SOURCE_DIR) + "/fixtures/";
}

TEST_CASE("load_crds reads CRD files, folders and charts' crds/, and leaves other kinds out") {
  auto chart = kv::load_crds({kFixtures + "charts/with-crd"});
  REQUIRE(chart.ok());
  REQUIRE(chart.resources.size() == 1);
  CHECK(chart.resources[0].name == "widgets.example.com");
  auto file = kv::load_crds({kFixtures + "charts/with-crd/crds/widgets.yaml"});
  REQUIRE(file.resources.size() == 1);
  auto none = kv::load_crds({kFixtures + "manifests/valid/service.yaml"});
  CHECK(none.resources.empty());
  REQUIRE(none.problems.size() == 1);
  CHECK(none.problems[0].findings[0].rule == "input/no-crds");
  auto missing = kv::load_crds({kFixtures + "nope"});
  REQUIRE(missing.problems.size() == 1);
  CHECK(missing.problems[0].findings[0].rule == "input/not-found");
}
