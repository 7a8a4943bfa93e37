// Tests for sio/json.hpp: JSON.stringify-compatible escaping and array splitting.
// The expected strings are what Node prints for JSON.stringify(Buffer.from(bytes).toString()).
#include "sio/json.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

namespace sio::json {
namespace {

using namespace std::string_literals;

TEST(JsonQuote, CopiesPlainTextVerbatim) {
  EXPECT_EQ(quote(""), R"("")");
  EXPECT_EQ(quote("Hello, how are you?"), R"("Hello, how are you?")");
  EXPECT_EQ(quote("/path/with/slashes"), R"("/path/with/slashes")");  // no \/ escaping
  EXPECT_EQ(quote("<script>&'"), R"("<script>&'")");
  EXPECT_EQ(quote("\x7f"), "\"\x7f\"");
}

TEST(JsonQuote, EscapesLikeJsonStringify) {
  EXPECT_EQ(quote("\""), R"("\"")");
  EXPECT_EQ(quote("\\"), R"("\\")");
  EXPECT_EQ(quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(quote("\x00"s), R"("\u0000")");
  EXPECT_EQ(quote("\x01\x1f\x0b\x1b"), R"("\u0001\u001f\u000b\u001b")");
  EXPECT_EQ(quote("say \"hi\"\n\tand \\ bye"), R"("say \"hi\"\n\tand \\ bye")");
}

TEST(JsonQuote, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string quoted = quote(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(quoted[1], '\\') << c;
    EXPECT_TRUE(quoted.size() == 4 || quoted.size() == 8) << c;
  }
}

TEST(JsonQuote, EscapesAtEveryPositionOfALongString) {
  // Exercises both the eight-byte scan and the tail loop.
  for (size_t length = 1; length < 40; ++length) {
    for (size_t at = 0; at < length; ++at) {
      std::string s(length, 'a');
      s[at] = '"';
      std::string expected = "\"";
      expected.append(at, 'a');
      expected.append("\\\"");
      expected.append(length - at - 1, 'a');
      expected.append("\"");
      ASSERT_EQ(quote(s), expected) << length << " " << at;
    }
  }
}

TEST(JsonQuote, KeepsValidUtf8Verbatim) {
  EXPECT_EQ(quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // U+2028 and U+2029 are not escaped by JSON.stringify.
  EXPECT_EQ(quote("\xe2\x80\xa8\xe2\x80\xa9"), "\"\xe2\x80\xa8\xe2\x80\xa9\"");
  EXPECT_EQ(quote("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
}

TEST(JsonQuote, ReplacesInvalidUtf8LikeNode) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(quote("a\xff" "b"), "\"a" + fffd + "b\"");
  EXPECT_EQ(quote("\x80"), "\"" + fffd + "\"");
  EXPECT_EQ(quote("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong
  EXPECT_EQ(quote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(quote("\xe2\x82"), "\"" + fffd + "\"");                    // truncated: one U+FFFD
  EXPECT_EQ(quote("\xe2\x82" "a"), "\"" + fffd + "a\"");
  EXPECT_EQ(quote("\xf0\x9f\x98"), "\"" + fffd + "\"");
  EXPECT_EQ(quote("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(quote("\xf8\x88\x80\x80\x80"), "\"" + fffd + fffd + fffd + fffd + fffd + "\"");
  EXPECT_EQ(quote("\xc3\xa9\xc3\n\""), "\"\xc3\xa9" + fffd + "\\n\\\"\"");  // escapes still apply
}

TEST(JsonQuote, AlwaysProducesJsonThatParsesBackToValidText) {
  std::mt19937 rng(7);
  simdjson::dom::parser parser;
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 24, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    const std::string quoted = quote(s);
    std::string_view back;
    ASSERT_EQ(parser.parse(quoted).get(back), simdjson::SUCCESS) << quoted;
    if (simdjson::validate_utf8(s.data(), s.size())) {
      EXPECT_EQ(back, s);
    }
  }
}

TEST(JsonQuote, AppendsToExistingText) {
  std::string out = R"({"content":)";
  append_string(out, "hi");
  out += '}';
  EXPECT_EQ(out, R"({"content":"hi"})");
}

std::vector<std::string_view> split(std::string_view json) {
  std::vector<std::string_view> elements;
  EXPECT_TRUE(split_array(json, elements)) << json;
  return elements;
}

using Parts = std::vector<std::string_view>;

TEST(JsonSplitArray, SplitsTopLevelElementsKeepingTheirText) {
  EXPECT_EQ(split("[]"), Parts{});
  EXPECT_EQ(split("[ ]"), Parts{});
  EXPECT_EQ(split("[1]"), Parts{"1"});
  EXPECT_EQ(split(R"(["hello",1])"), (Parts{R"("hello")", "1"}));
  EXPECT_EQ(split(R"(["a",{"z":1,"a":[2,3]},[4,[5]],null,true,-1.50e3])"),
            (Parts{R"("a")", R"({"z":1,"a":[2,3]})", "[4,[5]]", "null", "true", "-1.50e3"}));
}

TEST(JsonSplitArray, TrimsWhitespace) {
  EXPECT_EQ(split(" \n[ 1 ,\t\"a\" ,\r\n{ } ] "), (Parts{"1", "\"a\"", "{ }"}));
}

TEST(JsonSplitArray, IgnoresStructureInsideStrings) {
  EXPECT_EQ(split(R"(["a,b","[{","\"],[",5])"), (Parts{R"("a,b")", R"("[{")", R"("\"],[")", "5"}));
  EXPECT_EQ(split(R"(["\\",1])"), (Parts{R"("\\")", "1"}));
  EXPECT_EQ(split(R"(["\\\"",1])"), (Parts{R"("\\\"")", "1"}));
  EXPECT_EQ(split(R"([{"k\"]":"v,"},2])"), (Parts{R"({"k\"]":"v,"})", "2"}));
}

TEST(JsonSplitArray, RefusesNonArrays) {
  std::vector<std::string_view> elements{"stale"};
  EXPECT_FALSE(split_array(R"({"a":1})", elements));
  EXPECT_FALSE(split_array(R"("[1]")", elements));
  EXPECT_FALSE(split_array("", elements));
  EXPECT_FALSE(split_array("   ", elements));
  EXPECT_TRUE(elements.empty());
}

TEST(JsonSplitArray, NeverReadsOutOfBoundsOnBrokenInput) {
  // Not valid JSON, so the result is unspecified; it must only stay within the text.
  std::vector<std::string_view> elements;
  for (std::string_view broken : {"[", "[\"", "[\"\\", "[1,", "[[", "[\"a\\\"]", "[}]"}) {
    split_array(broken, elements);
    for (const auto e : elements) {
      EXPECT_GE(e.data(), broken.data());
      EXPECT_LE(e.data() + e.size(), broken.data() + broken.size());
    }
  }
}

}  // namespace
}  // namespace sio::json
