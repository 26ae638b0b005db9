#include "core/kube_versions.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "core/tools.h"

TEST_CASE("the pinned table is sorted, holds the default and one patch per minor") {
  const auto& all = kv::supported_kube_versions();
  REQUIRE(all.size() >= 3);
  CHECK(std::find(all.begin(), all.end(), kv::default_kube_version()) != all.end());
  for (size_t i = 1; i < all.size(); ++i) {
    CHECK(kv::version_less(all[i - 1], all[i]));
    CHECK(kv::kube_minor(all[i - 1]) != kv::kube_minor(all[i]));
  }
}

TEST_CASE("a minor or an exact version resolves to the pinned version") {
  for (const auto& v : kv::supported_kube_versions()) {
    CAPTURE(v);
    std::string minor = kv::kube_minor(v);               // "v1.35"
    CHECK(kv::resolve_kube_version(minor.substr(1)).value() == v);  // "1.35"
    CHECK(kv::resolve_kube_version(minor).value() == v);            // "v1.35"
    CHECK(kv::resolve_kube_version(v).value() == v);                // "v1.35.4"
    CHECK(kv::resolve_kube_version(" " + v.substr(1) + " ").value() == v);
  }
  CHECK(kv::kube_minor("v1.35.4") == "v1.35");
}

TEST_CASE("unknown versions are usage errors naming the supported ones") {
  for (const char* bad : {"1.20", "1.3", "1", "1.37.99", "latest", "", "1.37.2.1"}) {
    CAPTURE(bad);
    auto r = kv::resolve_kube_version(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().exit_code() == 2);
    for (const auto& v : kv::supported_kube_versions()) CHECK(r.status().message().find(v) != std::string::npos);
  }
}

TEST_CASE("lists are split on commas, sorted oldest first and deduplicated") {
  const auto& all = kv::supported_kube_versions();
  std::string newest = all.back().substr(1), oldest = all.front().substr(1);
  auto r = kv::resolve_kube_versions({kv::kube_minor(all.back()).substr(1) + "," + oldest, newest});
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{all.front(), all.back()});
  CHECK_FALSE(kv::resolve_kube_versions({oldest + ","}).ok());
  CHECK_FALSE(kv::resolve_kube_versions({oldest + ",,"+ newest}).ok());
  CHECK_FALSE(kv::resolve_kube_versions({"1.20," + oldest}).ok());
}
