// Which part of a chart's template file (its `---`-separated documents) rendered which object. helm sorts
// its output by kind, so the order of a template's objects in the output says nothing about the order in
// the file: each object is matched by the kind and the metadata.name the template writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "render/template_shape.h"
#include "resources/resource.h"

namespace kv::render {

struct TemplatePart {
  int begin = 0, end = 0;           // 0-based lines [begin, end) of the file; separator lines excluded
  int first_content = -1;           // 0-based line of its first literal or pattern line, else of its first
                                    // action; -1: blank lines and comments only
  std::vector<std::string> kinds;   // top-level `kind:` values written literally; "*" for one with actions
  std::vector<int> name_lines;      // 0-based lines of its metadata.name
};

// A template file read once: its lines, their shapes and its parts.
struct TemplateModel {
  std::vector<std::string> lines;
  std::vector<LineShape> shapes;
  std::vector<TemplatePart> parts;
};

// Builds the model of a template's text (split as kubectl splits YAML streams).
TemplateModel model_template(const std::vector<std::string>& lines);

// The model of the template `src` was rendered from (template_source_path()), read and built once per file;
// null when the file cannot be read. Thread-safe; the model lives as long as the process.
std::shared_ptr<const TemplateModel> template_model(const SourceRef& src);

// What identifies a rendered object.
struct RenderedObject {
  std::string kind, name;
};

// For each object one template rendered (in helm's output order), the index in model.parts of the part that
// wrote it: among the parts that write its kind (literally, else through an action, else parts that write no
// kind at all), those whose metadata.name matches the rendered name with the most literal text; among equals
// the first not yet taken by an object of the same kind. -1 when the template has no part with content.
std::vector<int> match_parts(const TemplateModel& model, const std::vector<RenderedObject>& objects);

// The index of the part holding 0-based line `line`, or -1.
int part_at(const TemplateModel& model, int line);

}  // namespace kv::render
