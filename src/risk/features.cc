#include "risk/features.h"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

#include "core/parallel.h"
#include "registry/snapshot.h"

namespace vsv::risk {

namespace {

// Column indices of the `all` set; `individual` is the same without the last.
enum Col : int {
  kAge, kDelay, kCatVmboUpper, kCatHavoVwoUpper, kCatMbo1, kCatMbo2, kCatMbo34, kCatVavo,
  kMboLevel, kPathwayBbl, kYearOfStudy, kSwitches12, kSwitches24, kSchoolSwitches24,
  kMidYearIntake, kEarlierLeft, kHighestDiploma, kProVso, kNewcomer, kAbsUnauth12, kAbsLong12,
  kAbsEarly12, kAbsHours12, kMoves24, kLeftSinceTeldatum, kSchoolRate, kColCount,
};

const std::vector<std::string> kAllNames = {
    "age", "age_for_grade_delay", "cat_vo_bovenbouw_vmbo", "cat_vo_bovenbouw_havo_vwo", "cat_mbo_1",
    "cat_mbo_2", "cat_mbo_3_4", "cat_vavo", "mbo_level", "pathway_bbl", "year_of_study",
    "switches_12m", "switches_24m", "school_switches_24m", "mid_year_intake", "earlier_left_without_sk",
    "highest_diploma", "pro_vso_background", "vo_newcomer_history", "absence_unauthorised_12m",
    "absence_long_12m", "absence_early_leave_12m", "absence_hours_12m", "moves_24m",
    "not_enrolled_on_date", "school_vsv_pct"};

const std::vector<std::string> kIndividualNames(kAllNames.begin(), kAllNames.end() - 1);

// 0 none, 1 PRO/VSO certificate or praktijkverklaring, 2 vmbo-bb/kb, 3 vmbo-gl/tl,
// 4 entree or an mbo certificate, 5 a startkwalificatie (or HO).
int DiplomaRank(DiplomaType t) {
  switch (t) {
    case DiplomaType::kProCertificate: case DiplomaType::kVsoCertificate:
    case DiplomaType::kPraktijkverklaring: case DiplomaType::kMboVerklaring: return 1;
    case DiplomaType::kVmboBB: case DiplomaType::kVmboKB: return 2;
    case DiplomaType::kVmboGL: case DiplomaType::kVmboTL: return 3;
    case DiplomaType::kMbo1: case DiplomaType::kMboCertificate: return 4;
    case DiplomaType::kForeign: return 0;
    default: return 5;
  }
}

int ExpectedAge(const EnrolmentTable& e, uint32_t row) {
  const int grade = std::max<int>(1, e.grade[row]);
  switch (e.sector[row]) {
    case Sector::kVO: return 11 + grade;
    case Sector::kMBO: return 15 + grade;
    default: return 17;
  }
}


}  // namespace

std::string_view FeatureSetName(FeatureSet set) { return set == FeatureSet::kAll ? "all" : "individual"; }

Result<FeatureSet> ParseFeatureSet(std::string_view text) {
  if (text == "all") return FeatureSet::kAll;
  if (text == "individual") return FeatureSet::kIndividual;
  return MakeError(fmt::format("--features: '{}' is not a feature set; expected all or individual", text));
}

const std::vector<std::string>& FeatureNames(FeatureSet set) {
  return set == FeatureSet::kAll ? kAllNames : kIndividualNames;
}

Status CheckPredictionDate(int year, Date as_of) {
  if (as_of < Teldatum(year) || as_of > MakeDate(year + 1, 7, 31)) {
    return MakeError(fmt::format("--as-of {}: the prediction date must lie in school year {} on or after teldatum "
                                 "{} (expected {} .. {})",
                                 FormatDate(as_of), SchoolYearName(year), FormatDate(Teldatum(year)),
                                 FormatDate(Teldatum(year)), FormatDate(MakeDate(year + 1, 7, 31))));
  }
  return {};
}

Date RegistryExtent(const Registry& r) {
  Date d = kNoDate;
  auto upd = [&](const Column<Date>& c) {
    for (size_t i = 0; i < c.size(); ++i) d = std::max(d, c[i]);
  };
  upd(r.enrolments.start_date);
  upd(r.residences.valid_from);
  upd(r.diplomas.date);
  upd(r.registrations.valid_from);
  upd(r.life_events.date);
  upd(r.absences.date);
  auto upd_end = [&](const Column<Date>& c) {
    for (size_t i = 0; i < c.size(); ++i) if (c[i] != kOpenEnd) d = std::max(d, c[i]);
  };
  upd_end(r.enrolments.end_date);
  upd_end(r.residences.valid_to);
  upd_end(r.registrations.valid_to);
  return d;
}

std::string RegistryChecksum(const Registry& r) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const auto& column) {
    const uint64_t c = SnapshotChecksum(reinterpret_cast<const char*>(column.data()),
                                        column.size() * sizeof(*column.data()));
    h = (h ^ c) * 1099511628211ull;
  };
  mix(r.persons.id_chars); mix(r.persons.birth_date); mix(r.persons.sex);
  mix(r.enrolments.offsets); mix(r.enrolments.location_row); mix(r.enrolments.sector);
  mix(r.enrolments.funded); mix(r.enrolments.program); mix(r.enrolments.level); mix(r.enrolments.grade);
  mix(r.enrolments.start_date); mix(r.enrolments.end_date); mix(r.diplomas.offsets); mix(r.diplomas.date);
  mix(r.diplomas.type); mix(r.residences.offsets); mix(r.residences.valid_from); mix(r.residences.valid_to);
  mix(r.residences.municipality); mix(r.registrations.offsets); mix(r.registrations.valid_from);
  mix(r.life_events.offsets); mix(r.life_events.date); mix(r.absences.offsets); mix(r.absences.date);
  mix(r.absences.kind); mix(r.absences.hours);
  return fmt::format("{:016x}", h);
}

