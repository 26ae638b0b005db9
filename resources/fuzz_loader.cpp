// libFuzzer target for the input loader: load_text() over arbitrary bytes, then locate() of a few
// field paths (some derived from the input) in every resource it yields. Built with -DKV_FUZZ=ON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resources/documents.h"
#include "resources/loader.h"
#include "resources/locate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kv::LoadOptions options;
  options.keep_objects = (size % 2) == 0;  // exercise both the kept tree and re-parsing the body
  kv::LoadResult loaded = kv::load_text(text, "fuzz.yaml", options);
  // The last line of the input doubles as a field path, so the fuzzer explores the path parser too.
  std::string_view last = text.substr(text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1);
  static const char* const kPaths[] = {"", "metadata.name", "spec.template.spec.containers[0].image",
                                       "metadata.annotations[a.b/c]", "spec.ports[name=http].port",
                                       "items[1].x[0][1]", "spec[0]"};
  for (const kv::Resource& r : loaded.resources) {
    for (const char* p : kPaths) (void)kv::locate(r, p);
    (void)kv::locate(r, last.substr(0, 200));
  }
  (void)kv::field_paths_in_message(text);
  (void)kv::parse_field_path(text.substr(0, 256));
  return 0;
}
