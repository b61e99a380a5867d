// The synthetic institutions (VO schools, PRO and VSO schools, ROCs, AOCs,
// specialist colleges, private schools, a few HO institutions) with their locations
// in real municipalities, and the catalogue of MBO programs (5-digit crebo codes).
// Built once per run from the reference data and the seed; persons pick schools from
// it by where they live.
#ifndef VSV_SYNTH_CATALOGUE_H_
#define VSV_SYNTH_CATALOGUE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "synth/reference.h"
#include "synth/rng.h"

namespace vsv::synth {

enum class Sector : uint8_t { kVo, kMbo, kVavo, kHo, kPro, kVso, kSo };
const char* SectorCode(Sector sector);

enum class InstitutionKind : uint8_t {
  kVoSchool, kPrivateVo, kPro, kVso, kRoc, kAoc, kSpecialistCollege, kPrivateMbo,
  kHbo, kWo
};

struct Institution {
  std::string brin;  // 4 characters: 2 digits + 2 letters
  std::string name;  // no commas or quotes
  Sector sector;     // main sector
  InstitutionKind kind;
  bool funded;
};

struct Location {
  int institution;    // index into Catalogue::institutions
  int number;         // vestiging 0..99, written as 2 digits
  int municipality;   // index into SynthReference::municipalities
};

struct MboProgram {
  int crebo;   // 5 digits
  int level;   // 1..4
  int domain;  // 0 = green (AOC), 1..7 other fields
  int nominal_years;
};

class Catalogue {
 public:
  // Deterministic in (reference, seed).
  static Catalogue Build(const SynthReference& ref, uint64_t seed);

  const std::vector<Institution>& institutions() const { return institutions_; }
  const std::vector<Location>& locations() const { return locations_; }
  const std::vector<MboProgram>& programs() const { return programs_; }

  // Location pickers; each returns an index into locations().
  int PickVo(Rng& rng, int municipality) const;
  int PickPrivateVo(Rng& rng) const;
  int PickPro(Rng& rng, int municipality) const;
  int PickVso(Rng& rng, int municipality) const;
  // MBO location for a program (green programs go to an AOC); `funded` false picks
  // a private institution.
  int PickMbo(Rng& rng, int municipality, const MboProgram& program, bool funded) const;
  int PickVavo(Rng& rng, int municipality) const;
  int PickHo(Rng& rng, int municipality, bool university) const;
  // A program of `level` (index into programs()).
  int PickProgram(Rng& rng, int level) const;

 private:
  int AddInstitution(std::string name, Sector sector, InstitutionKind kind, bool funded);
  int AddLocation(int institution, int municipality);
  int PickFrom(Rng& rng, const std::vector<int>& own, const std::vector<int>& region,
               double own_share) const;

  const SynthReference* ref_ = nullptr;
  std::vector<Institution> institutions_;
  std::vector<Location> locations_;
  std::vector<int> next_location_number_;
  std::vector<MboProgram> programs_;
  std::array<std::vector<int>, 5> programs_by_level_;
  std::vector<std::vector<int>> vo_by_muni_, vo_by_region_, pro_by_region_,
      vso_by_region_, roc_by_muni_, roc_by_region_, aoc_by_region_, hbo_by_region_;
  std::vector<int> private_vo_, private_mbo_, specialist_, hbo_, wo_;
};

}  // namespace vsv::synth

#endif  // VSV_SYNTH_CATALOGUE_H_
