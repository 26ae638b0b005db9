#include "resources/list_split.h"

#include <climits>

#include <doctest/doctest.h>

#include "resources/loader.h"
#include "resources/locate.h"

namespace {

// Loads `text` once cut into items and once as one document.
std::pair<kv::LoadResult, kv::LoadResult> both_ways(const std::string& text) {
  kv::LoadOptions cut, whole;
  cut.split_lists_from = 0;
  cut.keep_objects = whole.keep_objects = false;
  whole.split_lists_from = SIZE_MAX;
  return {kv::load_text(text, "l.yaml", cut), kv::load_text(text, "l.yaml", whole)};
}

// Same objects at the same places (and the same field lines), the same problems.
// `cut_used`: whether the cut loaded it (its objects' bodies are their own text, not JSON).
void check_same(const std::string& text, bool cut_used, const std::vector<std::string>& paths = {"data.key", "metadata.name"}) {
  auto [cut, whole] = both_ways(text);
  for (const auto& r : cut.resources)
    if (r.local_findings.empty()) CHECK((r.body.front() != '{') == cut_used);
  REQUIRE(cut.resources.size() == whole.resources.size());
  for (size_t i = 0; i < cut.resources.size(); ++i) {
    const kv::Resource &a = cut.resources[i], &b = whole.resources[i];
    CAPTURE(i);
    CHECK(a.display_id() == b.display_id());
    CHECK(a.source.line == b.source.line);
    CHECK(a.source.column == b.source.column);
    CHECK(a.source.document == b.source.document);
    CHECK(a.local_findings.size() == b.local_findings.size());
    for (size_t k = 0; k < std::min(a.local_findings.size(), b.local_findings.size()); ++k)
      CHECK(a.local_findings[k].line == b.local_findings[k].line);
    for (const auto& p : paths) {
      auto pa = kv::locate(a, p), pb = kv::locate(b, p);
      REQUIRE(pa.has_value() == pb.has_value());
      if (pa) CHECK(pa->line == pb->line);
      if (pa) CHECK(pa->column == pb->column);
    }
  }
  REQUIRE(cut.problems.size() == whole.problems.size());
  for (size_t i = 0; i < cut.problems.size(); ++i) {
    CHECK(cut.problems[i].findings[0].rule == whole.problems[i].findings[0].rule);
    CHECK(cut.problems[i].source.line == whole.problems[i].source.line);
  }
}

}  // namespace

TEST_CASE("split_block_list cuts a block List into its items, same lines and columns") {
  auto s = kv::split_block_list(
      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n\n  # two\n"
      "  -\n    kind: Secret\nmetadata: {}\n");
  REQUIRE(s);
  REQUIRE(s->items.size() == 2);
  CHECK(s->items[0].first_line == 4);
  CHECK(s->items[0].text == "    apiVersion: v1\n    kind: ConfigMap\n\n  # two\n");
  CHECK(s->items[1].first_line == 8);
  CHECK(s->items[1].text == "   \n    kind: Secret\n");
  CHECK(s->header == "apiVersion: v1\nkind: List\nitems:\n\n\n\n\n\n\nmetadata: {}\n");
}

TEST_CASE("split_block_list leaves what it cannot cut by lines to the whole parse") {
  CHECK_FALSE(kv::split_block_list("apiVersion: v1\nkind: List\nitems: []\n"));
  CHECK_FALSE(kv::split_block_list("apiVersion: v1\nkind: List\nitems: [{a: 1}]\n"));
  CHECK_FALSE(kv::split_block_list("{\"kind\": \"List\", \"items\": [{}]}"));
  CHECK_FALSE(kv::split_block_list("kind: List\nitems:\n  a: 1\n"));                 // not a sequence
  CHECK_FALSE(kv::split_block_list("kind: List\nitems:\n- a: 1\nitems:\n- b: 2\n"));  // items twice
  CHECK_FALSE(kv::split_block_list("kind: List\nitems:\n  - a: 1\n - b: 2\n"));      // another column
  CHECK_FALSE(kv::split_block_list("kind: List\nitems:\n- a:\t1\n"));                // a tab
  CHECK_FALSE(kv::split_block_list("kind: List\nitems:\r\n- a: 1\r\n"));
}

TEST_CASE("a List loaded item by item gives the objects, lines and problems of the whole parse") {
  const std::string cm = "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{}\n  data:\n    key: |\n"
                         "      text\n      more\n";
  std::string many = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < 20; ++i) many += cm;
  check_same(many, true);
  check_same("apiVersion: v1\nkind: ConfigMapList\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n"
             "    metadata: {name: a, namespace: n}\n    data:\n      key: v\n\n  # between\n"
             "  - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: {key: w}}\nmetadata:\n  resourceVersion: \"\"\n", true);
  // Problems of items: not a map, no name, a duplicate key (a finding of the object at its line).
  check_same("apiVersion: v1\nkind: List\nitems:\n- 3\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n"
             "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: d\n  data:\n    key: a\n    key: b\n", true);
}

TEST_CASE("a List the cut cannot load alone is parsed whole") {
  // An alias to another item's anchor, and a bad item: both as the whole parse says.
  check_same("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
             "  data: &d\n    key: v\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n  data: *d\n", false);
  check_same("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a\n", false);
  auto [cut, whole] = both_ways("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                                "  metadata: {name: a}\n  data: &d\n    key: v\n- apiVersion: v1\n  kind: ConfigMap\n"
                                "  metadata: {name: b}\n  data: *d\n");
  REQUIRE(cut.resources.size() == 2);
  CHECK(kv::locate(cut.resources[1], "data.key")->line == 8);  // the anchor's
}

TEST_CASE("List items loaded alone are sent as their own text and keep no tree") {
  kv::LoadOptions o;
  o.split_lists_from = 0;
  o.keep_objects = false;
  auto r = kv::load_text("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                         "  metadata: {name: a}\n", "l.yaml", o);
  REQUIRE(r.resources.size() == 1);
  CHECK(r.resources[0].body == "  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n");
  CHECK(r.resources[0].object.IsNull());
  CHECK(kv::object_tree(r.resources[0])["metadata"]["name"].Scalar() == "a");
}
