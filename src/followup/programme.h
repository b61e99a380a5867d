// The regional programme in the register (issue 16; docs/followup.md, "Programma"):
// per legal topic the region's agreements and measures, per measure and year the
// budget and what was spent by the effect report's categories; cases linked to a
// measure (participation is counted, never typed); how trajectories ended, in the
// effect report's destinations; the free texts the effect report's template asks for.
// Stored by CaseStore (programme_store.cc) in schema migration 2.
#ifndef VSV_FOLLOWUP_PROGRAMME_H_
#define VSV_FOLLOWUP_PROGRAMME_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace vsv::followup {

// The topics on which the programme must make agreements (reports.md, "The regional
// programme"): "mbo-verklaring", "support" (low-threshold support with youth care,
// WMO, income support, debt help, safety partners), "vo-mbo" (the transition, VSO
// included), "up-to-27" (young people up to 27 who neither learn nor work),
// "work-without-sk" (sustainable work for young people without SK).
enum class ProgrammeTopic : uint8_t { kMboVerklaring, kSupport, kVoMbo, kUpTo27, kWorkWithoutSk };
inline constexpr int kProgrammeTopicCount = 5;
std::string_view TopicName(ProgrammeTopic t);
std::string_view TopicLabelNl(ProgrammeTopic t);
std::string_view TopicLabelEn(ProgrammeTopic t);
Result<ProgrammeTopic> ParseTopic(std::string_view text);

// The effect report's spending categories (2012 template, section 4): A coordination,
// B administration / registration / ICT, C trajectory guidance, D projects for
// leavers, E prevention projects, F strengthening compulsory-education enforcement,
// G reservation, H other. Names "A" … "H".
inline constexpr int kSpendingCategoryCount = 8;
std::string_view SpendingLabelNl(int category);  // 0 = A
std::string_view SpendingLabelEn(int category);
Result<int> ParseSpendingCategory(std::string_view text);  // "A".."H" (either case) -> 0..7

// Where a trajectory ended (2012 template, 3B/3C). The register's case statuses do
// not map one-to-one onto these (no "without daytime activity", no justice, no
// "other"; "working" does not say whether there is a prospect of SK), so the
// destination is recorded with the case when its trajectory ends.
enum class Destination : uint8_t {
  kFullTimeEducation, kWorkLearning, kWorkWithoutSk, kCareShelterJustice, kNoDaytimeActivity,
  kMovedOrUntraceable, kOther,
};
inline constexpr int kDestinationCount = 7;
// "full-time-education", "work-learning", "work-without-sk", "care-shelter-justice",
// "no-daytime-activity", "moved-or-untraceable", "other".
std::string_view DestinationName(Destination d);
std::string_view DestinationLabelNl(Destination d);
std::string_view DestinationLabelEn(Destination d);
Result<Destination> ParseDestination(std::string_view text);

// The effect report's free-text sections: "cooperation", "bottlenecks",
// "success-factors", "looking-back", "good-practices".
inline constexpr int kReportTextCount = 5;
std::string_view ReportTextName(int section);
std::string_view ReportTextLabelNl(int section);
std::string_view ReportTextLabelEn(int section);
Result<int> ParseReportText(std::string_view text);

inline constexpr int kMinProgrammeYear = 2000;
inline constexpr int kMaxProgrammeYear = 2100;

struct Agreement {
  int64_t id = 0;
  int region = 0;
  ProgrammeTopic topic = ProgrammeTopic::kMboVerklaring;
  std::string text;
  std::string author;
  int64_t updated_at = 0;
};

struct YearAmount {
  int year = 0;
  int64_t euros = 0;
};

// What a coordinator records for a measure.
struct NewMeasure {
  int region = 0;
  ProgrammeTopic topic = ProgrammeTopic::kMboVerklaring;
  std::string title;  // unique within the region
  std::string target_group;
  std::string activities;
  std::string partners;
  int planned_participants = 0;  // per year
  std::string expected_effect;
  int expected_prevented = 0;      // expected number of vsv'ers prevented per year
  std::vector<YearAmount> budget;  // per calendar year, euros
};

// One year of a measure: what was spent by category, and who took part (cases linked
// to the measure in that year, counted by the register).
struct MeasureYear {
  int year = 0;
  int64_t budget = 0;
  std::array<int64_t, kSpendingCategoryCount> spent{};
  int64_t spent_total = 0;
  int64_t participants = 0;
};

struct Measure {
  int64_t id = 0;
  NewMeasure m;
  std::vector<MeasureYear> years;  // every year with a budget, spending or participants, ascending
};

struct TopicProgramme {
  ProgrammeTopic topic = ProgrammeTopic::kMboVerklaring;
  std::vector<Agreement> agreements;
  std::vector<Measure> measures;
  bool missing = false;  // no agreement on this topic yet
};

// The region's own target: at most this many new vsv'ers in the school year that
// ends in `year` (the national one is in the reference's targets.csv).
struct RegionTarget {
  int year = 0;
  int64_t max_new_vsv = 0;
};

struct Programme {
  int region = 0;
  std::vector<RegionTarget> targets;  // ascending by year
  std::array<TopicProgramme, kProgrammeTopicCount> topics;
  std::vector<std::string> missing_topics;  // TopicName of each topic without an agreement
};

struct ReportText {
  int section = 0;
  std::string text;  // "" = still empty
  std::string author;
  int64_t updated_at = 0;
};

// The register's figures of the effect report for one region and calendar year
// (every figure is a query of the register; the report layer only lays them out).
struct EffectRegisterFigures {
  int region = 0;
  int year = 0;
  // 3A
  int64_t first_approached = 0;   // cases whose first contact lies in the year
  int64_t intakes = 0;            // cases whose first face-to-face contact (visit, meeting) lies in the year
  std::array<int64_t, 3> weeks_to_first_contact{};  // of those first approached: < 4, 4–6, > 6 weeks after opening
  int64_t trajectories_started = 0;  // status changes to in-trajectory in the year
  // 3B/3C
  int64_t trajectories_ended = 0;    // destinations recorded with an end date in the year
  std::array<int64_t, kDestinationCount> destinations{};
  // 3D, oud-vsv cases by whole years out of education on 31 July of the year:
  // 1–2, 2–3, 3–4, >= 4 (index 0..3; less than a year counts as 1–2).
  std::array<int64_t, 4> oud_vsv_new{};          // opened in the year
  std::array<int64_t, 4> oud_vsv_in_guidance{};  // open on 31 July
  std::array<int64_t, 4> oud_vsv_ended{};        // destination recorded in the year
  // The mbo-verklaring among the region's new leavers on the register opened in the year.
  int64_t leavers = 0;
  int64_t leavers_with_mbo_verklaring = 0;
  std::array<ReportText, kReportTextCount> texts;
  std::vector<std::string> empty_texts;  // ReportTextName of each empty section
};

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_PROGRAMME_H_
