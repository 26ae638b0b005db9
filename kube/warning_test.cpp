#include "kube/warning.h"

#include <doctest/doctest.h>

TEST_CASE("Warning header text is decoded") {
  using kv::kube::parse_warning_header;
  CHECK(parse_warning_header(R"(299 - "unknown field \"spec.foo\"")").value() == R"(unknown field "spec.foo")");
  CHECK(parse_warning_header(R"( 299 - "policy/v1beta1 PodDisruptionBudget is deprecated" )").value() ==
        "policy/v1beta1 PodDisruptionBudget is deprecated");
  CHECK_FALSE(parse_warning_header("garbage").has_value());
  CHECK_FALSE(parse_warning_header(R"(299 - "unterminated)").has_value());
}
