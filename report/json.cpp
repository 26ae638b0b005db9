// The JSON report (format version 1, documented in docs/json-report.md): the tool, the summary and
// every result with its findings, in input order; a multi-version run adds each version's summary.
#include "core/json.h"
#include "report/report_util.h"
#include "report/reporter.h"
#include "report/spool.h"

namespace kv::report {
namespace {

class JsonReporter : public Reporter {
 public:
  JsonReporter(ReportSink sink, std::shared_ptr<ReportContext> ctx)
      : sink_(std::move(sink)), ctx_(std::move(ctx)) {}

  // Each result is written as it comes (into a spool, not held): a run of 100,000 objects keeps no
  // 100,000 results for this report, nor its ~80 MB of text.
  void add(const ObjectResult& r) override {
    JsonWriter w;
    w.begin_object().key("results").begin_array();  // at the depth results have in the report
    const size_t at = w.str().size();
    write_result(w, r);
    if (!results_.empty()) results_.append(",");
    results_.append(std::string_view(w.str()).substr(at));
  }

  Status finish(const RunSummary& s) override {
    JsonWriter w;
    w.begin_object();
    w.key("version").value(1);
    w.key("tool").begin_object();
    w.key("name").value("kvalidate");
    w.key("version").value(ctx_->tool_version);
    w.end_object();
    w.key("server_version").value(s.server_version);
    w.key("fail_on").value(ctx_->fail_on);
    if (ctx_->shards.enabled()) write_shards(w, ctx_->shards);
    w.key("summary");
    write_summary(w, s);
    if (!s.versions.empty()) {
      w.key("versions").begin_array();
      for (const auto& v : s.versions) {
        w.begin_object().key("server_version").value(v.server_version).key("summary");
        write_summary(w, v);
        w.end_object();
      }
      w.end_array();
    }
    w.key("results").begin_array();
    if (results_.empty()) {
      w.end_array().end_object();
      w.raw("\n");
      return sink_(w.str());
    }
    // The head, the spooled results, then the tail end_array and end_object would write.
    return sink_.write([&](const PutPiece& put) {
      Status st = put(w.str());
      if (st.ok()) st = results_.replay(put);
      return st.ok() ? put("\n  ]\n}\n") : st;
    });
  }

 private:
  // {"index": I, "count": N, "indexes": [I]} for one shard's report; a merged one has no "index".
  static void write_shards(JsonWriter& w, const ShardSet& shards) {
    w.key("shard").begin_object();
    if (shards.indexes.size() == 1) w.key("index").value(shards.indexes[0]);
    w.key("count").value(shards.count);
    w.key("indexes").begin_array();
    for (int i : shards.indexes) w.value(i);
    w.end_array();
    w.end_object();
  }

  static void write_summary(JsonWriter& w, const RunSummary& s) {
    w.begin_object();
    w.key("resources").value(s.resources);
    w.key("valid").value(s.valid);
    w.key("invalid").value(s.invalid);
    w.key("skipped").value(s.skipped);
    w.key("errors").value(s.errors);
    w.key("warnings").value(s.warnings);
    w.key("cached").value(s.cached);
    w.key("duration_ms").raw(format_ms(s.duration_ms));
    w.key("aborted").value(s.aborted);
    w.key("abort_message").value(s.abort_message);
    w.end_object();
  }

  static void write_result(JsonWriter& w, const ObjectResult& r) {
    w.begin_object();
    w.key("suite").value(r.suite);
    w.key("kind_of_result").value(to_string(r.kind_of_result));
    w.key("source").begin_object();
    w.key("file").value(r.source.file);
    w.key("line").value(r.source.line);
    w.key("column").value(r.source.column);
    w.key("template").value(r.source.template_path);
    w.end_object();
    w.key("apiVersion").value(r.api_version);
    w.key("kind").value(r.kind);
    w.key("namespace").value(r.namespace_);
    w.key("name").value(r.name);
    w.key("title").value(r.display_name());
    w.key("status").value(kv::to_string(r.status));
    w.key("server_version").value(r.server_version);
    w.key("duration_ms").raw(format_ms(r.duration_ms));
    if (r.cached) w.key("cached").value(true);
    w.key("findings").begin_array();
    for (const auto& f : shown_findings(r)) {
      w.begin_object();
      w.key("severity").value(kv::to_string(f.severity));
      w.key("rule").value(f.rule);
      w.key("message").value(f.message);
      w.key("path").value(f.path);
      w.key("file").value(f.file.empty() ? r.source.file : f.file);
      w.key("line").value(f.line);
      w.key("column").value(f.column);
      if (f.pass > 1) w.key("pass").value(f.pass);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }

  ReportSink sink_;
  std::shared_ptr<ReportContext> ctx_;
  Spool results_;  // the results written so far, comma-separated
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(ReportSink sink, std::shared_ptr<ReportContext> ctx) {
  return std::make_unique<JsonReporter>(std::move(sink), std::move(ctx));
}

}  // namespace kv::report
