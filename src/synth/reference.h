// The reference data the generator stands on: the real municipalities with their
// RMC region, each sized by the number of primary-school locations DUO listed there in
// 2013 (a population proxy), and the postcodes of those locations (used as the
// postcode4 of simulated addresses).
#ifndef VSV_SYNTH_REFERENCE_H_
#define VSV_SYNTH_REFERENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace vsv::synth {

struct SynthMunicipality {
  std::string code;  // 4-digit CBS code, as in municipalities.csv
  std::string name;
  int region = 0;       // RMC region number 1..40
  double weight = 0;    // primary-school locations in 2013 (at least 1)
  std::vector<uint16_t> postcodes;  // postcode4 values seen there (never empty)
  // The codes that took over from `code` in later reorganisations (mergers.csv,
  // successor as Reference::SuccessorOf chooses it), each from its date, in date
  // order: a residence period running across such a date is written as two periods,
  // the second in the new code from that date (row_writer.cc), so every period lies
  // in a code that exists on all its days.
  std::vector<std::pair<int32_t, std::string>> later_codes;

  // The code to write for a residence period starting on `date` (days since epoch).
  const std::string& CodeOn(int32_t date) const {
    const std::string* c = &code;
    for (const auto& [from, later] : later_codes) {
      if (date >= from) c = &later;
    }
    return *c;
  }
};

struct SynthReference {
  std::vector<SynthMunicipality> municipalities;  // in municipalities.csv order
  // Municipality indices per region (index = region number; 0 unused).
  std::vector<std::vector<int>> region_municipalities;
  std::vector<std::string> region_names;  // index = region number
  std::vector<double> cumulative_weight;  // over municipalities, for sampling
  int max_region = 0;
};

// Reads `dir`/municipalities.csv, `dir`/regions.csv and
// `dir`/sources/duo_po_adressen_2013_openstate.csv (';'-separated, latin-1, CRLF).
// Municipalities valid in school year `first_year` are kept. An error names the
// file and line when a file is missing or malformed.
Result<SynthReference> LoadSynthReference(const std::string& dir, int first_year);

}  // namespace vsv::synth

#endif  // VSV_SYNTH_REFERENCE_H_
