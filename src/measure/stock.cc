#include "measure/stock.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace vsv {

namespace {
constexpr std::array<std::string_view, 3> kKindNames = {"oud-vsv", "jzs-23-27", "vulnerable"};
}  // namespace

Result<StockKind> ParseStockKind(std::string_view text) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<StockKind>(i);
  }
  return MakeError(fmt::format("unknown stock kind '{}'; expected oud-vsv, jzs-23-27 or vulnerable", text));
}

std::string_view StockKindName(StockKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::string_view VulnerableOriginName(VulnerableOrigin o) {
  static constexpr std::array<std::string_view, 4> kNames = {"PRO", "VSO", "ENTREE", "MBO-2-BOL"};
  return kNames[static_cast<size_t>(o)];
}

std::string_view SituationName(Situation s) {
  static constexpr std::array<std::string_view, 4> kNames = {"ENROLLED", "EMPLOYED", "BENEFIT", "NONE"};
  return kNames[static_cast<size_t>(s)];
}

bool EnrolledOn(const Registry& r, PersonIndex p, Date d) {
  const RowRange rows = r.enrolments.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (r.enrolments.ActiveOn(i, d)) return true;
  }
  return false;
}

bool HasStartkwalificatieOn(const Registry& r, PersonIndex p, Date d) {
  const RowRange rows = r.diplomas.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (IsStartkwalificatie(r.diplomas.type[i]) && r.diplomas.date[i] <= d) return true;
  }
  return false;
}

namespace {

// The Dutch municipality of the residence on `d`, or -1.
Municipality DutchResidenceOn(const Registry& r, PersonIndex p, Date d) {
  const int64_t row = r.ResidenceOn(p, d);
  if (row < 0) return -1;
  const Municipality m = r.residences.municipality[row];
  return IsDutchMunicipality(m) ? m : -1;
}

// The last school year T whose teldatum T+1 is on or before `d`.
int LastCompletedYear(Date d) {
  const int y = ToYearMonthDay(d).year;
  return d >= Teldatum(y) ? y - 1 : y - 2;
}

std::optional<VulnerableOrigin> OriginOf(const EnrolmentTable& e, uint32_t i) {
  switch (e.sector[i]) {
    case Sector::kPRO: return VulnerableOrigin::kPro;
    case Sector::kVSO: return VulnerableOrigin::kVso;
    case Sector::kMBO:
      if (e.level[i] == 1) return VulnerableOrigin::kEntree;
      if (e.level[i] == 2 && e.pathway[i] == Pathway::kBOL) return VulnerableOrigin::kMbo2Bol;
      return std::nullopt;
    default: return std::nullopt;
  }
}

void AddOudVsv(ClassificationCache& cache, const StockOptions& o, StockResult* out) {
  const Registry& r = cache.registry();
  const int last = LastCompletedYear(o.date);
  std::vector<int> first_counted(r.person_count(), -1);
  std::vector<int> years;
  for (int year = cache.reference().first_year(); year <= last; ++year) years.push_back(year);
  cache.Prefetch(years, kNationalAgeLimit);
  for (int year : years) {
    const YearClassification& c = cache.Get(year, kNationalAgeLimit);
    for (size_t i = 0; i < c.size(); ++i) {
      if (c.part[i] == Part::kX && first_counted[c.person[i]] < 0) first_counted[c.person[i]] = year;
    }
  }
  const Division div = cache.reference().DivisionOf(o.boundaries ? o.boundaries : SchoolYearOf(o.date));
  for (PersonIndex p = 0; p < r.person_count(); ++p) {
    if (first_counted[p] < 0) continue;
    const int age = AgeOn(r.persons.birth_date[p], o.date);
    const Municipality m = DutchResidenceOn(r, p, o.date);
    if (age >= o.age_limit || m < 0 || EnrolledOn(r, p, o.date) || HasStartkwalificatieOn(r, p, o.date)) continue;
    out->entries.push_back({p, div.MunicipalityOf(m), static_cast<int8_t>(div.RegionOf(m)), age, first_counted[p]});
  }
}

void AddJongerenInBeeld(ClassificationCache& cache, const StockOptions& o, StockResult* out) {
  const Registry& r = cache.registry();
  const Division div = cache.reference().DivisionOf(o.boundaries ? o.boundaries : SchoolYearOf(o.date));
  for (PersonIndex p = 0; p < r.person_count(); ++p) {
    const int age = AgeOn(r.persons.birth_date[p], o.date);
    if (age < 23 || age >= 27) continue;
    const Municipality m = DutchResidenceOn(r, p, o.date);
    if (m < 0 || HasStartkwalificatieOn(r, p, o.date) || EnrolledOn(r, p, o.date) ||
        r.RegisteredOn(p, Register::kEmployed, o.date) || r.RegisteredOn(p, Register::kBenefit, o.date)) {
      continue;
    }
    out->entries.push_back({p, div.MunicipalityOf(m), static_cast<int8_t>(div.RegionOf(m)), age});
  }
}

void AddVulnerable(ClassificationCache& cache, const StockOptions& o, StockResult* out) {
  const Registry& r = cache.registry();
  const EnrolmentTable& e = r.enrolments;
  const int year = LastCompletedYear(o.date);
  out->school_year = year;
  const Date from = MakeDate(year, 8, 1), to = MakeDate(year + 1, 7, 31), t1 = Teldatum(year + 1);
  const Division div = cache.reference().DivisionOf(o.boundaries ? o.boundaries : year + 1);
  for (PersonIndex p = 0; p < r.person_count(); ++p) {
    const RowRange rows = e.Rows(p);
    std::optional<VulnerableOrigin> origin;
    for (uint32_t i = rows.begin; i < rows.end && !origin; ++i) {
      auto o_i = OriginOf(e, i);
      if (!o_i || !Covers(from, to, e.end_date[i])) continue;
      // A leaver: no enrolment of the same kind continues the day after.
      bool continues = false;
      for (uint32_t j = rows.begin; j < rows.end; ++j) {
        if (j != i && OriginOf(e, j) == o_i && e.ActiveOn(j, e.end_date[i] + 1)) continues = true;
      }
      if (!continues) origin = o_i;
    }
    if (!origin) continue;
    Situation s = EnrolledOn(r, p, t1)                            ? Situation::kEnrolled
                  : r.RegisteredOn(p, Register::kEmployed, t1)    ? Situation::kEmployed
                  : r.RegisteredOn(p, Register::kBenefit, t1)     ? Situation::kBenefit
                                                                  : Situation::kNone;
    const Municipality m = DutchResidenceOn(r, p, t1);
    StockEntry entry{p, div.MunicipalityOf(m), static_cast<int8_t>(div.RegionOf(m)), AgeOn(r.persons.birth_date[p], t1)};
    entry.origin = *origin;
    entry.situation = s;
    out->entries.push_back(entry);
  }
}

}  // namespace

StockResult ComputeStock(ClassificationCache& cache, const StockOptions& options) {
  StockResult out{options.kind, options.date};
  switch (options.kind) {
    case StockKind::kOudVsv: AddOudVsv(cache, options, &out); break;
    case StockKind::kJzs23To27: AddJongerenInBeeld(cache, options, &out); break;
    case StockKind::kVulnerable: AddVulnerable(cache, options, &out); break;
  }
  return out;
}

}  // namespace vsv
