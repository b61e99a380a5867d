// Honesty figures of a risk score against the official labels: ROC-AUC, PR-AUC,
// Brier score, calibration by decile, precision and recall at the top of the list
// (ties at the cut-off shared fractionally), per group; and the fairness gate.
#ifndef VSV_RISK_EVALUATE_H_
#define VSV_RISK_EVALUATE_H_

#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "risk/features.h"

namespace vsv::risk {

// Area under the ROC curve (ties count half); NaN without both classes.
double RocAuc(std::span<const double> score, std::span<const int8_t> label);
// Average precision (area under the precision-recall curve, tied scores as one step).
double PrAuc(std::span<const double> score, std::span<const int8_t> label);
double Brier(std::span<const double> prob, std::span<const int8_t> label);

// Expected true positives among the top `k` (k may be fractional) by score, a tied
// group at the cut-off contributing its share.
double TopKPositives(std::span<const double> score, std::span<const int8_t> label, double k);

// The figures of one score on the labelled rows. `prob` true: the score is a
// probability (Brier and calibration are reported).
nlohmann::ordered_json ScoreMetrics(std::span<const double> score, std::span<const int8_t> label, bool prob,
                                    int capacity);

struct GateOptions {
  double threshold = 0.5;  // flagged: score >= threshold
  int min_group = 100;
  double low = 0.8, high = 1.25;
};
// The fairness gate on the protected groups (sex, VO newcomer history), within each
// sector against the largest group of its kind: FNR, FPR and precision ratios. The
// result lists every comparison; "release_ok" is false when a ratio of a group with
// at least min_group persons lies outside [low, high].
nlohmann::ordered_json FairnessGate(const FeatureMatrix& m, std::span<const double> prob, const GateOptions& o);

// Metrics of the model beside the rule score and school-only targeting on the same
// persons (rows with a label), overall and per group (sex, sector, category, region,
// newcomer history), and the fairness gate at `threshold`.
nlohmann::ordered_json Evaluate(const FeatureMatrix& m, std::span<const double> prob, double threshold,
                                int capacity);

// The score at the top 10% of the labelled rows: the release threshold.
double TopFractionThreshold(std::span<const double> score, std::span<const int8_t> label, double fraction);

}  // namespace vsv::risk

#endif  // VSV_RISK_EVALUATE_H_
