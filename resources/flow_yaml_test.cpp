#include "resources/flow_yaml.h"

#include <doctest/doctest.h>

#include "resources/loader.h"

TEST_CASE("yaml11_non_string follows the server's YAML 1.1 resolution") {
  for (const char* s : {"~", "null", "yes", "No", "on", "OFF", "y", "true", "0", "-12", "1_000", "0644", "0x1F",
                        "0o17", "0b101", "1.5", ".5", "1e3", "-2.5E-3", ".inf", "-.Inf", ".nan"})
    CHECK_MESSAGE(kv::yaml11_non_string(s), s);
  for (const char* s : {"", "nginx:1.27", "500m", "12XB", "1Gi", "v1", "yesterday", "0x", "1.2.3", "--", "0644x"})
    CHECK_MESSAGE(!kv::yaml11_non_string(s), s);
}

TEST_CASE("to_flow_yaml keeps every scalar's type as the server reads it, and leaves fields out") {
  auto loaded = kv::load_text(
      "apiVersion: v1\n"
      "kind: Pod\n"
      "metadata:\n"
      "  name: p\n"
      "  annotations: {a: \"1\", b: 'yes'}\n"
      "spec:\n"
      "  containers:\n"
      "  - name: app\n"
      "    image: nginx:1.27\n"
      "    tty: yes\n"
      "    bogus: 1\n"
      "    args: [\"--x\", 0644]\n"
      "    command:\n"
      "    - |\n"
      "      multi\n"
      "  volumes:\n"
      "  - name: v\n"
      "    configMap: {name: c, defaultMode: 0644}\n",
      "p.yaml");
  REQUIRE(loaded.ok());
  YAML::Node tree = kv::object_tree(loaded.resources[0]);
  const YAML::Node& c = tree;
  std::vector<YAML::Node> out = {c["spec"]["containers"][0]["bogus"], c["spec"]["volumes"][0]};
  std::string flow = kv::to_flow_yaml(tree, out);
  CHECK(flow ==
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"annotations\":{\"a\":\"1\",\"b\":\"yes\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.27\",\"tty\":yes,\"args\":[\"--x\",0644],"
        "\"command\":[\"multi\\n\"]}],\"volumes\":[]}}");
  // The result reads back as the same tree (minus what was left out).
  YAML::Node again = YAML::Load(flow);
  CHECK(again["spec"]["containers"][0]["tty"].Scalar() == "yes");
  CHECK_FALSE(again["spec"]["containers"][0]["bogus"]);
}

TEST_CASE("to_flow_yaml keeps a plain key that YAML 1.1 types as its token: the server names it as it would") {
  YAML::Node tree = YAML::Load("data: {on: a, 0x10: b, \"yes\": c, plain: d}\n");
  CHECK(kv::to_flow_yaml(tree) == R"({"data":{on: "a",0x10: "b","yes":"c","plain":"d"}})");
  // and it reads back with the same keys as the original text (yaml-cpp keeps the tokens; the server types them)
  YAML::Node again = YAML::Load(kv::to_flow_yaml(tree));
  CHECK(again["data"]["on"].as<std::string>() == "a");
  CHECK(again["data"]["0x10"].as<std::string>() == "b");
}
