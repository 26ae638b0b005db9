// libFuzzer target for the RBAC expectations file (--rbac FILE): parse_expectations() over arbitrary
// bytes, and expectation_title() of whatever it accepts. Built with -DKV_FUZZ=ON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "validators/rbac_expectations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = kv::parse_expectations(text, "fuzz-rbac.yaml");
  if (parsed.ok())
    for (const kv::Expectation& e : *parsed) (void)kv::expectation_title(e);
  return 0;
}
