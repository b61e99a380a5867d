// The early-warning models: L2-regularised logistic regression (Eigen, Newton
// steps) and gradient-boosted trees (XGBoost's C API), their versioned JSON file and
// exact explanations (logistic: coefficient × (value − training mean); XGBoost:
// TreeSHAP). The contributions of a row plus its base add up to its log-odds.
#ifndef VSV_RISK_MODEL_H_
#define VSV_RISK_MODEL_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "risk/features.h"

namespace vsv::risk {

// Bumped when the file's meaning changes; a file of another version is refused.
inline constexpr int kModelFormatVersion = 1;

enum class ModelKind : uint8_t { kLogistic, kXgboost };
std::string_view ModelKindName(ModelKind kind);

struct Model {
  ModelKind kind = ModelKind::kLogistic;
  FeatureSet set = FeatureSet::kAll;
  std::vector<std::string> features;
  std::vector<int> train_years;
  std::string registry_checksum;
  int seed = 42;
  // Logistic: log-odds = intercept + sum coef[j] * x[j]; mean[j] is the training
  // mean the explanation is measured from.
  double intercept = 0;
  std::vector<double> coef;
  std::vector<double> mean;
  double l2 = 1.0;
  // XGBoost: the booster as XGBoost's own JSON.
  std::string booster_json;
  int rounds = 0;
  // The score above which a student is on the list at release (the top 10% of the
  // validation year), and the validation and fairness results written by Train.
  double release_threshold = 1.0;
  nlohmann::ordered_json metrics;
  nlohmann::ordered_json fairness;
  bool release_ok = true;
  std::vector<std::string> accepted_disparities;  // reasons given with --accept-disparity
  std::string chosen_by;  // "auto: ..." when --model auto picked it
};

struct TrainOptions {
  std::string kind = "logistic";  // logistic, xgboost or auto
  double l2 = 1.0;
  int rounds = 200;
  int seed = 42;
  int threads = 0;
};

// Fits a model of `kind` on the rows of `matrices` with a label (A − B).
// Deterministic: the same rows and options give the same model bytes for any thread
// count. `progress`, when set, is told the round or step.
Result<Model> Fit(ModelKind kind, const std::vector<const FeatureMatrix*>& matrices, const TrainOptions& options);

// Scores: probability per row, and (when `contributions` is not null) the
// contribution of every feature per row (row-major, rows × features) and the base
// (the log-odds every row starts from) per row.
struct Scores {
  std::vector<double> probability;
  std::vector<double> log_odds;
  std::vector<float> contributions;
  std::vector<double> base;
};
Result<Scores> Predict(const Model& model, const FeatureMatrix& m, bool contributions, int threads = 0);

// Checks that `model` fits the matrix: the same feature set and feature names.
Status CheckCompatible(const Model& model, const FeatureMatrix& m);

nlohmann::ordered_json ModelToJson(const Model& model);
// Refuses another format version, an unknown kind, or a feature list that differs
// from this build's for the model's feature set; `path` names the file in errors.
Result<Model> ModelFromJson(const nlohmann::json& j, const std::string& path);
Status SaveModel(const Model& model, const std::string& path);
Result<Model> LoadModel(const std::string& path);

}  // namespace vsv::risk

#endif  // VSV_RISK_MODEL_H_
