#include "render/render_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <doctest/doctest.h>

#include "core/temp_dir_test_support.h"

using namespace kv;
using namespace kv::render;
using kv::core::testing::TempDir;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST_CASE("the render key follows the chart's contents, the arguments and the values files") {
  TempDir a("rk-a"), b("rk-b"), c("rk-c");
  for (auto* d : {&a, &b}) {
    ::mkdir((d->path + "/templates").c_str(), 0755);
    write(d->path + "/Chart.yaml", "name: x\n");
    write(d->path + "/templates/cm.yaml", "kind: ConfigMap\n");
  }
  write(c.path + "/values.yaml", "x: 1\n");
  Helm helm{"/nonexistent/helm", "test", "v4.0.0", 4};
  std::vector<std::string> args{"template", "x"};
  // The same inputs give the same key; any other argument, environment or helm gives another.
  auto key_a = render_key(helm, args, {}, {a.path, c.path + "/values.yaml"});
  CHECK(key_a == render_key(helm, args, {}, {a.path, c.path + "/values.yaml"}));
  CHECK(key_a != render_key(helm, {"template", "y"}, {}, {a.path, c.path + "/values.yaml"}));
  CHECK(key_a != render_key(helm, args, {{"HELM_EXPERIMENTAL_CHART_V3", "1"}}, {a.path, c.path + "/values.yaml"}));
  Helm other = helm;
  other.version = "v4.0.1";
  CHECK(key_a != render_key(other, args, {}, {a.path, c.path + "/values.yaml"}));
  // A changed file is another key (a new process: the per-process memo would keep the old digest).
  auto b_before = render_key(helm, args, {}, {b.path});
  write(b.path + "/templates/cm.yaml", "kind: Secret\n");
  CHECK(b_before == render_key(helm, args, {}, {b.path}));  // remembered for this process
}

TEST_CASE("a kept answer is read back whole; a damaged one is not an answer") {
  TempDir d("rc");
  const std::string dir = d.path + "/renders";
  RunResult run;
  run.exit_code = 1;
  run.out = "---\nkind: ConfigMap\n";
  run.err = "Error: bad\n";
  keep_answer(dir, "k1", run);
  auto back = cached_answer(dir, "k1");
  REQUIRE(back);
  CHECK(back->exit_code == 1);
  CHECK(back->out == run.out);
  CHECK(back->err == run.err);
  struct stat st {};
  REQUIRE(::stat((dir + "/k1").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  write(dir + "/k2", "kvalidate-render 1\n0\n100\n0\nshort");
  CHECK_FALSE(cached_answer(dir, "k2"));
  write(dir + "/k3", "something else");
  CHECK_FALSE(cached_answer(dir, "k3"));
  CHECK_FALSE(cached_answer(dir, "missing"));
}

TEST_CASE("the answers folder keeps its newest entries") {
  TempDir d("rc-prune");
  const std::string dir = d.path + "/renders";
  RunResult run;
  run.exit_code = 0;
  for (int i = 0; i < 5; ++i) {
    keep_answer(dir, "e" + std::to_string(i), run, 3);
    struct timespec times[2] = {{1000 + i, 0}, {1000 + i, 0}};
    ::utimensat(AT_FDCWD, (dir + "/e" + std::to_string(i)).c_str(), times, 0);
  }
  keep_answer(dir, "e5", run, 3);
  CHECK_FALSE(cached_answer(dir, "e0"));
  CHECK_FALSE(cached_answer(dir, "e1"));
  CHECK_FALSE(cached_answer(dir, "e2"));
  CHECK(cached_answer(dir, "e3"));
  CHECK(cached_answer(dir, "e5"));
}
