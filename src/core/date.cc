#include "core/date.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace vsv {

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
Date MakeDate(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month > 2 ? month - 3 : month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

YearMonthDay ToYearMonthDay(Date date) {
  const int z = date + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

namespace {
bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}
int Digit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }
}  // namespace

std::optional<Date> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[8];
  static constexpr int kPos[] = {0, 1, 2, 3, 5, 6, 8, 9};
  for (int i = 0; i < 8; ++i) {
    v[i] = Digit(s[kPos[i]]);
    if (v[i] < 0) return std::nullopt;
  }
  const int year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
  const int month = v[4] * 10 + v[5];
  const int day = v[6] * 10 + v[7];
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return MakeDate(year, month, day);
}

std::string FormatDate(Date date) {
  if (date == kOpenEnd || date == kNoDate) return "";
  const YearMonthDay ymd = ToYearMonthDay(date);
  return fmt::format("{:04d}-{:02d}-{:02d}", ymd.year, ymd.month, ymd.day);
}

int AgeOn(Date birth, Date on) {
  const YearMonthDay b = ToYearMonthDay(birth);
  const YearMonthDay o = ToYearMonthDay(on);
  int age = o.year - b.year;
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) --age;
  return age;
}

namespace {
constexpr int kFirstTableYear = 1899;
constexpr int kLastTableYear = 2200;
// Teldatum(y) for every table year.
const std::array<Date, kLastTableYear - kFirstTableYear + 1>& TeldatumTable() {
  static const auto table = [] {
    std::array<Date, kLastTableYear - kFirstTableYear + 1> t{};
    for (int y = kFirstTableYear; y <= kLastTableYear; ++y) t[y - kFirstTableYear] = Teldatum(y);
    return t;
  }();
  return table;
}
}  // namespace

int AgeOnTeldatum(Date birth, int year) {
  // Y = the year of the first teldatum on or after the birth; the age on teldatum T
  // is then T - Y (born 1 October 2001: Y = 2001, aged 22 on 1 October 2023).
  const auto& table = TeldatumTable();
  auto it = std::lower_bound(table.begin(), table.end(), birth);
  if (it == table.end()) return AgeOn(birth, Teldatum(year));
  return year - (kFirstTableYear + static_cast<int>(it - table.begin()));
}

int SchoolYearOf(Date date) {
  const YearMonthDay ymd = ToYearMonthDay(date);
  return ymd.month >= 8 ? ymd.year : ymd.year - 1;
}

std::string SchoolYearName(int year) { return fmt::format("{}-{}", year, year + 1); }

}  // namespace vsv
