#include "core/yaml_util.h"

namespace kv {

std::string mark_in(std::string_view file, const YAML::Mark& mark) {
  std::string out(file);
  if (mark.is_null()) return out;
  return out + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Result<YAML::Node> parse_yaml(std::string_view text, std::string_view file, std::string_view what) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(mark_in(file, e.mark) + ": " + std::string(what) + ": " + e.msg);
  }
}

}  // namespace kv
