#include "synth/person.h"

namespace vsv::synth {

const char* ProgramCode(Program program) {
  switch (program) {
    case Program::kNone: return "";
    case Program::kBrugjaar: return "BRUGJAAR";
    case Program::kVmboBb: return "VMBO-BB";
    case Program::kVmboKb: return "VMBO-KB";
    case Program::kVmboGl: return "VMBO-GL";
    case Program::kVmboTl: return "VMBO-TL";
    case Program::kHavo: return "HAVO";
    case Program::kVwo: return "VWO";
    case Program::kVavoVmbo: return "VAVO-VMBO";
    case Program::kVavoHavo: return "VAVO-HAVO";
    case Program::kVavoVwo: return "VAVO-VWO";
    case Program::kHbo: return "HBO";
    case Program::kWo: return "WO";
    case Program::kCrebo: return "";
  }
  return "";
}

const char* DiplomaCode(DiplomaType type) {
  static constexpr const char* kCodes[] = {
      "VMBO-BB", "VMBO-KB", "VMBO-GL", "VMBO-TL", "HAVO", "VWO", "MBO1", "MBO2", "MBO3",
      "MBO4", "HO", "FOREIGN", "MBO_CERTIFICATE", "MBO_VERKLARING", "PRAKTIJKVERKLARING",
      "PRO_CERTIFICATE", "VSO_CERTIFICATE"};
  return kCodes[static_cast<int>(type)];
}

bool IsStartkwalificatie(DiplomaType type) {
  return type == DiplomaType::kHavo || type == DiplomaType::kVwo ||
         type == DiplomaType::kMbo2 || type == DiplomaType::kMbo3 ||
         type == DiplomaType::kMbo4;
}

const char* RegisterCode(Register reg) {
  static constexpr const char* kCodes[] = {"LPW_EXEMPTION", "DJI", "POLICE_DEFENCE",
                                           "SOCIAL_TRAJECTORY", "EMPLOYED", "BENEFIT"};
  return kCodes[static_cast<int>(reg)];
}

const char* LifeEventCode(LifeEvent event) {
  static constexpr const char* kCodes[] = {"DEATH", "EMIGRATION", "IMMIGRATION"};
  return kCodes[static_cast<int>(event)];
}

const char* AbsenceCode(AbsenceKind kind) {
  static constexpr const char* kCodes[] = {"UNAUTHORISED", "LONG", "EARLY_LEAVE"};
  return kCodes[static_cast<int>(kind)];
}

}  // namespace vsv::synth
