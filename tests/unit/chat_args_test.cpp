// The chat's event arguments (chat/args.hpp): from the client's JSON text to a validated
// request or the error to answer, with the seed's messages and docs/api.md's codes.
#include <gtest/gtest.h>

#include "parsed_error.hpp"

#include "chat/args.hpp"
#include "chat/json_args.hpp"

using namespace parley::chat;

namespace {

const ArgLimits limits{};
const std::string bob = "123e4567-e89b-42d3-a456-426614174000";


SendRequest sent(std::string_view json) {
  auto parsed = parse_send_message(json, limits);
  EXPECT_EQ(error_of(parsed), "ok") << json;
  return std::holds_alternative<SendRequest>(parsed) ? std::get<SendRequest>(parsed) : SendRequest{};
}

}  // namespace

TEST(ChatArgs, SendMessageTakesTheSeedsPayload) {
  auto request = sent(R"({"receiverId":")" + bob + R"(","content":"Hello"})");
  EXPECT_EQ(request.receiver_id, bob);
  EXPECT_EQ(request.content, "Hello");
  EXPECT_EQ(request.client_message_id, "");
  EXPECT_EQ(sent(R"({"receiverId":"x","content":"a","clientMessageId":"key-1"})").client_message_id, "key-1");
  EXPECT_EQ(sent(R"({"receiverId":"x","content":"a","clientMessageId":null})").client_message_id, "");
  EXPECT_EQ(sent(R"({"receiverId":"x","content":"a","extra":[1,{"b":2}]})").content, "a");
}

TEST(ChatArgs, UserIdsAreStringsOrIntegersKeptAsDecimalText) {
  EXPECT_EQ(sent(R"({"receiverId":"123E4567-E89B-42D3-A456-426614174000","content":"a"})").receiver_id, bob);
  EXPECT_EQ(sent(R"({"receiverId":42,"content":"a"})").receiver_id, "42");
  EXPECT_EQ(sent(R"({"receiverId":-7,"content":"a"})").receiver_id, "-7");
  EXPECT_EQ(sent(R"({"receiverId":0,"content":"a"})").receiver_id, "0");
  EXPECT_EQ(sent(R"({"receiverId":18446744073709551615,"content":"a"})").receiver_id, "18446744073709551615");
  EXPECT_EQ(sent(R"({"receiverId":"alice@example.com","content":"a"})").receiver_id, "alice@example.com");
  EXPECT_EQ(sent(R"({"receiverId":"User-ABC","content":"a"})").receiver_id, "User-ABC");  // not a UUID: kept
  for (const std::string& id : std::vector<std::string>{R"("")", R"(null)", R"(true)", R"(1.5)", R"(1e3)", R"(18446744073709551616)", R"([1])",
                         R"({"id":1})", R"("a\u0000b")", R"("\ud800")", "\"" + std::string(129, 'x') + "\""}) {
    EXPECT_EQ(error_of(parse_send_message(R"({"receiverId":)" + id + R"(,"content":"a"})", limits)),
              "INVALID_ARGUMENT Invalid receiverId") << id;
  }
}

TEST(ChatArgs, SendMessageErrorsInTheSeedsOrder) {
  auto error = [](std::optional<std::string_view> json) { return error_of(parse_send_message(json, limits)); };
  EXPECT_EQ(error(std::nullopt), "INVALID_ARGUMENT Invalid receiverId");
  for (std::string_view json : {"null", "\"text\"", "42", "[1]", "{}", "{", "", "{\"content\":\"a\"}"}) {
    EXPECT_EQ(error(json), "INVALID_ARGUMENT Invalid receiverId") << json;
  }
  EXPECT_EQ(error(R"({"receiverId":"","content":""})"), "INVALID_ARGUMENT Invalid receiverId");
  for (std::string_view content : {"", "null", "42", "\"\"", "\"  \\t\\n\"", "\"\\u00a0\\u3000\"", "[\"a\"]"}) {
    std::string json = R"({"receiverId":"x")" + (content.empty() ? std::string() : ",\"content\":" + std::string(content)) + "}";
    EXPECT_EQ(error(json), "INVALID_ARGUMENT Message content cannot be empty") << json;
  }
  EXPECT_EQ(error(R"({"receiverId":"x","content":")" + std::string(5001, 'a') + "\"}"),
            "TOO_LARGE Message content too long (max 5000 characters)");
  EXPECT_EQ(error(R"({"receiverId":"x","content":")" + std::string(5000, 'a') + "\"}"), "ok");
  for (std::string_view key : {"42", "\"\"", "\"with space\"", "{}", "true"}) {
    EXPECT_EQ(error(R"({"receiverId":"x","content":"a","clientMessageId":)" + std::string(key) + "}"),
              "INVALID_ARGUMENT Invalid clientMessageId") << key;
  }
}

