#include "risk/model.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <Eigen/Dense>
#include <fmt/format.h>
#include <xgboost/c_api.h>

#include "core/parallel.h"

namespace vsv::risk {

namespace {

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// The labelled rows of several matrices, as (matrix, row) pairs in order.
struct RowRef {
  const FeatureMatrix* m;
  size_t row;
};
std::vector<RowRef> LabelledRows(const std::vector<const FeatureMatrix*>& ms) {
  std::vector<RowRef> rows;
  for (const FeatureMatrix* m : ms) {
    for (size_t i = 0; i < m->size(); ++i) {
      if (m->label[i] != kLabelB) rows.push_back({m, i});
    }
  }
  return rows;
}

Result<Model> FitLogistic(const std::vector<RowRef>& rows, size_t p, const TrainOptions& o) {
  const size_t n = rows.size();
  std::vector<double> mean(p, 0), sd(p, 0);
  for (const RowRef& r : rows) {
    const float* x = r.m->Row(r.row);
    for (size_t j = 0; j < p; ++j) mean[j] += x[j];
  }
  for (double& v : mean) v /= static_cast<double>(n);
  for (const RowRef& r : rows) {
    const float* x = r.m->Row(r.row);
    for (size_t j = 0; j < p; ++j) sd[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
  }
  for (double& v : sd) v = v > 0 ? std::sqrt(v / static_cast<double>(n)) : 1.0;
  // Newton steps on standardised features; coefficient 0 is the intercept (not
  // penalised). Blocks of rows are reduced in block order, so the result does not
  // depend on the thread count.
  const size_t d = p + 1, block = 32768, nblocks = (n + block - 1) / block;
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d));
  double ybar = 0;
  for (const RowRef& r : rows) ybar += r.m->label[r.row];
  ybar /= static_cast<double>(n);
  if (ybar <= 0 || ybar >= 1) return MakeError("train: the training years have no X or only X; nothing to learn");
  beta[0] = std::log(ybar / (1 - ybar));
  std::vector<Eigen::MatrixXd> hs(nblocks);
  std::vector<Eigen::VectorXd> gs(nblocks);
  for (int iter = 0; iter < 60; ++iter) {
    ParallelFor(nblocks, ThreadCount(o.threads), [&](size_t b) {
      const size_t lo = b * block, hi = std::min(n, lo + block);
      Eigen::MatrixXd xb(static_cast<Eigen::Index>(hi - lo), static_cast<Eigen::Index>(d));
      Eigen::VectorXd resid(static_cast<Eigen::Index>(hi - lo)), w(static_cast<Eigen::Index>(hi - lo));
      for (size_t i = lo; i < hi; ++i) {
        const float* x = rows[i].m->Row(rows[i].row);
        const auto k = static_cast<Eigen::Index>(i - lo);
        xb(k, 0) = 1.0;
        for (size_t j = 0; j < p; ++j) xb(k, static_cast<Eigen::Index>(j + 1)) = (x[j] - mean[j]) / sd[j];
      }
      Eigen::VectorXd z = xb * beta;
      for (Eigen::Index k = 0; k < z.size(); ++k) {
        const double pr = Sigmoid(z[k]);
        resid[k] = rows[lo + static_cast<size_t>(k)].m->label[rows[lo + static_cast<size_t>(k)].row] - pr;
        w[k] = std::sqrt(pr * (1 - pr));
      }
      gs[b] = xb.transpose() * resid;
      Eigen::MatrixXd xw = w.asDiagonal() * xb;
      hs[b] = xw.transpose() * xw;
    });
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
    Eigen::VectorXd g = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d));
    for (size_t b = 0; b < nblocks; ++b) { h += hs[b]; g += gs[b]; }
    for (size_t j = 1; j < d; ++j) {
      const auto k = static_cast<Eigen::Index>(j);
      h(k, k) += o.l2;
      g[k] -= o.l2 * beta[k];
    }
    Eigen::VectorXd step = h.ldlt().solve(g);
    // Damped Newton: a step of more than 1 on the standardised scale is shortened,
    // so that rare events or near-separation cannot make the iteration diverge.
    const double big = step.cwiseAbs().maxCoeff();
    if (!std::isfinite(big)) return MakeError("train: the logistic fit did not converge");
    if (big > 1.0) step /= big;
    beta += step;
    if (step.cwiseAbs().maxCoeff() < 1e-9) break;
  }
  Model model;
  model.kind = ModelKind::kLogistic;
  model.l2 = o.l2;
  model.coef.resize(p);
  model.mean = mean;
  model.intercept = beta[0];
  for (size_t j = 0; j < p; ++j) {
    model.coef[j] = beta[static_cast<Eigen::Index>(j + 1)] / sd[j];
    model.intercept -= model.coef[j] * mean[j];
  }
  return model;
}

