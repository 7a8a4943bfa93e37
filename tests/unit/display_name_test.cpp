// The display-name rule (chat/display_name.hpp): trimmed, 1-64 characters, no controls, and
// something visible. Names are written with \u escapes so that invisible ones can be read here.
#include <gtest/gtest.h>

#include "chat/display_name.hpp"

using parley::chat::DisplayNameError;
using parley::chat::normalize_display_name;

namespace {

std::string accepted(std::string_view name) {
  auto result = normalize_display_name(name);
  if (auto* error = std::get_if<DisplayNameError>(&result)) {
    ADD_FAILURE() << "refused: " << parley::chat::describe(*error);
    return {};
  }
  return std::get<std::string>(result);
}

DisplayNameError refused(std::string_view name) {
  auto result = normalize_display_name(name);
  EXPECT_TRUE(std::holds_alternative<DisplayNameError>(result)) << "accepted: " << name;
  return std::holds_alternative<DisplayNameError>(result) ? std::get<DisplayNameError>(result)
                                                          : DisplayNameError::invalid_utf8;
}

}  // namespace

TEST(DisplayName, KeepsOrdinaryNamesInAnyScript) {
  EXPECT_EQ(accepted("Ada Lovelace"), "Ada Lovelace");
  EXPECT_EQ(accepted("Régine ✓"), "Régine ✓");
  EXPECT_EQ(accepted("\u674E\u5C0F\u9F99"), "\u674E\u5C0F\u9F99");   // CJK
  EXPECT_EQ(accepted("\u0645\u0631\u064A\u0645"), "\u0645\u0631\u064A\u0645");  // Arabic
  EXPECT_EQ(accepted("x"), "x");
  EXPECT_EQ(accepted("\U0001F600"), "\U0001F600");  // an emoji alone is visible
  // Joiners and marks inside a name with letters are fine (emoji sequences, decomposed accents).
  EXPECT_EQ(accepted("\U0001F469\u200D\U0001F4BB Eve"), "\U0001F469\u200D\U0001F4BB Eve");
  EXPECT_EQ(accepted("Zoe\u0301"), "Zoe\u0301");
}

TEST(DisplayName, TrimsSurroundingWhiteSpace) {
  EXPECT_EQ(accepted("  Bob \t\n"), "Bob");
  EXPECT_EQ(accepted("\u3000\u00A0Bob\u2003"), "Bob");
  EXPECT_EQ(accepted("\uFEFFBob"), "Bob");
  EXPECT_EQ(accepted("Bob  Smith"), "Bob  Smith");  // inner spaces stay
}

TEST(DisplayName, RefusesEmptyAndBlank) {
  EXPECT_EQ(refused(""), DisplayNameError::empty);
  EXPECT_EQ(refused("   "), DisplayNameError::empty);
  EXPECT_EQ(refused("\u3000\u2003\u00A0"), DisplayNameError::empty);
}

TEST(DisplayName, RefusesNamesWithNothingVisible) {
  EXPECT_EQ(refused("\u200B\u200B\u200B"), DisplayNameError::invisible);  // zero-width spaces
  for (const char* name : {"\u200C", "\u200D", "\u200E", "\u200F", "\u2060", "\u2061", "\u2064", "\u00AD",
                           "\u180E", "\u202E", "\u2066", "\u3164", "\uFFA0", "\u115F", "\u2800", "\uFE0F",
                           "\U000E0041", "\u034F"}) {
    EXPECT_EQ(refused(name), DisplayNameError::invisible) << name;
  }
  EXPECT_EQ(refused(" \u200B \u2060 \u200D "), DisplayNameError::invisible);  // mixed with spaces
  // Combining marks without a base letter.
  EXPECT_EQ(refused("\u0301\u0302\u0303"), DisplayNameError::invisible);
  EXPECT_EQ(refused("\u20DD"), DisplayNameError::invisible);
}

TEST(DisplayName, RefusesControlCharactersInside) {
  EXPECT_EQ(refused(std::string_view("Bo\0b", 4)), DisplayNameError::control_character);
  EXPECT_EQ(refused("Bob\nSmith"), DisplayNameError::control_character);
  EXPECT_EQ(refused("Bob\tSmith"), DisplayNameError::control_character);
  EXPECT_EQ(refused("Bob\x7f"), DisplayNameError::control_character);
  EXPECT_EQ(refused("Bob\u0085Smith"), DisplayNameError::control_character);  // NEL, a C1 control
  EXPECT_EQ(refused("Bob\u2028Smith"), DisplayNameError::control_character);
  EXPECT_EQ(refused("\x1b[31mRed"), DisplayNameError::control_character);
}

TEST(DisplayName, CountsCharactersNotBytes) {
  EXPECT_EQ(accepted(std::string(64, 'n')), std::string(64, 'n'));
  EXPECT_EQ(refused(std::string(65, 'n')), DisplayNameError::too_long);
  std::string accents;
  for (int i = 0; i < 64; ++i) accents += "\u00E9";  // 128 bytes, 64 characters
  EXPECT_EQ(accepted(accents), accents);
  EXPECT_EQ(accepted("  " + std::string(64, 'n') + "  "), std::string(64, 'n'));  // the limit is after trimming
}

TEST(DisplayName, RefusesInvalidUtf8) {
  EXPECT_EQ(refused("Bob\xff"), DisplayNameError::invalid_utf8);
  EXPECT_EQ(refused("\xc3"), DisplayNameError::invalid_utf8);
  EXPECT_EQ(refused("\xed\xa0\x80"), DisplayNameError::invalid_utf8);  // a surrogate
  EXPECT_EQ(refused("\xc0\xaf"), DisplayNameError::invalid_utf8);      // overlong
}

TEST(DisplayName, DescribesEveryError) {
  for (auto error : {DisplayNameError::empty, DisplayNameError::too_long, DisplayNameError::control_character,
                     DisplayNameError::invisible, DisplayNameError::invalid_utf8}) {
    EXPECT_TRUE(parley::chat::describe(error).starts_with("name ")) << static_cast<int>(error);
  }
}
