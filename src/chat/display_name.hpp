// What a person may be called: the rule for display names, from registration and from tokens'
// `name` claims. Pure functions over UTF-8 text, no I/O.
//
// A display name is 1 to 64 characters (Unicode code points) once the white space around it is
// trimmed, with no control characters (C0, DEL, C1, line and paragraph separators) and at least
// one visible character: a name of nothing but white space, invisible format characters
// (zero-width spaces and joiners, soft hyphens, direction marks, the BOM, Hangul fillers, the
// blank Braille pattern) and combining marks would show as nobody.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace parley::chat {

inline constexpr std::size_t max_display_name_characters = 64;

enum class DisplayNameError {
  empty,              // nothing, or nothing but white space
  too_long,           // more than 64 characters after trimming
  control_character,  // a C0/C1 control, DEL, U+2028 or U+2029 inside
  invisible,          // no visible character: only format characters, marks and spaces
  invalid_utf8,
};

// The sentence for a client, e.g. "name must have at least one visible character".
std::string_view describe(DisplayNameError error);

// The name as it is kept (trimmed), or why it is refused.
std::variant<std::string, DisplayNameError> normalize_display_name(std::string_view utf8);

}  // namespace parley::chat
