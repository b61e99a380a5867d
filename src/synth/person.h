// The registry rows of one simulated person, kept in memory only while that person
// is simulated, classified (for the calibration tallies) and formatted.
#ifndef VSV_SYNTH_PERSON_H_
#define VSV_SYNTH_PERSON_H_

#include <cstdint>
#include <vector>

#include "core/date.h"
#include "synth/catalogue.h"

namespace vsv::synth {

// VO/VAVO/HO program codes (MBO programs carry a crebo number instead).
enum class Program : uint8_t {
  kNone, kBrugjaar, kVmboBb, kVmboKb, kVmboGl, kVmboTl, kHavo, kVwo,
  kVavoVmbo, kVavoHavo, kVavoVwo, kHbo, kWo, kCrebo
};
const char* ProgramCode(Program program);

enum class DiplomaType : uint8_t {
  kVmboBb, kVmboKb, kVmboGl, kVmboTl, kHavo, kVwo, kMbo1, kMbo2, kMbo3, kMbo4, kHo,
  kForeign, kMboCertificate, kMboVerklaring, kPraktijkverklaring, kProCertificate,
  kVsoCertificate
};
const char* DiplomaCode(DiplomaType type);
bool IsStartkwalificatie(DiplomaType type);

enum class Register : uint8_t {
  kLpwExemption, kDji, kPoliceDefence, kSocialTrajectory, kEmployed, kBenefit
};
const char* RegisterCode(Register reg);

enum class LifeEvent : uint8_t { kDeath, kEmigration, kImmigration };
const char* LifeEventCode(LifeEvent event);

enum class AbsenceKind : uint8_t { kUnauthorised, kLong, kEarlyLeave };
const char* AbsenceCode(AbsenceKind kind);

inline constexpr int kAbroad = -1;          // residence municipality: abroad
inline constexpr int kNoFixedAddress = -2;  // residence municipality: no fixed address

struct EnrolmentRow {
  int location;  // index into Catalogue::locations()
  Sector sector;
  bool funded;
  Program program;
  int crebo;     // MBO only
  uint8_t level;    // MBO 1..4, else 0
  uint8_t pathway;  // 0 none, 1 BOL, 2 BBL
  uint8_t grade;    // 0 = empty
  bool newcomer, international, outsourced_to_vavo;
  Date start, end;  // end may be kOpenEnd
};

struct ResidenceRow {
  Date from, to;  // to may be kOpenEnd
  int municipality;  // index, kAbroad or kNoFixedAddress
  uint16_t postcode;  // 0 = empty
};

struct DiplomaRow {
  Date date;
  DiplomaType type;
  int institution;  // index, or -1
};

struct RegistrationRow {
  Register reg;
  Date from, to;
};

struct LifeEventRow {
  Date date;
  LifeEvent event;
};

struct AbsenceRow {
  Date date;
  int institution;
  AbsenceKind kind;
  int hours;  // 0 = empty
};

struct PersonRecord {
  int64_t index = 0;
  Date birth = 0;
  char sex = 'M';
  std::vector<EnrolmentRow> enrolments;
  std::vector<ResidenceRow> residences;
  std::vector<DiplomaRow> diplomas;
  std::vector<RegistrationRow> registrations;
  std::vector<LifeEventRow> life_events;
  std::vector<AbsenceRow> absences;

  void Clear() {
    enrolments.clear();
    residences.clear();
    diplomas.clear();
    registrations.clear();
    life_events.clear();
    absences.clear();
  }
};

}  // namespace vsv::synth

#endif  // VSV_SYNTH_PERSON_H_
