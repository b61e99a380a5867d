#include "synth/flow_model.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "synth/rng.h"

namespace vsv::synth {

int FinalGrade(VoTrack track) {
  switch (track) {
    case VoTrack::kHavo: return 5;
    case VoTrack::kVwo: return 6;
    default: return 4;
  }
}

bool IsVmbo(VoTrack track) {
  return track == VoTrack::kVmboBb || track == VoTrack::kVmboKb ||
         track == VoTrack::kVmboGl || track == VoTrack::kVmboTl;
}

namespace {

double Shift(double p, double logit_shift) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return Logistic(Logit(p) + logit_shift);
}

double YearValue(const std::array<double, FlowParams::kYears>& a, int school_year) {
  const int i = std::clamp(school_year - FlowParams::kFirstYear, 0, FlowParams::kYears - 1);
  return a[i];
}

// Calibrated per school year against data/reference/national_figures.csv, on the
// figures pooled over seeds 101-110 at scale 0.5 (`vsv synth --calibrate
// --fit-seeds`, src/synth/README.md); index 0 = 2000.
constexpr std::array<double, FlowParams::kYears> kVoYear = {0.751, 0.751, 0.751, 0.751, 0.751, 0.751, 0.751, 0.751, 0.751, 0.751,
    0.751, 0.751, 0.751, 0.631, 0.509, 0.296, 0.472, 0.527, 0.545, 0.250,
    0.127, 0.489, 0.803, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186,
    1.186, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186, 1.186,
    1.186};
constexpr std::array<double, FlowParams::kYears> kMboYear = {-0.151, -0.151, -0.151, -0.151, -0.151, -0.151, -0.151, -0.151, -0.151, -0.151,
    -0.151, -0.151, -0.151, -0.234, -0.336, -0.497, -0.489, -0.382, -0.266, -0.497,
    -0.397, 0.002, -0.001, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124,
    -0.124, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124, -0.124,
    -0.124};
constexpr std::array<double, FlowParams::kYears> kVavoYear = {0.927, 0.927, 0.927, 0.927, 0.927, 0.927, 0.927, 0.927, 0.927, 0.927,
    0.927, 0.927, 0.927, 0.747, 0.514, 1.334, 0.426, 0.489, 0.741, 0.198,
    0.368, 1.149, 1.032, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007,
    -0.007, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007, -0.007,
    -0.007};

}  // namespace

FlowModel FlowModel::Default() {
  FlowParams p;
  p.vo_year_effect = kVoYear;
  p.mbo_year_effect = kMboYear;
  p.vavo_year_effect = kVavoYear;
  // Big-city regions have clearly higher leaving rates; the rest scatter a little.
  for (int r = 0; r < FlowParams::kRegions; ++r) {
    const uint64_t h = (static_cast<uint64_t>(r) * 0x9E3779B97F4A7C15ULL) >> 40;
    p.region_effect[r] = -0.12 + 0.22 * static_cast<double>(h % 1000) / 1000.0;
  }
  p.region_effect[21] = 0.42;  // Agglomeratie Amsterdam
  p.region_effect[28] = 0.38;  // Haaglanden
  p.region_effect[29] = 0.45;  // Rijnmond
  p.region_effect[19] = 0.12;  // Utrecht
  p.region_effect[14] = 0.10;  // Arnhem/Nijmegen
  return FlowModel(p);
}

double FlowModel::VoYearEffect(int y) const { return YearValue(p_.vo_year_effect, y); }
double FlowModel::MboYearEffect(int y) const { return YearValue(p_.mbo_year_effect, y); }
double FlowModel::VavoYearEffect(int y) const { return YearValue(p_.vavo_year_effect, y); }
double FlowModel::RegionEffect(int region) const {
  return region >= 0 && region < FlowParams::kRegions ? p_.region_effect[region] : 0;
}

VoYearProbs FlowModel::VoYear(const Situation& s, VoTrack track, int grade) const {
  VoYearProbs out;
  const int age_index = std::clamp(s.age - 13, 0, 7);
  double track_effect = 0;
  switch (track) {
    case VoTrack::kVmboBb: track_effect = 0.45; break;
    case VoTrack::kVmboKb: track_effect = 0.3; break;
    case VoTrack::kVmboGl:
    case VoTrack::kVmboTl: track_effect = 0.0; break;
    case VoTrack::kHavo: track_effect = -0.1; break;
    case VoTrack::kVwo: track_effect = -0.6; break;
  }
  out.leave = Shift(p_.vo_leave_by_age[age_index],
                    p_.vo_leave_risk * s.risk + track_effect + (s.male ? 0.15 : 0) +
                        RegionEffect(s.region) + VoYearEffect(s.school_year));
  const bool upper = (track == VoTrack::kHavo && grade == 4) ||
                     (track == VoTrack::kVwo && (grade == 4 || grade == 5));
  out.repeat = Shift(upper ? p_.vo_repeat_upper : p_.vo_repeat, 0.35 * s.risk);
  out.down = (track == VoTrack::kHavo || track == VoTrack::kVwo) && grade >= 2 && grade <= 4
                 ? Shift(p_.vo_down, 0.3 * s.risk)
                 : 0.0;
  out.up = (track == VoTrack::kVmboTl || track == VoTrack::kVmboKb ||
            track == VoTrack::kHavo) && grade >= 1 && grade <= 2
               ? Shift(p_.vo_up, -0.4 * s.risk)
               : 0.0;
  out.pass = Shift(p_.vo_pass[static_cast<int>(track)], -0.45 * s.risk);
  return out;
}

