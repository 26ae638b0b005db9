#include "controlplane/data_template.h"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>

#include "controlplane/files.h"

namespace kv::controlplane {

namespace fs = std::filesystem;

namespace {
std::string scratch(const char* name) {
  std::string dir = (fs::temp_directory_path() / (std::string(name) + "-" + std::to_string(getpid()))).string();
  fs::remove_all(dir);
  REQUIRE(make_private_dir(dir).ok());
  return dir;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("template_key: equal parts give equal keys, any change or regrouping another") {
  auto k = template_key({"etcd --a", "kube-apiserver --b"});
  CHECK(k.size() == 24);
  CHECK(k == template_key({"etcd --a", "kube-apiserver --b"}));
  CHECK(k != template_key({"etcd --a", "kube-apiserver --c"}));
  CHECK(k != template_key({"etcd --a", "kube-apiserver", "--b"}));
  CHECK(k != template_key({"kube-apiserver --b", "etcd --a"}));
}

TEST_CASE("file_identity: changes with the content's size; a missing file is marked") {
  std::string dir = scratch("kv-tmpl-id");
  REQUIRE(write_file_atomic(dir + "/bin", "one", 0700).ok());
  auto before = file_identity(dir + "/bin");
  REQUIRE(write_file_atomic(dir + "/bin", "three", 0700).ok());
  CHECK(file_identity(dir + "/bin") != before);
  CHECK(file_identity(dir + "/none") == dir + "/none ?");
  fs::remove_all(dir);
}

TEST_CASE("copy_data_dir: same bytes, private modes, zero runs become holes, never over an existing folder") {
  std::string dir = scratch("kv-tmpl-copy");
  REQUIRE(make_private_dir(dir + "/src/member/wal").ok());
  std::string wal(4 << 20, '\0');  // 4 MiB, data only at its start and in its middle
  wal.replace(0, 5, "head!");
  wal.replace(2 << 20, 4, "mid!");
  REQUIRE(write_file_atomic(dir + "/src/member/wal/0.wal", wal, 0644).ok());
  REQUIRE(write_file_atomic(dir + "/src/member/db", "bolt", 0644).ok());

  REQUIRE(copy_data_dir(dir + "/src", dir + "/dst").ok());
  CHECK(slurp(dir + "/dst/member/wal/0.wal") == wal);
  CHECK(slurp(dir + "/dst/member/db") == "bolt");
  struct stat st{};
  REQUIRE(::stat((dir + "/dst/member/wal/0.wal").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(st.st_blocks * 512 < (1 << 20));  // the zeros take no room
  REQUIRE(::stat((dir + "/dst/member").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  auto again = copy_data_dir(dir + "/src", dir + "/dst");
  CHECK_FALSE(again.ok());
  CHECK(slurp(dir + "/dst/member/db") == "bolt");
  fs::remove_all(dir);
}

TEST_CASE("publish_template / find_template: a template is found only once it is complete") {
  std::string dir = scratch("kv-tmpl-pub");
  REQUIRE(make_private_dir(dir + "/data/member").ok());
  REQUIRE(write_file_atomic(dir + "/data/member/db", "v1", 0600).ok());
  std::string root = dir + "/templates";
  CHECK_FALSE(find_template(root, "k1"));
  REQUIRE(make_private_dir(root + "/k1/etcd-data").ok());  // a maker that died half way
  CHECK_FALSE(find_template(root, "k1"));

  REQUIRE(publish_template(dir + "/data", root, "k1").ok());
  auto found = find_template(root, "k1");
  REQUIRE(found);
  CHECK(slurp(*found + "/member/db") == "v1");
  // Published once: a later publish keeps the first.
  REQUIRE(write_file_atomic(dir + "/data/member/db", "v2", 0600).ok());
  REQUIRE(publish_template(dir + "/data", root, "k1").ok());
  CHECK(slurp(*find_template(root, "k1") + "/member/db") == "v1");
  CHECK_FALSE(find_template(root, "k2"));
  CHECK(std::distance(fs::directory_iterator(root), fs::directory_iterator()) == 1);  // no temporary left
  fs::remove_all(dir);
}

}  // namespace kv::controlplane