Status XgbCheck(int rc, std::string_view what) {
  if (rc != 0) return MakeError(fmt::format("xgboost: {} failed: {}", what, XGBGetLastError()));
  return {};
}

// A DMatrix that frees itself.
struct DMatrix {
  DMatrixHandle h = nullptr;
  ~DMatrix() { if (h) XGDMatrixFree(h); }
};
struct Booster {
  BoosterHandle h = nullptr;
  ~Booster() { if (h) XGBoosterFree(h); }
};

Status SetParams(BoosterHandle b, int seed, int threads) {
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"}, {"tree_method", "hist"}, {"max_depth", "4"}, {"eta", "0.1"},
      {"min_child_weight", "5"},        {"lambda", "1"},          {"seed", std::to_string(seed)},
      {"nthread", std::to_string(ThreadCount(threads))},        {"verbosity", "0"},
      {"base_score", "0.5"}};
  for (const auto& [k, v] : params) {
    if (auto s = XgbCheck(XGBoosterSetParam(b, k, v.c_str()), "setting a parameter"); !s) return s;
  }
  return {};
}

Result<Model> FitXgboost(const std::vector<RowRef>& rows, size_t p, const TrainOptions& o) {
  std::vector<float> x(rows.size() * p), y(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy(rows[i].m->Row(rows[i].row), rows[i].m->Row(rows[i].row) + p, x.begin() + i * p);
    y[i] = rows[i].m->label[rows[i].row];
  }
  DMatrix dm;
  if (auto s = XgbCheck(XGDMatrixCreateFromMat(x.data(), rows.size(), p, NAN, &dm.h), "building the matrix"); !s)
    return tl::unexpected(s.error());
  if (auto s = XgbCheck(XGDMatrixSetFloatInfo(dm.h, "label", y.data(), y.size()), "setting labels"); !s)
    return tl::unexpected(s.error());
  Booster b;
  if (auto s = XgbCheck(XGBoosterCreate(&dm.h, 1, &b.h), "creating the booster"); !s) return tl::unexpected(s.error());
  if (auto s = SetParams(b.h, o.seed, o.threads); !s) return tl::unexpected(s.error());
  for (int it = 0; it < o.rounds; ++it) {
    if (auto s = XgbCheck(XGBoosterUpdateOneIter(b.h, it, dm.h), "a boosting round"); !s)
      return tl::unexpected(s.error());
  }
  // The thread count is not part of the model: reset it before saving so that the
  // file is the same whatever the machine.
  XGBoosterSetParam(b.h, "nthread", "1");
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (auto s = XgbCheck(XGBoosterSaveModelToBuffer(b.h, "{\"format\": \"json\"}", &len, &buf), "saving"); !s)
    return tl::unexpected(s.error());
  Model model;
  model.kind = ModelKind::kXgboost;
  model.booster_json.assign(buf, len);
  model.rounds = o.rounds;
  return model;
}

}  // namespace

std::string_view ModelKindName(ModelKind kind) { return kind == ModelKind::kLogistic ? "logistic" : "xgboost"; }

