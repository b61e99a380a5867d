// Simulates one person's life course through school, work and the population
// register, day-exact where the count depends on it, and fills a PersonRecord.
// Deterministic in (seed, person index): each person draws from their own stream.
#ifndef VSV_SYNTH_SIMULATOR_H_
#define VSV_SYNTH_SIMULATOR_H_

#include <cstdint>

#include "core/date.h"
#include "synth/catalogue.h"
#include "synth/flow_model.h"
#include "synth/person.h"
#include "synth/reference.h"
#include "synth/rng.h"

namespace vsv::synth {

// The period the registry covers: rows are written for 1 August of `from_year`
// up to 31 December of `to_year`; histories start earlier.
struct SimWindow {
  int from_year = 2012;
  int to_year = 2024;
  Date start() const { return MakeDate(from_year, 8, 1); }
  Date end() const { return MakeDate(to_year, 12, 31); }
};

// Who is simulated: a person born in the Netherlands in `year`, or an immigrant
// arriving in `year`.
struct PersonSpec {
  int64_t index = 0;
  bool immigrant = false;
  int year = 0;
};

class PersonSimulator {
 public:
  // All referenced objects must outlive the simulator. One simulator per thread.
  PersonSimulator(const SynthReference& ref, const Catalogue& catalogue,
                  const FlowModel& model, SimWindow window, uint64_t seed);

  // Replaces the content of `out` with the simulated person.
  void Simulate(const PersonSpec& spec, PersonRecord* out);

 private:
  enum class Phase : uint8_t { kChild, kVo, kPro, kVso, kMbo, kVavo, kHo, kOut, kAbroad, kDead };

  Situation Sit(int school_year) const;
  int AgeOnOctober(int school_year) const;
  int Region() const;
  Date RandomDate(Date from, Date to);

  // Phase handlers: simulate from `t` to at most `year_end`; return the date from
  // which the (possibly new) phase continues.
  Date Step(int sy, Date t, Date year_end);
  Date VoYearStep(int sy, Date t, Date year_end);
  Date SpecialYearStep(int sy, Date t, Date year_end);
  Date MboYearStep(int sy, Date t, Date year_end);
  Date VavoYearStep(int sy, Date t, Date year_end);
  Date HoStep(int sy, Date t, Date year_end);
  Date OutYearStep(int sy, Date t, Date year_end);

  void EnterSecondary(int sy, Date start);
  void GoTo(Destination dest, int sy, Date when);
  void StartVo(VoTrack track, int grade, Date when);
  void StartMbo(int level, Date when, int sy);
  void StartVavo(Program program, Date when);
  void StartHo(bool university, Date when);
  void StartOut(Date when, int sy);
  Date NextMboIntake(Date d) const;
  void ReturnToSchool(int sy, Date t);

  void AddEnrolment(int location, Sector sector, bool funded, Program program, int crebo,
                    int level, int pathway, int grade, bool newcomer, bool international,
                    bool outsourced, Date start, Date end);
  void AddDiploma(Date date, DiplomaType type, int location);
  void AddRegistration(Register reg, Date from, Date to);
  void Absences(const Situation& s, Date from, Date to, bool leaving, int location);
  void StartJob(Date d);
  void EndJob(Date d);
  void Move(Date d, int municipality);
  int PickMunicipalityInRegion(int region);
  int PickMunicipality();
  void MaybeMove(int sy, Date t, Date year_end, Date cutoff);
  void ApplyCutoff(Date cutoff, bool death);

  const SynthReference& ref_;
  const Catalogue& cat_;
  const FlowModel& model_;
  SimWindow window_;
  uint64_t seed_;

  // Per-person state.
  Rng rng_{0, 0};
  PersonRecord* rec_ = nullptr;
  int birth_y_ = 0, birth_m_ = 0, birth_d_ = 0;
  bool male_ = false, immigrant_ = false, international_ = false;
  double risk_ = 0, ability_ = 0, motivation_ = 0;
  int muni_ = 0;      // last municipality lived in (drives school choice)
  int res_code_ = 0;  // current residence: municipality, kAbroad or kNoFixedAddress
  uint16_t postcode_ = 0;
  Date res_from_ = 0;
  int entry_sy_ = 0;
  Phase phase_ = Phase::kChild;
  Date phase_start_ = 0;
  Date phase_until_ = 0;
  // VO
  VoTrack track_ = VoTrack::kHavo;
  int grade_ = 1;
  bool bridge1_ = false, bridge2_ = false, private_vo_ = false, newcomer_ = false;
  int vo_location_ = -1;
  // PRO / VSO
  int special_location_ = -1;
  // MBO
  int program_ = -1, level_ = 0, year_of_study_ = 0, duration_ = 0, mbo_location_ = -1;
  Pathway pathway_ = Pathway::kBol;
  bool mbo_funded_ = true;
  double fit_ = 0;
  // VAVO
  Program vavo_program_ = Program::kVavoHavo;
  int vavo_years_ = 0, vavo_location_ = -1;
  // HO
  bool ho_dropped_ = false;
  // Out
  int out_since_sy_ = 0;
  // Qualifications.
  bool has_sk_ = false, has_entree_ = false, has_vmbo_ = false;
  VoTrack vmbo_track_ = VoTrack::kVmboBb;
  int highest_mbo_ = 0;
  bool was_special_ = false;
  // Registers.
  Date job_from_ = kNoDate, benefit_from_ = kNoDate;
};

}  // namespace vsv::synth

#endif  // VSV_SYNTH_SIMULATOR_H_
