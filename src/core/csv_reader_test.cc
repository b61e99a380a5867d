#include "core/csv_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vsv {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& text, int chunks = 1) {
  auto file = CsvFile::FromBuffer("t.csv", text);
  EXPECT_TRUE(file.has_value());
  std::vector<std::vector<std::string>> rows;
  for (CsvCursor& cursor : file->Chunks(chunks)) {
    CsvRecord r;
    while (true) {
      auto more = cursor.Next(&r);
      EXPECT_TRUE(more.has_value()) << (more ? "" : more.error().message);
      if (!more || !*more) break;
      rows.emplace_back(r.fields.begin(), r.fields.end());
    }
  }
  return rows;
}

TEST(CsvReaderTest, PlainQuotedAndEmptyFields) {
  auto rows = ReadAll("a,b,c\n1,,3\n\"x,y\",\"he said \"\"hi\"\"\",\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "", "3"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x,y", "he said \"hi\"", ""}));
}

TEST(CsvReaderTest, CrlfBomBlankLinesAndNoFinalNewline) {
  auto file = CsvFile::FromBuffer("t.csv", "\xEF\xBB\xBFid,v\r\n1,a\r\n\r\n2,b");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->header(), (std::vector<std::string>{"id", "v"}));
  auto rows = ReadAll("id,v\r\n1,a\r\n\r\n2,b");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "b"}));
}

TEST(CsvReaderTest, MultiLineQuotedFieldKeepsLineNumbers) {
  auto file = CsvFile::FromBuffer("t.csv", "a,b\n\"x\ny\",1\n2,3\n");
  ASSERT_TRUE(file.has_value());
  CsvCursor cursor = file->Chunks(1)[0];
  CsvRecord r;
  ASSERT_TRUE(*cursor.Next(&r));
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.fields[0], "x\ny");
  ASSERT_TRUE(*cursor.Next(&r));
  EXPECT_EQ(r.line, 4);
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnErrorWithLine) {
  auto file = CsvFile::FromBuffer("t.csv", "a\n1\n\"oops\n");
  ASSERT_TRUE(file.has_value());
  CsvCursor cursor = file->Chunks(1)[0];
  CsvRecord r;
  ASSERT_TRUE(*cursor.Next(&r));
  auto second = cursor.Next(&r);
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("t.csv:3"), std::string::npos);
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  auto file = CsvFile::FromBuffer("t.csv", "a,b\n\"x\"y,1\n");
  CsvRecord r;
  CsvCursor cursor = file->Chunks(1)[0];
  EXPECT_FALSE(cursor.Next(&r).has_value());
}

TEST(CsvReaderTest, ChunksGiveTheSameRecordsAndLines) {
  std::string text = "id,v\n";
  for (int i = 0; i < 300000; ++i) text += std::to_string(i) + ",value" + std::to_string(i % 7) + "\n";
  auto one = ReadAll(text, 1);
  auto four = ReadAll(text, 4);
  EXPECT_EQ(one, four);
  auto file = CsvFile::FromBuffer("t.csv", text);
  for (int threads : {1, 2}) {
    auto chunks = file->Chunks(4, threads);
    ASSERT_EQ(chunks.size(), 4u);
    for (CsvCursor& chunk : chunks) {
      CsvRecord r;
      ASSERT_TRUE(*chunk.Next(&r));
      EXPECT_EQ(r.line, std::stoll(std::string(r.fields[0])) + 2);
    }
  }
}

TEST(CsvReaderTest, AFileWithAQuoteIsReadAsOneChunk) {
  // A quoted field may hold a line end, so cutting at line ends is not safe.
  std::string text = "id,v\n";
  for (int i = 0; i < 300000; ++i) text += std::to_string(i) + ",value\n";
  text += "300000,\"two\nlines\"\n";
  auto file = CsvFile::FromBuffer("t.csv", text);
  EXPECT_EQ(file->Chunks(4, 2).size(), 1u);
  EXPECT_EQ(ReadAll(text, 4), ReadAll(text, 1));
}

// The first record holding a byte that is not UTF-8 is refused with its line, column
// (name and number), byte offset and the Latin-1 hint, however the file is cut.
TEST(CsvReaderTest, ABadByteIsAnErrorWithLineColumnAndOffset) {
  const std::string text = "brin,loc,name\n00AA,00,ROC\n01BB,01,ROC Voorb\xE9\xE9ld\n";
  auto file = CsvFile::FromBuffer("institutions.csv", text);
  ASSERT_TRUE(file.has_value());
  CsvCursor cursor = file->Chunks(1)[0];
  CsvRecord r;
  ASSERT_TRUE(*cursor.Next(&r));
  auto bad = cursor.Next(&r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "institutions.csv:3, column 3 'name', byte offset 43: byte 0xE9 ('\xC3\xA9' in Latin-1 / Windows-1252) "
            "is not valid UTF-8; the file is probably Latin-1 / Windows-1252 (save it as UTF-8)");
  EXPECT_EQ(text[43], '\xE9');
}

TEST(CsvReaderTest, ABadByteInAQuotedMultiLineFieldNamesItsOwnLine) {
  const std::string text = "a,b\n1,\"x, \"\"y\"\"\nz\xFC\"\n";
  auto file = CsvFile::FromBuffer("t.csv", text);
  CsvCursor cursor = file->Chunks(1)[0];
  CsvRecord r;
  auto bad = cursor.Next(&r);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("t.csv:3, column 2 'b', byte offset 17: byte 0xFC"), std::string::npos)
      << bad.error().message;
}

TEST(CsvReaderTest, ABadByteInTheHeaderOrALaterChunkIsFound) {
  EXPECT_FALSE(CsvFile::FromBuffer("t.csv", "id,na\xEFve\n1,2\n").has_value());
  std::string text = "id,v\n";
  for (int i = 0; i < 300000; ++i) text += std::to_string(i) + ",value\n";
  const size_t offset = text.size() + 10;
  text += "300000,caf\xE9\n";
  auto file = CsvFile::FromBuffer("t.csv", text);
  auto chunks = file->Chunks(4, 2);
  ASSERT_EQ(chunks.size(), 4u);
  CsvRecord r;
  Result<bool> more = true;
  while (more && *more) more = chunks.back().Next(&r);
  ASSERT_FALSE(more.has_value());
  EXPECT_NE(more.error().message.find(fmt::format("t.csv:300002, column 2 'v', byte offset {}:", offset)),
            std::string::npos)
      << more.error().message;
}

TEST(CsvReaderTest, HeaderErrors) {
  EXPECT_FALSE(CsvFile::FromBuffer("t.csv", "").has_value());
  EXPECT_FALSE(CsvFile::FromBuffer("t.csv", "a,a\n1,2\n").has_value());
  auto file = CsvFile::FromBuffer("t.csv", "a,b\n");
  auto missing = file->RequireColumns({"a", "c"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("'c'"), std::string::npos);
}

}  // namespace
}  // namespace vsv
