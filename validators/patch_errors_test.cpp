#include "validators/patch_errors.h"

#include <doctest/doctest.h>

TEST_CASE("a single typed-patch error becomes a field path and message") {
  auto errs = kv::parse_patch_errors(
      "failed to create typed patch object (/typo; apps/v1, Kind=Deployment): "
      ".spec.template.spec.containers[name=\"app\"].imagePullPolice: field not declared in schema");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].path == "spec.template.spec.containers[name=app].imagePullPolice");
  CHECK(errs[0].message == "field not declared in schema");
  CHECK(errs[0].rule == "dry-run/unknown-field");
}

TEST_CASE("several typed-patch errors, one per line") {
  auto errs = kv::parse_patch_errors(
      "failed to create typed patch object (/x; apps/v1, Kind=Deployment): errors:\n"
      "  .spec.replicas: expected numeric (int or float), got string\n"
      "  .spec.foo: field not declared in schema");
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].path == "spec.replicas");
  CHECK(errs[0].rule == "dry-run/wrong-type");
  CHECK(errs[1].path == "spec.foo");
}

TEST_CASE("other messages are not typed-patch errors") {
  CHECK(kv::parse_patch_errors("Deployment.apps \"x\" is invalid").empty());
}
