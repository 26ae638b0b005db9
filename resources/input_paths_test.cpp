#include "resources/input_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"
#include "resources/loader.h"

namespace fs = std::filesystem;

namespace {
using kv::core::testing::TempDir;

const std::string kFixtures = std::string(KV_SOURCE_DIR) + "/fixtures/";

std::string rule_of(const kv::LoadResult& r) {
  REQUIRE(r.problems.size() == 1);
  return r.problems[0].findings[0].rule;
}
}  // namespace

TEST_CASE("load_paths walks a directory recursively, sorted, YAML and JSON only") {
  std::string dir = kFixtures + "loader/tree";
  auto r = kv::load_paths({dir});
  REQUIRE(r.ok());
  REQUIRE(r.resources.size() == 3);
  CHECK(r.resources[0].source.file == dir + "/a/one.yaml");
  CHECK(r.resources[1].source.file == dir + "/b/two.yml");
  CHECK(r.resources[2].source.file == dir + "/top.json");
  auto slash = kv::load_paths({dir + "/"});
  REQUIRE(slash.resources.size() == 3);
  CHECK(slash.resources[0].source.file == dir + "/a/one.yaml");
}

TEST_CASE("load_paths loads the loader fixtures") {
  auto r = kv::load_paths({kFixtures + "loader/multi.yaml", kFixtures + "loader/list.yaml",
                           kFixtures + "loader/object.json"});
  REQUIRE(r.ok());
  REQUIRE(r.resources.size() == 6);
  CHECK(r.resources[0].kind == "Namespace");
  CHECK(r.resources[1].source.line == 8);
  CHECK(r.resources[2].kind == "Deployment");
  CHECK(r.resources[2].source.line == 20);
  CHECK(r.resources[2].source.document == 2);
  CHECK(r.resources[4].generate_name == "svc-");
  CHECK(r.resources[5].name == "from-json");
}

