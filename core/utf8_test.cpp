#include "core/utf8.h"

#include <doctest/doctest.h>

#include "core/json.h"

TEST_CASE("utf8: well-formed sequences of 1 to 4 bytes are accepted") {
  CHECK(kv::utf8_sequence("a", 0) == 1);
  CHECK(kv::utf8_sequence("\xC3\xA9", 0) == 2);          // é
  CHECK(kv::utf8_sequence("\xE2\x82\xAC", 0) == 3);      // €
  CHECK(kv::utf8_sequence("\xF0\x9F\x98\x80", 0) == 4);  // 😀
  CHECK(kv::valid_utf8("h\xC3\xA9llo \xE2\x82\xAC") == "h\xC3\xA9llo \xE2\x82\xAC");
}

TEST_CASE("utf8: overlong forms, surrogates, values past U+10FFFF and cut sequences are rejected") {
  CHECK(kv::utf8_sequence("\xC0\xAF", 0) == 0);          // overlong '/'
  CHECK(kv::utf8_sequence("\xE0\x80\xAF", 0) == 0);      // overlong, 3 bytes
  CHECK(kv::utf8_sequence("\xED\xA0\x80", 0) == 0);      // U+D800, a surrogate
  CHECK(kv::utf8_sequence("\xF4\x90\x80\x80", 0) == 0);  // U+110000
  CHECK(kv::utf8_sequence("\xE2\x82", 0) == 0);          // cut short
  CHECK(kv::utf8_sequence("\x80", 0) == 0);              // a lone continuation byte
  CHECK(kv::valid_utf8("a\xED\xA0\x80z") == "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
}

TEST_CASE("utf8: JSON output follows the same rule as the text reports") {
  // A surrogate encoded in UTF-8 is replaced in JSON too (it once passed through json_quote).
  CHECK(kv::json_quote("a\xED\xA0\x80") == "\"a\\ufffd\\ufffd\\ufffd\"");
  CHECK(kv::json_quote("\xC0\xAF") == "\"\\ufffd\\ufffd\"");
  CHECK(kv::json_quote("\xE2\x82\xAC") == "\"\xE2\x82\xAC\"");
}
