// What each line of a Go template (a chart's template file) will look like once rendered: text the
// template writes literally, text with actions in it (a pattern: literal pieces with anything between),
// or actions alone (whose output cannot be predicted line by line). The template identity matching and
// the rendered → template line mapping both read templates through these shapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kv::render {

struct LineShape {
  enum class Kind { kBlank, kLiteral, kPattern, kActions };
  Kind kind = Kind::kBlank;
  // kLiteral: the line itself (trailing spaces removed). kPattern: the literal text between actions, in
  // order: the first piece is what precedes the first action ("" when the line starts with one), the last
  // what follows the last action ("" when it ends with one). Whitespace that `{{-` / `-}}` trims is removed.
  std::vector<std::string> pieces;
  int indent = 0;  // leading spaces of the line as written
};

// The shapes of `lines` (a whole template file: an action may span several lines; `{{/* */}}` comments
// and quoted strings inside actions are understood).
std::vector<LineShape> line_shapes(const std::vector<std::string>& lines);

// True when the rendered line `line` (trailing spaces ignored) can be the output of `shape`: equal to a
// literal line; for a pattern, starts with its first piece, ends with its last and holds the others in
// order between (a pattern that starts with spaces and then an action also needs that indentation).
bool shape_matches(const LineShape& shape, std::string_view line);

// How much a match with `shape` says: 4 for a literal line, 3 for a pattern with at least three literal
// non-space characters, 1 for a weaker pattern, 0 for lines that match nothing (blank, actions only).
int shape_weight(const LineShape& shape);

// The YAML key a (rendered or literal) line starts with, after any "- " item markers and with quotes
// removed ("image" for "  - image: x"); "" when the line holds no key.
std::string yaml_key_of(std::string_view line);

// Leading spaces of `line`; for a sequence item ("  - a") the spaces before the dash.
int indent_of(std::string_view line);

// True when a template line of only actions writes something: an action that is not control flow (if,
// else, end, with, range, define, a comment or a variable assignment) — toYaml, include, a value.
bool writes_output(std::string_view line);

}  // namespace kv::render
