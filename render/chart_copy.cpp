#include "render/chart_copy.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/files.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFiles = 10000;
constexpr std::uintmax_t kMaxBytes = 64u << 20;
constexpr const char* kPrefix = "kvalidate-render-";  // then mkdtemp's six characters

}  // namespace

Result<ChartCopy> ChartCopy::make(const Chart& chart) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(kPrefix) + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) return Status::IOError("cannot create a temporary directory to render " + chart.path);
  ChartCopy copy;
  copy.dir_ = std::make_shared<TempDir>();
  copy.dir_->path = tmpl;
  copy.path_ = (fs::path(tmpl) / fs::path(chart.root).filename()).string();
  std::error_code ec;
  fs::create_directory(copy.path_, ec);
  if (ec) return Status::IOError(copy.path_ + ": " + ec.message());
  size_t files = 0;
  std::uintmax_t bytes = 0;
  const fs::path root(chart.root);
  auto it = fs::recursive_directory_iterator(root, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (++files > kMaxFiles) return Status::IOError(chart.path + ": more than 10,000 files to copy");
    const fs::path rel = it->path().lexically_relative(root);
    const fs::path to = fs::path(copy.path_) / rel;
    std::error_code e;
    if (it->is_symlink(e)) {
      // helm follows links: the copy's link leads where the original does, wherever the copy is.
      fs::path target = fs::canonical(it->path(), e);
      if (e) target = fs::read_symlink(it->path(), e);
      if (!e) fs::create_symlink(target, to, e);
    } else if (it->is_directory(e)) {
      fs::create_directory(to, e);
    } else if (it->is_regular_file(e)) {
      bytes += it->file_size(e);
      if (bytes > kMaxBytes) return Status::IOError(chart.path + ": more than 64 MiB to copy");
      if (!e) fs::copy_file(it->path(), to, e);
    }
    if (e) return Status::IOError(to.string() + ": " + e.message());
  }
  if (ec) return Status::IOError(chart.path + ": " + ec.message());
  return copy;
}

Status ChartCopy::empty_file(const std::string& relative) const {
  const fs::path file = fs::path(path_) / relative;
  // Only a file of the copy's own folders: a folder of the copy that is a link leads to the chart (or
  // beyond), whose files are never touched.
  std::error_code ec;
  fs::path at(path_);
  for (const auto& part : fs::path(relative).parent_path()) {
    at /= part;
    if (part == ".." || fs::is_symlink(at, ec) || !fs::is_directory(at, ec))
      return Status::IOError(file.string() + ": not a file of the copy's own folders");
  }
  fs::remove(file, ec);  // a link: the copy's own file, not what it leads to
  std::ofstream out(file, std::ios::trunc);
  if (!out) return Status::IOError(file.string() + ": cannot write");
  return Status::Ok();
}

void name_copies_as_chart(std::string& text, const Chart& chart) {
  const std::string prefix = (fs::temp_directory_path() / kPrefix).string();
  const std::string name = "/" + fs::path(chart.root).filename().string();
  constexpr size_t kRandom = 6;
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const size_t tail = at + prefix.size() + kRandom;
    if (tail > text.size() || text.compare(tail, name.size(), name) != 0) continue;
    text.replace(at, tail + name.size() - at, chart.root);
  }
}

std::string template_to_empty(const ObjectResult& failure, const Chart& chart) {
  const std::string& rel = failure.source.template_path;
  if (rel.empty() || failure.findings.empty() || failure.findings.front().rule != "helm-render") return "";
  const fs::path path(rel);
  if (path.is_absolute() || path.filename().string().rfind('_', 0) == 0) return "";
  bool in_templates = false;
  for (const auto& part : path.parent_path()) {
    if (part == "..") return "";
    if (part == "templates") in_templates = true;
  }
  std::error_code ec;
  const fs::path file = fs::path(chart.root) / path;
  if (!in_templates || !fs::is_regular_file(file, ec)) return "";
  // A template that defines named templates ({{ define "x" }}, {{ block "x" . }}) is a partial too: the
  // others that include them would fail for want of them.
  auto text = read_file(file.string());
  static const std::regex defines(R"(\{\{-?\s*(define|block)\s)");
  if (!text.ok() || std::regex_search(*text, defines)) return "";
  return rel;
}

}  // namespace kv::render
