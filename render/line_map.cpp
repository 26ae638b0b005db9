#include "render/line_map.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <regex>

#include "render/template_lines.h"

namespace kv::render {

namespace {

constexpr long kMaxCells = 4'000'000;  // weighted LCS table size above which the greedy alignment is used
constexpr int kGreedyWindow = 64;      // template lines the greedy alignment looks ahead

bool blank_or_comment(std::string_view l) {
  size_t i = l.find_first_not_of(" \t\r");
  return i == std::string_view::npos || l[i] == '#';
}

bool is_item(std::string_view l) {
  size_t i = static_cast<size_t>(indent_of(l));
  return l.substr(i, 2) == "- " || l.substr(i) == "-";
}

int weight(const TemplateModel& m, std::string_view line, int j) {
  const LineShape& s = m.shapes[j];
  int w = shape_weight(s);
  return w > 0 && shape_matches(s, line) ? w : 0;
}

void align_greedy(const TemplateModel& m, int i0, int i1, int j0, int j1,
                  const std::vector<std::string_view>& rendered, std::vector<int>& out) {
  int j = j0;
  for (int i = i0; i < i1 && j < j1; ++i) {
    for (int k = j; k < j1 && k < j + kGreedyWindow; ++k) {
      if (weight(m, rendered[i], k) >= 3) {
        out[i] = k;
        j = k + 1;
        break;
      }
    }
  }
}

void align_table(const TemplateModel& m, int i0, int i1, int j0, int j1,
                 const std::vector<std::string_view>& rendered, std::vector<int>& out) {
  const int rows = i1 - i0, cols = j1 - j0;
  std::vector<int> score(static_cast<size_t>(rows + 1) * (cols + 1), 0);
  auto at = [&](int i, int j) -> int& { return score[static_cast<size_t>(i) * (cols + 1) + j]; };
  for (int i = 1; i <= rows; ++i) {
    for (int j = 1; j <= cols; ++j) {
      int best = std::max(at(i - 1, j), at(i, j - 1));
      if (int w = weight(m, rendered[i0 + i - 1], j0 + j - 1)) best = std::max(best, at(i - 1, j - 1) + w);
      at(i, j) = best;
    }
  }
  for (int i = rows, j = cols; i > 0 && j > 0;) {
    int w = weight(m, rendered[i0 + i - 1], j0 + j - 1);
    if (w && at(i, j) == at(i - 1, j - 1) + w) {
      out[i0 + i - 1] = j0 + j - 1;
      --i, --j;
    } else if (at(i, j) == at(i - 1, j)) {
      --i;
    } else {
      --j;
    }
  }
}

// The `range` blocks of template lines [begin, end): 0-based lines of each `{{ range }}` and its `{{ end }}`.
std::vector<std::pair<int, int>> range_blocks(const TemplateModel& m, int begin, int end) {
  static const std::regex kAction(R"(\{\{-?\s*(range|if|with|define|block|end)\b)");
  std::vector<std::pair<int, int>> out;
  std::vector<std::pair<bool, int>> open;  // (a range?, its line)
  for (int t = begin; t < end; ++t) {
    const std::string& line = m.lines[t];
    if (line.find("{{") == std::string::npos) continue;
    for (std::sregex_iterator it(line.begin(), line.end(), kAction), stop; it != stop; ++it) {
      std::string word = (*it)[1].str();
      if (word != "end") {
        open.push_back({word == "range", t});
      } else if (!open.empty()) {
        if (open.back().first) out.push_back({open.back().second, t});
        open.pop_back();
      }
    }
  }
  return out;
}

// Lines a `range` wrote once more than the template holds them (a second container, a third port) stay
// unaligned after one alignment: each run of them next to an aligned line inside a range block (after it,
// else before it: the alignment may have given the body to a later round) is aligned again with that
// block's body, as often as there are runs left.
void align_repeats(const TemplateModel& m, int begin, int end, const std::vector<std::string_view>& rendered,
                   std::vector<int>& out) {
  auto blocks = range_blocks(m, begin, end);
  if (blocks.empty()) return;
  const int n = static_cast<int>(rendered.size());
  for (int pass = 0; pass < 64; ++pass) {
    bool progress = false;
    for (int i = 0; i < n;) {
      if (out[i] >= 0) { ++i; continue; }
      int j = i;
      while (j < n && out[j] < 0) ++j;
      int a = -1, z = -1;  // the template lines of the aligned lines before and after the run
      for (int k = i - 1; k >= 0 && a < 0; --k) a = out[k];
      for (int k = j; k < n && z < 0; ++k) z = out[k];
      // The blocks holding line a (else line z), innermost first: the first whose body aligns some of the run.
      std::vector<const std::pair<int, int>*> holding;
      for (int t : {a, z}) {
        for (const auto& b : blocks)
          if (t > b.first && t < b.second) holding.push_back(&b);
        if (!holding.empty()) break;
      }
      std::sort(holding.begin(), holding.end(), [](auto* x, auto* y) { return x->first > y->first; });
      for (const auto* b : holding) {
        if (b->second - b->first <= 1 || static_cast<long>(j - i) * (b->second - b->first - 1) > 4'000'000) continue;
        align_table(m, i, j, b->first + 1, b->second, rendered, out);
        bool aligned = false;
        for (int k = i; k < j; ++k) aligned |= out[k] >= 0;
        if (aligned) {
          progress = true;
          break;
        }
      }
      i = j;
    }
    if (!progress) break;
  }
}

// The K of the first `indent K` / `nindent K` in a template line, else -1.
int indent_written(std::string_view line) {
  auto at = line.find("indent ");
  if (at == std::string_view::npos) return -1;
  int k = 0, digits = 0;
  for (size_t i = at + 7; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i, ++digits)
    k = k * 10 + (line[i] - '0');
  return digits > 0 ? k : -1;
}

// For the unaligned rendered line i: the template line of the action (writing output, on a line of
// actions alone) that wrote it, between the template lines of the aligned rendered lines around it; the
// template line of the aligned line before it in `before`. The unaligned lines after that aligned line are
// cut into blocks where one starts further out than the block before: the first block is the output of the
// first such action after it; a later one, of the one action there indenting by the block's indentation.
// -1 when that is not known.
int writer_of(const TemplateModel& m, int end, const std::vector<int>& alignment,
              const std::vector<std::string_view>& rendered, int i, int& before) {
  int p = i - 1;
  while (p >= 0 && alignment[p] < 0) --p;
  int a = p >= 0 ? alignment[p] : -1, b = end;
  for (size_t k = static_cast<size_t>(i) + 1; k < alignment.size() && b == end; ++k)
    if (alignment[k] >= 0) b = alignment[k];
  before = a;
  int block = -1;  // first line of the block holding i
  bool first_block = true;
  for (int k = p + 1; k <= i; ++k) {
    if (blank_or_comment(rendered[k])) continue;
    if (block < 0) block = k;
    else if (indent_of(rendered[k]) < indent_of(rendered[block])) block = k, first_block = false;
  }
  if (block < 0) return -1;
  int found = -1;
  for (int t = a + 1; t < b && t < static_cast<int>(m.shapes.size()); ++t) {
    if (m.shapes[t].kind != LineShape::Kind::kActions || !writes_output(m.lines[t])) continue;
    if (first_block) return t;
    if (indent_written(m.lines[t]) != indent_of(rendered[block])) continue;
    if (found >= 0) return -1;
    found = t;
  }
  return found;
}

// The template line (1-based) of rendered line `rendered_line` given its alignment: aligned_line(), except
// where a line the template does not write literally has an enclosing key that comes before the aligned
// line just before it. The enclosing key is right when it is that line (toYaml under its key); else what
// wrote the line follows that aligned line — and a wrong nindent that put output at the wrong level makes
// the enclosing key a wrong guess: the action that writes output there is the line.
int mapped_line(const TemplateModel& m, int end, const std::vector<int>& alignment,
                const std::vector<std::string_view>& rendered, int rendered_line) {
  int line = aligned_line(alignment, rendered, rendered_line);
  const int i = rendered_line - 1;
  if (i >= 0 && i < static_cast<int>(alignment.size()) && alignment[i] < 0) {
    int before = -1;
    int writer = writer_of(m, end, alignment, rendered, i, before);
    if (writer >= 0 && (line <= 0 || line - 1 < before)) return writer + 1;
  }
  return line;
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t end = eol == std::string_view::npos ? text.size() : eol;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

std::vector<int> align_rendered(const TemplateModel& m, int begin, int end,
                                const std::vector<std::string_view>& rendered) {
  std::vector<int> out(rendered.size(), -1);
  int i0 = 0, i1 = static_cast<int>(rendered.size());
  begin = std::max(0, begin);
  end = std::min(end, static_cast<int>(m.lines.size()));
  // Lines equal at both ends (whole documents in crds/ are copied verbatim) need no table.
  auto literal_equal = [&](int i, int j) { return m.shapes[j].kind == LineShape::Kind::kLiteral && weight(m, rendered[i], j); };
  while (i0 < i1 && begin < end && literal_equal(i0, begin)) out[i0++] = begin++;
  while (i1 > i0 && end > begin && literal_equal(i1 - 1, end - 1)) out[--i1] = --end;
  if (i0 == i1 || begin == end) return out;
  if (static_cast<long>(i1 - i0) * (end - begin) <= kMaxCells) align_table(m, i0, i1, begin, end, rendered, out);
  else align_greedy(m, i0, i1, begin, end, rendered, out);
  align_repeats(m, begin, end, rendered, out);
  return out;
}

int aligned_line(const std::vector<int>& alignment, const std::vector<std::string_view>& rendered, int line) {
  int i = line - 1;
  if (i < 0 || i >= static_cast<int>(rendered.size())) return 0;
  if (alignment[i] >= 0) return alignment[i] + 1;
  int indent = indent_of(rendered[i]);
  bool item = is_item(rendered[i]);
  for (int k = i - 1; k >= 0; --k) {
    std::string_view l = rendered[k];
    if (blank_or_comment(l)) continue;
    int ki = indent_of(l);
    bool kitem = is_item(l);
    // A compact sequence ("verbs:\n- get") sits at its key's indentation.
    if (!(ki < indent || (ki == indent && item && !kitem))) continue;
    if (alignment[k] >= 0) return alignment[k] + 1;
    indent = ki;
    item = kitem;
  }
  return 0;
}

int map_rendered_line(const TemplateModel& model, int begin, int end, std::string_view rendered_text, int rendered_line) {
  auto lines = split_lines(rendered_text);
  return mapped_line(model, end, align_rendered(model, begin, end, lines), lines, rendered_line);
}

int template_line_of(const Resource& r, int rendered_line) {
  if (r.source.template_path.empty()) return rendered_line;
  const std::string& text = r.text();
  if (rendered_line <= 0 || text.find('\n') == std::string::npos) return r.source.line;
  auto model = template_model(r.source);
  if (!model) return r.source.line;
  int part = part_at(*model, r.source.line - 1);
  int begin = part >= 0 ? model->parts[part].begin : 0;
  int end = part >= 0 ? model->parts[part].end : static_cast<int>(model->lines.size());

  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const std::vector<int>>> alignments;
  std::string key = template_source_path(r.source) + ":" + std::to_string(begin) + ":" +
                    std::to_string(std::hash<std::string>{}(text));
  std::shared_ptr<const std::vector<int>> alignment;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = alignments.find(key); it != alignments.end()) alignment = it->second;
  }
  auto lines = split_lines(text);
  if (!alignment) {
    alignment = std::make_shared<const std::vector<int>>(align_rendered(*model, begin, end, lines));
    std::lock_guard<std::mutex> lock(mu);
    alignments.emplace(key, alignment);
  }
  int line = mapped_line(*model, end, *alignment, lines, rendered_line);
  return line > 0 ? line : r.source.line;
}

}  // namespace kv::render
