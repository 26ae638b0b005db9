#include "resources/loader.h"

#include <chrono>

#include <doctest/doctest.h>

#include "resources/locate.h"

using kv::load_text;

namespace {
const kv::Finding& only_finding(const kv::LoadResult& r) {
  REQUIRE(r.problems.size() == 1);
  REQUIRE(r.problems[0].findings.size() == 1);
  return r.problems[0].findings[0];
}
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST_CASE("load_text fills identity, source and body of each document") {
  std::string text =
      "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
      "  namespace: demo\n---\n\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  generateName: p-\n";
  auto r = load_text(text, "in.yaml");
  REQUIRE(r.ok());
  REQUIRE(r.resources.size() == 2);
  const kv::Resource& cm = r.resources[0];
  CHECK(cm.api_version == "v1");
  CHECK(cm.kind == "ConfigMap");
  CHECK(cm.name == "cm");
  CHECK(cm.namespace_ == "demo");
  CHECK(cm.source.file == "in.yaml");
  CHECK(cm.source.line == 3);
  CHECK(cm.source.column == 1);
  CHECK(cm.source.document == 0);
  CHECK(cm.line_base == 1);
  CHECK(cm.body == "# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
                   "  namespace: demo\n");
  const kv::Resource& pod = r.resources[1];
  CHECK(pod.name.empty());
  CHECK(pod.generate_name == "p-");
  CHECK(pod.source.line == 11);
  CHECK(pod.source.document == 1);
  CHECK(pod.display_id() == "Pod/p-*");
}

TEST_CASE("load_text expands List and *List kinds, each item re-emitted as the server reads the List") {
  std::string text =
      "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
      "  metadata: {name: a}\n  data: {n: \"1\", b: 'true'}\n- apiVersion: v1\n  kind: ConfigMap\n"
      "  metadata: {name: b}\n---\napiVersion: v1\nkind: List\nitems: []\n";
  auto r = load_text(text, "l.yaml");
  REQUIRE(r.ok());
  REQUIRE(r.resources.size() == 2);
  // (the plain key `n` is the boolean false to YAML 1.1, the key "false" to the server: kept as a token)
  CHECK(r.resources[0].body ==
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{n: "1","b":"true"}})");
  CHECK(r.resources[0].source.line == 4);
  CHECK(r.resources[0].source.column == 3);
  CHECK(r.resources[1].source.line == 8);
  CHECK(r.resources[1].name == "b");
}

TEST_CASE("load_text skips empty documents and accepts JSON and a BOM") {
  CHECK(load_text("", "e.yaml").resources.empty());
  CHECK(load_text("# nothing\n---\n...\n---\n~\n", "e.yaml").ok());
  auto j = load_text("\xEF\xBB\xBF{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}",
                     "s.json");
  REQUIRE(j.ok());
  REQUIRE(j.resources.size() == 1);
  CHECK(j.resources[0].kind == "Secret");
  CHECK(j.resources[0].source.line == 1);
  CHECK(j.resources[0].source.column == 1);
}

TEST_CASE("load_text reports bad documents as input problems and keeps the rest") {
  std::string text =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n"  // 1-3
      "---\n"                                                      // 4
      "- a\n- b\n"                                                 // 5-6
      "---\n"                                                      // 7
      "metadata: {name: x}\n"                                      // 8
      "---\n"                                                      // 9
      "apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: y}\n"   // 10-12
      "---\n"                                                      // 13
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n" // 14-17
      "---\n"                                                      // 18
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\ndata: [1, 2\n"  // 19-22
      "---\n"                                                      // 23
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: last}\n";
  auto r = load_text(text, "mixed.yaml");
  REQUIRE(r.resources.size() == 2);
  CHECK(r.resources[1].name == "last");
  REQUIRE(r.problems.size() == 5);
  struct Want { const char* rule; int line; };
  Want want[] = {{"input/not-an-object", 5}, {"input/missing-kind", 8}, {"input/invalid-kind", 11},
                 {"input/missing-name", 16}, {"input/yaml-syntax", 22}};
  for (size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const kv::ObjectResult& p = r.problems[i];
    CHECK(p.kind_of_result == kv::ResultKind::kInput);
    CHECK(p.status == kv::ObjectStatus::kError);
    REQUIRE(p.findings.size() == 1);
    CHECK(p.findings[0].severity == kv::Severity::kError);
    CHECK(p.findings[0].rule == want[i].rule);
    CHECK(p.findings[0].file == "mixed.yaml");
    CHECK(p.findings[0].line >= want[i].line);
    CHECK(p.findings[0].line <= want[i].line + 1);
    CHECK(p.source.file == "mixed.yaml");
  }
  CHECK(r.problems[2].findings[0].message == "kind must be a string, found a list");
  CHECK(r.problems[2].findings[0].line == 11);
  CHECK(r.problems[0].source.document == 1);
}

TEST_CASE("load_text: values that YAML does not read as strings are not a kind or apiVersion") {
  CHECK(only_finding(load_text("apiVersion: v1\nkind: 42\nmetadata: {name: x}\n", "k.yaml")).rule ==
        "input/invalid-kind");
  CHECK(only_finding(load_text("apiVersion: 1.0\nkind: X\nmetadata: {name: x}\n", "k.yaml")).message ==
        "apiVersion must be a string, found not a string");
  CHECK(only_finding(load_text("apiVersion: v1\nkind: yes\nmetadata: {name: x}\n", "k.yaml")).rule ==
        "input/invalid-kind");
  CHECK(load_text("apiVersion: v1\nkind: \"42\"\nmetadata: {name: x}\n", "k.yaml").ok());
  CHECK(only_finding(load_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {a: b}}\n", "k.yaml"))
            .rule == "input/invalid-metadata");
  CHECK(only_finding(load_text("apiVersion: v1\nkind:\nmetadata: {name: x}\n", "k.yaml")).message ==
        "kind is missing: not a Kubernetes object");
}

