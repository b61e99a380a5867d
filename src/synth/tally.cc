#include "synth/tally.h"

#include <algorithm>

#include "core/date.h"

namespace vsv::synth {

void YearTally::Add(const YearTally& o) {
  for (int s = 0; s < kTallySectors; ++s) {
    a[s] += o.a[s];
    b1[s] += o.b1[s];
    b2[s] += o.b2[s];
    b3[s] += o.b3[s];
    d_sk[s] += o.d_sk[s];
    d_entree_work[s] += o.d_entree_work[s];
    x[s] += o.x[s];
    for (int k = 0; k < kCParts; ++k) c[k][s] += o.c[k][s];
  }
  for (int r = 0; r < kTallyRegions; ++r) {
    region_denominator[r] += o.region_denominator[r];
    region_x[r] += o.region_x[r];
  }
  x_with_absence += o.x_with_absence;
  absent_in_a += o.absent_in_a;
  absent_in_a_x += o.absent_in_a_x;
}

void Tally::Add(const Tally& o) {
  for (size_t i = 0; i < years.size() && i < o.years.size(); ++i) years[i].Add(o.years[i]);
}

namespace {

int SectorRank(Sector s) {
  return s == Sector::kVo ? 0 : s == Sector::kMbo ? 1 : s == Sector::kVavo ? 2 : 9;
}

}  // namespace

void CountPerson(const PersonRecord& p, const SynthReference& ref, int age_limit,
                 Tally* tally) {
  const YearMonthDay b = ToYearMonthDay(p.birth);
  for (size_t yi = 0; yi < tally->years.size(); ++yi) {
    const int year = tally->from_year + static_cast<int>(yi);
    const Date tel = MakeDate(year, 10, 1);
    const Date tel1 = MakeDate(year + 1, 10, 1);
    const Date dec31 = MakeDate(year + 1, 12, 31);
    const int age = year - b.year - ((b.month > 10 || (b.month == 10 && b.day > 1)) ? 1 : 0);
    if (age >= age_limit || p.birth > tel) continue;
    // A: the main qualifying enrolment.
    const EnrolmentRow* main = nullptr;
    for (const EnrolmentRow& e : p.enrolments) {
      if (!(e.start <= tel && tel <= e.end) || !e.funded) continue;
      const int rank = SectorRank(e.sector);
      if (rank > 2) continue;
      if (e.sector == Sector::kVo && (e.newcomer || e.international)) continue;
      if (main == nullptr || rank < SectorRank(main->sector) ||
          (rank == SectorRank(main->sector) && e.start < main->start)) {
        main = &e;
      }
    }
    if (main == nullptr) continue;
    const int sector = SectorRank(main->sector);
    YearTally& t = tally->years[yi];
    ++t.a[sector];
    // Residence on both teldata.
    int res_t = kAbroad - 10, res_t1 = kAbroad - 10;  // "not known"
    for (const ResidenceRow& r : p.residences) {
      if (r.from <= tel && tel <= r.to) res_t = r.municipality;
      if (r.from <= tel1 && tel1 <= r.to) res_t1 = r.municipality;
    }
    const int region = res_t >= 0 ? ref.municipalities[res_t].region : 0;
    // B1, B2, B3.
    bool b1 = false;
    for (const LifeEventRow& ev : p.life_events) {
      if (ev.event != LifeEvent::kImmigration && tel <= ev.date && ev.date <= tel1) b1 = true;
    }
    if (b1) {
      ++t.b1[sector];
      continue;
    }
    if (res_t < 0 || res_t1 < 0) {
      ++t.b2[sector];
      continue;
    }
    bool lpw = false;
    for (const RegistrationRow& r : p.registrations) {
      if (r.reg == Register::kLpwExemption && r.from <= tel1 && tel1 <= r.to) lpw = true;
    }
    if (lpw) {
      ++t.b3[sector];
      continue;
    }
    ++t.region_denominator[region];
    bool absent_t = false, absent_recent = false;
    for (const AbsenceRow& a : p.absences) {
      if (a.date >= MakeDate(year, 8, 1) && a.date <= MakeDate(year + 1, 7, 31)) absent_t = true;
      if (a.date >= MakeDate(year - 1, 8, 1) && a.date <= tel1) absent_recent = true;
    }
    if (absent_t) ++t.absent_in_a;
    // C: the first part that applies.
    int c_part = 99;
    for (const EnrolmentRow& e : p.enrolments) {
      if (!(e.start <= tel1 && tel1 <= e.end)) continue;
      int part = 99;
      switch (e.sector) {
        case Sector::kVo: part = e.funded ? kCVo : kCNonFunded; break;
        case Sector::kMbo: part = e.funded ? kCMbo : kCNonFunded; break;
        case Sector::kVavo: part = e.funded ? kCVavo : kCNonFunded; break;
        case Sector::kHo: part = kCHo; break;
        case Sector::kPro:
        case Sector::kVso:
        case Sector::kSo: part = kCSpecial; break;
      }
      c_part = std::min(c_part, part);
    }
    for (const RegistrationRow& r : p.registrations) {
      if (!(r.from <= tel1 && tel1 <= r.to)) continue;
      if (r.reg == Register::kDji) c_part = std::min<int>(c_part, kCDji);
      if (r.reg == Register::kPoliceDefence) c_part = std::min<int>(c_part, kCPoliceDefence);
      if (r.reg == Register::kSocialTrajectory) c_part = std::min<int>(c_part, kCSocial);
    }
    if (c_part != 99) {
      ++t.c[c_part][sector];
      continue;
    }
    // D.
    bool sk = false, entree = false;
    for (const DiplomaRow& d : p.diplomas) {
      if (IsStartkwalificatie(d.type) && d.date <= dec31) sk = true;
      if (d.type == DiplomaType::kMbo1 && d.date <= tel1) entree = true;
    }
    if (sk) {
      ++t.d_sk[sector];
      continue;
    }
    if (entree) {
      bool employed = false;
      for (const RegistrationRow& r : p.registrations) {
        if (r.reg == Register::kEmployed && r.from <= tel1 && tel1 <= r.to) employed = true;
      }
      if (employed) {
        ++t.d_entree_work[sector];
        continue;
      }
    }
    ++t.x[sector];
    ++t.region_x[region];
    if (absent_recent) ++t.x_with_absence;
    if (absent_t) ++t.absent_in_a_x;
  }
}

}  // namespace vsv::synth
