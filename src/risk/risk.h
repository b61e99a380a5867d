// The public surface of the early-warning layer: train a model on earlier school
// years, score every person in A of a school year on a prediction date with the
// three reasons that raised the score most, and evaluate it beside the rule score
// and school-only targeting. Other layers (budget) use TrainModel/LoadModel and
// ScoreYear; see src/risk/README.md.
#ifndef VSV_RISK_RISK_H_
#define VSV_RISK_RISK_H_

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "risk/evaluate.h"
#include "risk/features.h"
#include "risk/model.h"

namespace vsv::risk {

enum class Language : uint8_t { kNl, kEn };

using Progress = std::function<void(const std::string&)>;

// Refuses a training year whose labels are not final in the registry (its late-SK
// window, to 31 December T+1, is not over by the registry's last date), naming it.
Status CheckTrainingYearsFinal(const std::vector<int>& years, const Registry& registry);
// Refuses a model whose training years' labels were not final on `as_of`, the
// prediction date of the year scored or evaluated (naming the first such year).
Status CheckTrainingYearsBefore(const Model& model, Date as_of);
// Refuses a model marked "not for release" by the fairness gate unless a reason is
// given (`accept_reason` not empty).
Status CheckRelease(const Model& model, const std::string& accept_reason);

// Trains a model on `years` (prediction date teldatum T of each): a validation fit
// on the years whose labels were final on the last year's teldatum (else all but the
// last), evaluated on the last training year, gives the metrics, release threshold
// (top 10%) and fairness gate; then the model is refitted on all years. `kind`
// "auto" picks logistic or xgboost by PR-AUC on that validation year.
Result<Model> TrainModel(ClassificationCache& cache, const std::vector<int>& years, FeatureSet set,
                         const TrainOptions& options, const Progress& progress = {});

// Every person in A of `year` scored on `as_of`.
struct YearScores {
  FeatureMatrix features;
  Scores scores;
  std::vector<uint32_t> rank;  // 1 = highest score; ties get the same (lowest) rank
};
// Checks training-year finality for `as_of` and the model's compatibility; does not
// check the fairness gate (CheckRelease is the caller's, where a list is shown).
Result<YearScores> ScoreYear(ClassificationCache& cache, const Model& model, int year, Date as_of,
                             bool contributions, int threads = 0);

// The top `count` reasons of row `row` in plain words: the features with the largest
// positive contributions (those that raise the score), phrased with the value.
std::vector<std::string> Reasons(const YearScores& ys, size_t row, Language lang, int count = 3);
// One feature's value in words ("3 verzuimmeldingen in de laatste 12 maanden"); empty
// when the value is not a reason (e.g. no absence reports).
std::string DescribeFeature(const std::string& feature, float value, Language lang);

// The model card: what the model is, on what it was trained, and its honesty
// figures beside the baselines. `format` is text, markdown or json.
std::string ModelCard(const Model& model, const std::string& format, Language lang);

}  // namespace vsv::risk

#endif  // VSV_RISK_RISK_H_
