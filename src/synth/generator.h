// Generates a synthetic national registry in format v1: enumerates the persons
// (birth cohorts born in the Netherlands, and immigrants by year of arrival),
// simulates them in parallel in fixed-size chunks, and writes the chunks in index
// order while later ones are still being simulated. The bytes written depend only
// on the options (seed, scale, years, reference data), never on the thread count.
#ifndef VSV_SYNTH_GENERATOR_H_
#define VSV_SYNTH_GENERATOR_H_

#include <array>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "synth/flow_model.h"
#include "synth/row_writer.h"
#include "synth/tally.h"

namespace vsv::synth {

struct SynthOptions {
  double scale = 1.0;       // 1.0 = the whole country
  int from_year = 2012;     // first school year counted
  int to_year = 2024;       // data run to 31 December of this year
  uint64_t seed = 42;
  std::string out_dir;      // created if missing; empty with write_files = false
  std::string reference_dir = "data/reference";
  int threads = 0;          // 0 = hardware concurrency
  bool write_files = true;  // false: simulate and tally only (calibration)
  bool progress = true;     // progress bar on stderr, only if stderr is a terminal
  int age_limit = 22;       // of the tallies
  const FlowModel* model = nullptr;  // nullptr = FlowModel::Default()
};

struct SynthStats {
  int64_t persons = 0;
  RowCounts rows;
  std::array<int64_t, kRegistryFiles> bytes{};
  int64_t institutions = 0;  // locations written
  double seconds = 0;
  Tally tally;  // school years from_year .. to_year - 1
};

// Generates the registry. Files are written as "<name>.part" and renamed when all
// are complete, so a failed run leaves no half-written registry behind.
Result<SynthStats> GenerateRegistry(const SynthOptions& options);

}  // namespace vsv::synth

#endif  // VSV_SYNTH_GENERATOR_H_
