#include "kube/api_status.h"

#include "core/json.h"
#include "core/yaml_util.h"

namespace kv::kube {

namespace {

std::string one_line(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) { out += "..."; break; }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}
}  // namespace

ApiStatus parse_api_status(std::string_view body, long http_code) {
  ApiStatus st;
  st.code = http_code;
  auto doc = parse_json(body, "API response");
  if (doc.ok() && doc->IsMap() && scalar_at(*doc, "kind") == "Status") {
    const YAML::Node& d = *doc;
    st.reason = scalar_at(d, "reason");
    st.raw_message = scalar_at(d, "message");
    st.message = one_line(st.raw_message, 4000);
    if (auto code = scalar_at(d, "code"); !code.empty()) {
      try { st.code = std::stol(code); } catch (...) {}
    }
    // A non-map "details" (a proxy's own JSON, a mangled body) must not reach operator[]: yaml-cpp throws.
    const YAML::Node details = d["details"];
    YAML::Node causes = details && details.IsMap() ? details["causes"] : YAML::Node();
    if (causes && causes.IsSequence())
      for (const auto& c : causes)
        st.causes.push_back({scalar_at(c, "reason"), one_line(scalar_at(c, "message"), 2000), scalar_at(c, "field")});
    return st;
  }
  st.reason = "HTTP" + std::to_string(http_code);
  st.message = "HTTP " + std::to_string(http_code);
  if (!body.empty()) st.message += ": " + one_line(body, 300);
  return st;
}

}  // namespace kv::kube
