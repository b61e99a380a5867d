// Calibration of the generator against the published national figures
// (data/reference/national_figures.csv): the figures of a registry per school year
// (from the generator's own tally, or from the official count of the measure
// library over the written files), the report of target against generated, and the
// fitting of the flow model's year effects.
#ifndef VSV_SYNTH_CALIBRATION_H_
#define VSV_SYNTH_CALIBRATION_H_

#include <array>
#include <string>
#include <vector>

#include "measure/cube.h"
#include "registry/reference.h"
#include "registry/registry.h"
#include "synth/flow_model.h"
#include "synth/tally.h"

namespace vsv::synth {

// The decomposition of one school year by sector of the main enrolment
// (VO, MBO, VAVO) and by RMC region of residence (index = region code).
struct YearFigures {
  int year = 0;
  std::array<PartCounts, kTallySectors> sector;
  std::array<PartCounts, kTallyRegions> region;
  // Absence signal (only from the tally; -1 when unknown).
  int64_t x_with_absence = -1, absent_in_a = -1, absent_in_a_x = -1;

  PartCounts Total() const;
};

// From the generator's tally.
std::vector<YearFigures> FiguresFromTally(const Tally& tally);
// From the official count over a loaded registry, for school years first..last.
std::vector<YearFigures> FiguresFromRegistry(const Registry& registry, const Reference& reference,
                                             int first, int last, int threads);

// Target against generated for every published figure of the years in `figures`,
// with tolerances (counts ±3%, percentages ±0.1 point, start population ±5%), the
// regions and the rates of the B, C and D parts. `all_ok` (may be null) is set to
// whether every figure is within tolerance.
// Count targets are multiplied by `scale` (the generator's --scale).
std::string CalibrationReport(const std::vector<YearFigures>& figures,
                              const std::vector<NationalFigure>& national, double scale,
                              bool* all_ok);

// The figures of several runs of the same scale summed year by year, which are the
// figures of one registry of `runs.size()` times that scale: report and fit them
// with the scale multiplied by the number of runs. All runs must cover the same
// school years. The absence signal is summed too (-1 if any run lacks it).
std::vector<YearFigures> PoolFigures(const std::vector<std::vector<YearFigures>>& runs);

// One fitting step: moves the VO, MBO and VAVO year effects of `params` so that the
// next run lands nearer the targets derived from `national` and the denominators
// of `figures`: per school year, the X of VO, MBO and VAVO that leaves every
// published figure of the year the most room within ±3% for one seed's sampling
// noise at scale 1.0 (see YearTargets in calibration.cc). Years outside the
// published range copy the nearest fitted year. Fit against the pooled figures of
// several seeds (PoolFigures), with `scale` the pooled scale: one seed's noise would
// otherwise be baked into the parameters.
void AdjustYearEffects(const std::vector<YearFigures>& figures,
                       const std::vector<NationalFigure>& national, double scale,
                       FlowParams* params);

// The year-effect arrays as C++ initialisers (to bake into flow_model.cc).
std::string YearEffectsAsCode(const FlowParams& params);

}  // namespace vsv::synth

#endif  // VSV_SYNTH_CALIBRATION_H_