Result<Model> Fit(ModelKind kind, const std::vector<const FeatureMatrix*>& matrices, const TrainOptions& options) {
  if (matrices.empty()) return MakeError("train: no training years");
  const size_t p = matrices[0]->cols;
  const std::vector<RowRef> rows = LabelledRows(matrices);
  if (rows.empty()) return MakeError("train: the training years have no persons in A − B");
  Result<Model> model = kind == ModelKind::kLogistic ? FitLogistic(rows, p, options) : FitXgboost(rows, p, options);
  if (!model) return model;
  model->set = matrices[0]->set;
  model->features = matrices[0]->names;
  model->seed = options.seed;
  for (const FeatureMatrix* m : matrices) model->train_years.push_back(m->year);
  return model;
}

Status CheckCompatible(const Model& model, const FeatureMatrix& m) {
  if (model.set != m.set || model.features != m.names) {
    return MakeError(fmt::format("the model's features ({}, {} columns) are not this matrix's ({}, {} columns)",
                                 FeatureSetName(model.set), model.features.size(), FeatureSetName(m.set), m.cols));
  }
  return {};
}

Result<Scores> Predict(const Model& model, const FeatureMatrix& m, bool contributions, int threads) {
  if (auto s = CheckCompatible(model, m); !s) return tl::unexpected(s.error());
  const size_t n = m.size(), p = m.cols;
  Scores out;
  out.probability.resize(n);
  out.log_odds.resize(n);
  if (contributions) {
    out.contributions.resize(n * p);
    out.base.resize(n);
  }
  if (model.kind == ModelKind::kLogistic) {
    double base = model.intercept;
    for (size_t j = 0; j < p; ++j) base += model.coef[j] * model.mean[j];
    ParallelFor((n + 65535) / 65536, ThreadCount(threads), [&](size_t b) {
      for (size_t i = b * 65536; i < std::min(n, (b + 1) * 65536); ++i) {
        const float* x = m.Row(i);
        double z = model.intercept;
        for (size_t j = 0; j < p; ++j) z += model.coef[j] * x[j];
        out.log_odds[i] = z;
        out.probability[i] = Sigmoid(z);
        if (contributions) {
          out.base[i] = base;
          for (size_t j = 0; j < p; ++j) {
            out.contributions[i * p + j] = static_cast<float>(model.coef[j] * (x[j] - model.mean[j]));
          }
        }
      }
    });
    return out;
  }
  Booster b;
  if (auto s = XgbCheck(XGBoosterCreate(nullptr, 0, &b.h), "creating the booster"); !s) return tl::unexpected(s.error());
  if (auto s = XgbCheck(XGBoosterLoadModelFromBuffer(b.h, model.booster_json.data(), model.booster_json.size()),
                        "loading the model");
      !s)
    return tl::unexpected(s.error());
  XGBoosterSetParam(b.h, "nthread", std::to_string(ThreadCount(threads)).c_str());
  DMatrix dm;
  if (auto s = XgbCheck(XGDMatrixCreateFromMat(m.values.data(), n, p, NAN, &dm.h), "building the matrix"); !s)
    return tl::unexpected(s.error());
  bst_ulong len = 0;
  const float* res = nullptr;
  if (auto s = XgbCheck(XGBoosterPredict(b.h, dm.h, 1, 0, 0, &len, &res), "predicting"); !s)
    return tl::unexpected(s.error());
  for (size_t i = 0; i < n; ++i) {
    out.log_odds[i] = res[i];
    out.probability[i] = Sigmoid(res[i]);
  }
  if (contributions) {
    if (auto s = XgbCheck(XGBoosterPredict(b.h, dm.h, 4, 0, 0, &len, &res), "explaining (pred_contribs)"); !s)
      return tl::unexpected(s.error());
    for (size_t i = 0; i < n; ++i) {
      std::copy(res + i * (p + 1), res + i * (p + 1) + p, out.contributions.begin() + i * p);
      out.base[i] = res[i * (p + 1) + p];
    }
  }
  return out;
}

