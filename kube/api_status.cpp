#include "kube/api_status.h"

#include "core/json.h"

namespace kv::kube {

namespace {
std::string str(const YAML::Node& n, const char* key) {
  return n && n.IsMap() && n[key] && n[key].IsScalar() ? n[key].Scalar() : std::string();
}

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
  if (doc.ok() && doc->IsMap() && str(*doc, "kind") == "Status") {
    const YAML::Node& d = *doc;
    st.reason = str(d, "reason");
    st.raw_message = str(d, "message");
    st.message = one_line(st.raw_message, 4000);
    if (auto code = str(d, "code"); !code.empty()) {
      try { st.code = std::stol(code); } catch (...) {}
    }
    YAML::Node causes = d["details"] ? d["details"]["causes"] : YAML::Node();
    if (causes && causes.IsSequence())
      for (const auto& c : causes)
        st.causes.push_back({str(c, "reason"), one_line(str(c, "message"), 2000), str(c, "field")});
    return st;
  }
  st.reason = "HTTP" + std::to_string(http_code);
  st.message = "HTTP " + std::to_string(http_code);
  if (!body.empty()) st.message += ": " + one_line(body, 300);
  return st;
}

}  // namespace kv::kube