Result<FeatureMatrix> ExtractFeatures(ClassificationCache& cache, int year, Date as_of, FeatureSet set,
                                      int threads) {
  if (auto ok = CheckPredictionDate(year, as_of); !ok) return tl::unexpected(ok.error());
  const Registry& reg = cache.registry();
  const Reference& ref = cache.reference();
  // School context: up to three earlier years whose labels were final on as_of.
  std::vector<int> context_years;
  for (int t = year - 1; t >= ref.first_year() && context_years.size() < 3; --t) {
    if (LabelsFinalBy(t, as_of)) context_years.push_back(t);
  }
  std::vector<int> all_years = context_years;
  all_years.push_back(year);
  cache.Prefetch(all_years, kNationalAgeLimit);
  const YearClassification& cls = cache.Get(year, kNationalAgeLimit);

  // The location's pooled X / (A - B) over the context years, shrunk towards its
  // sector's rate with the weight of 50 persons so that a small location's rate is
  // not pure noise.
  const size_t nloc = reg.institutions.size();
  std::vector<double> loc_x(nloc, 0), loc_n(nloc, 0);
  double sec_x[kSectorCount] = {}, sec_n[kSectorCount] = {};
  for (int t : context_years) {
    const YearClassification& c = cache.Get(t, kNationalAgeLimit);
    for (size_t i = 0; i < c.size(); ++i) {
      if (IsB(c.part[i])) continue;
      const uint32_t row = reg.enrolments.location_row[c.main_enrolment[i]];
      const int s = static_cast<int>(reg.enrolments.sector[c.main_enrolment[i]]);
      const double x = c.part[i] == Part::kX ? 1 : 0;
      loc_x[row] += x; loc_n[row] += 1; sec_x[s] += x; sec_n[s] += 1;
    }
  }

  FeatureMatrix m;
  m.year = year;
  m.as_of = as_of;
  m.set = set;
  m.names = FeatureNames(set);
  m.cols = m.names.size();
  const size_t n = cls.size();
  m.values.assign(n * m.cols, 0.0f);
  m.person = cls.person;
  m.label.resize(n);
  m.school_rate.resize(n);
  m.rule_points.resize(n);
  m.sex.resize(n);
  m.sector.resize(n);
  m.category.resize(n);
  m.region.resize(n);
  m.newcomer_history.resize(n);
  m.location_row.resize(n);

  const EnrolmentTable& en = reg.enrolments;
  const Date d12 = as_of - 365, d24 = as_of - 730;
  const size_t nthreads = ThreadCount(threads);
  const size_t chunk = 4096;
  ParallelFor((n + chunk - 1) / chunk, nthreads, [&](size_t c) {
    float f[kColCount];
    for (size_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) {
      std::fill(f, f + kColCount, 0.0f);
      const PersonIndex p = cls.person[i];
      const uint32_t me = cls.main_enrolment[i];
      const int age = AgeOn(reg.persons.birth_date[p], as_of);
      f[kAge] = static_cast<float>(age);
      f[kDelay] = static_cast<float>(std::max(0, AgeOnTeldatum(reg.persons.birth_date[p], year) - ExpectedAge(en, me)));
      const Category cat = CategoryOf(en, me);
      switch (cat) {
        case Category::kVoBovenbouwVmbo: f[kCatVmboUpper] = 1; break;
        case Category::kVoBovenbouwHavoVwo: f[kCatHavoVwoUpper] = 1; break;
        case Category::kMbo1: f[kCatMbo1] = 1; break;
        case Category::kMbo2: f[kCatMbo2] = 1; break;
        case Category::kMbo34: f[kCatMbo34] = 1; break;
        case Category::kVavo: f[kCatVavo] = 1; break;
        default: break;
      }
      f[kMboLevel] = en.sector[me] == Sector::kMBO ? en.level[me] : 0;
      f[kPathwayBbl] = en.pathway[me] == Pathway::kBBL ? 1 : 0;
      f[kYearOfStudy] = en.grade[me];
      {  // intake after the first two months of a school year
        const Date sy = MakeDate(SchoolYearOf(en.start_date[me]), 8, 1);
        f[kMidYearIntake] = en.start_date[me] - sy > 61 ? 1 : 0;
      }
      // Diplomas dated on or before as_of.
      int best = 0;
      const RowRange dr = reg.diplomas.Rows(p);
      for (uint32_t k = dr.begin; k < dr.end && reg.diplomas.date[k] <= as_of; ++k) {
        best = std::max(best, DiplomaRank(reg.diplomas.type[k]));
      }
      f[kHighestDiploma] = static_cast<float>(best);
      auto has_sk_by = [&](Date d) {
        for (uint32_t k = dr.begin; k < dr.end && reg.diplomas.date[k] <= d; ++k) {
          if (IsStartkwalificatie(reg.diplomas.type[k])) return true;
        }
        return false;
      };
      // Enrolments that started on or before as_of; an end after as_of is open.
      const RowRange er = en.Rows(p);
      uint32_t last = er.begin;
      while (last < er.end && en.start_date[last] <= as_of) ++last;
      auto end_of = [&](uint32_t k) { return en.end_date[k] > as_of ? kOpenEnd : en.end_date[k]; };
      bool enrolled_now = false, newcomer = false;
      int sw12 = 0, sw24 = 0, ssw24 = 0;
      bool left = false;
      for (uint32_t k = er.begin; k < last; ++k) {
        const Sector s = en.sector[k];
        if (s == Sector::kPRO || s == Sector::kVSO) f[kProVso] = 1;
        if (s == Sector::kVO && en.newcomer[k]) newcomer = true;
        const Date ek = end_of(k);
        if (ek == kOpenEnd || ek >= as_of) enrolled_now = true;
        const Date sk = en.start_date[k];
        if (sk > d24) {
          // A switch: another enrolment that started earlier and ran up to 62 days
          // before this one started, in another school, programme or level.
          bool sw = false, ssw = false;
          for (uint32_t j = er.begin; j < last; ++j) {
            if (j == k || en.start_date[j] >= sk || end_of(j) < sk - 62) continue;
            const bool other_school = reg.institutions.institution[en.location_row[j]] !=
                                      reg.institutions.institution[en.location_row[k]];
            if (other_school || en.program[j] != en.program[k] || en.crebo[j] != en.crebo[k] ||
                en.level[j] != en.level[k]) {
              sw = true;
              ssw = ssw || other_school;
            }
          }
          if (sw) { ++sw24; if (sk > d12) ++sw12; }
          if (ssw) ++ssw24;
        }
        // An earlier leaving: this enrolment ended, nothing continued within 61 days,
        // no SK by then, and a later enrolment (the re-entry) started by as_of.
        if (ek != kOpenEnd && !left) {
          bool continued = false, reentry = false;
          for (uint32_t j = er.begin; j < last; ++j) {
            if (j == k) continue;
            if (en.start_date[j] <= ek + 61 && end_of(j) > ek) continued = true;
            if (en.start_date[j] > ek) reentry = true;
          }
          if (!continued && reentry && !has_sk_by(ek)) left = true;
        }
      }
      f[kSwitches12] = static_cast<float>(sw12);
      f[kSwitches24] = static_cast<float>(sw24);
      f[kSchoolSwitches24] = static_cast<float>(ssw24);
      f[kEarlierLeft] = left ? 1 : 0;
      f[kNewcomer] = newcomer ? 1 : 0;
      f[kLeftSinceTeldatum] = enrolled_now ? 0 : 1;
      // Absence reports of the last 12 months.
      const RowRange ar = reg.absences.Rows(p);
      for (uint32_t k = ar.begin; k < ar.end && reg.absences.date[k] <= as_of; ++k) {
        if (reg.absences.date[k] <= d12) continue;
        switch (reg.absences.kind[k]) {
          case AbsenceKind::kUnauthorised: f[kAbsUnauth12] += 1; break;
          case AbsenceKind::kLong: f[kAbsLong12] += 1; break;
          case AbsenceKind::kEarlyLeave: f[kAbsEarly12] += 1; break;
        }
        if (reg.absences.hours[k] > 0) f[kAbsHours12] += static_cast<float>(reg.absences.hours[k]);
      }
      // Moves: residence periods that started in the last 24 months after an earlier one.
      const RowRange rr = reg.residences.Rows(p);
      for (uint32_t k = rr.begin; k < rr.end && reg.residences.valid_from[k] <= as_of; ++k) {
        if (k > rr.begin && reg.residences.valid_from[k] > d24) f[kMoves24] += 1;
      }
      const uint32_t loc = en.location_row[me];
      const int s = static_cast<int>(en.sector[me]);
      const double prior = sec_n[s] > 0 ? sec_x[s] / sec_n[s] : 0.0;
      const double rate = (loc_x[loc] + 50.0 * prior) / (loc_n[loc] + 50.0);
      f[kSchoolRate] = static_cast<float>(100.0 * rate);

      std::copy(f, f + m.cols, m.values.begin() + i * m.cols);
      m.label[i] = IsB(cls.part[i]) ? kLabelB : (cls.part[i] == Part::kX ? 1 : 0);
      m.school_rate[i] = static_cast<float>(rate);
      const bool first_year_mbo12 = en.sector[me] == Sector::kMBO && en.level[me] <= 2 &&
                                    SchoolYearOf(en.start_date[me]) == year && en.grade[me] <= 1;
      m.rule_points[i] = (f[kAbsUnauth12] + f[kAbsLong12] + f[kAbsEarly12] > 0 ? 1.0f : 0.0f) +
                         (f[kDelay] >= 2 ? 1.0f : 0.0f) + (first_year_mbo12 ? 1.0f : 0.0f) +
                         (left ? 1.0f : 0.0f);
      m.sex[i] = reg.persons.sex[p];
      m.sector[i] = en.sector[me];
      m.category[i] = cat;
      m.region[i] = static_cast<int16_t>(cls.RegionAt(i));
      m.newcomer_history[i] = newcomer ? 1 : 0;
      m.location_row[i] = loc;
    }
  });
  return m;
}

Status WriteFeaturesCsv(const FeatureMatrix& m, const Registry& registry, const std::string& path) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) return MakeError(fmt::format("--out {}: cannot write the file", path));
  fmt::print(out, "person_id,{},label\n", fmt::join(m.names, ","));
  std::string line;
  for (size_t i = 0; i < m.size(); ++i) {
    line.assign(registry.persons.Id(m.person[i]));
    for (size_t c = 0; c < m.cols; ++c) fmt::format_to(std::back_inserter(line), ",{}", m.At(i, c));
    line += m.label[i] == kLabelB ? "," : (m.label[i] ? ",1" : ",0");
    line += '\n';
    std::fputs(line.c_str(), out);
  }
  if (std::fclose(out) != 0) return MakeError(fmt::format("--out {}: writing failed", path));
  return {};
}

}  // namespace vsv::risk
