#include "core/json.h"

#include <doctest/doctest.h>

TEST_CASE("json_quote escapes control characters and invalid UTF-8") {
  CHECK(kv::json_quote("a\"b\\c\n") == R"("a\"b\\c\n")");
  CHECK(kv::json_quote(std::string("x\x01y")) == R"("x\u0001y")");
  CHECK(kv::json_quote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(kv::json_quote("bad\xff") == R"("bad\ufffd")");
}

TEST_CASE("JsonWriter nests and separates values") {
  kv::JsonWriter w(false);
  w.begin_object().key("a").value(1).key("b").begin_array().value("x").value(true).null().end_array()
      .key("c").begin_object().end_object().end_object();
  CHECK(w.str() == R"({"a":1,"b":["x",true,null],"c":{}})");
}

TEST_CASE("JsonWriter writes YAML nodes with their scalar types") {
  auto n = YAML::Load("a: 1\nb: 'quoted 1'\nc: [true, null, x]\n");
  kv::JsonWriter w(false);
  w.node(n);
  CHECK(w.str() == R"({"a":1,"b":"quoted 1","c":[true,null,"x"]})");
}

TEST_CASE("JsonWriter writes only real JSON numbers unquoted") {
  auto n = YAML::Load("[0, -1.5, 1e3, 007, 1., .5, 0x1F, 12abc, '3']");
  kv::JsonWriter w(false);
  w.node(n);
  CHECK(w.str() == R"([0,-1.5,1e3,"007","1.",".5","0x1F","12abc","3"])");
}
