#include "render/values_keys.h"

#include "core/files.h"
#include "resources/yaml_document.h"

namespace kv::render {

std::vector<ObjectResult> values_duplicate_keys(const std::vector<ValuesFileRef>& files, const std::string& suite) {
  std::vector<ObjectResult> out;
  for (const auto& file : files) {
    auto text = read_file(file.path);
    if (!text.ok()) continue;
    DocumentParse parsed = parse_document(*text);
    if (parsed.defect || parsed.duplicates.empty()) continue;
    ObjectResult r;
    r.kind_of_result = ResultKind::kInput;
    r.title = "values";
    r.suite = suite;
    r.status = ObjectStatus::kInvalid;
    r.source.file = file.display;
    for (const auto& d : parsed.duplicates) {
      // The loader's words are the API server's; the values file is read by helm.
      Finding f;
      f.rule = "values/duplicate-key";
      f.message = d.message.substr(0, d.message.find(": the API server")) +
                  ": helm keeps the last value and drops the earlier one without a word";
      f.file = file.display;
      f.line = d.line;
      f.column = d.column;
      r.findings.push_back(std::move(f));
    }
    r.source.line = r.findings.front().line;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kv::render