TEST_CASE("bad-input fixtures each give one problem with file and line") {
  struct Case { const char* file; const char* rule; int line; };
  const Case cases[] = {
      {"tab-indentation.yaml", "input/tab-indentation", 6},
      {"not-a-map.yaml", "input/not-an-object", 1},
      {"scalar-document.yaml", "input/not-an-object", 1},
      {"missing-kind.yaml", "input/missing-kind", 1},
      {"kind-not-string.yaml", "input/invalid-kind", 2},
      {"apiversion-not-string.yaml", "input/invalid-kind", 1},
      {"missing-name.yaml", "input/missing-name", 3},
      {"unclosed-quote.yaml", "input/yaml-syntax", 6},
      {"syntax-error.yaml", "input/yaml-syntax", 6},  // the '[' never closed
      {"nul-byte.yaml", "input/encoding", 4},
      {"invalid-utf8.yaml", "input/encoding", 4},
      {"metadata-not-a-map.yaml", "input/invalid-metadata", 8},
      {"list-with-bad-item.yaml", "input/not-an-object", 8},
      {"empty.yaml", "input/no-objects", 0},
      {"comments-only.yaml", "input/no-objects", 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    std::string path = kFixtures + "bad-input/" + c.file;
    auto r = kv::load_paths({path});
    REQUIRE(r.problems.size() == 1);
    const kv::Finding& f = r.problems[0].findings[0];
    CHECK(f.rule == c.rule);
    CHECK(f.file == path);
    CHECK(f.line == c.line);
    CHECK_FALSE(f.message.empty());
    CHECK(f.message.find('\n') == std::string::npos);
  }
  auto bom = kv::load_paths({kFixtures + "bad-input/bom.yaml"});
  REQUIRE(bom.ok());
  CHECK(bom.resources[0].name == "bom");
  CHECK(bom.resources[0].body.rfind("apiVersion", 0) == 0);
  // A duplicate key is no load problem: the object is kept with the last value and the finding.
  auto dup = kv::load_paths({kFixtures + "bad-input/duplicate-key.yaml"}, {.keep_objects = false});
  REQUIRE(dup.ok());
  REQUIRE(dup.resources.size() == 1);
  CHECK(dup.resources[0].name == "dup2");
  REQUIRE(dup.resources[0].local_findings.size() == 1);
  CHECK(dup.resources[0].local_findings[0].rule == "input/duplicate-key");
  CHECK(dup.resources[0].local_findings[0].line == 5);
  CHECK(dup.resources[0].body.find("\"dup2\"") != std::string::npos);
  CHECK(dup.resources[0].body.find("\"dup\"") == std::string::npos);
  CHECK(dup.resources[0].text().find("name: dup\n") != std::string::npos);
  CHECK(kv::object_tree(dup.resources[0])["metadata"]["name"].Mark().line == 4);
}

TEST_CASE("load_paths reports missing paths, empty directories and symlink loops") {
  TempDir t;
  auto chart = kv::load_paths({kFixtures + "charts/webapp"});
  REQUIRE(chart.problems.size() == 1);
  CHECK(rule_of(chart) == "input/is-a-chart");
  CHECK(chart.problems[0].findings[0].message.find("use `kvalidate chart ") != std::string::npos);
  CHECK(rule_of(kv::load_paths({t.path + "/nope.yaml"})) == "input/not-found");
  fs::create_directories(t.path + "/empty/sub");
  t.write("empty/readme.txt", "x");
  CHECK(rule_of(kv::load_paths({t.path + "/empty"})) == "input/no-yaml-files");
  t.write("loop/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  fs::create_directory_symlink(t.path + "/loop", t.path + "/loop/again");
  auto loop = kv::load_paths({t.path + "/loop"});
  CHECK(loop.resources.size() == 1);
  CHECK(rule_of(loop) == "input/symlink-loop");
  fs::create_symlink(t.path + "/self.yaml", t.path + "/self.yaml");
  CHECK(rule_of(kv::load_paths({t.path + "/self.yaml"})) == "input/symlink-loop");
  fs::create_symlink(t.path + "/missing", t.path + "/dangling.yaml");
  CHECK(rule_of(kv::load_paths({t.path + "/dangling.yaml"})) == "input/not-found");
}

TEST_CASE("load_paths reports unreadable files") {
  if (geteuid() == 0) {
    MESSAGE("skipped: running as root, permissions do not stop reads");
    return;
  }
  TempDir t;
  std::string f = t.write("locked/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  fs::permissions(f, fs::perms::none);
  CHECK(rule_of(kv::load_paths({f})) == "input/unreadable");
}

TEST_CASE("load_paths reads a directory path as unreadable, not as YAML") {
  TempDir t;
  std::string f = t.write("d.yaml/x.txt", "x");
  CHECK(rule_of(kv::load_paths({t.path + "/d.yaml"})) == "input/no-yaml-files");
}

TEST_CASE("load_paths refuses a 100 MB file quickly and reads '-' from stdin_fd" * doctest::timeout(30)) {
  TempDir t;
  std::string big = t.path + "/big.yaml";
  {
    std::ofstream out(big, std::ios::binary);
    std::string line = "k: " + std::string(96, 'v') + "\n";
    for (int i = 0; i < 1000000; ++i) out << line;  // 100 MB, written for real
  }
  auto t0 = std::chrono::steady_clock::now();
  auto r = kv::load_paths({big});
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(rule_of(r) == "input/too-large");
  CHECK(r.problems[0].findings[0].message.find("95.4 MiB") != std::string::npos);

  std::string in = t.write("in.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n");
  int fd = open(in.c_str(), O_RDONLY);
  kv::LoadOptions opts;
  opts.stdin_fd = fd;
  auto s = kv::load_paths({"-"}, opts);
  close(fd);
  REQUIRE(s.resources.size() == 1);
  CHECK(s.resources[0].source.file == "-");

  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  std::string chunk(4096, 'x');
  for (int i = 0; i < 8; ++i) REQUIRE(write(pipefd[1], chunk.data(), chunk.size()) == 4096);
  close(pipefd[1]);
  opts.stdin_fd = pipefd[0];
  opts.max_file_bytes = 10000;
  CHECK(rule_of(kv::load_paths({"-"}, opts)) == "input/too-large");
  close(pipefd[0]);
}

TEST_CASE("has_yaml_extension") {
  CHECK(kv::has_yaml_extension("a.yaml"));
  CHECK(kv::has_yaml_extension("a.yml"));
  CHECK(kv::has_yaml_extension("a.json"));
  CHECK_FALSE(kv::has_yaml_extension(".yaml"));
  CHECK_FALSE(kv::has_yaml_extension("a.yaml.bak"));
  CHECK_FALSE(kv::has_yaml_extension("a.txt"));
}

TEST_CASE("load_paths: inside a directory, what is not a Kubernetes object is skipped, not a problem") {
  std::string dir = kFixtures + "loader/repo";
  auto r = kv::load_paths({dir});
  CHECK(r.ok());
  REQUIRE(r.resources.size() == 1);
  CHECK(r.resources[0].name == "repo-app");
  std::map<std::string, std::string> skipped;  // file → rule
  for (const auto& s : r.skipped) {
    CHECK(s.status == kv::ObjectStatus::kSkipped);
    CHECK(s.kind_of_result == kv::ResultKind::kInput);
    REQUIRE(s.findings.size() == 1);
    CHECK(s.findings[0].severity == kv::Severity::kInfo);
    skipped[s.source.file] = s.findings[0].rule;
  }
  CHECK(skipped == std::map<std::string, std::string>{
                       {dir + "/chart", "input/helm-chart"},
                       {dir + "/ci/pipeline.yml", "input/not-an-object"},
                       {dir + "/deploy/blank.yaml", "input/no-objects"},
                       {dir + "/deploy/kustomization.yaml", "input/not-an-object"},
                       {dir + "/deploy/notes.yaml", "input/no-objects"},
                       {dir + "/deploy/values.yaml", "input/not-an-object"},
                   });
  // A file named explicitly that holds no object is still bad input, and so is a folder with none.
  CHECK(rule_of(kv::load_paths({dir + "/deploy/values.yaml"})) == "input/missing-kind");
  CHECK(rule_of(kv::load_paths({dir + "/deploy/kustomization.yaml"})) == "input/not-an-object");
  auto both = kv::load_paths({dir + "/deploy/app.yaml", dir + "/deploy/blank.yaml"});
  CHECK(both.resources.size() == 1);
  CHECK(rule_of(both) == "input/no-objects");
  auto chart_only = kv::load_paths({dir + "/chart"});
  CHECK(rule_of(chart_only) == "input/is-a-chart");  // named explicitly: bad input, with the command to use
  CHECK(chart_only.skipped.empty());
  // Hook mode stays silent about all of it.
  kv::LoadOptions hook;
  hook.ignore_non_objects = true;
  auto quiet = kv::load_paths({dir}, hook);
  CHECK(quiet.ok());
  CHECK(quiet.skipped.empty());
}

TEST_CASE("load_paths: a folder's files loaded side by side come out in path order, skips and problems too") {
  TempDir t;
  auto write = [&](const std::string& name, const std::string& text) {
    fs::create_directories(fs::path(t.path + "/" + name).parent_path());
    std::ofstream(t.path + "/" + name) << text;
  };
  for (int i = 0; i < 30; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%02d.yaml", i);
    if (i == 7) write(name, "# only a comment\n");
    else if (i == 12) write(name, "kind: [unclosed\n");
    else write(name, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" + std::to_string(i) + "}\n---\n"
                     "apiVersion: v1\nkind: Secret\nmetadata: {name: s-" + std::to_string(i) + "}\n");
  }
  write("f20.d/kustomization.yaml", "resources: [a.yaml]\n");
  write("f25.d/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
  write("f25.d/templates/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-chart}\n");
  auto r = kv::load_paths({t.path});
  REQUIRE(r.resources.size() == 56);  // 28 files of two objects
  std::vector<std::string> names;
  for (const auto& res : r.resources) names.push_back(res.name);
  CHECK(names[0] == "cm-0");
  CHECK(names[1] == "s-0");
  CHECK(names[14] == "cm-8");  // after f07 (blank)
  CHECK(names[55] == "s-29");
  for (size_t k = 0; k + 1 < r.resources.size(); ++k) CHECK(r.resources[k].source.file <= r.resources[k + 1].source.file);
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].findings[0].file == t.path + "/f12.yaml");
  REQUIRE(r.skipped.size() == 3);
  CHECK(r.skipped[0].findings[0].file == t.path + "/f07.yaml");
  CHECK(r.skipped[1].findings[0].rule == "input/not-an-object");  // f20.d/kustomization.yaml
  CHECK(r.skipped[2].findings[0].rule == "input/helm-chart");     // f25.d
}

TEST_CASE("load_paths: more files than one window keep their order") {
  TempDir t;
  for (int i = 0; i < 150; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%03d.yaml", i);
    std::ofstream(t.path + "/" + name) << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-" << i << "}\n";
  }
  auto r = kv::load_paths({t.path});
  REQUIRE(r.resources.size() == 150);
  for (int i = 0; i < 150; ++i) CHECK(r.resources[i].name == "cm-" + std::to_string(i));
}
