// Features of the early-warning models (docs: src/risk/README.md). Every feature of
// a person is computed from the registry rows that start, or are dated, on or before
// the prediction date; an enrolment or period still running on that date is seen as
// open-ended. The population is A of school year T as `measure` classifies it, and
// the label is part X of T (the official count); neither is recomputed here.
#ifndef VSV_RISK_FEATURES_H_
#define VSV_RISK_FEATURES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "measure/classification_cache.h"
#include "measure/classify.h"

namespace vsv::risk {

// `all`: every feature; `individual`: without the school context (the location's
// earlier vsv-percentage), for uses that must not reward or punish a school's results
// (the budget key).
enum class FeatureSet : uint8_t { kAll, kIndividual };
std::string_view FeatureSetName(FeatureSet set);
Result<FeatureSet> ParseFeatureSet(std::string_view text);

// The feature columns of a set, in matrix order. Sex is never one of them.
const std::vector<std::string>& FeatureNames(FeatureSet set);

// Label of a row: 1 = X of year T, 0 = in A − B and not X, -1 = in B (outside the
// denominator: neither learned from nor evaluated).
inline constexpr int8_t kLabelB = -1;

// One row per person in A of year T, in person order.
struct FeatureMatrix {
  int year = 0;
  Date as_of = kNoDate;
  FeatureSet set = FeatureSet::kAll;
  std::vector<std::string> names;
  size_t cols = 0;
  std::vector<float> values;         // row-major, size() * cols
  std::vector<PersonIndex> person;
  std::vector<int8_t> label;
  // For the baselines, the groups of the evaluation and the filters (never features
  // unless also listed in `names`).
  std::vector<float> school_rate;    // the location's earlier vsv-fraction (0..1)
  std::vector<float> rule_points;    // the transparent rule score, 0..4
  std::vector<Sex> sex;
  std::vector<Sector> sector;
  std::vector<Category> category;
  std::vector<int16_t> region;       // -1 unknown
  std::vector<uint8_t> newcomer_history;
  std::vector<uint32_t> location_row;  // of the main enrolment

  size_t size() const { return person.size(); }
  const float* Row(size_t i) const { return values.data() + i * cols; }
  float At(size_t i, size_t c) const { return values[i * cols + c]; }
};

// The prediction date of school year `year` by default: teldatum T (1 October).
inline Date DefaultPredictionDate(int year) { return Teldatum(year); }

// Checks that `as_of` lies in school year `year` on or after teldatum T.
Status CheckPredictionDate(int year, Date as_of);

// Extracts the features of every person in A of `year` on `as_of` (see
// CheckPredictionDate). The school context uses the classification of up to three
// earlier school years whose labels were final on `as_of` (late-SK window over).
// Deterministic and independent of `threads`.
Result<FeatureMatrix> ExtractFeatures(ClassificationCache& cache, int year, Date as_of, FeatureSet set,
                                      int threads = 0);

// The last date any row of the registry starts or is dated on (the data's extent).
Date RegistryExtent(const Registry& registry);

// Whether the labels of school year `year` are final in data that reaches `extent`:
// the late-SK window (to 31 December T+1) is over.
inline bool LabelsFinalBy(int year, Date date) { return MakeDate(year + 1, 12, 31) < date; }

// A checksum over the registry's columns (the model file records it).
std::string RegistryChecksum(const Registry& registry);

// Writes the matrix as CSV: person_id, the feature columns, label (1, 0, or empty
// for persons in B).
Status WriteFeaturesCsv(const FeatureMatrix& m, const Registry& registry, const std::string& path);

}  // namespace vsv::risk

#endif  // VSV_RISK_FEATURES_H_
