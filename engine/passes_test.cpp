#include "engine/passes.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

namespace {

kv::Finding finding(const char* rule, const char* message, const char* path) {
  kv::Finding f;
  f.rule = rule;
  f.message = message;
  f.path = path;
  return f;
}

}  // namespace

TEST_CASE("body_without leaves the fields out and keeps every other value as written") {
  auto loaded = kv::load_text(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: \"three\"\n"
      "  template:\n    spec:\n      containers:\n      - name: api\n        image: x\n"
      "        imagePullPolicy: Sometimes\n        securityContext: {runAsUser: 0644}\n",
      "d.yaml");
  REQUIRE(loaded.ok());
  auto body = kv::engine::body_without(loaded.resources[0], {"spec.replicas"});
  REQUIRE(body);
  CHECK(body->find("replicas") == std::string::npos);
  CHECK(body->find("\"imagePullPolicy\":\"Sometimes\"") != std::string::npos);
  CHECK(body->find("\"runAsUser\":0644") != std::string::npos);
  CHECK_FALSE(kv::engine::body_without(loaded.resources[0], {"spec.nothing"}));
  // The name stays: without it the request is refused for that alone.
  CHECK_FALSE(kv::engine::body_without(loaded.resources[0], {"metadata.name"}));
  auto kept = kv::engine::body_without(loaded.resources[0], {"metadata.name", "spec.replicas"});
  REQUIRE(kept);
  CHECK(kept->find("\"name\":\"api\"") != std::string::npos);
  CHECK(kept->find("replicas") == std::string::npos);
}

TEST_CASE("under_any and adds_to keep later passes to what is new") {
  using kv::engine::under_any;
  CHECK(under_any("spec.replicas", {"spec.replicas"}));
  CHECK(under_any("spec.template.spec.containers[0].image", {"spec.template.spec.containers[0]"}));
  CHECK_FALSE(under_any("spec.replicasX", {"spec.replicas"}));
  auto first = finding("dry-run/wrong-type", "spec.replicas: expected numeric", "spec.replicas");
  auto required = finding("dry-run/FieldValueRequired", "spec.replicas: Required", "spec.replicas");
  auto other = finding("dry-run/FieldValueNotSupported", "x", "spec.template.spec.containers[0].imagePullPolicy");
  auto loaded = kv::load_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: x}\n", "d.yaml");
  REQUIRE(loaded.ok());
  const auto& d = loaded.resources[0];
  CHECK_FALSE(kv::engine::adds_to(d, {first}, required, {"spec.replicas"}));
  CHECK(kv::engine::adds_to(d, {first}, other, {"spec.replicas"}));
  CHECK_FALSE(kv::engine::adds_to(d, {first, other}, other, {"spec.replicas"}));
  // Found by pass 2 and again by pass 3: the kept one's words end with its pass.
  auto kept = other;
  kept.message += " (pass 2: found once the fields above were set aside)";
  CHECK_FALSE(kv::engine::adds_to(d, {first, kept}, other, {"spec.replicas"}));
  auto longer = other;
  longer.message += ": more";
  CHECK(kv::engine::adds_to(d, {first, kept}, longer, {"spec.replicas"}));
}

TEST_CASE("a validation rule failing for want of a field set aside adds nothing") {
  auto loaded = kv::load_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {color: green, size: 2}\n",
                              "w.yaml");
  REQUIRE(loaded.ok());
  auto missing = finding("dry-run/FieldValueInvalid",
                         "spec: Invalid value: \"object\": no such key: color evaluating rule: blue needs size", "spec");
  auto failed = finding("dry-run/FieldValueInvalid", "spec: Invalid value: failed rule: self.size < 100", "spec");
  CHECK_FALSE(kv::engine::adds_to(loaded.resources[0], {}, missing, {"spec.color"}));
  CHECK(kv::engine::adds_to(loaded.resources[0], {}, failed, {"spec.color"}));
  CHECK(kv::engine::adds_to(loaded.resources[0], {}, missing, {"spec.size"}));
  auto mismatch = finding("dry-run/FieldValueInvalid",
                          "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match "
                          "template `labels`",
                          "spec.template.metadata.labels");
  CHECK_FALSE(kv::engine::adds_to(loaded.resources[0], {}, mismatch, {"spec.selector"}));
  CHECK(kv::engine::adds_to(loaded.resources[0], {}, mismatch, {"spec.replicas"}));
}

TEST_CASE("a Required value for a field that held one set aside adds nothing") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n"
      "    livenessProbe: {exec: {command: [true]}}\n",
      "p.yaml");
  REQUIRE(loaded.ok());
  auto required = finding("dry-run/FieldValueRequired", "spec.containers[0].livenessProbe.exec.command: Required value",
                          "spec.containers[0].livenessProbe.exec.command");
  const auto& pod = loaded.resources[0];
  CHECK_FALSE(kv::engine::adds_to(pod, {}, required, {"spec.containers[name=a].livenessProbe.exec.command[0]"}));
  CHECK_FALSE(kv::engine::adds_to(pod, {}, required, {"spec.containers[0].livenessProbe.exec.command[0]"}));
  CHECK(kv::engine::adds_to(pod, {}, required, {"spec.containers[0].image"}));
  kv::Finding invalid = required;
  invalid.rule = "dry-run/FieldValueInvalid";
  CHECK(kv::engine::adds_to(pod, {}, invalid, {"spec.containers[0].livenessProbe.exec.command[0]"}));
}

TEST_CASE("a field set aside under its selector spelling covers the same field by index") {
  auto loaded = kv::load_text(
      "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: http, port: 80}\n"
      "  - {name: 15012, port: 15012, protocol: TCP}\n",
      "s.yaml");
  REQUIRE(loaded.ok());
  const auto& s = loaded.resources[0];
  YAML::Node tree = kv::object_tree(s);
  CHECK(kv::engine::index_form(tree, "Service", "spec.ports[port=15012,protocol=TCP].name") == "spec.ports[1].name");
  CHECK(kv::engine::index_form(tree, "Service", "spec.ports[port=99].name") == "spec.ports[port=99].name");
  CHECK(kv::engine::index_form(tree, "Service", "metadata.name") == "metadata.name");
  auto required = finding("dry-run/FieldValueRequired", "spec.ports[1].name: Required value", "spec.ports[1].name");
  CHECK_FALSE(kv::engine::adds_to(s, {}, required, {"spec.ports[port=15012,protocol=TCP].name"}));
  required.path = "spec.ports[0].name";
  CHECK(kv::engine::adds_to(s, {}, required, {"spec.ports[port=15012,protocol=TCP].name"}));
}
