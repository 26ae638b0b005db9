#include "core/text.h"

#include <doctest/doctest.h>

TEST_CASE("edit_distance counts insertions, deletions and substitutions") {
  CHECK(kv::edit_distance("", "") == 0);
  CHECK(kv::edit_distance("chart", "chart") == 0);
  CHECK(kv::edit_distance("chrat", "chart") == 2);
  CHECK(kv::edit_distance("manifest", "manifests") == 1);
  CHECK(kv::edit_distance("", "up") == 2);
}

TEST_CASE("closest_word suggests only a near candidate") {
  std::vector<std::string> commands{"manifests", "chart", "up", "down", "can-i"};
  CHECK(kv::closest_word("manifest", commands) == "manifests");
  CHECK(kv::closest_word("chrt", commands) == "chart");
  CHECK(kv::closest_word("deploy", commands).empty());
}

TEST_CASE("parse_int reads a whole decimal int and nothing else") {
  CHECK(kv::parse_int("12") == 12);
  CHECK(kv::parse_int("-3") == -3);
  CHECK_FALSE(kv::parse_int(""));
  CHECK_FALSE(kv::parse_int("1x"));
  CHECK_FALSE(kv::parse_int(" 1"));
  CHECK_FALSE(kv::parse_int("99999999999"));
}
