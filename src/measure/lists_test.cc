// The people's lists (stocks and the work list) on small hand-made registries whose
// answers follow directly from docs/vsv-definition.md.
#include <gtest/gtest.h>

#include <filesystem>

#include "measure/classification_cache.h"
#include "measure/explain.h"
#include "measure/stock.h"
#include "measure/worklist.h"
#include "registry/loader.h"
#include "scenario.h"

namespace vsv {
namespace {

const char* kEnrolmentHeader =
    "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,"
    "international,outsourced_to_vavo,start_date,end_date\n";

class ListsTest : public ::testing::Test {
 protected:
  void Load(const std::map<std::string, std::string>& files) {
    auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(ref.has_value());
    ref_ = std::move(*ref);
    test::Scenario sc;
    sc.files = files;
    sc.files["institutions.csv"] =
        "institution,location,name,sector,municipality\n00AA,00,ROC,MBO,0363\n00BB,00,PrO,PRO,0363\n";
    const std::string dir = test::MakeTempDir("vsv-lists-");
    ASSERT_TRUE(test::WriteScenarioRegistry(sc, dir).has_value());
    auto reg = LoadRegistryCsv(dir, ref_, {}, nullptr);
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(reg.has_value()) << reg.error().message;
    reg_ = std::move(*reg);
  }
  std::vector<std::string> Ids(const StockResult& s) {
    std::vector<std::string> ids;
    for (const StockEntry& e : s.entries) ids.emplace_back(reg_.persons.Id(e.person));
    return ids;
  }
  Reference ref_;
  Registry reg_;
};

// Three MBO-2 students who all leave in January 2022 without a diploma (new vsv'ers
// of 2021-2022): o1 stays out, o2 returns to school in 2023, o3 obtains an MBO2
// diploma in 2023. On 2024-01-15 only o1 is an oud-vsv'er.
TEST_F(ListsTest, OudVsvAreEarlierNewLeaversStillOutAndWithoutSk) {
  Load({{"persons.csv", "person_id,birth_date,sex\no1,2003-03-01,M\no2,2003-03-01,V\no3,2003-03-01,V\n"},
        {"residences.csv", "person_id,valid_from,valid_to,municipality\no1,2003-03-01,,0363\n"
                           "o2,2003-03-01,,0363\no3,2003-03-01,,0363\n"},
        {"enrolments.csv", std::string(kEnrolmentHeader) +
                               "o1,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2021-08-01,2022-01-31\n"
                               "o2,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2021-08-01,2022-01-31\n"
                               "o2,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,\n"
                               "o3,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2021-08-01,2022-01-31\n"},
        {"diplomas.csv", "person_id,date,type,institution\no3,2023-06-30,MBO2,00AA\n"}});
  ClassificationCache cache(reg_, ref_, 1);
  ASSERT_EQ(cache.Get(2021, 22).part.size(), 3u);
  for (Part p : cache.Get(2021, 22).part) EXPECT_EQ(p, Part::kX);
  const StockResult s = ComputeStock(cache, {StockKind::kOudVsv, MakeDate(2024, 1, 15), 23});
  EXPECT_EQ(Ids(s), std::vector<std::string>{"o1"});
  EXPECT_EQ(s.entries[0].since_year, 2021);
  EXPECT_EQ(s.entries[0].region, 21);
  // Before teldatum 2022 the count of 2021-2022 is not settled: nobody yet.
  EXPECT_TRUE(ComputeStock(cache, {StockKind::kOudVsv, MakeDate(2022, 9, 30), 23}).entries.empty());
  // The age limit: o1 turns 23 on 2026-03-01.
  EXPECT_TRUE(ComputeStock(cache, {StockKind::kOudVsv, MakeDate(2026, 3, 1), 23}).entries.empty());
  EXPECT_EQ(ComputeStock(cache, {StockKind::kOudVsv, MakeDate(2026, 3, 1), 27}).entries.size(), 1u);
}

// Aged 23 up to 27, living here, no SK, not enrolled, not employed, no benefit.
TEST_F(ListsTest, JongerenInBeeld) {
  Load({{"persons.csv", "person_id,birth_date,sex\nj1,2000-06-01,M\nj2,2000-06-01,V\nj3,2000-06-01,V\n"
                        "j4,1997-06-01,M\nj5,2002-06-01,M\nj6,2000-06-01,X\n"},
        {"residences.csv", "person_id,valid_from,valid_to,municipality\nj1,2000-06-01,,0599\n"
                           "j2,2000-06-01,,0599\nj3,2000-06-01,,0599\nj4,1997-06-01,,0599\n"
                           "j5,2002-06-01,,0599\nj6,2000-06-01,,ABROAD\n"},
        {"registrations.csv", "person_id,register,valid_from,valid_to\nj2,EMPLOYED,2023-01-01,\n"
                              "j3,BENEFIT,2023-01-01,2024-12-31\n"}});
  ClassificationCache cache(reg_, ref_, 1);
  const StockResult s = ComputeStock(cache, {StockKind::kJzs23To27, MakeDate(2024, 10, 1), 23});
  // j1 (24): counted; j2 employed; j3 on benefit; j4 is 27; j5 is 22; j6 abroad.
  EXPECT_EQ(Ids(s), std::vector<std::string>{"j1"});
  EXPECT_EQ(s.entries[0].region, 29);
}

// Leavers of 2022-2023 from PRO and entree, and their situation on 1 October 2023.
TEST_F(ListsTest, VulnerableLeaversAndTheirSituation) {
  Load({{"persons.csv", "person_id,birth_date,sex\nv1,2005-01-01,M\nv2,2004-01-01,V\nv3,2004-01-01,V\n"},
        {"residences.csv", "person_id,valid_from,valid_to,municipality\nv1,2005-01-01,,0363\n"
                           "v2,2004-01-01,,0363\nv3,2004-01-01,,0363\n"},
        {"enrolments.csv", std::string(kEnrolmentHeader) +
                               "v1,00BB,00,PRO,1,,,,,0,0,0,2017-08-01,2023-07-15\n"
                               "v2,00AA,00,MBO,1,25180,1,BOL,1,0,0,0,2022-08-01,2023-03-01\n"
                               "v2,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,\n"
                               // v3 switches entree programmes without a break: not a leaver
                               "v3,00AA,00,MBO,1,25180,1,BOL,1,0,0,0,2022-08-01,2023-01-31\n"
                               "v3,00AA,00,MBO,1,25181,1,BBL,1,0,0,0,2023-02-01,2024-07-31\n"},
        {"registrations.csv", "person_id,register,valid_from,valid_to\nv1,EMPLOYED,2023-09-01,\n"}});
  ClassificationCache cache(reg_, ref_, 1);
  const StockResult s = ComputeStock(cache, {StockKind::kVulnerable, MakeDate(2023, 11, 1), 23});
  EXPECT_EQ(s.school_year, 2022);
  ASSERT_EQ(Ids(s), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(s.entries[0].origin, VulnerableOrigin::kPro);
  EXPECT_EQ(s.entries[0].situation, Situation::kEmployed);
  EXPECT_EQ(s.entries[1].origin, VulnerableOrigin::kEntree);
  EXPECT_EQ(s.entries[1].situation, Situation::kEnrolled);
}

// Work list of region 21 for August 2024.
TEST_F(ListsTest, WorklistHasNewLeaversWithoutSkOfTheRegion) {
  Load({{"persons.csv", "person_id,birth_date,sex\nw1,2006-01-01,M\nw2,2006-01-01,V\nw3,2006-01-01,V\n"
                        "w4,2006-01-01,M\nw5,2000-01-01,M\nw6,2006-01-01,X\n"},
        {"residences.csv", "person_id,valid_from,valid_to,municipality\nw1,2006-01-01,,0363\n"
                           "w2,2006-01-01,,0363\nw3,2006-01-01,,0363\nw4,2006-01-01,,0599\n"
                           "w5,2000-01-01,,0363\nw6,2006-01-01,,0363\n"},
        {"enrolments.csv", std::string(kEnrolmentHeader) +
                               "w1,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-08-12\n"   // leaves
                               "w2,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-08-12\n"   // switches
                               "w2,00AA,00,MBO,1,25190,2,BOL,1,0,0,0,2024-08-20,\n"
                               "w3,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-08-12\n"   // SK
                               "w4,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-08-12\n"   // other region
                               "w5,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-08-12\n"   // 24 years old
                               "w6,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-09-12\n"}, // leaves later
        {"diplomas.csv", "person_id,date,type,institution\nw3,2024-07-01,MBO2,00AA\n"}});
  const auto list = ComputeWorklist(reg_, ref_, {21, MakeDate(2024, 8, 1), MakeDate(2024, 8, 31), 23});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(reg_.persons.Id(list[0].person), "w1");
  EXPECT_EQ(list[0].left_on, MakeDate(2024, 8, 12));
  EXPECT_EQ(list[0].municipality, 363);
  // Up to 27 in Doorstroompunt mode: w5 (24) joins.
  EXPECT_EQ(ComputeWorklist(reg_, ref_, {21, MakeDate(2024, 8, 1), MakeDate(2024, 8, 31), 27}).size(), 2u);
}

TEST_F(ListsTest, ExplainNamesTheDecidingRule) {
  Load({{"persons.csv", "person_id,birth_date,sex\ne1,2005-01-01,M\n"},
        {"residences.csv", "person_id,valid_from,valid_to,municipality\ne1,2005-01-01,,0363\n"},
        {"enrolments.csv", std::string(kEnrolmentHeader) + "e1,00AA,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-02-01\n"},
        {"diplomas.csv", "person_id,date,type,institution\ne1,2024-11-30,MBO2,00AA\n"}});
  auto e = ExplainPerson(reg_, "e1", 2023, 22);
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->outcome.in_a);
  EXPECT_EQ(e->outcome.part, Part::kDSk);
  EXPECT_NE(e->steps.back().find("D_SK: MBO2 diploma dated 2024-11-30"), std::string::npos);
  EXPECT_FALSE(ExplainPerson(reg_, "nobody", 2023, 22).has_value());
}

}  // namespace
}  // namespace vsv
