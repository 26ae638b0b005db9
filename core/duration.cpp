#include "core/duration.h"

#include <cctype>

namespace kv {

Result<std::chrono::milliseconds> parse_duration(const std::string& text) {
  auto bad = [&] { return Status::Usage("invalid duration \"" + text + "\" (use e.g. 60s, 2m, 500ms)"); };
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    return i > start && i - start <= 12;  // beyond that no wait makes sense (and doubles lose digits)
  };
  if (!digits()) return bad();
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return bad();
  }
  double n = std::stod(text.substr(0, i));
  std::string unit = text.substr(i);
  double ms;
  if (unit.empty() || unit == "s") ms = n * 1000;
  else if (unit == "ms") ms = n;
  else if (unit == "m") ms = n * 60000;
  else if (unit == "h") ms = n * 3600000;
  else return bad();
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace kv
