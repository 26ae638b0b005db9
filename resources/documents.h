// Splitting a YAML stream into documents the way kubectl's YAML reader does, and byte-level checks of a
// document's text (NUL bytes, invalid UTF-8, tab indentation) that yaml-cpp would accept or garble.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv {

struct DocumentChunk {
  std::string_view text;                       // the document's text (a view into the input stream)
  int first_line = 1;                          // 1-based line of `text`'s first line in the stream
  int index = 0;                               // 0-based index of the document in the stream
  std::vector<std::string_view> leading_comments;  // comment lines before any content, text after '#'
                                                   // with surrounding spaces trimmed ("Source: c/t.yaml")
};

// Splits `text` at separator lines: `---` alone or followed by whitespace and/or a comment, and the
// document end marker `...`; both lines belong to no chunk. A `---` line followed by content
// (`--- !tag` or `--- key: v`) starts a chunk that includes that line. A leading UTF-8 BOM is skipped.
// Chunks that hold only blank lines and comments are returned too (callers skip them; helm output
// keeps `# Source:` comments in them). Views point into `text`.
std::vector<DocumentChunk> split_documents(std::string_view text);

// The same split, streamed: calls `f` with each chunk in order until it returns false. Use it for big
// inputs (a 64 MiB stream of tiny documents would otherwise hold millions of chunks).
void for_each_document(std::string_view text, const std::function<bool(const DocumentChunk&)>& f);

// True when `chunk` holds only blank lines, comments, or YAML directives.
bool is_blank_document(std::string_view chunk);

// A byte-level defect in a document's text: 1-based line and column within the text, and a message.
struct TextDefect {
  int line = 0;
  int column = 0;
  std::string message;
};

// Finds the first NUL byte or invalid UTF-8 sequence in `text`. nullopt when the text is clean.
std::optional<TextDefect> find_encoding_defect(std::string_view text);

// The 1-based line number of the first line at or before `line` (1-based) whose indentation contains a
// tab, searching back at most a few lines; 0 when there is none. Used to explain yaml-cpp errors.
int find_tab_indentation(std::string_view text, int line);

// Where the flow collection ('[' or '{') that is still open at the start of line `line` (1-based) was
// opened: the innermost one, 1-based line and column; nullopt when none is. A '[' or '{' opens one at the
// start of a value (after "key: ", "- " or the indentation) or inside another; quoted strings and comments
// are skipped. Used to explain yaml-cpp's "end of sequence flow not found", which it reports where it gave up.
struct TextPosition {
  int line = 0;
  int column = 0;
  char opener = 0;
};
std::optional<TextPosition> find_unclosed_flow(std::string_view text, int line);

// The 1-based line `line` of `text`, without its newline ("" when out of range).
std::string_view line_of(std::string_view text, int line);

}  // namespace kv
