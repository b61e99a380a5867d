#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace vsv {
namespace {

constexpr size_t kValid = std::string_view::npos;

TEST(Utf8Test, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_EQ(FirstInvalidUtf8(""), kValid);
  EXPECT_EQ(FirstInvalidUtf8("ROC Voorbeeld, a long run of ASCII text"), kValid);
  EXPECT_EQ(FirstInvalidUtf8("ROC Voorb\xC3\xA9\xC3\xA9ld"), kValid);         // é é
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82\xAC 10"), kValid);                     // €
  EXPECT_EQ(FirstInvalidUtf8("\xF0\x9F\x8E\x93"), kValid);                     // U+1F393
  EXPECT_EQ(FirstInvalidUtf8("\xED\x9F\xBF \xEE\x80\x80 \xF4\x8F\xBF\xBF"), kValid);  // range edges
}

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("ROC Voorb\xE9\xE9ld"), 9u);  // Latin-1 é
  EXPECT_EQ(FirstInvalidUtf8("0123456789abcdef\x80"), 16u);  // a lone continuation byte after a word
  EXPECT_EQ(FirstInvalidUtf8("\xC3"), 0u);                  // cut short at the end
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("a\xC3(b"), 1u);               // no continuation byte
}

TEST(Utf8Test, RefusesOverlongSurrogatesAndBeyondUnicode) {
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xC1\xBF"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("\xE0\x80\xAF"), 0u);      // overlong three-byte
  EXPECT_EQ(FirstInvalidUtf8("\xF0\x80\x80\xAF"), 0u);  // overlong four-byte
  EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);      // U+D800, a surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(FirstInvalidUtf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("\xFF"), 0u);
}

TEST(Utf8Test, TruncatesOnCharacterBoundaries) {
  EXPECT_EQ(TruncateUtf8("abc", 5), "abc");
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA9", 3), "ab");  // é does not fit
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA9", 4), "ab\xC3\xA9");
  EXPECT_EQ(TruncateUtf8("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");
  EXPECT_TRUE(IsValidUtf8(TruncateUtf8("\xF0\x9F\x8E\x93\xF0\x9F\x8E\x93", 6)));
}

TEST(Utf8Test, DescribesTheByteAsWindows1252WouldReadIt) {
  EXPECT_EQ(DescribeInvalidByte("x\xE9", 1), "byte 0xE9 ('\xC3\xA9' in Latin-1 / Windows-1252)");
  EXPECT_EQ(DescribeInvalidByte("\x80", 0), "byte 0x80 ('\xE2\x82\xAC' in Latin-1 / Windows-1252)");
  EXPECT_EQ(DescribeInvalidByte("\x81", 0), "byte 0x81");  // unassigned in Windows-1252
}

}  // namespace
}  // namespace vsv
