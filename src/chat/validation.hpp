// The chat's input rules, as pure functions: user ids are short strings without control
// characters (UUIDs, or the ids of the application that issues the tokens), content is
// non-blank text within the configured length (counted in Unicode characters, not bytes).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::chat {

// 8-4-4-4-12 hexadecimal digits, any case (as the seed's validation accepts).
bool is_uuid(std::string_view text);

// A user id a client may name: 1 to 128 Unicode characters (of valid UTF-8 text), none of them a
// control character (C0, DEL, C1) or U+FFFD, which is what a lone UTF-16 surrogate became on
// the way in (a string cut inside an emoji is no one's id).
constexpr std::size_t max_user_id_characters = 128;
bool is_user_id(std::string_view utf8);

// A user id as Parley keeps and compares it: a UUID in lower case (the seed's ids live in a
// PostgreSQL uuid column, which compares them case-insensitively and returns them in lower
// case); any other id as it is.
std::string canonical_user_id(std::string_view id);

// Unicode code points in valid UTF-8 text.
std::size_t count_characters(std::string_view utf8);

// True when the text has nothing but white space (JavaScript's String.prototype.trim set).
bool is_blank(std::string_view utf8);

// The seed's messages: "Message content cannot be empty", "Message content too long (max N
// characters)"; nullopt when the content is acceptable.
std::optional<std::string> content_error(std::string_view content, std::size_t max_characters);

// A sender's idempotency key for send_message (clientMessageId): 1 to 64 printable ASCII
// characters (a UUID has 36). Anything else is refused rather than stored as given.
constexpr std::size_t max_client_message_id = 64;
bool is_client_message_id(std::string_view text);

}  // namespace parley::chat
