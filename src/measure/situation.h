// Where a person is on a date by the registers of work and benefits (registry
// registrations EMPLOYED and BENEFIT): the "situation" breakdown of the count, which
// for a school year T is read on teldatum T+1 — where the new vsv'ers are a year on
// ("ongediplomeerde uitstroom naar werk").
#ifndef VSV_MEASURE_SITUATION_H_
#define VSV_MEASURE_SITUATION_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/date.h"
#include "registry/registry.h"

namespace vsv {

enum class WorkSituation : uint8_t { kEmployed, kBenefit, kEmployedAndBenefit, kNeither };
inline constexpr int kWorkSituationCount = 4;

// "EMPLOYED", "BENEFIT", "EMPLOYED_AND_BENEFIT", "NEITHER": the names of the JSON contract.
std::string_view WorkSituationName(WorkSituation s);
std::optional<WorkSituation> ParseWorkSituation(std::string_view s);

// The situation of `person` by the registrations active on `date` (both ends inclusive).
inline WorkSituation SituationOn(const Registry& r, PersonIndex person, Date date) {
  bool employed = false, benefit = false;
  const RowRange rows = r.registrations.Rows(person);
  // Sorted by valid_from: no row after one that starts after `date` covers it.
  for (uint32_t i = rows.begin; i < rows.end && r.registrations.valid_from[i] <= date; ++i) {
    if (!Covers(r.registrations.valid_from[i], r.registrations.valid_to[i], date)) continue;
    const Register kind = r.registrations.register_kind[i];
    employed |= kind == Register::kEmployed;
    benefit |= kind == Register::kBenefit;
  }
  if (employed && benefit) return WorkSituation::kEmployedAndBenefit;
  if (employed) return WorkSituation::kEmployed;
  if (benefit) return WorkSituation::kBenefit;
  return WorkSituation::kNeither;
}

// The situation of the count of school year `year`: on teldatum T+1.
inline WorkSituation SituationAfterYear(const Registry& r, PersonIndex person, int year) {
  return SituationOn(r, person, Teldatum(year + 1));
}

}  // namespace vsv

#endif  // VSV_MEASURE_SITUATION_H_
