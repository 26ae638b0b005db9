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

// Records where the files of the chart named `chart_path` (as in SourceRef.chart) can be read: the
// directory itself, or an archive's extraction (kept alive by `keep`). Called by load_chart().
void register_chart_source(const std::string& chart_path, const std::string& root, std::shared_ptr<TempDir> keep);

// Where a field of a rendered object is in its template: the line, and — when the template writes that
// part of the object through `toYaml` of a chart value — the values key that produced the field
// ("podAnnotations.example.com/x"), else "".
struct TemplateSpot {
  int line = 0;
  std::string values_key;
  bool values_key_shared = false;  // other actions write into the same block: the field may be theirs
  int toyaml_line = 0;             // the line of the toYaml that writes values_key
  // The field's own key is written with one chart value as its value (`replicas: {{ .Values.replicaCount }}`):
  // that values key ("replicaCount"); "" otherwise.
  std::string direct_values_key;
};

// Like template_line_for, but a field the template does not write literally (it comes from
// `toYaml .Values.X` or from `{{- with .Values.X }} ... {{- toYaml . }}`) is found at the nearest enclosing
// key the template does write (the `annotations:` line), with the values key that produced it.
// `kind` (the object's) lets the path be found as the user wrote it where validation names it otherwise
// (resources/locate.h alias_paths: a pod template's labels, a claim's storage request).
TemplateSpot template_spot_for(const SourceRef& src, std::string_view field_path, std::string_view kind = {});
// Records that the template `template_path` (chart-relative, as reports show it) of the chart `chart_path` is
// read from `file`, and that helm named it `helm_path` (a subchart's template: render/subchart_files.h).
void register_template_file(const std::string& chart_path, const std::string& template_path, const std::string& file,
                            const std::string& helm_path);
// The chart-relative path helm named the template of `src` by (a subchart by its name or alias, which values
// keys use); src.template_path when it was not registered otherwise.
std::string helm_template_path(const SourceRef& src);
// The file to read for the template `src` was rendered from: the registered chart root (a directory, or an
// archive's extraction) joined with src.template_path; src.file when the chart is unknown or the path empty.
std::string template_source_path(const SourceRef& src);

// The 1-based template line of the field `field_path` ("imagePullPolicy", or a whole path such as
// "spec.template.spec.containers[0].imagePullPolicy") of the object rendered to `src`: the line of the key
// when the template holds it once in the object's document (or when exactly one occurrence's enclosing keys
// match the path best); else src.line (the document's start); 0 when the template cannot be read.
// Thread-safe; each template is read once.
int template_line_for(const SourceRef& src, std::string_view field_path);

}  // namespace kv::render
