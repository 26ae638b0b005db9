// A private copy of a chart's folder in which the templates that failed to render are emptied, so that helm
// can be asked again for the rest: helm stops at the first template that fails, and a chart with three
// broken templates would otherwise show its defects one run at a time.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "render/chart.h"
#include "resources/result.h"

namespace kv::render {

class ChartCopy {
 public:
  // Copies chart.root (a folder, or an archive's extraction) into a new folder of the system's temporary
  // folder (0700), removed when the last copy of this value goes. A symbolic link becomes a link to what
  // the original resolves to, so helm reads what it read in the chart. Fails (IOError) when the folder cannot
  // be made or written, or the chart holds more than 10,000 files or 64 MiB: then there is no second render.
  static Result<ChartCopy> make(const Chart& chart);

  // The copy's folder: pass it to helm in place of the chart's.
  const std::string& path() const { return path_; }

  // Empties the file at `relative` (chart-relative) in the copy (a link there becomes an empty file). Refuses
  // (IOError) a file under a folder that is a link in the copy: that folder is the chart's own, or beyond it.
  Status empty_file(const std::string& relative) const;

 private:
  std::shared_ptr<TempDir> dir_;
  std::string path_;
};

// `text` with the folder of every copy of `chart` (ChartCopy::path(), of this or an earlier run) replaced by
// chart.root.
void name_copies_as_chart(std::string& text, const Chart& chart);

// The chart-relative file of the template a render failure stands at, when emptying it lets helm render the
// others: a template (under a templates/ folder) of the chart or of a subchart kept as a folder, not a
// partial ("_helpers.tpl", or any template holding a `define` or `block`: others include what it defines). "" otherwise: a failure of the chart's
// values, its Chart.yaml, a template of a subchart archive, or one helm could not place.
std::string template_to_empty(const ObjectResult& failure, const Chart& chart);

}  // namespace kv::render
