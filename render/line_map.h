// Mapping a line of a document helm rendered back to the template line that wrote it. Every finding about
// a chart object (server answers, risk rules, local YAML defects) goes through template_line_of(): exact for
// lines the template writes literally or as a pattern (`name: {{ .Release.Name }}`), else the line of the
// nearest enclosing key the template writes (for what toYaml, include or range produced).
#pragma once

#include <string_view>
#include <vector>

#include "render/template_parts.h"
#include "resources/resource.h"

namespace kv::render {

// For each of `rendered`'s lines, the 0-based template line in model.lines [begin, end) that wrote it, or
// -1: an order-keeping alignment of the rendered lines with the template's literal and pattern lines that
// weighs literal matches above pattern ones (a weighted longest common subsequence; a windowed greedy
// alignment for documents too big for that).
std::vector<int> align_rendered(const TemplateModel& model, int begin, int end,
                                const std::vector<std::string_view>& rendered);

// The 1-based template line of the 1-based rendered line `line`, given `alignment` of `rendered`: its own
// when aligned, else that of the nearest enclosing line (by YAML indentation) that is; 0 when none is.
int aligned_line(const std::vector<int>& alignment, const std::vector<std::string_view>& rendered, int line);

// `text` split into lines (views into it, without the newlines).
std::vector<std::string_view> split_lines(std::string_view text);

// The template line (1-based) of the 1-based line `rendered_line` of the rendered document `rendered_text`,
// aligned against the template part [begin, end) of `model`; 0 when nothing maps.
int map_rendered_line(const TemplateModel& model, int begin, int end, std::string_view rendered_text, int rendered_line);

// For an object rendered from a chart (r.source.template_path set; r.text() its rendered document, whose node
// marks count `rendered_line`), the template line of that rendered line, aligned against the part of the
// template holding r.source.line. r.source.line when the template cannot be read, the body is not the
// rendered document (a List item) or nothing maps; `rendered_line` unchanged for objects not from a chart.
// Thread-safe; each object's alignment is computed once.
int template_line_of(const Resource& r, int rendered_line);

}  // namespace kv::render
