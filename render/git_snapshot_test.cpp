#include "render/git_snapshot.h"

#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/process.h"

namespace kv::render {

namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A repository with two commits of charts/web/values.yaml ("v: 1", then "v: 2"), the second also
// adding charts/web/new.yaml; the work tree then gets an uncommitted change.
struct Repo {
  std::string root;
  Repo() {
    root = (fs::temp_directory_path() / ("kv-git-test-" + std::to_string(getpid()))).string();
    fs::remove_all(root);
    fs::create_directories(root + "/charts/web");
    run({"init", "-q", "-b", "main"});
    write("charts/web/values.yaml", "v: 1\n");
    commit("one");
    write("charts/web/values.yaml", "v: 2\n");
    write("charts/web/new.yaml", "x: y\n");
    commit("two");
    write("charts/web/values.yaml", "v: dirty\n");
  }
  ~Repo() { fs::remove_all(root); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(root + "/" + rel) << text; }
  void run(std::vector<std::string> args) {
    std::vector<std::string> argv = {"git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@t",
                                     "-c", "commit.gpgsign=false"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv);
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->exit_code == 0, r->err);
  }
  void commit(const std::string& msg) {
    run({"add", "-A"});
    run({"commit", "-q", "-m", msg});
  }
};

}  // namespace

TEST_CASE("parse_git_spec") {
  std::string rev;
  CHECK(parse_git_spec("git:origin/main", rev));
  CHECK(rev == "origin/main");
  CHECK_FALSE(parse_git_spec("charts/old", rev));
  CHECK_FALSE(parse_git_spec("old.tgz", rev));
}

TEST_CASE("git_snapshot: a folder as it was at a revision, the work tree untouched") {
  Repo repo;
  auto head1 = git_snapshot(repo.root + "/charts/web", "HEAD~1");
  REQUIRE_MESSAGE(head1.ok(), head1.status().message());
  CHECK(slurp(head1->path + "/values.yaml") == "v: 1\n");
  CHECK_FALSE(fs::exists(head1->path + "/new.yaml"));
  CHECK(head1->commit.size() == 40);
  auto head = git_snapshot(repo.root + "/charts/web", "HEAD");
  REQUIRE(head.ok());
  CHECK(slurp(head->path + "/values.yaml") == "v: 2\n");
  CHECK(slurp(repo.root + "/charts/web/values.yaml") == "v: dirty\n");  // the work tree keeps its change
  std::string tree = head1->tree->path;
  head1 = Status::Internal("released");
  CHECK_FALSE(fs::exists(tree));  // the snapshot goes with its last owner
  // A single file works too.
  auto file = git_snapshot(repo.root + "/charts/web/values.yaml", "main~1");
  REQUIRE(file.ok());
  CHECK(slurp(file->path) == "v: 1\n");
  // The whole tree when asked (a kustomization's ../base): the path still points at the folder.
  repo.write("top.yaml", "t: 1\n");
  repo.commit("three");
  auto whole = git_snapshot(repo.root + "/charts/web", "HEAD", /*whole_tree=*/true);
  REQUIRE(whole.ok());
  CHECK(slurp(whole->path + "/../../top.yaml") == "t: 1\n");
  CHECK(slurp(whole->path + "/new.yaml") == "x: y\n");
  CHECK_FALSE(fs::exists(git_snapshot(repo.root + "/charts/web", "HEAD")->path + "/../../top.yaml"));
}

TEST_CASE("git_snapshot: bad revisions and paths are input errors naming them") {
  Repo repo;
  for (const char* rev : {"", "--output=/tmp/x", "no-such-branch", "HEAD~7"}) {
    auto s = git_snapshot(repo.root + "/charts/web", rev);
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Status::Code::kInvalidInput);
    CHECK_MESSAGE(s.status().message().find("--upgrade-from git:") == 0, s.status().message());
  }
  auto missing = git_snapshot(repo.root + "/charts/web/new.yaml", "HEAD~1");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("did not exist at HEAD~1") != std::string::npos);
  auto outside = git_snapshot(fs::temp_directory_path().string(), "HEAD");
  REQUIRE_FALSE(outside.ok());
  CHECK(outside.status().code() == Status::Code::kInvalidInput);
}

}  // namespace kv::render
