// Invariants of the count on random registries: the decomposition adds up in every
// group, the groups of every breakdown add up to the total, and the result does not
// depend on row order or thread count.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "measure/classify.h"
#include "measure/cube.h"
#include "random_registry.h"
#include "registry/loader.h"
#include "report/count_report.h"
#include "scenario.h"

namespace vsv {
namespace {

class PropertyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    reference_ = new Reference(std::move(*r));
  }
  static void TearDownTestSuite() { delete reference_; }

  Registry Load(uint64_t seed, int persons, uint64_t shuffle = 0, int threads = 1) {
    const std::string dir = test::MakeTempDir("vsv-prop-");
    test::WriteFiles(test::RandomRegistry(seed, persons, shuffle), dir);
    auto reg = LoadRegistryCsv(dir, *reference_, LoadOptions{threads}, nullptr);
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(reg.has_value()) << (reg ? "" : reg.error().message);
    return reg ? std::move(*reg) : Registry{};
  }

  static Reference* reference_;
};
Reference* PropertyTest::reference_ = nullptr;

const std::vector<std::vector<Dimension>> kBreakdowns = {
    {Dimension::kSchool}, {Dimension::kLocation}, {Dimension::kMunicipality}, {Dimension::kRegion},
    {Dimension::kSector}, {Dimension::kCategory}, {Dimension::kLevel}, {Dimension::kPathway},
    {Dimension::kSex}, {Dimension::kAge}, {Dimension::kSituation},
    {Dimension::kRegion, Dimension::kSector, Dimension::kCategory},
    {Dimension::kRegion, Dimension::kSector, Dimension::kSituation}};

void ExpectDecompositionAddsUp(const nlohmann::ordered_json& g) {
  EXPECT_EQ(g["A"], g["B"].get<int64_t>() + g["C"].get<int64_t>() + g["D"].get<int64_t>() + g["X"].get<int64_t>());
  EXPECT_EQ(g["B"], g["B1"].get<int64_t>() + g["B2"].get<int64_t>() + g["B3"].get<int64_t>());
  int64_t c = 0;
  for (const char* k : {"C_VO", "C_MBO", "C_VAVO", "C_HO", "C_SPECIAL", "C_NONFUNDED", "C_DJI",
                        "C_POLICE_DEFENCE", "C_SOCIAL"}) {
    c += g[k].get<int64_t>();
  }
  EXPECT_EQ(g["C"], c);
  EXPECT_EQ(g["D"], g["D_SK"].get<int64_t>() + g["D_ENTREE_WORK"].get<int64_t>());
}

TEST_F(PropertyTest, DecompositionAndBreakdownsAddUp) {
  int64_t persons_in_a = 0;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const Registry reg = Load(seed, 1500);
    for (int year = 2018; year <= 2022; ++year) {
      const YearClassification c = ClassifyYear(reg, *reference_, year, {22, 2});
      persons_in_a += static_cast<int64_t>(c.size());
      for (const auto& dims : kBreakdowns) {
        const nlohmann::ordered_json j = CountTableJson(reg, CountBy(reg, c, dims));
        ExpectDecompositionAddsUp(j["total"]);
        std::map<std::string, int64_t> sums;
        for (const auto& g : j["groups"]) {
          ExpectDecompositionAddsUp(g);
          for (auto it = g.begin(); it != g.end(); ++it) {
            if (it.value().is_number_integer()) sums[it.key()] += it.value().get<int64_t>();
          }
        }
        for (const auto& [field, sum] : sums) EXPECT_EQ(sum, j["total"][field].get<int64_t>()) << field;
      }
    }
  }
  EXPECT_GT(persons_in_a, 1000);  // the generator really puts people in A
}

TEST_F(PropertyTest, EveryPartOccursInRandomData) {
  std::array<int64_t, kPartCount> seen{};
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const Registry reg = Load(seed, 1500);
    for (int year = 2018; year <= 2022; ++year) {
      for (Part p : ClassifyYear(reg, *reference_, year, {22, 1}).part) ++seen[static_cast<size_t>(p)];
    }
  }
  for (int p = 0; p < kPartCount; ++p) EXPECT_GT(seen[p], 0) << PartName(static_cast<Part>(p));
}

TEST_F(PropertyTest, IndependentOfRowOrderAndThreads) {
  const Registry base = Load(7, 3000, 0, 1);
  const Registry shuffled = Load(7, 3000, 99, 2);
  const std::vector<Dimension> dims = {Dimension::kLocation, Dimension::kMunicipality, Dimension::kAge};
  for (int year = 2018; year <= 2022; ++year) {
    const auto expected = CountTableJson(base, CountBy(base, ClassifyYear(base, *reference_, year, {22, 1}), dims));
    for (int threads : {1, 2, 3, 8}) {
      const auto c = ClassifyYear(shuffled, *reference_, year, {22, threads});
      EXPECT_EQ(CountTableJson(shuffled, CountBy(shuffled, c, dims)), expected) << year << " threads " << threads;
    }
  }
}

