// libFuzzer target for what the API server sends back: parse_api_status() over arbitrary bodies (a
// metav1.Status, HTML from a proxy, garbage) and parse_warning_header() over arbitrary Warning header
// values. Built with -DKV_FUZZ=ON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kube/api_status.h"
#include "kube/warning.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  long code = size > 0 ? 400 + data[0] % 200 : 422;
  kv::kube::ApiStatus st = kv::kube::parse_api_status(text, code);
  (void)st;
  // Every line is a header value too, so Status seeds also teach the fuzzer Warning shapes.
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    (void)kv::kube::parse_warning_header(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return 0;
}
