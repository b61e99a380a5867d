// The codes of registry format v1 as small enums, with their text forms. The one
// place where a code's spelling in the files is known.
#ifndef VSV_REGISTRY_CODES_H_
#define VSV_REGISTRY_CODES_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace vsv {

enum class Sex : uint8_t { kM, kV, kX };
enum class Sector : uint8_t { kVO, kMBO, kVAVO, kHO, kPRO, kVSO, kSO };
inline constexpr int kSectorCount = 7;
enum class Pathway : uint8_t { kNone, kBOL, kBBL };
enum class Program : uint8_t {
  kNone, kBrugjaar, kVmboBB, kVmboKB, kVmboGL, kVmboTL, kHavo, kVwo, kCrebo,
  kVavoVmbo, kVavoHavo, kVavoVwo, kHbo, kWo,
};
enum class DiplomaType : uint8_t {
  kVmboBB, kVmboKB, kVmboGL, kVmboTL, kHavo, kVwo, kMbo1, kMbo2, kMbo3, kMbo4, kHO,
  kForeign, kMboCertificate, kMboVerklaring, kPraktijkverklaring, kProCertificate,
  kVsoCertificate,
};
enum class Register : uint8_t {
  kLpwExemption, kDji, kPoliceDefence, kSocialTrajectory, kEmployed, kBenefit,
};
enum class LifeEvent : uint8_t { kDeath, kEmigration, kImmigration };
enum class AbsenceKind : uint8_t { kUnauthorised, kLong, kEarlyLeave };

// A residence's municipality: the CBS code 0..9999, or one of these.
using Municipality = int16_t;
inline constexpr Municipality kAbroad = -1;
inline constexpr Municipality kNoFixedAddress = -2;
inline bool IsDutchMunicipality(Municipality m) { return m >= 0; }

std::optional<Sex> ParseSex(std::string_view s);
std::optional<Sector> ParseSector(std::string_view s);
std::optional<Pathway> ParsePathway(std::string_view s);  // "" -> kNone
// VO/VAVO/HO program names; MBO crebo numbers are parsed by the loader.
std::optional<Program> ParseProgram(std::string_view s);
std::optional<DiplomaType> ParseDiplomaType(std::string_view s);
std::optional<Register> ParseRegister(std::string_view s);
std::optional<LifeEvent> ParseLifeEvent(std::string_view s);
std::optional<AbsenceKind> ParseAbsenceKind(std::string_view s);

std::string_view ToString(Sex v);
std::string_view ToString(Sector v);
std::string_view ToString(Pathway v);
std::string_view ToString(Program v);  // kCrebo -> "CREBO"
std::string_view ToString(DiplomaType v);
std::string_view ToString(Register v);
std::string_view ToString(LifeEvent v);
std::string_view ToString(AbsenceKind v);

// The programs allowed for a sector, as listed for an error message.
std::string_view ExpectedPrograms(Sector sector);
bool ProgramFitsSector(Program program, Sector sector);

// Startkwalificatie: a havo, vwo or mbo level 2, 3 or 4 diploma.
inline bool IsStartkwalificatie(DiplomaType t) {
  return t == DiplomaType::kHavo || t == DiplomaType::kVwo || t == DiplomaType::kMbo2 ||
         t == DiplomaType::kMbo3 || t == DiplomaType::kMbo4;
}
inline bool IsVmbo(Program p) {
  return p == Program::kVmboBB || p == Program::kVmboKB || p == Program::kVmboGL ||
         p == Program::kVmboTL;
}

}  // namespace vsv

#endif  // VSV_REGISTRY_CODES_H_
