#include "core/duration.h"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("parse_duration: numbers with ms, s, m or h; seconds without a unit") {
  CHECK(*kv::parse_duration("60s") == 60000ms);
  CHECK(*kv::parse_duration("90") == 90000ms);
  CHECK(*kv::parse_duration("500ms") == 500ms);
  CHECK(*kv::parse_duration("2m") == 120000ms);
  CHECK(*kv::parse_duration("1.5h") == 5400000ms);
}

TEST_CASE("parse_duration: anything else is a usage error naming the text") {
  for (const char* bad : {"", "banana", "-5s", "+5s", " 5s", "5 s", "5d", "1e3", "nan", "inf", "0x10", ".5s", "5.s",
                          "9999999999999s"}) {
    CAPTURE(bad);
    auto d = kv::parse_duration(bad);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().exit_code() == 2);
    CHECK(d.status().message().find(std::string("\"") + bad + "\"") != std::string::npos);
  }
}
