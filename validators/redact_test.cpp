#include "validators/redact.h"

#include <doctest/doctest.h>

TEST_CASE("Secret values are redacted as written, decoded and encoded") {
  kv::Resource s;
  s.kind = "Secret";
  s.object = YAML::Load("data:\n  password: aHVudGVyMg==\nstringData:\n  token: s3cr3t-token\n");
  kv::Redactor r;
  r.collect({s});
  CHECK(r.apply("value aHVudGVyMg== and hunter2 here") == "value [REDACTED] and [REDACTED] here");
  CHECK(r.apply("token s3cr3t-token") == "token [REDACTED]");
  CHECK(r.apply("base64 czNjcjN0LXRva2Vu") == "base64 [REDACTED]");
  CHECK(r.apply("nothing secret") == "nothing secret");
}

TEST_CASE("messages about a Secret lose every quoted invalid value") {
  kv::Redactor r;
  CHECK(r.apply(R"(data[k]: Invalid value: "ab": bad)", true) == R"(data[k]: Invalid value: "[REDACTED]": bad)");
}