DestinationProbs FlowModel::AfterVoDiploma(const Situation& s, VoTrack track) const {
  DestinationProbs d{};
  const double out_vmbo = Shift(0.009, 0.8 * s.risk + RegionEffect(s.region) +
                                           VoYearEffect(s.school_year));
  auto set = [&](Destination k, double v) { d[static_cast<int>(k)] = v; };
  switch (track) {
    case VoTrack::kVmboBb:
      set(Destination::kMbo2, 0.86);
      set(Destination::kMbo1, 0.08);
      set(Destination::kOut, out_vmbo * 1.4);
      break;
    case VoTrack::kVmboKb:
      set(Destination::kMbo3, 0.55);
      set(Destination::kMbo2, 0.42);
      set(Destination::kOut, out_vmbo);
      break;
    case VoTrack::kVmboGl:
    case VoTrack::kVmboTl:
      set(Destination::kMbo4, 0.62);
      set(Destination::kMbo3, 0.18);
      set(Destination::kHavo4, 0.14);
      set(Destination::kVavo, 0.04);
      set(Destination::kOut, out_vmbo * 0.8);
      break;
    case VoTrack::kHavo:
      set(Destination::kHbo, 0.72);
      set(Destination::kVwo5, 0.04);
      set(Destination::kMbo4, 0.15);
      set(Destination::kVavo, 0.02);
      set(Destination::kOut, 0.09);
      break;
    case VoTrack::kVwo:
      set(Destination::kWo, 0.72);
      set(Destination::kHbo, 0.17);
      set(Destination::kOut, 0.11);
      break;
  }
  return d;
}

DestinationProbs FlowModel::AfterVoFail(const Situation& s, VoTrack track) const {
  DestinationProbs d{};
  auto set = [&](Destination k, double v) { d[static_cast<int>(k)] = v; };
  set(Destination::kRepeat, s.age >= 19 ? 0.45 : 0.72);
  set(Destination::kVavo, IsVmbo(track) ? 0.05 : 0.2);
  set(Destination::kMbo2, IsVmbo(track) ? 0.18 : 0.0);
  set(Destination::kMbo4, IsVmbo(track) ? 0.0 : 0.10);
  set(Destination::kOut, Shift(0.05, 0.8 * s.risk + VoYearEffect(s.school_year)));
  return d;
}

DestinationProbs FlowModel::AfterVoLeave(const Situation& s, VoTrack track) const {
  DestinationProbs d{};
  auto set = [&](Destination k, double v) { d[static_cast<int>(k)] = v; };
  if (IsVmbo(track)) {
    set(Destination::kMbo2, 0.26);
    set(Destination::kMbo1, 0.10);
  } else {
    set(Destination::kMbo4, 0.22);
    set(Destination::kMbo3, 0.08);
    set(Destination::kVavo, 0.16);
  }
  set(Destination::kOut, 0.58);
  return d;
}

double FlowModel::MboLeave(const Situation& s, int level, Pathway pathway,
                           int year_of_study, double fit) const {
  const int yi = std::clamp(year_of_study - 1, 0, 2);
  return Shift(p_.mbo_leave_by_year[yi],
               p_.mbo_level_effect[std::clamp(level, 1, 4)] +
                   (pathway == Pathway::kBbl ? p_.mbo_bbl_effect : 0) +
                   p_.mbo_leave_risk * s.risk + p_.mbo_fit_effect * fit +
                   (s.male ? p_.mbo_male_effect : 0) +
                   (s.age >= 20 ? p_.mbo_age20_effect : 0) + RegionEffect(s.region) +
                   MboYearEffect(s.school_year));
}

double FlowModel::MboSwitchAfterLeave(const Situation& s) const {
  return Shift(p_.mbo_switch_after_leave, -0.35 * s.risk - (s.age >= 20 ? 0.4 : 0));
}

double FlowModel::MboPass(const Situation& s, int level) const {
  return Shift(p_.mbo_pass, -0.4 * s.risk - (level == 1 ? 0.3 : 0));
}

double FlowModel::BblShare(const Situation& s, int level) const {
  return Shift(p_.bbl_share[std::clamp(level, 1, 4)], s.age >= 20 ? 0.8 : 0);
}

