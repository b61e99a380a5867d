#include "measure/worklist.h"

#include <algorithm>

#include "measure/stock.h"

namespace vsv {

namespace {

bool EnrolledBetween(const EnrolmentTable& e, RowRange rows, Date from, Date to) {
  for (uint32_t j = rows.begin; j < rows.end; ++j) {
    if (e.start_date[j] <= to && e.end_date[j] >= from) return true;
  }
  return false;
}

bool DiedBy(const Registry& r, PersonIndex p, Date d) {
  const RowRange rows = r.life_events.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (r.life_events.event[i] == LifeEvent::kDeath && r.life_events.date[i] <= d) return true;
  }
  return false;
}

}  // namespace

std::vector<WorklistEntry> ComputeWorklist(const Registry& r, const Reference& reference,
                                           const WorklistOptions& o) {
  const EnrolmentTable& e = r.enrolments;
  std::vector<WorklistEntry> out;
  Division division;
  int division_year = -1;
  for (PersonIndex p = 0; p < r.person_count(); ++p) {
    const RowRange rows = e.Rows(p);
    int64_t left = -1;
    for (uint32_t i = rows.begin; i < rows.end; ++i) {
      if (e.sector[i] == Sector::kHO || !Covers(o.from, o.to, e.end_date[i])) continue;
      if (left < 0 || e.end_date[i] > e.end_date[left]) left = i;
    }
    if (left < 0) continue;
    const Date left_on = e.end_date[left];
    const Date check = std::max(o.to, left_on + 1);
    if (EnrolledBetween(e, rows, left_on + 1, check) || HasStartkwalificatieOn(r, p, check) ||
        DiedBy(r, p, check)) {
      continue;
    }
    const int age = AgeOn(r.persons.birth_date[p], check);
    if (age >= o.age_limit) continue;
    const int64_t res = r.ResidenceOn(p, check);
    if (res < 0 || !IsDutchMunicipality(r.residences.municipality[res])) continue;
    const Municipality m = r.residences.municipality[res];
    const int year = o.boundaries ? o.boundaries : SchoolYearOf(check);
    if (year != division_year) {
      division_year = year;
      division = reference.DivisionOf(year);
    }
    if (division.RegionOf(m) != o.region) continue;
    out.push_back({p, static_cast<uint32_t>(left), left_on, division.MunicipalityOf(m), age});
  }
  return out;
}

}  // namespace vsv