nlohmann::ordered_json ModelToJson(const Model& model) {
  nlohmann::ordered_json j;
  j["format"] = "vsv-risk-model";
  j["version"] = kModelFormatVersion;
  j["kind"] = ModelKindName(model.kind);
  j["feature_set"] = FeatureSetName(model.set);
  j["features"] = model.features;
  j["train_years"] = model.train_years;
  j["registry_checksum"] = model.registry_checksum;
  j["seed"] = model.seed;
  if (!model.chosen_by.empty()) j["chosen_by"] = model.chosen_by;
  j["release_threshold"] = model.release_threshold;
  j["release_ok"] = model.release_ok;
  j["accepted_disparities"] = model.accepted_disparities;
  j["metrics"] = model.metrics;
  j["fairness"] = model.fairness;
  if (model.kind == ModelKind::kLogistic) {
    j["l2"] = model.l2;
    j["intercept"] = model.intercept;
    j["coefficients"] = model.coef;
    j["means"] = model.mean;
  } else {
    j["rounds"] = model.rounds;
    j["booster"] = model.booster_json;
  }
  return j;
}

Result<Model> ModelFromJson(const nlohmann::json& j, const std::string& path) {
  try {
    if (!j.is_object() || j.value("format", "") != "vsv-risk-model") {
      return MakeError(fmt::format("{}: not a vsv risk model (expected \"format\": \"vsv-risk-model\")", path));
    }
    const int version = j.at("version").get<int>();
    if (version != kModelFormatVersion) {
      return MakeError(fmt::format("{}: model format version {}; this vsv reads version {} — train the model again",
                                   path, version, kModelFormatVersion));
    }
    Model m;
    const std::string kind = j.at("kind").get<std::string>();
    if (kind == "logistic") m.kind = ModelKind::kLogistic;
    else if (kind == "xgboost") m.kind = ModelKind::kXgboost;
    else return MakeError(fmt::format("{}: kind '{}' is unknown; expected logistic or xgboost", path, kind));
    auto set = ParseFeatureSet(j.at("feature_set").get<std::string>());
    if (!set) return MakeError(fmt::format("{}: {}", path, set.error().message));
    m.set = *set;
    m.features = j.at("features").get<std::vector<std::string>>();
    if (m.features != FeatureNames(m.set)) {
      return MakeError(fmt::format("{}: the model's features ({} columns) are not the features of this vsv's '{}' set "
                                   "({} columns) — train the model again",
                                   path, m.features.size(), FeatureSetName(m.set), FeatureNames(m.set).size()));
    }
    m.train_years = j.at("train_years").get<std::vector<int>>();
    m.registry_checksum = j.value("registry_checksum", "");
    m.seed = j.value("seed", 42);
    m.chosen_by = j.value("chosen_by", "");
    m.release_threshold = j.at("release_threshold").get<double>();
    m.release_ok = j.at("release_ok").get<bool>();
    m.accepted_disparities = j.value("accepted_disparities", std::vector<std::string>{});
    m.metrics = j.value("metrics", nlohmann::ordered_json::object());
    m.fairness = j.value("fairness", nlohmann::ordered_json::object());
    if (m.kind == ModelKind::kLogistic) {
      m.l2 = j.value("l2", 1.0);
      m.intercept = j.at("intercept").get<double>();
      m.coef = j.at("coefficients").get<std::vector<double>>();
      m.mean = j.at("means").get<std::vector<double>>();
      if (m.coef.size() != m.features.size() || m.mean.size() != m.features.size()) {
        return MakeError(fmt::format("{}: {} coefficients and {} means for {} features", path, m.coef.size(),
                                     m.mean.size(), m.features.size()));
      }
    } else {
      m.rounds = j.value("rounds", 0);
      m.booster_json = j.at("booster").get<std::string>();
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    return MakeError(fmt::format("{}: the model file is incomplete or has a wrong type: {}", path, e.what()));
  }
}

Status SaveModel(const Model& model, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return MakeError(fmt::format("--model-out {}: cannot write the file", path));
  out << ModelToJson(model).dump(1) << "\n";
  out.close();
  if (!out) return MakeError(fmt::format("--model-out {}: writing failed", path));
  return {};
}

Result<Model> LoadModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(fmt::format("--model {}: cannot open the file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return MakeError(fmt::format("--model {}: not valid JSON", path));
  return ModelFromJson(j, path);
}

}  // namespace vsv::risk