TEST_CASE("load_text: items of a List that are not objects are problems at their line") {
  auto r = load_text("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
                     "  metadata: {name: a}\n- just text\n- kind: ConfigMap\n", "l.yaml");
  CHECK(r.resources.size() == 1);
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0].findings[0].line == 7);
  CHECK(r.problems[0].findings[0].message.rfind("items[1]: ", 0) == 0);
  CHECK(r.problems[1].findings[0].line == 8);
  CHECK(only_finding(load_text("apiVersion: v1\nkind: List\nitems: 3\n", "l.yaml")).rule ==
        "input/invalid-list");
}

TEST_CASE("load_text in hook mode skips documents that are not Kubernetes objects") {
  kv::LoadOptions hook;
  hook.ignore_non_objects = true;
  auto r = load_text("name: ci\non: [push]\n---\n- a\n---\napiVersion: v1\nkind: ConfigMap\n"
                     "metadata: {name: c}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
                     "h.yaml", hook);
  CHECK(r.resources.size() == 1);
  REQUIRE(r.problems.size() == 1);  // a Kubernetes object without a name is still a problem
  CHECK(r.problems[0].findings[0].rule == "input/missing-name");
}

// (How fast is bench/'s to say: bench/scale.sh. These only print it.)
TEST_CASE("load_text handles a List of 100,000 items") {
  std::string text = "apiVersion: v1\nkind: List\nitems:\n";
  for (int i = 0; i < 100000; ++i) {
    text += "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-" + std::to_string(i) +
            "\n  data:\n    key: value\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  auto r = load_text(text, "big.yaml");
  double took = seconds_since(t0);
  MESSAGE("100,000-item List loaded in " << took << " s");
  REQUIRE(r.ok());
  REQUIRE(r.resources.size() == 100000);
  CHECK(r.resources[99999].name == "cm-99999");
  CHECK(r.resources[99999].source.line == 3 + 99999 * 6 + 1);
  CHECK(kv::locate(r.resources[99999], "data.key")->line == 3 + 99999 * 6 + 6);
}

TEST_CASE("load_text loads 2,000 objects") {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d" + std::to_string(i) +
            "\n  namespace: ns" + std::to_string(i % 20) +
            "\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: d}\n  template:\n    metadata:\n"
            "      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n"
            "        ports:\n        - containerPort: 80\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  auto r = load_text(text, "many.yaml");
  double took = seconds_since(t0);
  MESSAGE("2,000 Deployments loaded in " << took << " s");
  REQUIRE(r.resources.size() == 2000);
  CHECK(r.resources[1999].namespace_ == "ns19");
}

TEST_CASE("load_text stops after kMaxProblemsPerStream problems" * doctest::timeout(30)) {
  std::string text;
  for (int i = 0; i < 1000000; ++i) text += "x\n---\n";  // a million scalar documents
  auto t0 = std::chrono::steady_clock::now();
  auto r = load_text(text, "many.yaml");
  CHECK(seconds_since(t0) < 5);
  REQUIRE(r.problems.size() == kv::kMaxProblemsPerStream + 1);
  CHECK(r.problems.back().findings[0].rule == "input/too-many-problems");
  CHECK(r.problems.back().findings[0].line == 201);
}

TEST_CASE("load_text refuses a document too big to parse safely" * doctest::timeout(30)) {
  std::string text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: [";
  for (int i = 0; i < 2600000; ++i) text += "1,";
  text += "1]\n";
  auto r = load_text(text, "flow.yaml");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].findings[0].rule == "input/too-large");
  CHECK(r.problems[0].findings[0].line == 1);
}

TEST_CASE("load_text: documents parsed side by side load in stream order, problems at their lines") {
  // Large enough for the parallel parse (windows of 256 documents, 8 KiB and more).
  std::string text;
  int line = 1;
  std::vector<int> bad_lines;
  for (int i = 0; i < 600; ++i) {
    if (i % 100 == 42) {
      bad_lines.push_back(line + 1);  // where the flow left unclosed opens, as alone
      text += "kind: ConfigMap\nmetadata: {name: [unclosed\n---\n";
      line += 3;
      continue;
    }
    text += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) + "\ndata:\n  k: \"" +
            std::string(40, 'v') + "\"\n---\n";
    line += 7;
  }
  auto r = load_text(text, "side.yaml");
  REQUIRE(r.resources.size() == 594);
  int previous = -1;
  for (const auto& res : r.resources) {
    int n = std::stoi(res.name.substr(3));
    CHECK(n > previous);
    CHECK(n % 100 != 42);
    previous = n;
  }
  CHECK(r.resources[0].source.line == 1);
  CHECK(r.resources[1].source.line == 8);
  REQUIRE(r.problems.size() == bad_lines.size());
  for (size_t k = 0; k < bad_lines.size(); ++k) CHECK(r.problems[k].findings[0].line == bad_lines[k]);
}
