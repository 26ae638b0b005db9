#include "resources/yaml_document.h"

#include <chrono>

#include <doctest/doctest.h>

using kv::parse_document;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST_CASE("parse_document parses YAML and JSON") {
  auto y = parse_document("a: 1\nb: [x, y]\n");
  REQUIRE_FALSE(y.defect);
  CHECK(y.root["b"][1].as<std::string>() == "y");
  auto j = parse_document(R"({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "it's \"q\""}})");
  REQUIRE_FALSE(j.defect);
  CHECK(j.root["data"]["k"].as<std::string>() == "it's \"q\"");
}

TEST_CASE("parse_document reports syntax errors with yaml-cpp's message, line and column") {
  auto p = parse_document("a: 1\nb: [1, 2\nc: 3\n");
  REQUIRE(p.defect);
  CHECK(p.defect->rule == "input/yaml-syntax");
  CHECK(p.defect->line >= 2);
  CHECK(p.defect->column > 0);
  CHECK_FALSE(p.defect->message.empty());
  auto indent = parse_document("a: 1\n b: 2\n");
  REQUIRE(indent.defect);
  CHECK(indent.defect->line == 2);
}

TEST_CASE("parse_document names tab indentation") {
  auto p = parse_document("a:\n  b: 1\n\tc: 2\n");
  REQUIRE(p.defect);
  CHECK(p.defect->rule == "input/tab-indentation");
  CHECK(p.defect->line == 3);
  CHECK(p.defect->message.find("tab") != std::string::npos);
  CHECK_FALSE(parse_document("a: \"x\ty\"\nb: |\n  \tliteral tab\n").defect);
}

TEST_CASE("parse_document keeps the last value of a duplicate key and reports the later key") {
  auto p = parse_document("metadata:\n  name: a\n  labels: {}\n  name: b\n");
  REQUIRE_FALSE(p.defect);
  REQUIRE(p.duplicates.size() == 1);
  CHECK(p.duplicates[0].rule == "input/duplicate-key");
  CHECK(p.duplicates[0].message.rfind("duplicate key \"name\"", 0) == 0);
  CHECK(p.duplicates[0].line == 4);
  CHECK(p.duplicates[0].column == 3);
  CHECK(p.root["metadata"]["name"].as<std::string>() == "b");
  CHECK(p.root["metadata"].size() == 2);
  CHECK(p.root["metadata"]["name"].Mark().line == 3);  // the kept key is the last one, marks intact
  std::string big = "data:\n";
  for (int i = 0; i < 100; ++i) big += "  k" + std::to_string(i) + ": v\n";
  big += "  k42: again\n  k7: x\n  k7: y\n";
  auto q = parse_document(big);
  REQUIRE(q.duplicates.size() == 3);
  CHECK(q.duplicates[0].line == 102);
  CHECK(q.duplicates[2].line == 104);
  CHECK(q.root["data"]["k7"].as<std::string>() == "y");
  CHECK(q.root["data"]["k42"].as<std::string>() == "again");
  CHECK(q.root["data"].size() == 100);
  CHECK(parse_document("a: {x: 1}\nb: {x: 1}\n").duplicates.empty());  // same key in different maps
}

TEST_CASE("parse_document: keys the server reads alike are duplicates (YAML 1.1 booleans, integers)") {
  auto p = parse_document("data:\n  on: \"1\"\n  a: x\n  y: \"2\"\n  \"true\": \"3\"\n  +7: a\n  7: b\n  \"on\": c\n");
  REQUIRE_FALSE(p.defect);
  REQUIRE(p.duplicates.size() == 3);
  CHECK(p.duplicates[0].line == 4);  // y: after on: — both are the key "true"
  CHECK(p.duplicates[0].message.rfind("duplicate key \"y\" (\"on\" before it is \"true\" too)", 0) == 0);
  CHECK(p.duplicates[0].message.find("rejects it") != std::string::npos);
  CHECK(p.duplicates[1].line == 5);  // a quoted "true" is the same key to JSON; YAML does not refuse it
  CHECK(p.duplicates[1].message.find("keeps one of the two values") != std::string::npos);
  CHECK(p.duplicates[2].line == 7);  // 7 after +7
  // The last of each is kept; a quoted "on" is a string, another key.
  CHECK(p.root["data"].size() == 4);
  CHECK(p.root["data"]["true"].as<std::string>() == "3");
  CHECK(p.root["data"]["7"].as<std::string>() == "b");
  CHECK(p.root["data"]["on"].as<std::string>() == "c");
  CHECK(parse_document("data:\n  \"on\": a\n  \"y\": b\n  n: c\n  \"no\": d\n").duplicates.empty());
}

TEST_CASE("parse_document refuses map keys kubectl cannot read, at their line") {
  auto p = parse_document("a: 1\n? {x: 1}\n: v\n");
  REQUIRE(p.defect);
  CHECK(p.defect->rule == "input/invalid-key");
  CHECK(p.defect->line == 2);
  CHECK(p.defect->message.find("invalid map key") != std::string::npos);
  auto q = parse_document("metadata:\n  labels:\n    ~: x\n");
  REQUIRE(q.defect);
  CHECK(q.defect->rule == "input/invalid-key");
  CHECK(q.defect->line == 3);
  CHECK_FALSE(parse_document("a:\n  1: x\n  true: y\n").defect);  // numbers and booleans become strings
}

TEST_CASE("parse_document rejects quotes left open until the end of the document") {
  auto d = parse_document("a: ok\nb: \"open\nc: d\n");
  REQUIRE(d.defect);
  CHECK(d.defect->rule == "input/yaml-syntax");
  CHECK(d.defect->line == 2);
  CHECK(d.defect->column == 4);
  CHECK(d.defect->message.find("unclosed double-quoted") != std::string::npos);
  CHECK(parse_document("a: 'it''s\n").defect);
  CHECK_FALSE(parse_document("a: 'it''s'\nb: \"esc \\\" q\"\nc: \"multi\n  line\"\n").defect);
}

TEST_CASE("parse_document refuses NUL bytes and invalid UTF-8") {
  auto p = parse_document(std::string("a: b\0c\n", 7));
  REQUIRE(p.defect);
  CHECK(p.defect->rule == "input/encoding");
  CHECK(p.defect->line == 1);
  CHECK(parse_document("a: \xff\n").defect->rule == "input/encoding");
}

TEST_CASE("parse_document stops alias bombs quickly" * doctest::timeout(10)) {
  std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  auto p = parse_document(bomb);
  REQUIRE(p.defect);
  CHECK(p.defect->rule == "input/alias-bomb");
  CHECK(seconds_since(t0) < 5);
  // Ordinary anchors and aliases are fine.
  CHECK_FALSE(parse_document("base: &b {x: 1}\nuse: *b\nalso: *b\n").defect);
}

TEST_CASE("parse_document rejects cyclic aliases and deep nesting without crashing" * doctest::timeout(20)) {
  auto cyc = parse_document("a: &x [1, *x]\n");
  REQUIRE(cyc.defect);
  CHECK(cyc.defect->rule == "input/too-deep");
  auto t0 = std::chrono::steady_clock::now();
  auto flow = parse_document(std::string(10000, '[') + std::string(10000, ']'));
  REQUIRE(flow.defect);
  CHECK(flow.defect->rule == "input/too-deep");
  std::string block;
  for (int i = 0; i < 10000; ++i) block += "- ";
  block += "x\n";
  auto blk = parse_document(block);
  REQUIRE(blk.defect);
  CHECK(blk.defect->rule == "input/too-deep");
  std::string maps;
  for (int i = 0; i < 10000; ++i) maps += "{a: ";
  maps += "1" + std::string(10000, '}');
  CHECK(parse_document(maps).defect);
  CHECK(seconds_since(t0) < 10);
  std::string fine = std::string(100, '[') + std::string(100, ']');
  CHECK_FALSE(parse_document(fine).defect);
}

TEST_CASE("parse_document: a flow collection never closed is reported where it opens") {
  auto doc = kv::parse_document("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [unclosed\n  b: x\n  c: y\n");
  REQUIRE(doc.defect);
  CHECK(doc.defect->rule == "input/yaml-syntax");
  CHECK(doc.defect->line == 4);
  CHECK(doc.defect->column == 6);
  CHECK(doc.defect->message.find("'[' opened here is never closed") == 0);
}
