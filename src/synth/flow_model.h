// The flow model: the transition probabilities that move a young person through the
// Dutch education system, one school year at a time. The generator asks it what may
// happen to a person in a given situation; the projections feature (src/forecast) is
// meant to estimate the same parameters from a registry and run them forward, so the
// model is plain data (FlowParams) plus pure query functions, with no randomness and
// no knowledge of files.
//
// Every probability is a logistic function of a base rate and additive effects on
// the logit scale: the person's hidden risk score, age, sex, RMC region and a
// calibration effect per school year (the trend of the published figures).
#ifndef VSV_SYNTH_FLOW_MODEL_H_
#define VSV_SYNTH_FLOW_MODEL_H_

#include <array>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace vsv::synth {

// VO tracks from grade 3 on (grades 1-2 may be a mixed bridge year).
enum class VoTrack : uint8_t { kVmboBb, kVmboKb, kVmboGl, kVmboTl, kHavo, kVwo };
inline constexpr int kVoTrackCount = 6;
// Last grade: 4 for vmbo, 5 for havo, 6 for vwo.
int FinalGrade(VoTrack track);
bool IsVmbo(VoTrack track);

enum class Pathway : uint8_t { kBol, kBbl };

// Where someone goes after a VO or MBO diploma, after failing the final exam, or
// after leaving school during the year.
enum class Destination : uint8_t {
  kMbo1, kMbo2, kMbo3, kMbo4, kHavo4, kVwo5, kVavo, kHbo, kWo, kRepeat, kOut
};
inline constexpr int kDestinationCount = 11;
using DestinationProbs = std::array<double, kDestinationCount>;

// What the model knows about a person when it is asked: observable context and the
// hidden propensity. `risk` combines home situation and motivation (mean 0, sd ~0.8);
// it is never written to the registry.
struct Situation {
  int school_year = 0;  // named by its first calendar year
  int age = 0;          // completed years on 1 October of school_year
  bool male = false;
  int region = 0;       // RMC region 1..40
  double risk = 0;
};

// Outcomes of one VO school year (not exclusive of each other; the simulator
// applies them in the order leave, then exam or promotion).
struct VoYearProbs {
  double leave = 0;    // leaves school during the year without diploma
  double repeat = 0;   // stays in the same grade
  double down = 0;     // switches to a lower track at the end of the year
  double up = 0;       // switches to a higher track
  double pass = 0;     // passes the final exam (final grade only)
};

// All parameters. Plain data so that it can be estimated, saved and edited.
struct FlowParams {
  static constexpr int kFirstYear = 2000;  // year effects cover 2000..2040
  static constexpr int kYears = 41;
  static constexpr int kRegions = 41;      // index = region number

  // Entry into secondary education (shares of a birth cohort).
  double pro_share = 0.034;
  double vso_share = 0.036;
  // Track shares from grade 3 among regular VO pupils: bb, kb, gl, tl, havo, vwo.
  std::array<double, kVoTrackCount> track_share = {0.085, 0.105, 0.045, 0.225, 0.27, 0.27};
  // vmbo shares grow by this fraction per year before 2010 (shrink after): the
  // long decline of vmbo against havo/vwo.
  double vmbo_trend = 0.006;
  double bridge_year_share = 0.55;  // grade 1 in a mixed bridge class
  double private_vo_share = 0.004;  // non-funded VO school
  double international_share = 0.004;  // international stream (havo/vwo pupils)
  double international_share_city = 0.03;
  double rutte_share = 0.012;  // havo/vwo exam pupils taught partly at VAVO

  // VO yearly hazards (base probabilities at risk 0, before effects).
  std::array<double, 8> vo_leave_by_age = {0.0002, 0.0004, 0.0008, 0.002, 0.004,
                                           0.007, 0.012, 0.02};  // ages <=13..20+
  double vo_leave_risk = 0.85;
  double vo_repeat = 0.025;
  double vo_repeat_upper = 0.075;  // havo 4, vwo 4-5
  double vo_down = 0.035;
  double vo_up = 0.02;
  std::array<double, kVoTrackCount> vo_pass = {0.96, 0.95, 0.94, 0.93, 0.88, 0.91};

