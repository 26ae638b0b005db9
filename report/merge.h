// Merging the JSON reports of the shards of one run (--shard I/N in a CI job matrix) into one report:
// the results of every shard, the shards united, checked so that reports of different runs never mix.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "report/json_read.h"

namespace kv::report {

struct Merged {
  ReadReport report;                  // every shard's results (shards in index order), the shards united
  std::vector<std::string> warnings;  // one line each: the shards of 1..N no report holds
};

// Merges `reports` (at least one). Refused (InvalidInput, exit 2, one line naming the file): reports
// written by different kvalidate versions, with different --fail-on levels, a shard report mixed with an
// unsharded one, different shard counts N, a shard index that two reports hold. Reports without shards
// (several commands of one job) merge in the order given. The merged summary's duration is the sum of the
// reports'; it is aborted when any report was, with each abort message prefixed by its shard.
Result<Merged> merge_reports(std::vector<ReadReport> reports);

// The exit code a merged report asks for: 1 when a result failed at the report's --fail-on level (an
// invalid or error result; with "warning", also a warning of a result not skipped) or a run was aborted,
// else 0.
int merged_exit_code(const ReadReport& report);

}  // namespace kv::report
