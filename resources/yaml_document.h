// Parsing one YAML document with yaml-cpp, safely: exceptions stop here, and what yaml-cpp accepts
// silently but the API server (or common sense) rejects is reported: duplicate keys, NUL bytes and
// invalid UTF-8, unclosed quotes, alias bombs and nesting too deep to walk.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kv {

// Why a document could not be used. Line and column are 1-based and relative to the parsed text
// (0: unknown).
struct InputDefect {
  std::string rule;     // "input/yaml-syntax", "input/duplicate-key", "input/encoding", ...
  std::string message;  // one line
  int line = 0;
  int column = 0;
};

struct DocumentParse {
  YAML::Node root;                    // valid when `defect` is empty (Null for an empty document)
  std::optional<InputDefect> defect;
  // Duplicate map keys, each at its second (third, ...) key. kubectl reads such a document and keeps the
  // last value; the API server's strict decoding rejects it. `root` then holds only the last value of
  // each key, as kubectl sends it.
  std::vector<InputDefect> duplicates;
};

// Deepest nesting parse_document() accepts (yaml-cpp itself stops at about half of this).
inline constexpr int kMaxNestingDepth = 512;

// Largest number of nodes a document may hold, estimated from its text before parsing: yaml-cpp
// spends about 500 bytes per node, so this bounds memory near 1.5 GB (a List of 100,000 ConfigMaps
// holds about 1.2 million).
inline constexpr size_t kMaxDocumentNodes = 2'500'000;

// Parses `text` as one YAML (or JSON) document. Never throws. The tree is walked once: a map key that
// kubectl cannot turn into JSON (a map, a list or null: "input/invalid-key"), a quoted scalar left open
// until the end of the text, more than kMaxNestingDepth levels (alias cycles included), or more nodes than
// the text can hold without aliases (4 per byte + 10,000: an alias bomb) are defects, reported instead of
// the tree; so is a text estimated to hold more than kMaxDocumentNodes nodes ("input/too-large", refused
// before parsing). Duplicate keys are not: see DocumentParse::duplicates.
DocumentParse parse_document(std::string_view text);

}  // namespace kv
