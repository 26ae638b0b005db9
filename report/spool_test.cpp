#include "report/spool.h"

#include <doctest/doctest.h>
#include <dirent.h>

#include "core/temp_dir_test_support.h"
#include "report/test_fixture.h"

using namespace kv;
using namespace kv::report;

namespace {
std::string replayed(Spool& s, size_t* pieces = nullptr) {
  std::string out;
  Status st = s.replay([&](std::string_view p) {
    out.append(p);
    if (pieces) ++*pieces;
    return Status::Ok();
  });
  REQUIRE(st.ok());
  return out;
}
}  // namespace

TEST_CASE("spool: gives back what was appended, in order, in chunks") {
  Spool s;
  CHECK(s.empty());
  std::string want;
  for (int i = 0; i < 20000; ++i) {
    std::string piece = "result " + std::to_string(i) + std::string(static_cast<size_t>(i % 7), '.') + "\n";
    s.append(piece);
    want += piece;
  }
  CHECK(!s.empty());
  size_t pieces = 0;
  CHECK(replayed(s, &pieces) == want);
  CHECK(pieces > 1);  // ~300 KB read back in chunks, never as one string
  // A put that fails ends the replay with its failure.
  Status st = s.replay([](std::string_view) { return Status::IOError("disk full"); });
  CHECK(st.message() == "disk full");
}

TEST_CASE("json report: the same text whether written whole or in pieces to a file") {
  const auto results = testing::fixture_results();
  const std::string whole = testing::render("json", results);
  REQUIRE(whole.find("\"results\": [") != std::string::npos);

  kv::core::testing::TempDir tmp("spooled");
  const std::string path = tmp.path + "/r.json";
  auto ctx = std::make_shared<ReportContext>();
  ctx->timestamp = "2026-01-01T00:00:00";
  std::vector<std::unique_ptr<Reporter>> reps;
  reps.push_back(make_reporter("json", make_sink(path), ctx));
  auto set = ReportSet::FromReporters(std::move(reps), ctx);
  RunInfo info;
  info.duration_ms = 1234.5;
  info.tool_version = "0.0.0-test";
  info.server_version = "v1.37.2";
  for (const auto& r : results) set.add(r);
  REQUIRE(set.finish(info).ok());
  CHECK(testing::read_file_or_empty(path) == whole);

  // No result at all: an empty list, as before.
  const std::string none = testing::render("json", {});
  CHECK(none.find("\"results\": []\n}\n") != std::string::npos);
}

TEST_CASE("write_file_atomic in pieces: a failure while writing leaves the old file and no temporary one") {
  kv::core::testing::TempDir tmp("pieces");
  const std::string path = tmp.path + "/r.txt";
  REQUIRE(write_file_atomic(path, std::string("old\n"), 0644).ok());
  Status st = write_file_atomic(
      path,
      [](const PutPiece& put) {
        Status s = put("half of ");
        return s.ok() ? Status::IOError("cannot read back the report's results") : s;
      },
      0644);
  CHECK(st.message() == "cannot read back the report's results");
  CHECK(testing::read_file_or_empty(path) == "old\n");
  int entries = 0;
  if (DIR* d = opendir(tmp.path.c_str())) {
    while (dirent* e = readdir(d)) entries += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
    closedir(d);
  }
  CHECK(entries == 1);
  REQUIRE(write_file_atomic(path, [](const PutPiece& put) {
            Status s = put("one ");
            return s.ok() ? put("two\n") : s;
          }, 0644).ok());
  CHECK(testing::read_file_or_empty(path) == "one two\n");
}
