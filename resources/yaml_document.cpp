#include "resources/yaml_document.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/depthguard.h>

#include "resources/documents.h"
#include "resources/flow_yaml.h"

namespace kv {

namespace {

// One pass over the tree; stops at the first defect.
class Walker {
 public:
  explicit Walker(std::string_view text) : text_(text), budget_(text.size() * 4 + 10000) {}

  bool walk(const YAML::Node& n, int depth) {
    if (budget_ == 0) {
      return fail("input/alias-bomb", n,
                  "the document expands to more nodes than its text holds (YAML alias bomb?)");
    }
    --budget_;
    if (depth > kMaxNestingDepth) {
      return fail("input/too-deep", n,
                  "nesting deeper than " + std::to_string(kMaxNestingDepth) + " levels (or a cyclic alias)");
    }
    switch (n.Type()) {
      case YAML::NodeType::Scalar: note_quoted(n); return true;
      case YAML::NodeType::Sequence:
        for (const auto& item : n)
          if (!walk(item, depth + 1)) return false;
        return true;
      case YAML::NodeType::Map: return walk_map(n, depth);
      default: return true;
    }
  }

  // After the walk: a quoted scalar without its closing quote runs to the end of the text, so it can
  // only be the last one that starts; checking that one is enough.
  void check_last_quote() {
    if (defect || last_quote_ == std::string_view::npos) return;
    char q = text_[last_quote_];
    for (size_t i = last_quote_ + 1; i < text_.size(); ++i) {
      if (q == '"' && text_[i] == '\\') { ++i; continue; }
      if (text_[i] != q) continue;
      if (q == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') { ++i; continue; }
      return;
    }
    defect = InputDefect{"input/yaml-syntax",
                         std::string("unclosed ") + (q == '"' ? "double" : "single") +
                             "-quoted string: no closing " + q + " before the end of the document",
                         quote_line_, quote_column_};
  }

  std::optional<InputDefect> defect;
  std::vector<InputDefect> duplicates;
  bool has_duplicates() const { return has_duplicates_; }

 private:
  bool walk_map(const YAML::Node& n, int depth) {
    // Each key as the server reads it → how it was first written, and whether YAML reads it as a boolean or
    // number.
    struct Seen {
      std::string_view written;
      bool token = false;  // typed_by_token
    };
    std::vector<std::pair<std::string_view, Seen>> small;
    std::unordered_map<std::string_view, Seen> large;
    bool use_set = n.size() > 16;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar() || is_null_key(kv.first))
        return fail("input/invalid-key", kv.first,
                    std::string("map key is ") + (kv.first.IsMap() ? "a map" : kv.first.IsSequence() ? "a list" : "null") +
                        ": kubectl cannot read it (invalid map key)");
      const std::string& written = kv.first.Scalar();
      const bool token = typed_by_token(kv.first);
      std::string_view key = written;  // as the server reads it: `on:` and `y:` are both "true"
      if (auto retyped = retyped_key(kv.first)) {
        keys_.push_back(std::move(*retyped));
        key = keys_.back();
      }
      std::optional<Seen> before;  // an earlier key the server reads alike
      if (use_set) {
        auto [it, fresh] = large.emplace(key, Seen{written, token});
        if (!fresh) before = it->second;
      } else {
        for (const auto& [k, seen] : small)
          if (!before && k == key) before = seen;
        small.emplace_back(key, Seen{written, token});
      }
      if (before) {
        YAML::Mark m = kv.first.Mark();
        const std::string read_as =
            before->written == written ? ""
                                       : " (\"" + std::string(before->written) + "\" before it is \"" + std::string(key) + "\" too)";
        // The same YAML value twice is refused; a string and a boolean or number that JSON spells alike
        // ("true" and on) are not, and the server keeps one of the two.
        const bool typed = token && yaml11_non_string(written);
        const bool typed_before = before->token && yaml11_non_string(std::string(before->written));
        const std::string what = typed_before == typed ? "the API server rejects it"
                                                  : "the API server keeps one of the two values, which one is not "
                                                    "defined";
        duplicates.push_back(InputDefect{"input/duplicate-key",
                                         "duplicate key \"" + written + "\"" + read_as + ": " + what +
                                             "; validated with the last value, as kubectl sends it",
                                         m.is_null() ? 0 : m.line + 1, m.is_null() ? 0 : m.column + 1});
        has_duplicates_ = true;
      }
      if (!walk(kv.first, depth + 1) || !walk(kv.second, depth + 1)) return false;
    }
    return true;
  }