TEST_F(PropertyTest, AllYearsAtOnceEqualOneYearAtATimeOnAnyNumberOfThreads) {
  const Registry reg = Load(11, 3000);
  const std::vector<int> years = {2016, 2017, 2018, 2019, 2020, 2021, 2022};
  for (int threads : {1, 2, 3, 8}) {
    const std::vector<YearClassification> all = ClassifyYears(reg, *reference_, years, {22, threads});
    ASSERT_EQ(all.size(), years.size());
    for (size_t y = 0; y < years.size(); ++y) {
      const YearClassification one = ClassifyYear(reg, *reference_, years[y], {22, 1});
      const YearClassification& c = all[y];
      EXPECT_GT(one.size(), 0u);
      EXPECT_EQ(c.year, years[y]);
      EXPECT_EQ(c.person, one.person) << years[y] << " threads " << threads;
      EXPECT_EQ(c.part, one.part);
      EXPECT_EQ(c.main_enrolment, one.main_enrolment);
      EXPECT_EQ(c.municipality, one.municipality);
      EXPECT_EQ(c.division.region, one.division.region);
      EXPECT_EQ(c.division.municipality, one.division.municipality);
      EXPECT_EQ(c.residence_unknown, one.residence_unknown);
    }
  }
}

// A random registry whose Rotterdam residences are moved to municipalities that
// were reorganised or changed region since 2017 (Beemster, Haaren, Weesp,
// Heerhugowaard, Appingedam: merged away; Nijmegen: region 14 -> 40; Uitgeest:
// 25 -> 24), each to one that exists on the day the period starts.
Registry LoadWithReorganisedMunicipalities(const Reference& ref, uint64_t seed, int persons) {
  auto files = test::RandomRegistry(seed, persons);
  const Municipality kCodes[] = {370, 788, 457, 398, 3, 268, 450};
  std::string out;
  std::string_view text = files["residences.csv"];
  size_t n = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string line(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    // person_id,valid_from,valid_to,municipality,postcode4
    const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    if (c3 != std::string::npos && line.compare(c3 + 1, 4, "0599") == 0) {
      const Date from = *ParseDate(std::string_view(line).substr(c1 + 1, c2 - c1 - 1));
      for (size_t k = 0; k < std::size(kCodes); ++k) {
        const Municipality m = kCodes[(n + k) % std::size(kCodes)];
        if (ref.ValidityOf(m).Covers(from)) {
          line.replace(c3 + 1, 4, fmt::format("{:04d}", m));
          break;
        }
      }
      ++n;
    }
    out += line + "\n";
  }
  files["residences.csv"] = out;
  const std::string dir = test::MakeTempDir("vsv-reorg-");
  test::WriteFiles(files, dir);
  auto reg = LoadRegistryCsv(dir, ref, LoadOptions{2}, nullptr);
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(reg.has_value()) << (reg ? "" : reg.error().message);
  return reg ? std::move(*reg) : Registry{};
}

// Regions and municipalities of each year's own division, and of one year's
// division (--boundaries), add up to the national figure in every school year; on
// one year's map the national figure is the same as on each year's own.
TEST_F(PropertyTest, RegionsAddUpToTheNationalFigureOnEveryDivision) {
  const Registry reg = LoadWithReorganisedMunicipalities(*reference_, 5, 3000);
  const Division on2025 = reference_->DivisionOf(2025);
  const Division on2013 = reference_->DivisionOf(2013);
  bool saw_40 = false, saw_successor = false;
  for (int year = 2017; year <= 2023; ++year) {
    const YearClassification c = ClassifyYear(reg, *reference_, year, {22, 2});
    const PartCounts national = CountBy(reg, c, {}).total;
    for (const Division* on : {static_cast<const Division*>(nullptr), &on2025, &on2013}) {
      for (Dimension d : {Dimension::kRegion, Dimension::kMunicipality}) {
        const Dimension dims[] = {d};
        const CountTable t = CountBy(reg, c, dims, {}, on);
        EXPECT_EQ(t.total.n, national.n) << year;
        PartCounts sum;
        for (const CountGroup& g : t.groups) {
          sum.Add(g.counts);
          const int division_year = on ? on->year : year;
          if (d == Dimension::kRegion && g.key[0] >= 0) {
            // Only regions in use in that division: 40 from 2021 on, not before.
            EXPECT_NE(reference_->FindRegion(g.key[0], division_year), nullptr);
            if (g.key[0] == 40) {
              EXPECT_GE(division_year, 2021) << year;
              saw_40 = true;
            }
          }
          if (d == Dimension::kMunicipality && g.key[0] >= 0) {
            EXPECT_NE(reference_->Find(static_cast<Municipality>(g.key[0]), division_year), nullptr)
                << year << " " << g.key[0] << " on " << division_year;
            if (g.key[0] == 439 && year >= 2022 && !on) saw_successor = true;
          }
        }
        EXPECT_EQ(sum.n, national.n) << year;
      }
    }
  }
  EXPECT_TRUE(saw_40);
  EXPECT_TRUE(saw_successor);
}

}  // namespace
}  // namespace vsv
