#include "core/date.h"

#include <gtest/gtest.h>

namespace vsv {
namespace {

TEST(DateTest, RoundTripsEveryDayOfFourCenturies) {
  for (Date d = MakeDate(1900, 1, 1); d <= MakeDate(2199, 12, 31); ++d) {
    const YearMonthDay ymd = ToYearMonthDay(d);
    ASSERT_EQ(MakeDate(ymd.year, ymd.month, ymd.day), d);
    ASSERT_EQ(ParseDate(FormatDate(d)), d);
  }
}

TEST(DateTest, EpochAndKnownDays) {
  EXPECT_EQ(MakeDate(1970, 1, 1), 0);
  EXPECT_EQ(MakeDate(2000, 3, 1) - MakeDate(2000, 2, 28), 2);  // 2000 is a leap year
  EXPECT_EQ(MakeDate(1900, 3, 1) - MakeDate(1900, 2, 28), 1);  // 1900 is not
}

TEST(DateTest, RejectsInvalidText) {
  for (const char* bad : {"2023-02-29", "2023-13-01", "2023-00-10", "2023-1-01", "20230101",
                          "2023-01-32", "abcd-ef-gh", "", "2023-01-01 ", "1899-12-31"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
}

TEST(DateTest, AgeInCompletedYears) {
  // The definition's own example: born 1 October 2001 is 22 on 1 October 2023.
  EXPECT_EQ(AgeOn(MakeDate(2001, 10, 1), Teldatum(2023)), 22);
  EXPECT_EQ(AgeOn(MakeDate(2001, 10, 2), Teldatum(2023)), 21);
  EXPECT_EQ(AgeOn(MakeDate(2004, 2, 29), MakeDate(2023, 2, 28)), 18);
  EXPECT_EQ(AgeOn(MakeDate(2004, 2, 29), MakeDate(2023, 3, 1)), 19);
}

TEST(DateTest, AgeOnTeldatumAgreesWithAgeOn) {
  for (Date birth = MakeDate(1980, 1, 1); birth <= MakeDate(2012, 12, 31); ++birth) {
    for (int year : {2012, 2019, 2023}) ASSERT_EQ(AgeOnTeldatum(birth, year), AgeOn(birth, Teldatum(year))) << birth;
  }
}

TEST(DateTest, SchoolYears) {
  EXPECT_EQ(SchoolYearOf(MakeDate(2023, 8, 1)), 2023);
  EXPECT_EQ(SchoolYearOf(MakeDate(2023, 7, 31)), 2022);
  EXPECT_EQ(SchoolYearName(2023), "2023-2024");
  EXPECT_EQ(FormatDate(kOpenEnd), "");
}

}  // namespace
}  // namespace vsv