  // MBO yearly leave hazards by year of study (1, 2, 3+) and effects.
  std::array<double, 3> mbo_leave_by_year = {0.095, 0.05, 0.04};
  std::array<double, 5> mbo_level_effect = {0, 0.55, 0.25, 0.0, -0.35};
  double mbo_bbl_effect = 0.15;
  double mbo_leave_risk = 0.8;
  double mbo_fit_effect = -0.5;
  double mbo_male_effect = 0.15;
  double mbo_age20_effect = 0.2;
  double mbo_switch_after_leave = 0.36;  // starts another program at the next intake
  double mbo_pass = 0.88;
  double mbo_delay = 0.3;  // a year of study that has to be done again
  double mbo_late_diploma = 0.05;  // diploma dated October-December after the year
  std::array<double, 5> bbl_share = {0, 0.06, 0.3, 0.24, 0.12};

  // VAVO.
  double vavo_leave = 0.045;
  double vavo_pass = 0.72;

  // Out of education: probability of returning at the next intake, by years out.
  std::array<double, 4> return_by_years_out = {0.2, 0.13, 0.09, 0.05};
  double return_with_sk = 0.03;
  double job_start_sk = 0.8;
  double job_start_entree = 0.6;
  double job_start_none = 0.45;
  double job_end = 0.25;
  double benefit_start = 0.12;

  // Life events (per year).
  double death_young = 0.00012;  // age < 18
  double death_adult = 0.0003;
  double emigration = 0.0022;
  double emigration_adult = 0.0045;
  double emigration_international = 0.12;
  double emigration_immigrant = 0.03;
  double return_from_abroad = 0.08;

  // Moves (per year).
  double move_within = 0.045;
  double move_region = 0.025;
  double move_national = 0.015;
  // Families moving across the border while the pupil stays at a Dutch school.
  double cross_border = 0.0003;
  double cross_border_region = 0.002;  // border regions

  // Absence reports: logit base, risk slope, boost in the year of leaving.
  double absence_base = -3.4;
  double absence_risk = 1.1;
  double absence_leaving = 3.6;

  // Calibration effects on the logit of leaving (and of going nowhere after a
  // diploma without SK), per school year.
  std::array<double, kYears> vo_year_effect{};
  std::array<double, kYears> mbo_year_effect{};
  std::array<double, kYears> vavo_year_effect{};
  std::array<double, kRegions> region_effect{};
};

class FlowModel {
 public:
  explicit FlowModel(FlowParams params) : p_(std::move(params)) {}
  // The model calibrated to the published national figures.
  static FlowModel Default();

  const FlowParams& params() const { return p_; }
  FlowParams& mutable_params() { return p_; }

  VoYearProbs VoYear(const Situation& s, VoTrack track, int grade) const;
  // After a VO diploma of `track`.
  DestinationProbs AfterVoDiploma(const Situation& s, VoTrack track) const;
  // After failing the final exam.
  DestinationProbs AfterVoFail(const Situation& s, VoTrack track) const;
  // After leaving VO during the year without diploma.
  DestinationProbs AfterVoLeave(const Situation& s, VoTrack track) const;

  // Probability of leaving an MBO program during this school year.
  double MboLeave(const Situation& s, int level, Pathway pathway, int year_of_study,
                  double fit) const;
  double MboSwitchAfterLeave(const Situation& s) const;
  double MboPass(const Situation& s, int level) const;
  double BblShare(const Situation& s, int level) const;
  DestinationProbs AfterMboDiploma(const Situation& s, int level) const;

  double VavoLeave(const Situation& s) const;
  double VavoPass(const Situation& s) const;

  // Out of education for `years_out` full years (0 = left this school year).
  double ReturnToEducation(const Situation& s, int years_out, bool has_sk) const;
  // Chance to start a job within a year: 2 = SK, 1 = entree diploma, 0 = neither.
  double JobStart(const Situation& s, int qualification) const;

  double Death(const Situation& s) const;
  double Emigration(const Situation& s, bool international, bool immigrant) const;

  double Absence(const Situation& s, bool leaving_this_year) const;

  // Year effects outside 2000..2040 take the nearest year's value.
  double VoYearEffect(int school_year) const;
  double MboYearEffect(int school_year) const;
  double VavoYearEffect(int school_year) const;
  double RegionEffect(int region) const;

 private:
  FlowParams p_;
};

// Parameters as JSON text and back (for estimation and scenario runs).
std::string FlowParamsToJson(const FlowParams& params);
Result<FlowParams> FlowParamsFromJson(const std::string& text);

}  // namespace vsv::synth

#endif  // VSV_SYNTH_FLOW_MODEL_H_
