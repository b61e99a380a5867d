#include "registry/codes.h"

#include <array>

namespace vsv {

namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kSexNames = {"M", "V", "X"};
constexpr std::array<std::string_view, 7> kSectorNames = {"VO", "MBO", "VAVO", "HO",
                                                          "PRO", "VSO", "SO"};
constexpr std::array<std::string_view, 3> kPathwayNames = {"", "BOL", "BBL"};
constexpr std::array<std::string_view, 14> kProgramNames = {
    "",         "BRUGJAAR",  "VMBO-BB",   "VMBO-KB",  "VMBO-GL", "VMBO-TL", "HAVO",
    "VWO",      "CREBO",     "VAVO-VMBO", "VAVO-HAVO", "VAVO-VWO", "HBO",    "WO"};
constexpr std::array<std::string_view, 17> kDiplomaNames = {
    "VMBO-BB", "VMBO-KB", "VMBO-GL",         "VMBO-TL",        "HAVO",
    "VWO",     "MBO1",    "MBO2",            "MBO3",           "MBO4",
    "HO",      "FOREIGN", "MBO_CERTIFICATE", "MBO_VERKLARING", "PRAKTIJKVERKLARING",
    "PRO_CERTIFICATE", "VSO_CERTIFICATE"};
constexpr std::array<std::string_view, 6> kRegisterNames = {
    "LPW_EXEMPTION", "DJI", "POLICE_DEFENCE", "SOCIAL_TRAJECTORY", "EMPLOYED", "BENEFIT"};
constexpr std::array<std::string_view, 3> kLifeEventNames = {"DEATH", "EMIGRATION",
                                                             "IMMIGRATION"};
constexpr std::array<std::string_view, 3> kAbsenceNames = {"UNAUTHORISED", "LONG",
                                                           "EARLY_LEAVE"};

}  // namespace

std::optional<Sex> ParseSex(std::string_view s) { return Lookup<Sex>(kSexNames, s); }
std::optional<Sector> ParseSector(std::string_view s) { return Lookup<Sector>(kSectorNames, s); }
std::optional<Pathway> ParsePathway(std::string_view s) { return Lookup<Pathway>(kPathwayNames, s); }
std::optional<Program> ParseProgram(std::string_view s) {
  if (s == "CREBO") return std::nullopt;  // only real crebo numbers mean MBO programs
  return Lookup<Program>(kProgramNames, s);
}
std::optional<DiplomaType> ParseDiplomaType(std::string_view s) {
  return Lookup<DiplomaType>(kDiplomaNames, s);
}
std::optional<Register> ParseRegister(std::string_view s) {
  return Lookup<Register>(kRegisterNames, s);
}
std::optional<LifeEvent> ParseLifeEvent(std::string_view s) {
  return Lookup<LifeEvent>(kLifeEventNames, s);
}
std::optional<AbsenceKind> ParseAbsenceKind(std::string_view s) {
  return Lookup<AbsenceKind>(kAbsenceNames, s);
}

std::string_view ToString(Sex v) { return kSexNames[static_cast<size_t>(v)]; }
std::string_view ToString(Sector v) { return kSectorNames[static_cast<size_t>(v)]; }
std::string_view ToString(Pathway v) { return kPathwayNames[static_cast<size_t>(v)]; }
std::string_view ToString(Program v) { return kProgramNames[static_cast<size_t>(v)]; }
std::string_view ToString(DiplomaType v) { return kDiplomaNames[static_cast<size_t>(v)]; }
std::string_view ToString(Register v) { return kRegisterNames[static_cast<size_t>(v)]; }
std::string_view ToString(LifeEvent v) { return kLifeEventNames[static_cast<size_t>(v)]; }
std::string_view ToString(AbsenceKind v) { return kAbsenceNames[static_cast<size_t>(v)]; }

std::string_view ExpectedPrograms(Sector sector) {
  switch (sector) {
    case Sector::kVO:
      return "BRUGJAAR, VMBO-BB, VMBO-KB, VMBO-GL, VMBO-TL, HAVO or VWO";
    case Sector::kMBO:
      return "a 5-digit crebo number";
    case Sector::kVAVO:
      return "VAVO-VMBO, VAVO-HAVO or VAVO-VWO";
    case Sector::kHO:
      return "HBO or WO";
    default:
      return "empty";
  }
}

bool ProgramFitsSector(Program p, Sector sector) {
  switch (sector) {
    case Sector::kVO:
      return p == Program::kBrugjaar || IsVmbo(p) || p == Program::kHavo || p == Program::kVwo;
    case Sector::kMBO:
      return p == Program::kCrebo;
    case Sector::kVAVO:
      return p == Program::kVavoVmbo || p == Program::kVavoHavo || p == Program::kVavoVwo;
    case Sector::kHO:
      return p == Program::kHbo || p == Program::kWo;
    default:
      return p == Program::kNone;
  }
}

}  // namespace vsv
