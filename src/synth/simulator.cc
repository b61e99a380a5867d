#include "synth/simulator.h"

#include <algorithm>
#include <cmath>

namespace vsv::synth {
namespace {

Date Aug1(int sy) { return MakeDate(sy, 8, 1); }
Date Jul31(int sy) { return MakeDate(sy + 1, 7, 31); }

Program TrackProgram(VoTrack t) {
  switch (t) {
    case VoTrack::kVmboBb: return Program::kVmboBb;
    case VoTrack::kVmboKb: return Program::kVmboKb;
    case VoTrack::kVmboGl: return Program::kVmboGl;
    case VoTrack::kVmboTl: return Program::kVmboTl;
    case VoTrack::kHavo: return Program::kHavo;
    case VoTrack::kVwo: return Program::kVwo;
  }
  return Program::kNone;
}

DiplomaType TrackDiploma(VoTrack t) {
  switch (t) {
    case VoTrack::kVmboBb: return DiplomaType::kVmboBb;
    case VoTrack::kVmboKb: return DiplomaType::kVmboKb;
    case VoTrack::kVmboGl: return DiplomaType::kVmboGl;
    case VoTrack::kVmboTl: return DiplomaType::kVmboTl;
    case VoTrack::kHavo: return DiplomaType::kHavo;
    case VoTrack::kVwo: return DiplomaType::kVwo;
  }
  return DiplomaType::kVmboBb;
}

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

PersonSimulator::PersonSimulator(const SynthReference& ref, const Catalogue& catalogue,
                                 const FlowModel& model, SimWindow window, uint64_t seed)
    : ref_(ref), cat_(catalogue), model_(model), window_(window), seed_(seed) {}

int PersonSimulator::AgeOnOctober(int sy) const {
  return sy - birth_y_ - ((birth_m_ > 10 || (birth_m_ == 10 && birth_d_ > 1)) ? 1 : 0);
}

int PersonSimulator::Region() const {
  return muni_ >= 0 ? ref_.municipalities[muni_].region : 0;
}

Situation PersonSimulator::Sit(int sy) const {
  Situation s;
  s.school_year = sy;
  s.age = AgeOnOctober(sy);
  s.male = male_;
  s.region = Region();
  s.risk = risk_;
  return s;
}

Date PersonSimulator::RandomDate(Date from, Date to) {
  if (to <= from) return from;
  return from + rng_.UniformInt(to - from + 1);
}

int PersonSimulator::PickMunicipality() { return rng_.PickCumulative(ref_.cumulative_weight); }

int PersonSimulator::PickMunicipalityInRegion(int region) {
  const auto& munis = ref_.region_municipalities[region];
  double total = 0;
  for (int m : munis) total += ref_.municipalities[m].weight;
  double x = rng_.Uniform() * total;
  for (int m : munis) {
    x -= ref_.municipalities[m].weight;
    if (x < 0) return m;
  }
  return munis.back();
}

void PersonSimulator::Move(Date d, int municipality) {
  if (d <= res_from_) return;
  rec_->residences.push_back(ResidenceRow{res_from_, d - 1, res_code_, postcode_});
  res_from_ = d;
  res_code_ = municipality;
  if (municipality >= 0) {
    muni_ = municipality;  // abroad or without address keeps the last municipality
    const auto& pcs = ref_.municipalities[municipality].postcodes;
    postcode_ = pcs[rng_.UniformInt(static_cast<int>(pcs.size()))];
  } else {
    postcode_ = 0;
  }
}

void PersonSimulator::AddEnrolment(int location, Sector sector, bool funded, Program program,
                                   int crebo, int level, int pathway, int grade, bool newcomer,
                                   bool international, bool outsourced, Date start, Date end) {
  if (end < start) end = start;
  if (sector == Sector::kMbo) grade = std::min(grade, 4);  // year of study 1-4
  rec_->enrolments.push_back(EnrolmentRow{location, sector, funded, program, crebo,
                                          static_cast<uint8_t>(level),
                                          static_cast<uint8_t>(pathway),
                                          static_cast<uint8_t>(grade), newcomer,
                                          international, outsourced, start, end});
}

void PersonSimulator::AddDiploma(Date date, DiplomaType type, int location) {
  const int inst = location >= 0 ? cat_.locations()[location].institution : -1;
  rec_->diplomas.push_back(DiplomaRow{date, type, inst});
}

void PersonSimulator::AddRegistration(Register reg, Date from, Date to) {
  if (to < from) to = from;
  rec_->registrations.push_back(RegistrationRow{reg, from, to});
}

void PersonSimulator::StartJob(Date d) {
  if (job_from_ != kNoDate) return;
  job_from_ = d;
  if (benefit_from_ != kNoDate) {
    AddRegistration(Register::kBenefit, benefit_from_, std::max(benefit_from_, d - 1));
    benefit_from_ = kNoDate;
  }
}

void PersonSimulator::EndJob(Date d) {
  if (job_from_ == kNoDate) return;
  AddRegistration(Register::kEmployed, job_from_, std::max(job_from_, d));
  job_from_ = kNoDate;
}

void PersonSimulator::Absences(const Situation& s, Date from, Date to, bool leaving,
                               int location) {
  if (to - from < 10 || location < 0) return;
  if (!rng_.Bernoulli(model_.Absence(s, leaving))) return;
  const int inst = cat_.locations()[location].institution;
  const int n = 1 + (rng_.Bernoulli(0.35) ? 1 : 0) + (rng_.Bernoulli(0.15) ? 1 : 0);
  for (int i = 0; i < n; ++i) {
    AbsenceRow a;
    // Reports come after a few weeks of school; before a leaving date they cluster
    // in the last months.
    const Date lo = leaving ? std::max(from + 7, to - 150) : from + 21;
    a.date = RandomDate(std::min(lo, to - 1), to - 1);
    a.institution = inst;
    const double u = rng_.Uniform();
    if (leaving) {
      a.kind = u < 0.4 ? AbsenceKind::kUnauthorised
                       : (u < 0.7 ? AbsenceKind::kLong : AbsenceKind::kEarlyLeave);
    } else {
      a.kind = u < 0.82 ? AbsenceKind::kUnauthorised
                        : (u < 0.97 ? AbsenceKind::kLong : AbsenceKind::kEarlyLeave);
    }
    a.hours = a.kind == AbsenceKind::kUnauthorised ? 16 + rng_.UniformInt(50)
              : a.kind == AbsenceKind::kLong       ? 80 + rng_.UniformInt(120)
                                                   : 0;
    rec_->absences.push_back(a);
  }
}

Date PersonSimulator::NextMboIntake(Date d) const {
  const int sy = SchoolYearOf(d);
  const Date feb = MakeDate(sy + 1, 2, 1);
  return d < MakeDate(sy + 1, 1, 10) ? feb : Aug1(sy + 1);
}

void PersonSimulator::StartVo(VoTrack track, int grade, Date when) {
  phase_ = Phase::kVo;
  phase_start_ = when;
  track_ = track;
  grade_ = grade;
  bridge1_ = bridge2_ = false;
  if (vo_location_ < 0 || rng_.Bernoulli(0.3)) {
    vo_location_ = private_vo_ ? cat_.PickPrivateVo(rng_) : cat_.PickVo(rng_, muni_);
  }
}

void PersonSimulator::StartMbo(int level, Date when, int sy) {
  level = std::clamp(level, 1, 4);
  phase_ = Phase::kMbo;
  phase_start_ = when;
  level_ = level;
  program_ = cat_.PickProgram(rng_, level);
  const MboProgram& p = cat_.programs()[program_];
  duration_ = p.nominal_years;
  year_of_study_ = 1;
  const Situation s = Sit(SchoolYearOf(when));
  pathway_ = rng_.Bernoulli(model_.BblShare(s, level)) ? Pathway::kBbl : Pathway::kBol;
  mbo_funded_ = !rng_.Bernoulli(0.012);
  mbo_location_ = cat_.PickMbo(rng_, muni_, p, mbo_funded_);
  fit_ = 0.8 * rng_.Normal() + 0.3 * motivation_;
  if (pathway_ == Pathway::kBbl) StartJob(when);
}

void PersonSimulator::StartVavo(Program program, Date when) {
  phase_ = Phase::kVavo;
  phase_start_ = when;
  vavo_program_ = program;
  vavo_years_ = 0;
  vavo_location_ = cat_.PickVavo(rng_, muni_);
}

void PersonSimulator::StartHo(bool university, Date when) {
  const int sy = SchoolYearOf(when);
  const Date start = MakeDate(sy, 9, 1);
  const int loc = cat_.PickHo(rng_, muni_, university);
  // A third of the students move to the town of their institution.
  const int ho_muni = cat_.locations()[loc].municipality;
  if (ho_muni != muni_ && rng_.Bernoulli(0.3)) Move(MakeDate(sy, 8, 20), ho_muni);
  const double drop = university ? 0.10 : 0.16;
  Date end;
  if (rng_.Bernoulli(drop)) {
    ho_dropped_ = true;
    end = rng_.Bernoulli(0.4) ? MakeDate(sy + 1, 1, 31) : Jul31(sy);
  } else {
    ho_dropped_ = false;
    const int years = university ? (rng_.Bernoulli(0.6) ? 5 : 6) : (rng_.Bernoulli(0.7) ? 4 : 5);
    end = Jul31(sy + years - 1);
    AddDiploma(MakeDate(sy + years, 7, 1) - rng_.UniformInt(20), DiplomaType::kHo, loc);
  }
  AddEnrolment(loc, Sector::kHo, true, university ? Program::kWo : Program::kHbo, 0, 0, 0,
               0, false, false, false, start, end);
  phase_ = Phase::kHo;
  phase_start_ = start;
  phase_until_ = end;
}

void PersonSimulator::StartOut(Date when, int sy) {
  phase_ = Phase::kOut;
  phase_start_ = when;
  out_since_sy_ = sy;
  const Situation s = Sit(sy);
  const int qual = has_sk_ ? 2 : (has_entree_ ? 1 : 0);
  if (job_from_ == kNoDate && rng_.Bernoulli(model_.JobStart(s, qual))) {
    StartJob(when + rng_.UniformInt(has_sk_ ? 60 : 150));
  }
}

void PersonSimulator::GoTo(Destination dest, int sy, Date when) {
  switch (dest) {
    case Destination::kMbo1: StartMbo(1, when, sy); break;
    case Destination::kMbo2: StartMbo(2, when, sy); break;
    case Destination::kMbo3: StartMbo(3, when, sy); break;
    case Destination::kMbo4: StartMbo(4, when, sy); break;
    case Destination::kHavo4: StartVo(VoTrack::kHavo, 4, when); break;
    case Destination::kVwo5: StartVo(VoTrack::kVwo, 5, when); break;
    case Destination::kVavo: {
      Program p = Program::kVavoHavo;
      if (has_vmbo_ && !has_sk_) p = Program::kVavoHavo;
      if (phase_ == Phase::kVo && track_ == VoTrack::kVwo) p = Program::kVavoVwo;
      if (phase_ == Phase::kVo && IsVmbo(track_)) p = Program::kVavoVmbo;
      StartVavo(p, when);
      break;
    }
    case Destination::kHbo: StartHo(false, when); break;
    case Destination::kWo: StartHo(true, when); break;
    case Destination::kRepeat: break;
    case Destination::kOut: StartOut(when, SchoolYearOf(when) - 1); break;
  }
}

void PersonSimulator::EnterSecondary(int sy, Date start) {
  const double sd = 0.92;
  const double u = NormalCdf(ability_ / sd);
  const FlowParams& p = model_.params();
  const double vso_p = p.vso_share * (0.6 + (risk_ > 0.5 ? 0.9 : 0.0)) / 0.87;
  if (rng_.Bernoulli(vso_p)) {
    phase_ = Phase::kVso;
    phase_start_ = start;
    special_location_ = cat_.PickVso(rng_, muni_);
    was_special_ = true;
    return;
  }
  if (u < p.pro_share) {
    phase_ = Phase::kPro;
    phase_start_ = start;
    special_location_ = cat_.PickPro(rng_, muni_);
    was_special_ = true;
    return;
  }
  double v = (u - p.pro_share) / (1 - p.pro_share);
  std::array<double, kVoTrackCount> share = p.track_share;
  const double f = std::clamp(1.0 + p.vmbo_trend * (2010 - sy), 0.7, 1.3);
  double vmbo = 0;
  for (int k = 0; k < 4; ++k) vmbo += share[k];
  for (int k = 0; k < 4; ++k) share[k] *= f;
  const double rest = (1.0 - vmbo * f) / (1.0 - vmbo);
  share[4] *= rest;
  share[5] *= rest;
  int t = 0;
  for (; t < kVoTrackCount - 1; ++t) {
    if (v < share[t]) break;
    v -= share[t];
  }
  const VoTrack track = static_cast<VoTrack>(t);
  private_vo_ = rng_.Bernoulli(p.private_vo_share);
  const int r = Region();
  const bool city = r == 21 || r == 28 || r == 19 || r == 37;
  international_ = (track == VoTrack::kHavo || track == VoTrack::kVwo) && !private_vo_ &&
                   rng_.Bernoulli(city ? p.international_share_city : p.international_share);
  StartVo(track, 1, start);
  bridge1_ = rng_.Bernoulli(IsVmbo(track) && track != VoTrack::kVmboTl ? 0.3 : p.bridge_year_share);
  bridge2_ = bridge1_ && !IsVmbo(track) && rng_.Bernoulli(0.35);
}

Date PersonSimulator::Step(int sy, Date t, Date year_end) {
  switch (phase_) {
    case Phase::kChild:
      if (sy >= entry_sy_) {
        EnterSecondary(sy, t);
        return t;
      }
      return year_end + 1;
    case Phase::kVo: return VoYearStep(sy, t, year_end);
    case Phase::kPro:
    case Phase::kVso: return SpecialYearStep(sy, t, year_end);
    case Phase::kMbo: return MboYearStep(sy, t, year_end);
    case Phase::kVavo: return VavoYearStep(sy, t, year_end);
    case Phase::kHo: return HoStep(sy, t, year_end);
    case Phase::kOut: return OutYearStep(sy, t, year_end);
    case Phase::kAbroad:
    case Phase::kDead: return year_end + 1;
  }
  return year_end + 1;
}

Date PersonSimulator::VoYearStep(int sy, Date t, Date year_end) {
  if (t < phase_start_) return std::min(phase_start_, year_end + 1);
  const Situation s = Sit(sy);
  const Program program = (grade_ == 1 && bridge1_) || (grade_ == 2 && bridge2_)
                              ? Program::kBrugjaar
                              : TrackProgram(track_);
  const bool funded = !private_vo_;
  const bool newcomer = newcomer_;
  newcomer_ = false;
  const VoYearProbs pr = model_.VoYear(s, track_, grade_);
  const bool final = grade_ >= FinalGrade(track_);
  // Past 20 nobody stays in regular VO.
  const bool leave = rng_.Bernoulli(pr.leave) || s.age >= 21;
  if (leave) {
    const Date d = std::max(t + 14, RandomDate(MakeDate(sy, 9, 15), MakeDate(sy + 1, 6, 30)));
    const Date end = std::min(d, year_end);
    AddEnrolment(vo_location_, Sector::kVo, funded, program, 0, 0, 0, grade_, newcomer,
                 international_, false, t, end);
    Absences(s, t, end, true, vo_location_);
    const DestinationProbs dp = model_.AfterVoLeave(s, track_);
    const Destination dest = static_cast<Destination>(rng_.PickWeights(dp));
    if (dest == Destination::kOut) {
      if (s.age < 18 && rng_.Bernoulli(0.05)) {
        AddRegistration(Register::kLpwExemption, end + 1, end + 365 + rng_.UniformInt(400));
      }
      StartOut(end + 1, sy);
    } else {
      const bool mbo = dest <= Destination::kMbo4;
      GoTo(dest, sy, mbo ? NextMboIntake(end) : Aug1(sy + 1));
    }
    return end + 1;
  }
  const bool rutte = final && !IsVmbo(track_) && rng_.Bernoulli(model_.params().rutte_share);
  AddEnrolment(vo_location_, Sector::kVo, funded, program, 0, 0, 0, grade_, newcomer,
               international_, rutte, t, year_end);
  Absences(s, t, year_end, false, vo_location_);
  if (final) {
    if (rng_.Bernoulli(pr.pass)) {
      const Date date = rng_.Bernoulli(0.85) ? MakeDate(sy + 1, 6, 10) + rng_.UniformInt(16)
                                             : MakeDate(sy + 1, 7, 1) + rng_.UniformInt(12);
      AddDiploma(date, TrackDiploma(track_), vo_location_);
      if (IsVmbo(track_)) {
        has_vmbo_ = true;
        vmbo_track_ = track_;
      } else {
        has_sk_ = true;
      }
      const DestinationProbs dp = model_.AfterVoDiploma(s, track_);
      GoTo(static_cast<Destination>(rng_.PickWeights(dp)), sy + 1, Aug1(sy + 1));
    } else {
      const DestinationProbs dp = model_.AfterVoFail(s, track_);
      const Destination dest = static_cast<Destination>(rng_.PickWeights(dp));
      if (dest != Destination::kRepeat) GoTo(dest, sy + 1, Aug1(sy + 1));
    }
    return year_end + 1;
  }
  // A few pupils move to practical or special education.
  if (grade_ <= 3 && s.age < 16) {
    if ((track_ == VoTrack::kVmboBb || track_ == VoTrack::kVmboKb) && rng_.Bernoulli(0.004)) {
      phase_ = Phase::kPro;
      phase_start_ = year_end + 1;
      special_location_ = cat_.PickPro(rng_, muni_);
      was_special_ = true;
      return year_end + 1;
    }
    if (rng_.Bernoulli(Logistic(-7.2 + 0.9 * risk_))) {
      phase_ = Phase::kVso;
      phase_start_ = year_end + 1;
      special_location_ = cat_.PickVso(rng_, muni_);
      was_special_ = true;
      return year_end + 1;
    }
  }
  // Promotion, repeating or switching track.
  if (rng_.Bernoulli(pr.repeat)) return year_end + 1;
  if (rng_.Bernoulli(pr.down)) {
    track_ = track_ == VoTrack::kVwo ? VoTrack::kHavo : VoTrack::kVmboTl;
    grade_ = std::min(grade_ + 1, FinalGrade(track_));
    return year_end + 1;
  }
  if (rng_.Bernoulli(pr.up)) {
    track_ = track_ == VoTrack::kHavo ? VoTrack::kVwo
             : track_ == VoTrack::kVmboKb ? VoTrack::kVmboTl
                                          : VoTrack::kHavo;
  }
  ++grade_;
  return year_end + 1;
}

Date PersonSimulator::SpecialYearStep(int sy, Date t, Date year_end) {
  if (t < phase_start_) return std::min(phase_start_, year_end + 1);
  const Situation s = Sit(sy);
  const bool pro = phase_ == Phase::kPro;
  AddEnrolment(special_location_, pro ? Sector::kPro : Sector::kVso, true, Program::kNone, 0,
               0, 0, 0, false, false, false, t, year_end);
  Absences(s, t, year_end, false, special_location_);
  const double p_leave = pro ? (s.age >= 18 ? 1.0 : s.age >= 17 ? 0.6 : s.age >= 16 ? 0.1 : 0)
                             : (s.age >= 20 ? 1.0 : s.age >= 19 ? 0.7 : s.age >= 17 ? 0.3 : 0);
  if (!rng_.Bernoulli(p_leave)) return year_end + 1;
  const Date date = MakeDate(sy + 1, 7, 1) - rng_.UniformInt(20);
  if (pro) {
    if (rng_.Bernoulli(0.5)) {
      AddDiploma(date, rng_.Bernoulli(0.5) ? DiplomaType::kPraktijkverklaring
                                           : DiplomaType::kProCertificate,
                 special_location_);
    }
  } else if (rng_.Bernoulli(0.4)) {
    AddDiploma(date, DiplomaType::kVsoCertificate, special_location_);
  }
  const double u = rng_.Uniform();
  if (u < (pro ? 0.35 : 0.30)) {
    StartMbo(1, Aug1(sy + 1), sy + 1);
  } else if (u < 0.45) {
    StartMbo(2, Aug1(sy + 1), sy + 1);
  } else {
    StartOut(Aug1(sy + 1), sy);
    if (!pro && job_from_ == kNoDate && rng_.Bernoulli(0.5)) benefit_from_ = Aug1(sy + 1);
  }
  return year_end + 1;
}

Date PersonSimulator::MboYearStep(int sy, Date t, Date year_end) {
  if (t < phase_start_) return std::min(phase_start_, year_end + 1);
  const Situation s = Sit(sy);
  const MboProgram& prog = cat_.programs()[program_];
  const bool partial = t > MakeDate(sy, 9, 15);
  const int pathway_code = pathway_ == Pathway::kBbl ? 2 : 1;
  double p_leave = model_.MboLeave(s, level_, pathway_, year_of_study_, fit_);
  if (partial) p_leave *= 0.6;
  if (rng_.Bernoulli(p_leave)) {
    Date d;
    if (year_of_study_ == 1) {
      // Dropout concentrated in the first months, a few never really start.
      d = rng_.Bernoulli(0.08) ? t + 5 + rng_.UniformInt(55)
                               : t + 62 + static_cast<int>(-90.0 * std::log(1.0 - rng_.Uniform()));
    } else {
      d = RandomDate(t + 20, year_end);
    }
    d = std::min(d, year_end);
    AddEnrolment(mbo_location_, Sector::kMbo, mbo_funded_, Program::kCrebo, prog.crebo,
                 level_, pathway_code, year_of_study_, false, false, false, t, d);
    Absences(s, t, d, true, mbo_location_);
    if (rng_.Bernoulli(0.08)) AddDiploma(d, DiplomaType::kMboCertificate, mbo_location_);
    if (rng_.Bernoulli(sy >= 2016 ? 0.35 : 0.08)) {
      AddDiploma(d, DiplomaType::kMboVerklaring, mbo_location_);
    }
    if (pathway_ == Pathway::kBbl && rng_.Bernoulli(0.5)) EndJob(d);
    if (rng_.Bernoulli(model_.MboSwitchAfterLeave(s))) {
      const int level = rng_.Bernoulli(0.7) ? level_ : std::max(1, level_ - 1);
      const Date start = rng_.Bernoulli(0.3) ? d + 1 + rng_.UniformInt(14) : NextMboIntake(d);
      StartMbo(level, start, SchoolYearOf(start));
    } else {
      if (s.age < 18 && rng_.Bernoulli(0.04)) {
        AddRegistration(Register::kLpwExemption, d + 1, d + 300 + rng_.UniformInt(400));
      }
      StartOut(d + 1, sy);
    }
    return d + 1;
  }
  AddEnrolment(mbo_location_, Sector::kMbo, mbo_funded_, Program::kCrebo, prog.crebo, level_,
               pathway_code, year_of_study_, false, false, false, t, year_end);
  Absences(s, t, year_end, false, mbo_location_);
  if (year_of_study_ >= duration_) {
    if (rng_.Bernoulli(model_.MboPass(s, level_))) {
      const bool late = rng_.Bernoulli(model_.params().mbo_late_diploma);
      const Date date = late ? MakeDate(sy + 1, 10, 2) + rng_.UniformInt(80)
                             : MakeDate(sy + 1, 6, 10) + rng_.UniformInt(40);
      static constexpr DiplomaType kTypes[] = {DiplomaType::kMbo1, DiplomaType::kMbo1,
                                               DiplomaType::kMbo2, DiplomaType::kMbo3,
                                               DiplomaType::kMbo4};
      AddDiploma(date, kTypes[level_], mbo_location_);
      if (level_ >= 2) has_sk_ = true;
      if (level_ == 1) has_entree_ = true;
      highest_mbo_ = std::max(highest_mbo_, level_);
      const DestinationProbs dp = model_.AfterMboDiploma(s, level_);
      const Destination dest = static_cast<Destination>(rng_.PickWeights(dp));
      if (dest == Destination::kOut) {
        if (pathway_ == Pathway::kBbl && rng_.Bernoulli(0.3)) EndJob(year_end);
        StartOut(year_end + 1, sy);
      } else {
        GoTo(dest, sy + 1, Aug1(sy + 1));
      }
    } else if (rng_.Bernoulli(0.75)) {
      ++duration_;
    } else {
      if (rng_.Bernoulli(0.3)) AddDiploma(year_end - 20, DiplomaType::kMboCertificate, mbo_location_);
      StartOut(year_end + 1, sy);
    }
    return year_end + 1;
  }
  if (!rng_.Bernoulli(model_.params().mbo_delay)) ++year_of_study_;
  return year_end + 1;
}

Date PersonSimulator::VavoYearStep(int sy, Date t, Date year_end) {
  if (t < phase_start_) return std::min(phase_start_, year_end + 1);
  const Situation s = Sit(sy);
  ++vavo_years_;
  if (rng_.Bernoulli(model_.VavoLeave(s))) {
    const Date d = RandomDate(t + 30, year_end);
    AddEnrolment(vavo_location_, Sector::kVavo, true, vavo_program_, 0, 0, 0, 0, false, false,
                 false, t, d);
    Absences(s, t, d, true, vavo_location_);
    if (rng_.Bernoulli(0.3)) {
      StartMbo(vavo_program_ == Program::kVavoVmbo ? 2 : 4, NextMboIntake(d), sy);
    } else {
      StartOut(d + 1, sy);
    }
    return d + 1;
  }
  AddEnrolment(vavo_location_, Sector::kVavo, true, vavo_program_, 0, 0, 0, 0, false, false,
               false, t, year_end);
  Absences(s, t, year_end, false, vavo_location_);
  const int years = vavo_program_ == Program::kVavoVmbo ? 1 : 2;
  if (vavo_years_ < years && !(vavo_years_ == 1 && rng_.Bernoulli(0.5))) return year_end + 1;
  if (rng_.Bernoulli(model_.VavoPass(s))) {
    const Date date = MakeDate(sy + 1, 6, 12) + rng_.UniformInt(25);
    const DiplomaType type = vavo_program_ == Program::kVavoVmbo ? DiplomaType::kVmboTl
                             : vavo_program_ == Program::kVavoHavo ? DiplomaType::kHavo
                                                                   : DiplomaType::kVwo;
    AddDiploma(date, type, vavo_location_);
    if (type == DiplomaType::kVmboTl) {
      has_vmbo_ = true;
      vmbo_track_ = VoTrack::kVmboTl;
      GoTo(rng_.Bernoulli(0.9) ? Destination::kMbo4 : Destination::kOut, sy + 1, Aug1(sy + 1));
    } else {
      has_sk_ = true;
      const double u = rng_.Uniform();
      GoTo(u < 0.6 ? (type == DiplomaType::kVwo ? Destination::kWo : Destination::kHbo)
                   : (u < 0.75 ? Destination::kMbo4 : Destination::kOut),
           sy + 1, Aug1(sy + 1));
    }
  } else if (rng_.Bernoulli(0.8)) {
    StartMbo(vavo_program_ == Program::kVavoVmbo ? 2 : 4, Aug1(sy + 1), sy + 1);
  } else {
    StartOut(year_end + 1, sy);
  }
  return year_end + 1;
}

Date PersonSimulator::HoStep(int sy, Date t, Date year_end) {
  if (phase_until_ >= year_end) return year_end + 1;
  const Date next = phase_until_ + 1;
  if (ho_dropped_) {
    const double u = rng_.Uniform();
    if (u < 0.2) {
      StartMbo(4, NextMboIntake(phase_until_), sy);
    } else if (u < 0.55) {
      StartHo(false, Aug1(SchoolYearOf(phase_until_) + 1));
    } else {
      StartOut(next, sy);
    }
  } else {
    StartOut(next, sy);
  }
  return std::max(next, t);
}

void PersonSimulator::ReturnToSchool(int sy, Date t) {
  const Date when = rng_.Bernoulli(0.75) ? t : MakeDate(sy + 1, 2, 1);
  if (has_sk_) {
    if (highest_mbo_ >= 4 || highest_mbo_ == 0) {
      StartHo(false, Aug1(sy));
    } else {
      StartMbo(highest_mbo_ + 1, when, sy);
    }
    return;
  }
  int level;
  if (has_entree_) {
    level = 2;
  } else if (has_vmbo_) {
    level = vmbo_track_ == VoTrack::kVmboBb ? 2 : (vmbo_track_ == VoTrack::kVmboKb ? 2 : 3);
  } else {
    level = (was_special_ || rng_.Bernoulli(0.5)) ? 1 : 2;
  }
  if (!was_special_ && !has_vmbo_ && rng_.Bernoulli(0.08)) {
    StartVavo(Program::kVavoVmbo, Aug1(sy));
    return;
  }
  StartMbo(level, when, sy);
}

Date PersonSimulator::OutYearStep(int sy, Date t, Date year_end) {
  if (t < phase_start_) return std::min(phase_start_, year_end + 1);
  const Situation s = Sit(sy);
  if (t == MakeDate(sy, 8, 1) && out_since_sy_ < sy && s.age < 30) {
    const int years_out = sy - out_since_sy_ - 1;
    if (rng_.Bernoulli(model_.ReturnToEducation(s, years_out, has_sk_))) {
      if (job_from_ != kNoDate && rng_.Bernoulli(0.7)) EndJob(t - 1);
      ReturnToSchool(sy, t);
      return t;
    }
  }
  // Work and benefits.
  const int qual = has_sk_ ? 2 : (has_entree_ ? 1 : 0);
  if (job_from_ == kNoDate) {
    if (rng_.Bernoulli(model_.JobStart(s, qual) * 0.6)) StartJob(RandomDate(t, year_end));
  } else if (rng_.Bernoulli(model_.params().job_end)) {
    const Date d = RandomDate(std::max(t, job_from_ + 30), year_end);
    if (d > job_from_) EndJob(d);
  }
  if (job_from_ == kNoDate && benefit_from_ == kNoDate &&
      rng_.Bernoulli(model_.params().benefit_start * (s.age >= 18 ? 1.0 : 0.3))) {
    benefit_from_ = RandomDate(t, year_end);
  }
  // Rare registers.
  if (s.age < 27) {
    if (rng_.Bernoulli(Logistic(-6.6 + 1.3 * risk_ + (male_ ? 0.9 : 0)))) {
      const Date d = RandomDate(t, year_end);
      AddRegistration(Register::kDji, d, d + 60 + rng_.UniformInt(300));
    }
    if (male_ && s.age >= 17 && s.age <= 22 && !has_sk_ && rng_.Bernoulli(0.012)) {
      const Date d = RandomDate(t, year_end);
      AddRegistration(Register::kPoliceDefence, d, d + 200 + rng_.UniformInt(300));
    }
    if (s.age < 19 && rng_.Bernoulli(0.012)) {
      const Date d = RandomDate(t, year_end);
      AddRegistration(Register::kSocialTrajectory, d, d + 150 + rng_.UniformInt(250));
    }
    if (year_end - t > 120 && rng_.Bernoulli(Logistic(-6.0 + 1.2 * risk_))) {
      const Date d = RandomDate(t + 1, year_end - 100);
      const Date back = std::min(year_end, d + 60 + rng_.UniformInt(300));
      const int home = muni_;
      Move(d, kNoFixedAddress);
      Move(back, rng_.Bernoulli(0.7) ? home : PickMunicipalityInRegion(ref_.municipalities[home].region));
    }
  }
  return year_end + 1;
}

void PersonSimulator::MaybeMove(int sy, Date t, Date year_end, Date cutoff) {
  if (phase_ == Phase::kAbroad || phase_ == Phase::kDead || res_code_ < 0) return;
  const int age = AgeOnOctober(sy);
  const double f = age < 12 ? 0.6 : (age >= 18 ? 1.5 : 1.0);
  const FlowParams& p = model_.params();
  const double u = rng_.Uniform();
  int target = -1;
  if (u < p.move_within * f) {
    target = muni_;
  } else if (u < (p.move_within + p.move_region) * f) {
    target = PickMunicipalityInRegion(Region());
  } else if (u < (p.move_within + p.move_region + p.move_national) * f) {
    target = PickMunicipality();
  }
  if (target < 0) return;
  const Date d = RandomDate(t + 1, year_end);
  if (d >= cutoff || d <= res_from_) return;
  Move(d, target);
}

void PersonSimulator::ApplyCutoff(Date cutoff, bool death) {
  auto& en = rec_->enrolments;
  en.erase(std::remove_if(en.begin(), en.end(), [&](const EnrolmentRow& e) { return e.start >= cutoff; }),
           en.end());
  for (auto& e : en) e.end = std::min(e.end, cutoff - 1);
  auto& di = rec_->diplomas;
  di.erase(std::remove_if(di.begin(), di.end(), [&](const DiplomaRow& d) { return d.date >= cutoff; }),
           di.end());
  auto& ab = rec_->absences;
  ab.erase(std::remove_if(ab.begin(), ab.end(), [&](const AbsenceRow& a) { return a.date >= cutoff; }),
           ab.end());
  auto& rg = rec_->registrations;
  rg.erase(std::remove_if(rg.begin(), rg.end(),
                          [&](const RegistrationRow& r) { return r.from >= cutoff; }),
           rg.end());
  for (auto& r : rg) r.to = std::min(r.to, cutoff - 1);
  if (job_from_ != kNoDate) {
    if (job_from_ < cutoff) AddRegistration(Register::kEmployed, job_from_, cutoff - 1);
    job_from_ = kNoDate;
  }
  if (benefit_from_ != kNoDate) {
    if (benefit_from_ < cutoff) AddRegistration(Register::kBenefit, benefit_from_, cutoff - 1);
    benefit_from_ = kNoDate;
  }
  rec_->life_events.push_back(
      LifeEventRow{cutoff, death ? LifeEvent::kDeath : LifeEvent::kEmigration});
  // Undo residence changes planned on or after the cutoff.
  auto& rs = rec_->residences;
  while (res_from_ >= cutoff && !rs.empty()) {
    const ResidenceRow last = rs.back();
    rs.pop_back();
    res_from_ = last.from;
    res_code_ = last.municipality;
    postcode_ = last.postcode;
    if (last.municipality >= 0) muni_ = last.municipality;
  }
  if (death) {
    rs.push_back(ResidenceRow{res_from_, cutoff, res_code_, postcode_});
    res_from_ = kNoDate;
    phase_ = Phase::kDead;
  } else {
    Move(cutoff, kAbroad);
    phase_ = Phase::kAbroad;
  }
}

void PersonSimulator::Simulate(const PersonSpec& spec, PersonRecord* out) {
  rec_ = out;
  rec_->Clear();
  rec_->index = spec.index;
  rng_ = Rng(seed_, static_cast<uint64_t>(spec.index));
  const FlowParams& p = model_.params();

  // Reset every piece of per-person state: nothing may carry over from the person
  // this thread simulated before, or the output would depend on the scheduling.
  phase_ = Phase::kChild;
  phase_start_ = phase_until_ = 0;
  track_ = VoTrack::kHavo;
  grade_ = 1;
  bridge1_ = bridge2_ = false;
  program_ = -1;
  level_ = year_of_study_ = duration_ = 0;
  pathway_ = Pathway::kBol;
  mbo_funded_ = true;
  fit_ = 0;
  vavo_program_ = Program::kVavoHavo;
  vavo_years_ = 0;
  ho_dropped_ = false;
  out_since_sy_ = 0;
  vmbo_track_ = VoTrack::kVmboBb;
  international_ = private_vo_ = newcomer_ = false;
  has_sk_ = has_entree_ = has_vmbo_ = was_special_ = false;
  highest_mbo_ = 0;
  vo_location_ = special_location_ = mbo_location_ = vavo_location_ = -1;
  job_from_ = benefit_from_ = kNoDate;
  immigrant_ = spec.immigrant;

  male_ = rng_.Bernoulli(0.512);
  rec_->sex = rng_.Bernoulli(0.0002) ? 'X' : (male_ ? 'M' : 'V');
  const double home = rng_.Normal();
  motivation_ = rng_.Normal();
  risk_ = 0.6 * home - 0.5 * motivation_ + (immigrant_ ? 0.3 : 0);
  ability_ = 0.85 * rng_.Normal() - 0.3 * home + 0.2 * motivation_ - (immigrant_ ? 0.4 : 0);

  Date start;
  int arrival_age = 0;
  if (!spec.immigrant) {
    const Date jan1 = MakeDate(spec.year, 1, 1);
    rec_->birth = jan1 + rng_.UniformInt(MakeDate(spec.year + 1, 1, 1) - jan1);
    start = rec_->birth;
    muni_ = PickMunicipality();
  } else {
    static constexpr double kAgeWeights[] = {1, 1, 1, 1, 1, 1, 1, 1, 1.2, 1.2, 1.2, 1.2,
                                             1.3, 1.4, 1.6, 1.6, 1.6, 1.6};  // ages 4..21
    arrival_age = 4 + rng_.PickWeights(kAgeWeights);
    const Date jan1 = MakeDate(spec.year, 1, 1);
    start = jan1 + rng_.UniformInt(MakeDate(spec.year + 1, 1, 1) - jan1);
    rec_->birth = start - arrival_age * 365 - rng_.UniformInt(365);
    // Immigrants settle more often in the cities.
    int best = PickMunicipality();
    const int other = PickMunicipality();
    if (ref_.municipalities[other].weight > ref_.municipalities[best].weight) best = other;
    muni_ = best;
    rec_->life_events.push_back(LifeEventRow{start, LifeEvent::kImmigration});
  }
  {
    const YearMonthDay ymd = ToYearMonthDay(rec_->birth);
    birth_y_ = ymd.year;
    birth_m_ = ymd.month;
    birth_d_ = ymd.day;
  }
  const auto& pcs = ref_.municipalities[muni_].postcodes;
  postcode_ = pcs[rng_.UniformInt(static_cast<int>(pcs.size()))];
  res_from_ = start;
  res_code_ = muni_;

  entry_sy_ = birth_y_ + 12 + ((birth_m_ > 10 || (birth_m_ == 10 && birth_d_ > 1)) ? 1 : 0);
  if (ability_ > 0.9 && rng_.Bernoulli(0.12)) --entry_sy_;
  if (ability_ < -0.8 && rng_.Bernoulli(0.15)) ++entry_sy_;

  const int first_sy = SchoolYearOf(start);
  if (spec.immigrant) {
    const int age = AgeOnOctober(first_sy);
    if (age >= 12 && age <= 17) {
      // A first year in an international transition class (newcomer), then regular.
      entry_sy_ = first_sy;
      EnterSecondary(first_sy, start);
      if (phase_ == Phase::kVo) {
        track_ = age >= 14 ? (ability_ > 0.3 ? VoTrack::kHavo : VoTrack::kVmboKb) : track_;
        grade_ = std::clamp(age - 11, 1, 3);
        bridge1_ = bridge2_ = false;
        international_ = false;
        newcomer_ = true;
        const Date st = start + 14;
        phase_start_ = st > MakeDate(first_sy + 1, 6, 1) ? Aug1(first_sy + 1) : st;
      }
    } else if (age >= 18) {
      if (age >= 17 && rng_.Bernoulli(0.4)) {
        AddDiploma(start - 60 - rng_.UniformInt(300), DiplomaType::kForeign, -1);
      }
      if (age <= 20 && rng_.Bernoulli(0.5)) {
        StartMbo(rng_.Bernoulli(0.5) ? 1 : 2, NextMboIntake(start + 14), first_sy);
      } else {
        StartOut(start, first_sy);
      }
      entry_sy_ = first_sy;
    }
  }

  const int last_sy = window_.to_year;
  for (int sy = first_sy; sy <= last_sy; ++sy) {
    if (phase_ == Phase::kDead) break;
    const Date year_start = Aug1(sy);
    const Date year_end = Jul31(sy);
    Date t = std::max(year_start, start);
    const Situation s = Sit(sy);
    if (s.age > 30) break;
    Date cutoff = kOpenEnd;
    bool death = false;
    if (phase_ == Phase::kAbroad) {
      if (s.age < 26 && rng_.Bernoulli(p.return_from_abroad)) {
        const Date d = RandomDate(year_start + 1, year_end);
        rec_->life_events.push_back(LifeEventRow{d, LifeEvent::kImmigration});
        Move(d, PickMunicipality());
        if (s.age < 12) {
          phase_ = Phase::kChild;
        } else if (s.age < 18 && !has_vmbo_ && !has_sk_) {
          // Back to school at the next start.
          StartVo(IsVmbo(track_) ? track_ : VoTrack::kHavo, std::clamp(s.age - 11, 1, 4),
                  Aug1(sy + 1));
        } else {
          StartOut(d, sy);
        }
        t = d;
      } else {
        continue;
      }
    } else if (t < year_end) {
      if (rng_.Bernoulli(model_.Death(s))) {
        death = true;
        cutoff = RandomDate(t + 1, year_end);
      } else if (rng_.Bernoulli(model_.Emigration(s, international_, immigrant_))) {
        cutoff = RandomDate(t + 1, year_end);
      }
      if (cutoff != kOpenEnd && cutoff <= res_from_) cutoff = kOpenEnd;
    }
    int guard = 0;
    while (t <= year_end && ++guard < 16) t = Step(sy, t, year_end);
    // Cross-border families: the pupil keeps going to a Dutch school.
    if (cutoff == kOpenEnd && res_code_ >= 0 &&
        (phase_ == Phase::kVo || phase_ == Phase::kMbo || phase_ == Phase::kVavo)) {
      const int r = Region();
      const bool border = r == 33 || r == 38 || r == 39 || r == 12 || r == 13 || r == 34;
      if (rng_.Bernoulli(border ? p.cross_border_region : p.cross_border)) {
        const Date d = RandomDate(std::max(year_start, start) + 1, year_end);
        if (d > res_from_) {
          rec_->life_events.push_back(LifeEventRow{d, LifeEvent::kEmigration});
          Move(d, kAbroad);
        }
      }
    }
    MaybeMove(sy, std::max(year_start, start), year_end, cutoff);
    if (cutoff != kOpenEnd) ApplyCutoff(cutoff, death);
  }
  // Close what is still open.
  if (phase_ != Phase::kDead && res_from_ != kNoDate) {
    rec_->residences.push_back(ResidenceRow{res_from_, kOpenEnd, res_code_, postcode_});
  }
  if (job_from_ != kNoDate) rec_->registrations.push_back({Register::kEmployed, job_from_, kOpenEnd});
  if (benefit_from_ != kNoDate) {
    rec_->registrations.push_back({Register::kBenefit, benefit_from_, kOpenEnd});
  }
}

}  // namespace vsv::synth
