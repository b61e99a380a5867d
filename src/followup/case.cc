#include "followup/case.h"

#include <array>

#include <fmt/format.h>

namespace vsv::followup {

namespace {
constexpr std::array<std::string_view, kCaseStatusCount> kStatusNames = {
    "new", "contacted", "in-trajectory", "back-in-education", "working", "working-and-learning", "care",
    "not-reachable", "moved-out-of-region", "closed"};
constexpr std::array<std::string_view, 2> kKindNames = {"new-leaver", "oud-vsv"};
constexpr std::array<std::string_view, kPartnerCount> kPartnerNames = {"youth-care", "debt-help", "income-support",
                                                                       "uwv", "school"};
constexpr std::array<std::string_view, 7> kChannels = {"phone", "email", "letter", "visit", "meeting", "chat", "other"};

template <typename E, size_t N>
Result<E> ParseName(const std::array<std::string_view, N>& names, std::string_view text, std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return MakeError(fmt::format("unknown {} '{}'; expected one of {}", what, text, fmt::join(names, ", ")));
}
}  // namespace

std::string_view StatusName(CaseStatus s) { return kStatusNames[static_cast<size_t>(s)]; }
Result<CaseStatus> ParseStatus(std::string_view text) { return ParseName<CaseStatus>(kStatusNames, text, "status"); }
std::string_view KindName(CaseKind k) { return kKindNames[static_cast<size_t>(k)]; }
Result<CaseKind> ParseKind(std::string_view text) { return ParseName<CaseKind>(kKindNames, text, "case kind"); }
std::string_view PartnerName(Partner p) { return kPartnerNames[static_cast<size_t>(p)]; }
Result<Partner> ParsePartner(std::string_view text) { return ParseName<Partner>(kPartnerNames, text, "partner"); }

bool IsChannel(std::string_view text) {
  for (auto c : kChannels) {
    if (c == text) return true;
  }
  return false;
}

Date AddMonths(Date d, int months) {
  const YearMonthDay ymd = ToYearMonthDay(d);
  int m0 = ymd.year * 12 + (ymd.month - 1) + months;
  const int year = m0 / 12, month = m0 % 12 + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int last = kDays[month - 1];
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) last = 29;
  return MakeDate(year, month, std::min(ymd.day, last));
}

}  // namespace vsv::followup