  // A plain "~", "null" or empty key: YAML null, which has no JSON form.
  static bool is_null_key(const YAML::Node& k) {
    if (k.IsNull()) return true;
    if (k.Tag() != "?") return false;
    const std::string& s = k.Scalar();
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  void note_quoted(const YAML::Node& n) {
    if (n.Tag() != "!") return;
    YAML::Mark m = n.Mark();
    if (m.pos < 0 || static_cast<size_t>(m.pos) >= text_.size()) return;
    char c = text_[m.pos];
    if (c != '"' && c != '\'') return;
    if (last_quote_ == std::string_view::npos || static_cast<size_t>(m.pos) > last_quote_) {
      last_quote_ = m.pos;
      quote_line_ = m.line + 1;
      quote_column_ = m.column + 1;
    }
  }

  bool fail(const char* rule, const YAML::Node& at, std::string message) {
    YAML::Mark m = at.Mark();
    defect = InputDefect{rule, std::move(message), m.is_null() ? 0 : m.line + 1,
                         m.is_null() ? 0 : m.column + 1};
    return false;
  }

  std::string_view text_;
  size_t budget_;
  size_t last_quote_ = std::string_view::npos;
  int quote_line_ = 0, quote_column_ = 0;
  bool has_duplicates_ = false;
  std::deque<std::string> keys_;  // the keys as the server reads them, for `small` and `large` to point into
};

// Drops every entry of a map but the last of its key, everywhere in the tree (what kubectl's decoder
// keeps). Node::remove(key) removes the first entry equal to the key.
void keep_last_values(YAML::Node n, int depth = 0) {
  if (depth > kMaxNestingDepth) return;
  if (n.IsSequence()) {
    for (auto item : n) keep_last_values(item, depth + 1);
    return;
  }
  if (!n.IsMap()) return;
  // Keys as the server reads them (`on:` and `y:` are one key); the entries before the last of each go,
  // by their written text: Node::remove(text) takes the first entry so written, an earlier one.
  std::vector<std::pair<std::string, std::string>> entries;  // (read as, written)
  for (const auto& kv : n) entries.emplace_back(retyped_key(kv.first).value_or(kv.first.Scalar()), kv.first.Scalar());
  std::unordered_map<std::string, size_t> last;
  for (size_t i = 0; i < entries.size(); ++i) last[entries[i].first] = i;
  for (size_t i = 0; i < entries.size(); ++i)
    if (last[entries[i].first] != i) n.remove(entries[i].second);
  for (auto kv : n) keep_last_values(kv.second, depth + 1);
}

// An upper estimate of the nodes in `text`: every node but the first needs one of these characters.
size_t estimate_nodes(std::string_view text) {
  size_t n = 1;
  for (char c : text) n += c == '\n' || c == ':' || c == ',' || c == '-' || c == '[' || c == '{';
  return n;
}

}  // namespace

DocumentParse parse_document(std::string_view text) {
  DocumentParse out;
  if (size_t nodes = estimate_nodes(text); nodes > kMaxDocumentNodes) {
    out.defect = InputDefect{"input/too-large",
                             "the document is too big to parse safely (about " + std::to_string(nodes) +
                                 " nodes, more than " + std::to_string(kMaxDocumentNodes) +
                                 "); split it into smaller documents",
                             1, 1};
    return out;
  }
  if (auto bad = find_encoding_defect(text)) {
    out.defect = InputDefect{"input/encoding", bad->message, bad->line, bad->column};
    return out;
  }
  try {
    out.root.reset(YAML::Load(std::string(text)));
  } catch (const YAML::DeepRecursion& e) {
    out.defect = InputDefect{"input/too-deep", "nesting too deep for the YAML parser",
                             e.mark.line + 1, e.mark.column + 1};
    return out;
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1, column = e.mark.is_null() ? 0 : e.mark.column + 1;
    if (int tab = line > 0 ? find_tab_indentation(text, line) : 0) {
      out.defect = InputDefect{"input/tab-indentation",
                               "tab character used for indentation (YAML allows only spaces): " + e.msg,
                               tab, 1};
    } else if (auto flow = e.msg.find("flow not found") != std::string::npos && line > 0
                               ? find_unclosed_flow(text, line) : std::nullopt) {
      // yaml-cpp names the line where it gave up; the defect is the bracket never closed.
      out.defect = InputDefect{"input/yaml-syntax",
                               std::string("'") + flow->opener + "' opened here is never closed (" + e.msg + ")",
                               flow->line, flow->column};
    } else {
      out.defect = InputDefect{"input/yaml-syntax", e.msg, line, column};
    }
    return out;
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: refuse the document, keep going
    out.defect = InputDefect{"input/yaml-syntax", std::string("cannot parse: ") + e.what(), 0, 0};
    return out;
  }
  Walker w(text);
  w.walk(out.root, 0);
  w.check_last_quote();
  if (w.defect) {
    out.defect = std::move(w.defect);
    out.root.reset();
    return out;
  }
  if (w.has_duplicates()) {
    keep_last_values(out.root);
    out.duplicates = std::move(w.duplicates);
  }
  return out;
}

}  // namespace kv
