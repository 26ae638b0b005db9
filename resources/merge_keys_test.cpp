#include "resources/merge_keys.h"

#include <doctest/doctest.h>

#include "core/json.h"
#include "resources/loader.h"

using namespace kv;

namespace {

std::string json_of(const YAML::Node& n) { return JsonWriter(false).node(n).str(); }

}  // namespace

TEST_CASE("merge keys: the map's own keys win, of several merged maps the earlier one, the << key goes") {
  YAML::Node doc = YAML::Load(
      "a: &a {x: 1, y: 1}\n"
      "b: &b {y: 2, z: 2}\n"
      "own: {<<: *a, x: 9}\n"
      "own_first: {x: 9, <<: *a}\n"
      "several: {<<: [*a, *b]}\n");
  CHECK(resolve_merge_keys(doc));
  CHECK(json_of(doc["own"]) == R"({"x":9,"y":1})");
  CHECK(json_of(doc["own_first"]) == R"({"x":9,"y":1})");
  CHECK(json_of(doc["several"]) == R"({"x":1,"y":1,"z":2})");
  CHECK_FALSE(resolve_merge_keys(doc));  // nothing left to resolve
}

TEST_CASE("merge keys: a quoted << is a key like any other; a merge of no map is left as written") {
  YAML::Node doc = YAML::Load("quoted: {\"<<\": literal}\nscalar: {<<: text}\n");
  CHECK_FALSE(resolve_merge_keys(doc));
  CHECK(json_of(doc) == R"({"quoted":{"<<":"literal"},"scalar":{"<<":"text"}})");
}

TEST_CASE("merge keys: nested merges resolve, and merged fields keep the anchor's marks") {
  YAML::Node doc = YAML::Load(
      "base: &base\n"
      "  inner: &inner {k: v}\n"
      "  deep: {<<: *inner, extra: 1}\n"
      "use:\n"
      "  <<: *base\n");
  CHECK(resolve_merge_keys(doc));
  CHECK(json_of(doc["use"]) == R"({"inner":{"k":"v"},"deep":{"extra":1,"k":"v"}})");
  CHECK(doc["use"]["inner"]["k"].Mark().line == 1);  // where the anchor wrote it (0-based)
}

TEST_CASE("loader: a document with merge keys is sent resolved, its scalars typed as written, lines kept") {
  const std::string text =
      "apiVersion: v1\n"
      "kind: ConfigMap\n"
      "metadata:\n"
      "  name: m\n"
      "  labels: &l {app: web}\n"
      "  annotations:\n"
      "    <<: *l\n"
      "    on: yes\n"
      "data: {a: b}\n";
  LoadOptions opts;
  auto r = load_text(text, "m.yaml", opts);
  REQUIRE(r.problems.empty());
  REQUIRE(r.resources.size() == 1);
  const Resource& res = r.resources[0];
  CHECK(res.body.find("<<") == std::string::npos);
  // Plain tokens as written: YAML 1.1 makes the value a boolean and the key the string "true".
  CHECK(res.body.find(R"("annotations":{on: yes,"app":"web"})") != std::string::npos);
  CHECK(res.text() == text);                             // the lines findings are placed by
  CHECK(object_tree(res)["metadata"]["annotations"]["app"].Mark().line == 4);
  // Without a merge key the document's own text is sent.
  auto plain = load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: {k: \"<<\"}\n", "p.yaml", opts);
  REQUIRE(plain.resources.size() == 1);
  CHECK(plain.resources[0].body == "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata: {k: \"<<\"}\n");
}
