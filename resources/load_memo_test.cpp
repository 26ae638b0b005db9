#include "resources/load_memo.h"

#include <fstream>

#include <doctest/doctest.h>

#include "core/files.h"
#include "core/temp_dir_test_support.h"
#include "resources/loader.h"

namespace {

using kv::core::testing::TempDir;

// A stream over 4 KiB: clean objects, a duplicate key, an RBAC role, a List, a bad document.
std::string stream() {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) +
            "\n  namespace: ns\ndata:\n  k: \"" + std::string(60, 'v') + "\"\n---\n";
  text += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata: {a: 1, a: 2}\n---\n";
  text += "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n---\n";
  text += "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: in-list}}\n---\n";
  text += "kind: [unclosed\n---\n";
  text += "  # a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generateName: web-\n";
  return text;
}

void check_same(const kv::LoadResult& a, const kv::LoadResult& b) {
  REQUIRE(a.resources.size() == b.resources.size());
  for (size_t i = 0; i < a.resources.size(); ++i) {
    const kv::Resource &x = a.resources[i], &y = b.resources[i];
    CHECK(x.api_version == y.api_version);
    CHECK(x.kind == y.kind);
    CHECK(x.name == y.name);
    CHECK(x.generate_name == y.generate_name);
    CHECK(x.namespace_ == y.namespace_);
    CHECK(x.source.file == y.source.file);
    CHECK(x.source.line == y.source.line);
    CHECK(x.source.column == y.source.column);
    CHECK(x.source.document == y.source.document);
    CHECK(x.line_base == y.line_base);
    CHECK(x.body == y.body);
    CHECK(x.document_text == y.document_text);
    CHECK(x.local_findings.size() == y.local_findings.size());
    CHECK(x.object.IsMap() == y.object.IsMap());
  }
  REQUIRE(a.problems.size() == b.problems.size());
  for (size_t i = 0; i < a.problems.size(); ++i) CHECK(a.problems[i].findings[0].line == b.problems[i].findings[0].line);
}

}  // namespace

TEST_CASE("load memo: a text loaded again gives the same objects, the clean documents not parsed again") {
  TempDir d("load-memo");
  kv::LoadMemo memo(d.path + "/loads");
  kv::LoadOptions plain;
  plain.keep_objects = false;
  kv::LoadOptions with = plain;
  with.memo = &memo;
  const std::string text = stream();
  REQUIRE(text.size() >= 4096);
  auto reference = kv::load_text(text, "a.yaml", plain);
  REQUIRE(reference.resources.size() == 44);  // 40 + dup + role + list item + deployment
  auto first = kv::load_text(text, "a.yaml", with);  // learns
  check_same(first, reference);
  auto kept = memo.get(kv::LoadMemo::key_of(text));
  REQUIRE(kept);
  CHECK(kept->size() == 42);  // the 40 ConfigMaps, the Role and the Deployment: not the duplicate key, the List
  CHECK(kept->count(40) == 0);
  CHECK(kept->at(41).kind == "Role");
  CHECK(kept->at(44).generate_name == "web-");
  auto second = kv::load_text(text, "b.yaml", with);  // from the memo, under another name
  auto reference_b = kv::load_text(text, "b.yaml", plain);
  check_same(second, reference_b);

  // The memo is what the second load used: an entry changed by hand shows through ...
  std::string file = d.path + "/loads/" + kv::LoadMemo::key_of(text);
  auto saved = kv::read_file(file);
  REQUIRE(saved.ok());
  std::string changed = *saved;
  changed.replace(changed.find("\tcm-0\t"), 6, "\tcm-X\t");
  REQUIRE(kv::write_file_atomic(file, changed, 0600).ok());
  CHECK(kv::load_text(text, "a.yaml", with).resources[0].name == "cm-X");
  // ... and a damaged file is not trusted: every document parsed.
  REQUIRE(kv::write_file_atomic(file, changed.substr(0, changed.size() - 5), 0600).ok());
  CHECK_FALSE(memo.get(kv::LoadMemo::key_of(text)));
  check_same(kv::load_text(text, "a.yaml", with), reference);
}

TEST_CASE("load memo: not used for short texts, kept trees, or fields it cannot hold") {
  TempDir d("load-memo-not");
  kv::LoadMemo memo(d.path + "/loads");
  kv::LoadOptions with;
  with.memo = &memo;
  const std::string text = stream();
  kv::load_text(text, "a.yaml", with);  // keep_objects (the default): trees wanted, no memo
  CHECK_FALSE(memo.get(kv::LoadMemo::key_of(text)));
  with.keep_objects = false;
  kv::load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n", "s.yaml", with);
  CHECK_FALSE(memo.get(kv::LoadMemo::key_of("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n")));
  memo.put(std::string(64, 'a'), {kv::MemoDocument{0, 1, 1, "v1", "ConfigMap", "tab\there", "", ""},
                                  kv::MemoDocument{1, 5, 1, "v1", "ConfigMap", "fine", "", ""}});
  auto kept = memo.get(std::string(64, 'a'));
  REQUIRE(kept);
  CHECK(kept->size() == 1);
  CHECK(kept->begin()->second.name == "fine");
  CHECK_FALSE(memo.get("../escape"));
}
