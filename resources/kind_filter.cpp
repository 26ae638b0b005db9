#include "resources/kind_filter.h"

#include <cctype>

#include "resources/locate.h"

namespace kv {

namespace {

Status split_into(const std::vector<std::string>& values, const char* flag, std::vector<std::string>& out) {
  for (const auto& v : values) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      if (comma == std::string::npos) comma = v.size();
      std::string entry = v.substr(start, comma - start);
      while (!entry.empty() && entry.front() == ' ') entry.erase(0, 1);
      while (!entry.empty() && entry.back() == ' ') entry.pop_back();
      auto slash = entry.rfind('/');
      std::string kind = slash == std::string::npos ? entry : entry.substr(slash + 1);
      if (kind.empty() || !std::isupper(static_cast<unsigned char>(kind[0])) || (slash == 0))
        return Status::Usage(std::string(flag) + " \"" + entry +
                             "\": expected a Kind (Secret) or apiVersion/Kind (apps/v1/Deployment)");
      out.push_back(std::move(entry));
      start = comma + 1;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<KindFilter> parse_kind_filter(const std::vector<std::string>& skip, const std::vector<std::string>& reject) {
  KindFilter f;
  KV_RETURN_IF_ERROR(split_into(skip, "--skip-kind", f.skip));
  KV_RETURN_IF_ERROR(split_into(reject, "--reject-kind", f.reject));
  return f;
}

std::string kind_entry_matching(const Resource& r, const std::vector<std::string>& list) {
  for (const auto& e : list) {
    if (e.find('/') == std::string::npos ? e == r.kind : e == r.api_version + "/" + r.kind) return e;
  }
  return "";
}

std::vector<ObjectResult> take_filtered_kinds(std::vector<Resource>& resources, const KindFilter& filter,
                                              const std::string& suite) {
  std::vector<ObjectResult> out;
  if (filter.empty()) return out;
  std::vector<Resource> kept;
  kept.reserve(resources.size());
  for (auto& r : resources) {
    std::string rejected = kind_entry_matching(r, filter.reject);
    std::string skipped = rejected.empty() ? kind_entry_matching(r, filter.skip) : "";
    if (rejected.empty() && skipped.empty()) {
      kept.push_back(std::move(r));
      continue;
    }
    ObjectResult res = object_result_of(r, suite);
    Finding f;
    f.line = r.source.line;
    if (auto at = locate(r, "kind"); at && at->exact) f.line = at->line, f.column = at->column;
    if (!rejected.empty()) {
      res.status = ObjectStatus::kInvalid;
      f.severity = Severity::kError;
      f.rule = "kind/rejected";
      f.message = r.api_version + " " + r.kind + " is not allowed here (--reject-kind " + rejected + ")";
    } else {
      res.status = ObjectStatus::kSkipped;
      f.severity = Severity::kInfo;
      f.rule = "skipped";
      f.message = "not validated: --skip-kind " + skipped;
    }
    res.findings.push_back(std::move(f));
    out.push_back(std::move(res));
  }
  resources = std::move(kept);
  return out;
}

}  // namespace kv
