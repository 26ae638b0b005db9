// Helpers shared by the report formats: where a finding points, the findings a result shows, and
// number formatting that keeps golden files stable.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "resources/result.h"

namespace kv::report {

struct Location {
  std::string file;  // "" when neither the finding nor the result names a file
  int line = 0;      // 0: unknown
  int column = 0;    // 0: unknown (always 0 when line is 0)
};

// Where `f` points: its own file/line/column, falling back to the result's source file, and to the
// object's start line (without a column) when the finding has no line of its own in that file.
Location locate(const ObjectResult& r, const Finding& f);

// "file:line:col" with the unknown parts left out ("file:line", "file", or "" without a file).
std::string location_string(const Location& loc);

// The findings a report shows for `r`: its own, or, for an invalid or error result without any, one
// synthesized error "<status> (no details)" with rule "kvalidate/no-details".
std::vector<Finding> shown_findings(const ObjectResult& r);

// "file:line:col: severity: message [rule]" (parts left out as in location_string; "[rule]" left out
// when the rule is empty). `severity` overrides the finding's when non-empty (e.g. "skipped").
std::string finding_line(const ObjectResult& r, const Finding& f, std::string_view severity = {});

// "object", "render", "lint", "rbac-expectation", "rbac-rule", "input".
const char* to_string(ResultKind k);

// Milliseconds with at most three decimals and no trailing zeros: 12.5 → "12.5", 3 → "3".
std::string format_ms(double ms);
// Seconds with three decimals, for JUnit's time attributes: 1234.5 ms → "1.235".
std::string format_seconds(double ms);
// A human duration: under a second "850ms", else "1.2s".
std::string format_duration(double ms);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

}  // namespace kv::report

namespace kv::report {

// `s` made safe for a terminal or log line: valid UTF-8, CR/LF/tab turned into spaces (CRLF into one),
// other control characters (ESC included) dropped.
std::string one_line(std::string_view s);

// Counts what a person reads in a summary line: objects by status, and the other checks (render, lint,
// RBAC, input) as passed or failed.
struct Tally {
  int objects[4] = {0, 0, 0, 0};  // by ObjectStatus
  int checks = 0, checks_failed = 0;
  int files_skipped = 0;  // input files without Kubernetes objects (directory runs)
  void add(const ObjectResult& r);
  Tally& operator+=(const Tally& other);
  // "12 resources: 11 valid, 1 invalid, 0 skipped, 0 errors; 3 checks: 2 passed, 1 failed;
  // 2 warnings (1.2s)" (the checks part only when there were any).
  std::string line(const RunSummary& s) const;
};

// Multi-version runs (ReportContext::multi_version): one Tally per version, the results no server judged
// ("" version) counting for every version. add() as Tally::add; line_for(v) is Tally::line for
// version v with its RunSummary from `s.versions`.
struct VersionTallies {
  std::map<std::string, Tally> by_version;
  void add(const ObjectResult& r) { by_version[r.server_version].add(r); }
  // "<prefix>Kubernetes v1.36.3: 2 resources: ..." for each version of `s.versions`, one per line.
  std::string lines(const RunSummary& s, const std::string& prefix = "") const;
};

// How a multi-version report names a version where it groups results: "Kubernetes v1.36.3".
std::string version_label(const std::string& server_version);

}  // namespace kv::report
