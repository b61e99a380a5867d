// The shipped reference data (every school year 2012-2025) and what is derived from
// it: the dates a code exists, successors through mergers.csv, the division of a
// school year and the regions whose area changed; and a user's own reference folder
// in the older form (no mergers.csv) still loading.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "registry/reference.h"

namespace vsv {
namespace {

const Reference& Shipped() {
  static const Reference* ref = [] {
    auto r = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return new Reference(std::move(*r));
  }();
  return *ref;
}

size_t MunicipalitiesIn(const Reference& ref, int year) {
  std::set<int> codes;
  for (const MunicipalityPeriod& m : ref.municipalities()) {
    if (m.first_year <= year && year <= m.last_year) codes.insert(m.code);
  }
  return codes.size();
}

size_t RegionsIn(const Reference& ref, int year) {
  std::set<int> codes;
  for (const RegionInfo& r : ref.regions()) {
    if (r.first_year <= year && year <= r.last_year) codes.insert(r.code);
  }
  return codes.size();
}

TEST(ReferenceTest, CountsOfEverySchoolYear) {
  const Reference& ref = Shipped();
  EXPECT_EQ(ref.first_year(), 2012);
  EXPECT_EQ(ref.last_year(), 2025);
  const std::pair<int, size_t> expected[] = {{2012, 408}, {2013, 408}, {2014, 403}, {2015, 393}, {2016, 390},
                                             {2017, 388}, {2018, 380}, {2019, 355}, {2020, 355}, {2021, 352},
                                             {2022, 344}, {2023, 342}, {2024, 342}, {2025, 342}};
  for (const auto& [year, n] : expected) EXPECT_EQ(MunicipalitiesIn(ref, year), n) << year;
  EXPECT_EQ(RegionsIn(ref, 2020), 39u);
  EXPECT_EQ(RegionsIn(ref, 2021), 40u);
  EXPECT_EQ(ref.FindRegion(14, 2020)->name, "Arnhem/Nijmegen");
  EXPECT_EQ(ref.FindRegion(14, 2021)->name, "Arnhem");
}

TEST(ReferenceTest, VersionsOfACode) {
  const Reference& ref = Shipped();
  EXPECT_EQ(ref.RegionOf(268, 2020), 14);  // Nijmegen
  EXPECT_EQ(ref.RegionOf(268, 2021), 40);
  EXPECT_EQ(ref.RegionOf(450, 2018), 25);  // Uitgeest
  EXPECT_EQ(ref.RegionOf(450, 2019), 24);
}

TEST(ReferenceTest, DatesACodeExists) {
  const Reference& ref = Shipped();
  const CodeValidity beemster = ref.ValidityOf(370);
  EXPECT_EQ(beemster.from, kNoDate);
  EXPECT_EQ(beemster.to, MakeDate(2021, 12, 31));
  EXPECT_EQ(ref.ValidityOf(1980).from, MakeDate(2022, 1, 1));  // Dijk en Waard
  EXPECT_EQ(ref.ValidityOf(1980).to, kOpenEnd);
  EXPECT_EQ(ref.ValidityOf(457).to, MakeDate(2022, 3, 23));    // Weesp: 24 March 2022
  EXPECT_EQ(ref.ValidityOf(1921).to, MakeDate(2015, 6, 30));   // De Friese Meren -> 1940
  EXPECT_EQ(ref.ValidityOf(1940).from, MakeDate(2015, 7, 1));
  EXPECT_FALSE(ref.ValidityOf(9999).known());
}

TEST(ReferenceTest, Successors) {
  const Reference& ref = Shipped();
  EXPECT_EQ(ref.SuccessorOf(370), 439);   // Beemster -> Purmerend
  EXPECT_EQ(ref.SuccessorOf(788), 824);   // Haaren split: Oisterwijk 42.3%
  EXPECT_EQ(ref.SuccessorOf(140), 1900);  // Littenseradiel: Súdwest-Fryslân 51.2%
  EXPECT_EQ(ref.SuccessorOf(53), 1966);   // Winsum: Het Hogeland 87.7%
  EXPECT_EQ(ref.SuccessorOf(55), 80);     // Boarnsterhim, no shares: the legal successor Leeuwarden
  EXPECT_EQ(ref.SuccessorOf(1671), 796);  // Maasdonk, no shares: 's-Hertogenbosch (RvIG gives 0796)
  EXPECT_EQ(ref.SuccessorOf(363), -1);    // Amsterdam
}

TEST(ReferenceTest, DivisionMapsOldCodesToTheirSuccessors) {
  const Reference& ref = Shipped();
  const Division d2025 = ref.DivisionOf(2025);
  EXPECT_EQ(d2025.MunicipalityOf(265), 1945);  // Millingen -> Groesbeek (2015) -> Berg en Dal (2016)
  EXPECT_EQ(d2025.RegionOf(265), 40);
  EXPECT_EQ(d2025.MunicipalityOf(370), 439);
  EXPECT_EQ(d2025.MunicipalityOf(457), 363);
  EXPECT_EQ(d2025.RegionOf(457), 21);
  EXPECT_EQ(d2025.MunicipalityOf(363), 363);
  EXPECT_EQ(d2025.MunicipalityOf(9999), -1);
  EXPECT_TRUE(d2025.area_changes.empty());
  const Division d2021 = ref.DivisionOf(2021);
  EXPECT_EQ(d2021.MunicipalityOf(370), 370);  // Beemster still exists in 2021-2022
  EXPECT_EQ(d2021.MunicipalityOf(457), 457);
  EXPECT_EQ(ref.DivisionOf(2022).MunicipalityOf(457), 363);
  // A code created after the year: its first predecessor in mergers.csv.
  EXPECT_EQ(ref.DivisionOf(2013).MunicipalityOf(1980), 398);
  // Every code a division maps to is a municipality of that year.
  for (int year = 2012; year <= 2025; ++year) {
    const Division d = ref.DivisionOf(year);
    for (size_t c = 0; c < d.municipality.size(); ++c) {
      if (d.municipality[c] < 0) continue;
      EXPECT_NE(ref.Find(d.municipality[c], year), nullptr) << year << " " << c;
      EXPECT_EQ(d.region[c], ref.Find(d.municipality[c], year)->region);
    }
  }
}

TEST(ReferenceTest, AreaChanges) {
  const Reference& ref = Shipped();
  const Division d = ref.DivisionOf(2021);
  const AreaChange* r14 = d.AreaChangeOf(14);
  ASSERT_NE(r14, nullptr);
  EXPECT_EQ(r14->lost.size(), 7u);
  for (const AreaMove& m : r14->lost) EXPECT_EQ(m.other_region, 40);
  const AreaChange* r40 = d.AreaChangeOf(40);
  ASSERT_NE(r40, nullptr);
  EXPECT_TRUE(r40->new_region);
  EXPECT_EQ(r40->gained.size(), 7u);
  EXPECT_EQ(d.AreaChangeOf(21), nullptr);
  // Weesp (20) into Amsterdam (21) in school year 2022; Uitgeest 25 -> 24 in 2019.
  EXPECT_NE(ref.DivisionOf(2022).AreaChangeOf(20), nullptr);
  EXPECT_NE(ref.DivisionOf(2022).AreaChangeOf(21), nullptr);
  EXPECT_NE(ref.DivisionOf(2019).AreaChangeOf(24), nullptr);
  EXPECT_TRUE(ref.DivisionOf(2020).area_changes.empty());
  EXPECT_TRUE(ref.DivisionOf(2012).area_changes.empty());
}

TEST(ReferenceTest, NearestValidCode) {
  const Reference& ref = Shipped();
  EXPECT_NE(ref.NearestValid(370, MakeDate(2023, 1, 1)).find("0439 Purmerend"), std::string::npos);
  const std::string before = ref.NearestValid(1980, MakeDate(2019, 5, 1));
  EXPECT_NE(before.find("0398 Heerhugowaard"), std::string::npos) << before;
  EXPECT_NE(before.find("0416 Langedijk"), std::string::npos) << before;
  // Unknown: the valid code nearest in number (0365 Graft-De Rijp has gone by 2023).
  EXPECT_NE(ref.NearestValid(364, MakeDate(2023, 1, 1)).find("0363 Amsterdam"), std::string::npos);
}

// A user's own reference folder in the format of before mergers.csv: one row per
// code, no reorganisations. Every code is valid in its years and maps to itself.
TEST(ReferenceTest, OwnFolderWithoutMergers) {
  const std::string dir = std::filesystem::temp_directory_path() / "vsv-own-reference";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/municipalities.csv") << "code,name,region,first_year,last_year\n"
                                                "0363,Amsterdam,21,2015,\n0370,Beemster,21,2015,2021\n";
  std::ofstream(dir + "/regions.csv") << "code,name,first_year,last_year\n21,Amsterdam,2015,\n";
  auto ref = Reference::Load(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(ref.has_value()) << ref.error().message;
  EXPECT_EQ(ref->first_year(), 2015);
  EXPECT_EQ(ref->last_year(), 2022);
  EXPECT_EQ(ref->ValidityOf(370).to, MakeDate(2022, 9, 30));
  EXPECT_EQ(ref->DivisionOf(2021).MunicipalityOf(370), 370);
  EXPECT_EQ(ref->DivisionOf(2022).MunicipalityOf(370), -1);  // no successor known
  EXPECT_EQ(ref->RegionOf(363, 2030), 21);
}

TEST(ReferenceTest, BadMergersRowIsAnError) {
  const std::string dir = std::filesystem::temp_directory_path() / "vsv-bad-mergers";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/municipalities.csv") << "code,name,region,first_year,last_year\n0363,Amsterdam,21,2015,\n";
  std::ofstream(dir + "/regions.csv") << "code,name,first_year,last_year\n21,Amsterdam,2015,\n";
  std::ofstream(dir + "/mergers.csv") << "date,old_code,new_code,type\n2022-01-01,0370,0363,absorption\n";
  auto ref = Reference::Load(dir);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(ref.has_value());
  EXPECT_NE(ref.error().message.find("mergers.csv:2"), std::string::npos) << ref.error().message;
  EXPECT_NE(ref.error().message.find("old_code"), std::string::npos);
  EXPECT_NE(ref.error().message.find("0370"), std::string::npos);
}

}  // namespace
}  // namespace vsv
