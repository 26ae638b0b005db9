#include "resources/documents.h"

#include <doctest/doctest.h>

using kv::split_documents;

TEST_CASE("split_documents splits at --- and ... lines and keeps first lines") {
  std::string text =
      "a: 1\n"            // 1
      "---\n"             // 2
      "# Source: c/t.yaml\n"  // 3
      "b: 2\n"            // 4
      "--- # comment\n"   // 5
      "c: 3\n"            // 6
      "...\n"             // 7
      "---\n"             // 8
      "d: 4\n";           // 9
  auto chunks = split_documents(text);
  REQUIRE(chunks.size() == 4);
  CHECK(chunks[0].text == "a: 1\n");
  CHECK(chunks[0].first_line == 1);
  CHECK(chunks[1].text == "# Source: c/t.yaml\nb: 2\n");
  CHECK(chunks[1].first_line == 3);
  REQUIRE(chunks[1].leading_comments.size() == 1);
  CHECK(chunks[1].leading_comments[0] == "Source: c/t.yaml");
  CHECK(chunks[2].text == "c: 3\n");
  CHECK(chunks[2].first_line == 6);
  CHECK(chunks[3].text == "d: 4\n");
  CHECK(chunks[3].first_line == 9);
  CHECK(chunks[3].index == 3);
}

TEST_CASE("split_documents: content after ---, ---- as a scalar, BOM, CRLF, no trailing newline") {
  auto chunks = split_documents("\xEF\xBB\xBF" "a: 1\r\n---\r\n--- !!map\nb: ----\n----\nc: 3");
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].text == "a: 1\r\n");
  CHECK(chunks[1].text == "--- !!map\nb: ----\n----\nc: 3");
  CHECK(chunks[1].first_line == 3);
  CHECK(split_documents("").empty());
  CHECK(split_documents("---\n---\n").empty());
}

TEST_CASE("split_documents counts only non-blank documents in index") {
  auto chunks = split_documents("# only comments\n---\na: 1\n---\n\n---\nb: 2\n");
  REQUIRE(chunks.size() == 4);
  CHECK(kv::is_blank_document(chunks[0].text));
  CHECK(chunks[1].index == 0);
  CHECK(kv::is_blank_document(chunks[2].text));
  CHECK(chunks[3].index == 1);
  CHECK(chunks[3].first_line == 7);
}

TEST_CASE("is_blank_document") {
  CHECK(kv::is_blank_document(""));
  CHECK(kv::is_blank_document("  \n# x\n%YAML 1.2\n"));
  CHECK_FALSE(kv::is_blank_document("# x\na: 1\n"));
}

TEST_CASE("find_encoding_defect finds NUL bytes and ill-formed UTF-8 with line and column") {
  CHECK_FALSE(kv::find_encoding_defect("name: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n"));
  auto nul = kv::find_encoding_defect(std::string("a: 1\nb: x\0y\n", 12));
  REQUIRE(nul);
  CHECK(nul->line == 2);
  CHECK(nul->column == 5);
  CHECK(nul->message.find("NUL") != std::string::npos);
  auto bad = kv::find_encoding_defect("a: 1\n\nname: caf\xe9\n");
  REQUIRE(bad);
  CHECK(bad->line == 3);
  CHECK(bad->column == 10);
  CHECK(bad->message.find("0xE9") != std::string::npos);
  CHECK(kv::find_encoding_defect("\xc0\x80"));          // overlong
  CHECK(kv::find_encoding_defect("\xed\xa0\x80"));      // surrogate
  CHECK(kv::find_encoding_defect("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK(kv::find_encoding_defect("\xe2\x82"));          // truncated
}

TEST_CASE("find_tab_indentation looks at the error line and the two before it") {
  std::string text = "a:\n\tb: 1\nc: 2\nd: 3\n";
  CHECK(kv::find_tab_indentation(text, 2) == 2);
  CHECK(kv::find_tab_indentation(text, 3) == 2);
  CHECK(kv::find_tab_indentation(text, 5) == 0);
  CHECK(kv::find_tab_indentation("a: \tb\n", 1) == 0);  // a tab after content is no indentation
  CHECK(kv::line_of(text, 3) == "c: 2");
  CHECK(kv::line_of(text, 9).empty());
}

TEST_CASE("find_unclosed_flow: the bracket still open at a line, past quotes, comments and plain scalars") {
  const char* text =
      "metadata:\n"                          // 1
      "  name: a # [not a flow\n"            // 2
      "  annotations: {a: \"[x\", b: '{'}\n"  // 3  closed; brackets in quotes do not count
      "spec:\n"                              // 4
      "  command: echo [x\n"                 // 5  a plain scalar: not a flow
      "  args: [\n"                          // 6
      "    \"--a\", {k: [1, 2]},\n"          // 7
      "    - oops\n"                         // 8
      "  env: []\n";                         // 9
  auto at = kv::find_unclosed_flow(text, 9);
  REQUIRE(at);
  CHECK(at->line == 6);
  CHECK(at->column == 9);
  CHECK(at->opener == '[');
  CHECK_FALSE(kv::find_unclosed_flow(text, 6));
  auto inner = kv::find_unclosed_flow("a: {b: [1,\n  2\nc: d\n", 3);
  REQUIRE(inner);
  CHECK(inner->opener == '[');
  CHECK(inner->column == 8);
}
