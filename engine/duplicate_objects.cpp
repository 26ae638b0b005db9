#include "engine/duplicate_objects.h"

#include <fmt/core.h>

#include <map>
#include <tuple>

namespace kv::engine {

namespace {

std::string group_of(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

}  // namespace

void mark_duplicate_objects(std::vector<ObjectResult>& results) {
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<Key, size_t> first;
  for (size_t i = 0; i < results.size(); ++i) {
    ObjectResult& r = results[i];
    if (r.kind_of_result != ResultKind::kObject || r.name.empty()) continue;
    Key key{r.suite, group_of(r.api_version), r.kind, r.namespace_, r.name};
    auto [at, inserted] = first.emplace(key, i);
    if (inserted) continue;
    const SourceRef& was = results[at->second].source;
    // The same document read twice (a file named twice, or once more through its folder) is one definition.
    if (was.file == r.source.file && was.document == r.source.document && was.line == r.source.line) continue;
    std::string where = was.file == r.source.file ? fmt::format("line {}", was.line)
                                                  : fmt::format("{}:{}", was.file, was.line);
    bool chart = !r.source.chart.empty();
    Finding f;
    f.severity = Severity::kWarning;
    f.rule = kDuplicateObjectRule;
    f.message = fmt::format("{} is defined again (first at {}): {}", r.display_name(), where,
                            chart ? "Helm 4 keeps only the last definition and Helm 3 fails the install"
                                  : "kubectl apply keeps only the last definition");
    f.line = r.source.line;
    f.column = r.source.column;
    r.findings.insert(r.findings.begin(), std::move(f));
  }
}

}  // namespace kv::engine