TEST(ChatArgs, TheContentLimitIsConfigurable) {
  ArgLimits ten{.max_message_length = 10};
  EXPECT_EQ(error_of(parse_send_message(R"({"receiverId":"x","content":"0123456789"})", ten)), "ok");
  EXPECT_EQ(error_of(parse_send_message(R"({"receiverId":"x","content":"01234567890"})", ten)),
            "TOO_LARGE Message content too long (max 10 characters)");
}

TEST(ChatArgs, LoneSurrogatesAndHugeIntegersSpoilNothingElse) {
  auto request = sent(R"({"receiverId":"x","content":"cut \ud83d","note":"\udbff","big":200000000000000000000})");
  EXPECT_EQ(request.content, "cut \xEF\xBF\xBD");
  EXPECT_EQ(sent(R"({"receiverId":"x","content":"\ud83d\ude00"})").content, "\xF0\x9F\x98\x80");
  EXPECT_EQ(rewrite_for_simdjson(R"(["\ud800",1e5,-99999999999999999999,"\ud83d\ude00"])"),
            R"(["\ufffd",1e5,-99999999999999999999.0,"\ud83d\ude00"])");
  // Long fractions and exponents are parts of one number, not integers of their own (found by
  // fuzz_chat_args: the rewrite made "1.518446744073709551615.0" of them).
  EXPECT_EQ(rewrite_for_simdjson(R"([1.518446744073709551615,2e+123456789012345678901,-3.0E-99999999999999999999])"),
            R"([1.518446744073709551615,2e+123456789012345678901,-3.0E-99999999999999999999])");
  EXPECT_EQ(sent(R"({"receiverId":"x","content":"cut \ud83d","f":1.518446744073709551615})").content, "cut \xEF\xBF\xBD");
}

TEST(ChatArgs, GetMessagesPagesByDefault) {
  auto parsed = parse_get_messages(R"({"otherUserId":")" + bob + R"("})", limits);
  ASSERT_EQ(error_of(parsed), "ok");
  auto& request = std::get<HistoryRequest>(parsed);
  EXPECT_EQ(request.other_user_id, bob);
  EXPECT_EQ(request.limit, 100u);  // not "everything"
  EXPECT_EQ(request.before, std::nullopt);

  parsed = parse_get_messages(R"({"otherUserId":42,"before":17,"limit":200})", limits);
  ASSERT_EQ(error_of(parsed), "ok");
  EXPECT_EQ(std::get<HistoryRequest>(parsed).other_user_id, "42");
  EXPECT_EQ(std::get<HistoryRequest>(parsed).before, 17);
  EXPECT_EQ(std::get<HistoryRequest>(parsed).limit, 200u);

  parsed = parse_get_messages(R"({"otherUserId":"x","before":null,"limit":null})", ArgLimits{.default_page = 3});
  ASSERT_EQ(error_of(parsed), "ok");
  EXPECT_EQ(std::get<HistoryRequest>(parsed).limit, 3u);
}

TEST(ChatArgs, GetMessagesErrors) {
  auto error = [](std::optional<std::string_view> json) { return error_of(parse_get_messages(json, limits)); };
  EXPECT_EQ(error(std::nullopt), "INVALID_ARGUMENT Invalid otherUserId");
  for (std::string_view json : {"null", "[]", "{}", R"({"otherUserId":""})", R"({"otherUserId":1.5})", R"({"receiverId":"x"})"}) {
    EXPECT_EQ(error(json), "INVALID_ARGUMENT Invalid otherUserId") << json;
  }
  for (std::string_view before : {"0", "-1", "1.5", "\"3\"", "[1]", "18446744073709551615"}) {
    EXPECT_EQ(error(R"({"otherUserId":"x","before":)" + std::string(before) + "}"), "INVALID_ARGUMENT Invalid before") << before;
  }
  for (std::string_view limit : {"0", "-5", "201", "2.5", "\"10\"", "100000000000000000000"}) {
    EXPECT_EQ(error(R"({"otherUserId":"x","limit":)" + std::string(limit) + "}"), "INVALID_ARGUMENT Invalid limit (1 to 200)")
        << limit;
  }
}

TEST(ChatArgs, TokenOfAuth) {
  EXPECT_EQ(token_of_auth(R"({"token":"abc"})"), "abc");
  EXPECT_EQ(token_of_auth(R"({"token":"Bearer abc","other":1})"), "Bearer abc");
  EXPECT_EQ(token_of_auth(R"({})"), "");
  EXPECT_EQ(token_of_auth(R"({"token":42})"), "");
  EXPECT_EQ(token_of_auth(R"(["token"])"), "");
  EXPECT_EQ(token_of_auth(R"(not json)"), "");
  EXPECT_EQ(token_of_auth(""), "");
}
