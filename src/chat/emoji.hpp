// What a reaction may be (docs/api.md "Changing messages"): one emoji — a single grapheme
// cluster (ICU's character break rules: a flag, a keycap, a skin tone, a ZWJ family are each
// one) that is an emoji — or a short name such as ":party_parrot:" (1 to 32 of a-z 0-9 _ + -
// between colons). Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace parley::chat {

inline constexpr std::size_t max_emoji_bytes = 64;  // the longest ZWJ sequences are ~35 bytes

bool is_reaction_emoji(std::string_view text);

}  // namespace parley::chat