DestinationProbs FlowModel::AfterMboDiploma(const Situation& s, int level) const {
  DestinationProbs d{};
  auto set = [&](Destination k, double v) { d[static_cast<int>(k)] = v; };
  const double young = s.age < 20 ? 1.0 : 0.6;
  switch (level) {
    case 1:
      set(Destination::kMbo2, 0.55 * young);
      set(Destination::kOut,
          Shift(0.45, 0.5 * s.risk + MboYearEffect(s.school_year)));
      break;
    case 2:
      set(Destination::kMbo3, 0.5 * young);
      set(Destination::kOut, 0.58);
      break;
    case 3:
      set(Destination::kMbo4, 0.36 * young);
      set(Destination::kOut, 0.72);
      break;
    default:
      set(Destination::kHbo, 0.38 * young);
      set(Destination::kOut, 0.62);
      break;
  }
  return d;
}

double FlowModel::VavoLeave(const Situation& s) const {
  return Shift(p_.vavo_leave, 0.8 * s.risk + RegionEffect(s.region) +
                                  VavoYearEffect(s.school_year));
}

double FlowModel::VavoPass(const Situation& s) const {
  return Shift(p_.vavo_pass, -0.4 * s.risk);
}

double FlowModel::ReturnToEducation(const Situation& s, int years_out, bool has_sk) const {
  if (s.age >= 27) return 0.002;
  if (has_sk) return Shift(p_.return_with_sk, -0.3 * s.age + 6.0);
  double p = p_.return_by_years_out[std::clamp(years_out, 0, 3)];
  double shift = -0.45 * s.risk;
  if (s.age < 18) shift += 0.5;  // kwalificatieplicht: the region chases them
  if (s.age >= 23) shift -= 1.0;
  return Shift(p, shift);
}

double FlowModel::JobStart(const Situation& s, int qualification) const {
  const double base = qualification == 2   ? p_.job_start_sk
                      : qualification == 1 ? p_.job_start_entree
                                           : p_.job_start_none;
  return Shift(base, -0.4 * s.risk + (s.age >= 18 ? 0.3 : -0.3));
}

double FlowModel::Death(const Situation& s) const {
  return (s.age < 18 ? p_.death_young : p_.death_adult) * (s.male ? 1.4 : 0.7);
}

double FlowModel::Emigration(const Situation& s, bool international, bool immigrant) const {
  if (international) return p_.emigration_international;
  if (immigrant) return p_.emigration_immigrant;
  return s.age >= 18 ? p_.emigration_adult : p_.emigration;
}

double FlowModel::Absence(const Situation& s, bool leaving_this_year) const {
  return Logistic(p_.absence_base + p_.absence_risk * s.risk +
                  (leaving_this_year ? p_.absence_leaving : 0) +
                  0.5 * RegionEffect(s.region));
}

std::string FlowParamsToJson(const FlowParams& p) {
  nlohmann::json j;
  j["pro_share"] = p.pro_share;
  j["vso_share"] = p.vso_share;
  j["track_share"] = p.track_share;
  j["vo_leave_by_age"] = p.vo_leave_by_age;
  j["vo_pass"] = p.vo_pass;
  j["mbo_leave_by_year"] = p.mbo_leave_by_year;
  j["mbo_level_effect"] = p.mbo_level_effect;
  j["mbo_switch_after_leave"] = p.mbo_switch_after_leave;
  j["mbo_pass"] = p.mbo_pass;
  j["bbl_share"] = p.bbl_share;
  j["vavo_leave"] = p.vavo_leave;
  j["return_by_years_out"] = p.return_by_years_out;
  j["first_year"] = FlowParams::kFirstYear;
  j["vo_year_effect"] = p.vo_year_effect;
  j["mbo_year_effect"] = p.mbo_year_effect;
  j["vavo_year_effect"] = p.vavo_year_effect;
  j["region_effect"] = p.region_effect;
  return j.dump(2);
}

Result<FlowParams> FlowParamsFromJson(const std::string& text) {
  FlowParams p = FlowModel::Default().params();
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    auto get = [&](const char* key, auto& field) {
      if (j.contains(key)) j.at(key).get_to(field);
    };
    get("pro_share", p.pro_share);
    get("vso_share", p.vso_share);
    get("track_share", p.track_share);
    get("vo_leave_by_age", p.vo_leave_by_age);
    get("vo_pass", p.vo_pass);
    get("mbo_leave_by_year", p.mbo_leave_by_year);
    get("mbo_level_effect", p.mbo_level_effect);
    get("mbo_switch_after_leave", p.mbo_switch_after_leave);
    get("mbo_pass", p.mbo_pass);
    get("bbl_share", p.bbl_share);
    get("vavo_leave", p.vavo_leave);
    get("return_by_years_out", p.return_by_years_out);
    get("vo_year_effect", p.vo_year_effect);
    get("mbo_year_effect", p.mbo_year_effect);
    get("vavo_year_effect", p.vavo_year_effect);
    get("region_effect", p.region_effect);
  } catch (const std::exception& e) {
    return MakeError(std::string("flow model parameters: ") + e.what());
  }
  return p;
}

}  // namespace vsv::synth
