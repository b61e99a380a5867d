#include "registry/snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/file_util.h"
#include "measure/classify.h"
#include "measure/cube.h"
#include "random_registry.h"
#include "registry/loader.h"
#include "report/count_report.h"
#include "scenario.h"

namespace vsv {
namespace {

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(r.has_value());
    ref_ = std::move(*r);
    dir_ = test::MakeTempDir("vsv-snap-");
    test::WriteFiles(test::RandomRegistry(3, 2000), dir_ + "/csv");
    auto reg = LoadRegistryCsv(dir_ + "/csv", ref_, {}, nullptr);
    ASSERT_TRUE(reg.has_value()) << reg.error().message;
    reg_ = std::move(*reg);
    path_ = dir_ + "/r.vsvdb";
    ASSERT_TRUE(WriteSnapshot(reg_, path_).has_value());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Count(const Registry& r) {
    std::string out;
    for (int year = 2018; year <= 2022; ++year) {
      out += CountTableJson(r, CountBy(r, ClassifyYear(r, ref_, year, {}), std::vector<Dimension>{Dimension::kLocation, Dimension::kRegion})).dump();
    }
    return out;
  }
  void Corrupt(const std::function<void(std::string&)>& change) {
    auto bytes = ReadFile(path_);
    ASSERT_TRUE(bytes.has_value());
    change(*bytes);
    ASSERT_TRUE(WriteFileAtomic(path_, *bytes).has_value());
  }
  std::string LoadError() {
    auto r = LoadRegistry(path_, ref_, {}, nullptr);
    EXPECT_FALSE(r.has_value());
    return r ? "" : r.error().message;
  }

  Reference ref_;
  Registry reg_;
  std::string dir_, path_;
};

TEST_F(SnapshotTest, RoundTripGivesTheSameCounts) {
  LoadReport report;
  auto loaded = LoadRegistry(path_, ref_, {}, &report);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_TRUE(report.from_snapshot);
  EXPECT_EQ(loaded->person_count(), reg_.person_count());
  EXPECT_EQ(Count(*loaded), Count(reg_));
}

TEST_F(SnapshotTest, TruncatedFileIsRefused) {
  Corrupt([](std::string& b) { b.resize(b.size() / 2); });
  EXPECT_NE(LoadError().find("truncated or corrupted"), std::string::npos);
}

TEST_F(SnapshotTest, FlippedByteIsRefused) {
  Corrupt([](std::string& b) { b[b.size() / 3] ^= 0x20; });
  EXPECT_NE(LoadError().find("checksum"), std::string::npos);
}

TEST_F(SnapshotTest, WrongVersionIsRefused) {
  Corrupt([](std::string& b) { b[8] = static_cast<char>(kSnapshotVersion + 1); });
  EXPECT_NE(LoadError().find("version"), std::string::npos);
}

TEST_F(SnapshotTest, OtherFileIsRefused) {
  ASSERT_TRUE(WriteFileAtomic(path_, "person_id,birth_date,sex\n").has_value());
  EXPECT_NE(LoadError().find("not a vsv snapshot"), std::string::npos);
}

TEST_F(SnapshotTest, MissingFileNamesThePath) {
  auto r = LoadRegistry(dir_ + "/nope.vsvdb", ref_, {}, nullptr);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("nope.vsvdb"), std::string::npos);
}

}  // namespace
}  // namespace vsv
