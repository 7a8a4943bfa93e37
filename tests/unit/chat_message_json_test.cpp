// The JSON Parley sends: the seed's message shape and timestamps, errors with their codes.
#include <gtest/gtest.h>

#include "chat/message_json.hpp"

using namespace parley::chat;

TEST(MessageJson, TimestampsAreIsoUtcWithMilliseconds) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1760443200000), "2025-10-14T12:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1760443200007), "2025-10-14T12:00:00.007Z");
  EXPECT_EQ(iso8601_utc(951782400999), "2000-02-29T00:00:00.999Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
}

TEST(MessageJson, MessageHasTheSeedsFieldsInOrder) {
  parley::store::Message m{123, 7, "s-id", "ignored", "Hello, \"you\"\n", 1760443200000};
  std::string out;
  append_message(out, m, {"s-id", "John Doe"}, {"r-id", "Jane Smith"});
  EXPECT_EQ(out,
            R"({"id":123,"content":"Hello, \"you\"\n","senderId":"s-id","senderName":"John Doe",)"
            R"("receiverId":"r-id","receiverName":"Jane Smith","createdAt":"2025-10-14T12:00:00.000Z"})");
}

TEST(MessageJson, ErrorsAndFailedAcksCarryTheirCode) {
  ChatError invalid{ErrorCode::invalid_argument, "Invalid receiverId"};
  EXPECT_EQ(error_event(invalid, "send_message"),
            R"({"message":"Invalid receiverId","code":"INVALID_ARGUMENT","event":"send_message"})");
  EXPECT_EQ(error_event({ErrorCode::unauthorized, "Unauthorized"}), R"({"message":"Unauthorized","code":"UNAUTHORIZED"})");
  EXPECT_EQ(failure_ack({ErrorCode::not_found, "Receiver not found"}),
            R"({"success":false,"error":"Receiver not found","code":"NOT_FOUND"})");
}

TEST(MessageJson, RateLimitedSaysWhenToRetry) {
  ChatError limited{ErrorCode::rate_limited, "Too many requests", 250};
  EXPECT_EQ(failure_ack(limited), R"({"success":false,"error":"Too many requests","code":"RATE_LIMITED","retryAfterMs":250})");
  EXPECT_EQ(error_event(limited, "get_messages"),
            R"({"message":"Too many requests","code":"RATE_LIMITED","retryAfterMs":250,"event":"get_messages"})");
}

TEST(MessageJson, EveryCodeHasItsName) {
  EXPECT_EQ(code_name(ErrorCode::invalid_argument), "INVALID_ARGUMENT");
  EXPECT_EQ(code_name(ErrorCode::unauthorized), "UNAUTHORIZED");
  EXPECT_EQ(code_name(ErrorCode::forbidden), "FORBIDDEN");
  EXPECT_EQ(code_name(ErrorCode::not_found), "NOT_FOUND");
  EXPECT_EQ(code_name(ErrorCode::conflict), "CONFLICT");
  EXPECT_EQ(code_name(ErrorCode::too_large), "TOO_LARGE");
  EXPECT_EQ(code_name(ErrorCode::rate_limited), "RATE_LIMITED");
  EXPECT_EQ(code_name(ErrorCode::unavailable), "UNAVAILABLE");
}
