// Loader behaviour beyond the one-error-per-file scenarios in tests/scenarios/:
// notices, multi-chunk parsing, that the first error does not depend on threads,
// and that row order does not change the tables.
#include "registry/loader.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "random_registry.h"
#include "registry/snapshot.h"
#include "scenario.h"

namespace vsv {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(r.has_value());
    ref_ = std::move(*r);
    dir_ = test::MakeTempDir("vsv-loader-");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Reference ref_;
  std::string dir_;
};

TEST_F(LoaderTest, LoadsAndCountsRows) {
  auto files = test::RandomRegistry(5, 500);
  test::WriteFiles(files, dir_);
  LoadReport report;
  auto reg = LoadRegistryCsv(dir_, ref_, {}, &report);
  ASSERT_TRUE(reg.has_value()) << reg.error().message;
  EXPECT_EQ(reg->person_count(), 500u);
  EXPECT_FALSE(reg->has_absences);
  EXPECT_GT(report.rows, 500);
}

TEST_F(LoaderTest, UnknownColumnIsANoticeNotAnError) {
  auto files = test::RandomRegistry(5, 50);
  files["persons.csv"].replace(0, files["persons.csv"].find('\n'), "person_id,birth_date,sex");
  std::string& p = files["persons.csv"];
  std::string out;
  size_t start = 0;
  for (size_t nl; (nl = p.find('\n', start)) != std::string::npos; start = nl + 1) {
    out += p.substr(start, nl - start) + (start == 0 ? ",shoe_size\n" : ",42\n");
  }
  p = out;
  test::WriteFiles(files, dir_);
  LoadReport report;
  ASSERT_TRUE(LoadRegistryCsv(dir_, ref_, {}, &report).has_value());
  ASSERT_FALSE(report.notices.empty());
  EXPECT_EQ(report.notices[0].what, "unknown column ignored");
  EXPECT_NE(report.notices[0].examples[0].find("shoe_size"), std::string::npos);
}

TEST_F(LoaderTest, MissingRequiredFileNamesIt) {
  test::WriteFiles(test::RandomRegistry(5, 50), dir_);
  std::filesystem::remove(dir_ + "/diplomas.csv");
  auto reg = LoadRegistryCsv(dir_, ref_, {}, nullptr);
  ASSERT_FALSE(reg.has_value());
  EXPECT_NE(reg.error().message.find("diplomas.csv"), std::string::npos);
}

TEST_F(LoaderTest, MissingFolderIsAnError) {
  auto reg = LoadRegistryCsv(dir_ + "/nothing", ref_, {}, nullptr);
  ASSERT_FALSE(reg.has_value());
  EXPECT_NE(reg.error().message.find("not found"), std::string::npos);
}

// Two bad rows far apart in a file big enough to be parsed in several chunks: the
// message always names the first, whatever the number of threads.
TEST_F(LoaderTest, FirstErrorIsTheSameForAnyThreadCount) {
  auto files = test::RandomRegistry(6, 60000);
  std::string& persons = files["persons.csv"];
  // The last character of line `line_no` (the sex) becomes `bad_sex`.
  auto break_line = [&](int line_no, char bad_sex) {
    size_t pos = 0;
    for (int i = 1; i < line_no; ++i) pos = persons.find('\n', pos) + 1;
    persons.at(persons.find('\n', pos) - 1) = bad_sex;
  };
  break_line(50000, 'Q');
  break_line(30000, 'Z');
  test::WriteFiles(files, dir_);
  for (int threads : {1, 2, 4}) {
    auto reg = LoadRegistryCsv(dir_, ref_, LoadOptions{threads}, nullptr);
    ASSERT_FALSE(reg.has_value());
    EXPECT_NE(reg.error().message.find("persons.csv:30000"), std::string::npos) << reg.error().message;
    EXPECT_NE(reg.error().message.find("'Z'"), std::string::npos);
  }
  // The same for bytes that are not UTF-8.
  break_line(20000, '\xFF');
  test::WriteFiles(files, dir_);
  for (int threads : {1, 2, 4}) {
    auto reg = LoadRegistryCsv(dir_, ref_, LoadOptions{threads}, nullptr);
    ASSERT_FALSE(reg.has_value());
    EXPECT_NE(reg.error().message.find("persons.csv:20000, column 3 'sex'"), std::string::npos) << reg.error().message;
  }
}

