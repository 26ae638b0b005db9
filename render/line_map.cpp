#include "render/line_map.h"

#include <functional>
#include <map>
#include <mutex>

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
  return aligned_line(align_rendered(model, begin, end, lines), lines, rendered_line);
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
  int line = aligned_line(*alignment, lines, rendered_line);
  return line > 0 ? line : r.source.line;
}

}  // namespace kv::render
