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

TEST_CASE("redaction replaces whole values only, never inside field paths or keys") {
  kv::Resource s;
  s.kind = "Secret";
  s.object = YAML::Load("stringData:\n  a: storageos\n  b: abc\n  c: hunter22\n");
  kv::Redactor r;
  r.collect({s});
  CHECK(r.apply("spec.storageos.secretName: Required value") == "spec.storageos.secretName: Required value");
  CHECK(r.apply("data[storageos]: bad") == "data[storageos]: bad");
  CHECK(r.apply("the value storageos leaked.") == "the value [REDACTED] leaked.");
  CHECK(r.apply("Invalid value: \"storageos\"") == "Invalid value: \"[REDACTED]\"");
  CHECK(r.apply("mystorageosx and hunter222") == "mystorageosx and hunter222");  // parts of longer words
  CHECK(r.apply("abc is short") == "abc is short");                                // under 6 characters
  CHECK(r.apply("hunter22") == "[REDACTED]");
  CHECK(r.apply("got [hunter22]") == "got [[REDACTED]]");
}