// The institutions file exported from a Windows program in Latin-1: refused on load
// with file, line, column, byte offset and the hint, instead of a 500 later. The same
// names in UTF-8 load.
TEST_F(LoaderTest, ANameInLatin1IsRefusedAndTheSameNameInUtf8Loads) {
  auto files = test::RandomRegistry(5, 50);
  std::string& inst = files["institutions.csv"];
  const size_t at = inst.find("VO een b");
  inst.replace(at, 8, "ROC Voorb\xE9\xE9ld");
  test::WriteFiles(files, dir_);
  auto reg = LoadRegistryCsv(dir_, ref_, {}, nullptr);
  ASSERT_FALSE(reg.has_value());
  EXPECT_EQ(reg.error().message,
            fmt::format("institutions.csv:3, column 3 'name', byte offset {}: byte 0xE9 ('\xC3\xA9' in Latin-1 / "
                        "Windows-1252) is not valid UTF-8; the file is probably Latin-1 / Windows-1252 (save it as UTF-8)",
                        at + 9));
  inst.replace(at, 13, "ROC Voorb\xC3\xA9\xC3\xA9ld");
  test::WriteFiles(files, dir_);
  reg = LoadRegistryCsv(dir_, ref_, {}, nullptr);
  ASSERT_TRUE(reg.has_value()) << reg.error().message;
  EXPECT_NE(std::find(reg->institutions.name.begin(), reg->institutions.name.end(), "ROC Voorb\xC3\xA9\xC3\xA9ld"),
            reg->institutions.name.end());
}

// A bad byte in any file, in a field the loader would otherwise refuse for its value
// or ignore (an unknown column), is refused as not UTF-8, naming that file.
TEST_F(LoaderTest, EveryFileIsCheckedForUtf8) {
  const auto clean = test::RandomRegistry(5, 200);
  for (const auto& [name, text] : clean) {
    auto files = clean;
    std::string& f = files[name];
    const size_t header_end = f.find('\n');
    std::string out = f.substr(0, header_end) + ",remark\n";
    size_t start = header_end + 1;
    int line = 1;
    for (size_t nl; (nl = f.find('\n', start)) != std::string::npos; start = nl + 1, ++line) {
      out += f.substr(start, nl - start) + (line == 2 ? ",caf\xE9\n" : ",ok\n");
    }
    if (line < 3) continue;  // a file with fewer than two rows
    f = out;
    std::filesystem::remove_all(dir_);
    test::WriteFiles(files, dir_);
    auto reg = LoadRegistryCsv(dir_, ref_, {}, nullptr);
    ASSERT_FALSE(reg.has_value()) << name;
    EXPECT_NE(reg.error().message.find(name + ":3, column "), std::string::npos) << reg.error().message;
    EXPECT_NE(reg.error().message.find("'remark'"), std::string::npos) << reg.error().message;
    EXPECT_NE(reg.error().message.find("not valid UTF-8"), std::string::npos) << reg.error().message;
  }
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Files in person order (kept in place, persons cut across chunks) and the same
// files shuffled (placed by counting sort) give the same tables, on any number of
// threads: their snapshots are byte for byte the same.
TEST_F(LoaderTest, RowOrderAndThreadsDoNotChangeTheTables) {
  auto snapshot_of = [&](uint64_t shuffle, int threads) {
    const std::string dir = test::MakeTempDir("vsv-loader-order-");
    test::WriteFiles(test::RandomRegistry(8, 40000, shuffle), dir);
    EXPECT_GT(std::filesystem::file_size(dir + "/enrolments.csv"), 2u << 20);  // several chunks
    auto reg = LoadRegistryCsv(dir, ref_, LoadOptions{threads}, nullptr);
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(reg.has_value()) << (reg ? "" : reg.error().message);
    const std::string path = dir_ + "/order.vsvdb";
    EXPECT_TRUE(WriteSnapshot(*reg, path).has_value());
    return FileBytes(path);
  };
  const std::string in_order = snapshot_of(0, 1);
  EXPECT_EQ(snapshot_of(0, 2), in_order);
  EXPECT_EQ(snapshot_of(0, 3), in_order);
  EXPECT_EQ(snapshot_of(17, 2), in_order);
}

// The classification stops its scans for the enrolments, residence and registrations
// active on a date at the first row that starts after it (registry.h): a person's
// rows must come sorted by that date, whatever the order of the files.
TEST_F(LoaderTest, EveryPersonsRowsAreSortedByTheDateTheyStart) {
  const std::string dir = test::MakeTempDir("vsv-loader-sorted-");
  test::WriteFiles(test::RandomRegistry(5, 5000, 23), dir);
  auto reg = LoadRegistryCsv(dir, ref_, LoadOptions{2}, nullptr);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(reg.has_value()) << reg.error().message;
  auto check = [&](const PersonGrouping& table, const Column<Date>& starts, const char* name) {
    size_t persons_with_several_rows = 0;
    for (PersonIndex p = 0; p < reg->person_count(); ++p) {
      const RowRange rows = table.Rows(p);
      if (rows.end - rows.begin > 1) ++persons_with_several_rows;
      for (uint32_t i = rows.begin + 1; i < rows.end; ++i) {
        ASSERT_LE(starts[i - 1], starts[i]) << name << ", person " << reg->persons.Id(p);
      }
    }
    EXPECT_GT(persons_with_several_rows, 100u) << name;
  };
  check(reg->enrolments, reg->enrolments.start_date, "enrolments");
  check(reg->residences, reg->residences.valid_from, "residences");
  check(reg->registrations, reg->registrations.valid_from, "registrations");
}

}  // namespace
}  // namespace vsv
