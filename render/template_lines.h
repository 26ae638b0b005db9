// Mapping a field of a rendered object back to a line of the template it came from. Rendered lines are
// not template lines, so this is a heuristic: find the field's key in the template source, preferring the
// occurrence whose enclosing keys match the field path; if no single line wins, the document's start.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "resources/resource.h"

namespace kv::render {

struct TempDir;

// The template files of one chart, each read once: a value made by load_chart() and passed to whatever
// maps rendered objects back to template lines. Thread-safe.
class TemplateSource {
 public:
  // Templates are read below `root` (the chart's directory, or an archive's extraction kept alive by
  // `keep`).
  TemplateSource(std::string root, std::shared_ptr<TempDir> keep);
  ~TemplateSource();

  // The 1-based template line of the field `field_path` ("imagePullPolicy", or a whole path such as
  // "spec.template.spec.containers[0].imagePullPolicy") of the object rendered to `src`: the line of the
  // key when the template holds it once in the object's document (or when exactly one occurrence's
  // enclosing keys match the path best); else src.line (the document's start); 0 when the template cannot
  // be read.
  int line_for(const SourceRef& src, std::string_view field_path) const;

  // The 1-based line where the `index`-th (0-based) of `count` documents rendered from `template_path`
  // starts in the template: the start of the index-th `---`-separated part when the template has exactly
  // `count` non-empty parts, else 1. 0 when the template cannot be read.
  int document_line(const std::string& template_path, int index, int count) const;

 private:
  struct Files;
  std::string root_;
  std::shared_ptr<TempDir> keep_;
  std::unique_ptr<Files> files_;
};

}  // namespace kv::render
