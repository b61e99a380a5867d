// Calendar dates as days since 1970-01-01 in an int32_t: cheap to store in columns
// and to compare. The proleptic Gregorian calendar, no time zones.
#ifndef VSV_CORE_DATE_H_
#define VSV_CORE_DATE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace vsv {

using Date = int32_t;

// An open end of an interval ("valid_to" empty): later than any real date.
inline constexpr Date kOpenEnd = std::numeric_limits<Date>::max();
// No date at all (a null date field).
inline constexpr Date kNoDate = std::numeric_limits<Date>::min();

struct YearMonthDay {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 of a valid calendar date.
Date MakeDate(int year, int month, int day);
YearMonthDay ToYearMonthDay(Date date);

// Parses exactly "YYYY-MM-DD" (a real calendar date, years 1900..2199); nullopt
// otherwise.
std::optional<Date> ParseDate(std::string_view text);
// "YYYY-MM-DD"; "" for kOpenEnd or kNoDate.
std::string FormatDate(Date date);

// Age in completed years on `on` of someone born on `birth`.
int AgeOn(Date birth, Date on);

// Teldatum T: 1 October of calendar year T.
inline Date Teldatum(int year) { return MakeDate(year, 10, 1); }
// Age in completed years on teldatum `year` of someone born on `birth`; the same as
// AgeOn(birth, Teldatum(year)) but without a calendar computation (a table lookup),
// for loops over millions of persons. Births 1900..2199.
int AgeOnTeldatum(Date birth, int year);
// The school year (named by its first calendar year) that contains `date`:
// 1 August T .. 31 July T+1.
int SchoolYearOf(Date date);
// "2023-2024" for 2023.
std::string SchoolYearName(int year);

// Whether the closed interval [from, to] contains `date`.
inline bool Covers(Date from, Date to, Date date) {
  return from <= date && date <= to;
}

}  // namespace vsv

#endif  // VSV_CORE_DATE_H_
