// The generator's own count of what it produced: each simulated person is
// classified by the national definition (X = A - B - C - D) straight from their rows
// while they are still in memory. It drives calibration (`vsv synth --calibrate`)
// and the quick report after a run; the authoritative figures come from the measure
// library reading the written files (`vsv synth --calibration-report --data DIR`).
#ifndef VSV_SYNTH_TALLY_H_
#define VSV_SYNTH_TALLY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "synth/catalogue.h"
#include "synth/person.h"
#include "synth/reference.h"

namespace vsv::synth {

enum TallySector { kTallyVo = 0, kTallyMbo = 1, kTallyVavo = 2 };
inline constexpr int kTallySectors = 3;
enum CPart {
  kCVo, kCMbo, kCVavo, kCHo, kCSpecial, kCNonFunded, kCDji, kCPoliceDefence, kCSocial
};
inline constexpr int kCParts = 9;
inline constexpr int kTallyRegions = 41;

struct YearTally {
  using PerSector = std::array<int64_t, kTallySectors>;
  PerSector a{}, b1{}, b2{}, b3{}, d_sk{}, d_entree_work{}, x{};
  std::array<PerSector, kCParts> c{};
  std::array<int64_t, kTallyRegions> region_denominator{};  // A - B
  std::array<int64_t, kTallyRegions> region_x{};
  // Absence signal: X with an absence report in school years T-1..T; persons in A
  // with a report in school year T, and of those the ones that became X.
  int64_t x_with_absence = 0, absent_in_a = 0, absent_in_a_x = 0;

  void Add(const YearTally& o);
  int64_t A() const { return a[0] + a[1] + a[2]; }
  int64_t X() const { return x[0] + x[1] + x[2]; }
  int64_t Denominator(int sector) const {
    return a[sector] - b1[sector] - b2[sector] - b3[sector];
  }
};

struct Tally {
  int from_year = 0;
  std::vector<YearTally> years;  // school years from_year .. from_year + size - 1

  Tally() = default;
  Tally(int from, int to) : from_year(from), years(std::max(0, to - from + 1)) {}
  void Add(const Tally& o);
};

// Classifies `person` for every school year of `tally` (those whose teldatum T+1
// and 31 December T+1 lie inside the data) and adds the result.
void CountPerson(const PersonRecord& person, const SynthReference& ref, int age_limit,
                 Tally* tally);

}  // namespace vsv::synth

#endif  // VSV_SYNTH_TALLY_H_
