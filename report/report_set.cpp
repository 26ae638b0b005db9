// ReportSet: builds one reporter per -o, feeds them every result, keeps the run's summary, draws the
// progress line, and finishes every reporter even when one fails.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "build_info.h"
#include "core/clock.h"
#include "report/reporter.h"

namespace kv::report {
namespace {

std::string utc_timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

bool color_terminal(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(fd) && (no_color == nullptr || *no_color == '\0');
}

}  // namespace

const std::vector<ReportFormat>& report_formats() {
  static const std::vector<ReportFormat> kFormats = {
      {"text", make_text_reporter},   {"json", make_json_reporter},     {"junit", make_junit_reporter},
      {"sarif", make_sarif_reporter}, {"github", make_github_reporter},
  };
  return kFormats;
}

std::string report_format_names() {
  std::string s;
  for (const auto& f : report_formats()) s += std::string(s.empty() ? "" : ", ") + f.name;
  return s;
}

std::unique_ptr<Reporter> make_reporter(const std::string& format, ReportSink sink,
                                        std::shared_ptr<ReportContext> ctx) {
  for (const auto& f : report_formats())
    if (format == f.name) return f.make(std::move(sink), std::move(ctx));
  return nullptr;
}

Result<ReportSet> ReportSet::Create(const std::vector<OutputSpec>& specs, bool verbose) {
  auto ctx = std::make_shared<ReportContext>();
  ctx->timestamp = utc_timestamp();
  ctx->verbose = verbose;
  std::vector<std::unique_ptr<Reporter>> reporters;
  for (const auto& spec : specs) {
    // Color is a property of where this one report goes: a text report takes it when it is made, and
    // every report shares the one context (versions set later reach them all).
    ctx->color = spec.format == "text" && spec.path.empty() && color_terminal(STDOUT_FILENO);
    auto r = make_reporter(spec.format, make_sink(spec.path), ctx);
    ctx->color = false;
    if (!r) return Status::Usage("unknown report format '" + spec.format + "'");
    reporters.push_back(std::move(r));
  }
  return FromReporters(std::move(reporters), std::move(ctx));
}

Result<ReportSet> ReportSet::Open(const std::vector<std::string>& output_flags, bool verbose) {
  auto specs = parse_output_specs(output_flags);
  if (!specs.ok()) return specs.status();
  KV_RETURN_IF_ERROR(check_writable(*specs));
  return Create(*specs, verbose);
}

ReportSet ReportSet::FromReporters(std::vector<std::unique_ptr<Reporter>> reporters,
                                   std::shared_ptr<ReportContext> ctx) {
  ReportSet set;
  set.reporters_ = std::move(reporters);
  set.ctx_ = ctx ? std::move(ctx) : std::make_shared<ReportContext>();
  set.start_ms_ = now_ms();
  return set;
}

namespace {
void count(RunSummary& s, const ObjectResult& r) {
  const bool object = r.kind_of_result == ResultKind::kObject;
  if (object) ++s.resources;
  switch (r.status) {
    case ObjectStatus::kValid: if (object) ++s.valid; break;
    case ObjectStatus::kSkipped: if (object) ++s.skipped; break;
    case ObjectStatus::kInvalid: ++s.invalid; break;
    case ObjectStatus::kError: ++s.errors; break;
  }
  for (const auto& f : r.findings)
    if (f.severity == Severity::kWarning) ++s.warnings;
  if (r.cached) ++s.cached;
}
}  // namespace

void ReportSet::add(const ObjectResult& r) {
  count(summary_, r);
  if (ctx_->multi_version()) count(by_version_[r.server_version], r);
  for (auto& rep : reporters_) rep->add(r);
}

void ReportSet::progress(int done, int total) {
  static const bool tty = isatty(STDERR_FILENO);
  if (!tty) return;
  double now = now_ms();
  if (now - start_ms_ < 1000 || now - last_draw_ms_ < 100) return;
  last_draw_ms_ = now;
  std::fprintf(stderr, "\r\033[Kvalidating %d/%d", done, total);
  std::fflush(stderr);
  progress_shown_ = true;
}

Status ReportSet::finish(const RunInfo& info) {
  if (progress_shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    progress_shown_ = false;
  }
  summary_.duration_ms = info.duration_ms;
  summary_.aborted = info.aborted;
  summary_.abort_message = info.abort_message;
  summary_.server_version = info.server_version;
  summary_.versions.clear();
  if (ctx_->multi_version()) {
    const RunSummary& shared = by_version_[""];
    for (const auto& v : ctx_->kube_versions) {
      RunSummary s = by_version_[v];
      for (int RunSummary::*n : {&RunSummary::resources, &RunSummary::valid, &RunSummary::invalid,
                                 &RunSummary::skipped, &RunSummary::errors, &RunSummary::warnings})
        s.*n += shared.*n;
      auto d = info.version_duration_ms.find(v);
      s.duration_ms = d == info.version_duration_ms.end() ? 0 : d->second;
      s.aborted = info.aborted;
      s.abort_message = info.abort_message;
      s.server_version = v;
      summary_.versions.push_back(std::move(s));
    }
  }
  ctx_->tool_version = info.tool_version.empty() ? KV_VERSION : info.tool_version;
  Status first;
  for (auto& rep : reporters_) {
    Status s = rep->finish(summary_);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

}  // namespace kv::report
