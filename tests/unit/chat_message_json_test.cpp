// The JSON Parley sends: the seed's message shape and timestamps.
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

TEST(MessageJson, ErrorsAndFailedAcks) {
  EXPECT_EQ(error_object("Invalid receiverId"), R"({"message":"Invalid receiverId"})");
  EXPECT_EQ(failure_ack("Receiver not found"), R"({"success":false,"error":"Receiver not found"})");
}
