#include "risk/evaluate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <fmt/format.h>

namespace vsv::risk {

namespace {

// Indices of the labelled rows, sorted by score descending (ties by index, which
// does not matter: every figure treats a tied group as one).
std::vector<size_t> SortedLabelled(std::span<const double> score, std::span<const int8_t> label) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < score.size(); ++i) if (label[i] != kLabelB) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });
  return idx;
}

nlohmann::ordered_json Num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(std::round(v * 1e6) / 1e6) : nlohmann::ordered_json(nullptr);
}

}  // namespace

double RocAuc(std::span<const double> score, std::span<const int8_t> label) {
  const std::vector<size_t> idx = SortedLabelled(score, label);
  double pos = 0, neg = 0, area = 0;
  for (size_t a = 0; a < idx.size();) {
    size_t b = a;
    double gp = 0, gn = 0;
    while (b < idx.size() && score[idx[b]] == score[idx[a]]) { (label[idx[b]] ? gp : gn) += 1; ++b; }
    // Negatives in this group rank below all earlier positives and tie with this group's.
    area += gn * (pos + 0.5 * gp);
    pos += gp; neg += gn;
    a = b;
  }
  if (pos == 0 || neg == 0) return NAN;
  return area / (pos * neg);
}

double PrAuc(std::span<const double> score, std::span<const int8_t> label) {
  const std::vector<size_t> idx = SortedLabelled(score, label);
  double total_pos = 0;
  for (size_t i : idx) total_pos += label[i];
  if (total_pos == 0) return NAN;
  double tp = 0, seen = 0, ap = 0;
  for (size_t a = 0; a < idx.size();) {
    size_t b = a;
    double gp = 0;
    while (b < idx.size() && score[idx[b]] == score[idx[a]]) { gp += label[idx[b]]; ++b; }
    tp += gp; seen += static_cast<double>(b - a);
    ap += (gp / total_pos) * (tp / seen);
    a = b;
  }
  return ap;
}

double Brier(std::span<const double> prob, std::span<const int8_t> label) {
  double s = 0, n = 0;
  for (size_t i = 0; i < prob.size(); ++i) {
    if (label[i] == kLabelB) continue;
    s += (prob[i] - label[i]) * (prob[i] - label[i]);
    n += 1;
  }
  return n ? s / n : NAN;
}

double TopKPositives(std::span<const double> score, std::span<const int8_t> label, double k) {
  const std::vector<size_t> idx = SortedLabelled(score, label);
  double taken = 0, tp = 0;
  for (size_t a = 0; a < idx.size() && taken < k;) {
    size_t b = a;
    double gp = 0;
    while (b < idx.size() && score[idx[b]] == score[idx[a]]) { gp += label[idx[b]]; ++b; }
    const double size = static_cast<double>(b - a);
    const double share = std::min(1.0, (k - taken) / size);
    tp += share * gp;
    taken += share * size;
    a = b;
  }
  return tp;
}

double TopFractionThreshold(std::span<const double> score, std::span<const int8_t> label, double fraction) {
  const std::vector<size_t> idx = SortedLabelled(score, label);
  if (idx.empty()) return 1.0;
  const size_t k = std::max<size_t>(1, static_cast<size_t>(std::ceil(fraction * static_cast<double>(idx.size()))));
  return score[idx[std::min(k, idx.size()) - 1]];
}

nlohmann::ordered_json ScoreMetrics(std::span<const double> score, std::span<const int8_t> label, bool prob,
                                    int capacity) {
  nlohmann::ordered_json j;
  double n = 0, pos = 0;
  for (size_t i = 0; i < score.size(); ++i) if (label[i] != kLabelB) { n += 1; pos += label[i]; }
  j["persons"] = static_cast<int64_t>(n);
  j["leavers"] = static_cast<int64_t>(pos);
  j["roc_auc"] = Num(RocAuc(score, label));
  j["pr_auc"] = Num(PrAuc(score, label));
  if (prob) j["brier"] = Num(Brier(score, label));
  auto at = [&](double k) {
    nlohmann::ordered_json a;
    const double tp = TopKPositives(score, label, k);
    a["students"] = Num(k);
    a["expected_leavers"] = Num(tp);
    a["precision"] = Num(k > 0 ? tp / k : NAN);
    a["recall"] = Num(pos > 0 ? tp / pos : NAN);
    return a;
  };
  j["top_5pct"] = at(0.05 * n);
  j["top_10pct"] = at(0.10 * n);
  if (capacity > 0) j["capacity"] = at(std::min<double>(capacity, n));
  if (prob) {
    const std::vector<size_t> idx = SortedLabelled(score, label);
    nlohmann::ordered_json cal = nlohmann::ordered_json::array();
    for (int d = 0; d < 10; ++d) {
      const size_t lo = idx.size() * static_cast<size_t>(9 - d) / 10, hi = idx.size() * static_cast<size_t>(10 - d) / 10;
      double ps = 0, ys = 0;
      for (size_t k = lo; k < hi; ++k) { ps += score[idx[k]]; ys += label[idx[k]]; }
      const double cnt = static_cast<double>(hi - lo);
      cal.push_back({{"decile", d + 1}, {"persons", hi - lo}, {"mean_predicted", Num(cnt ? ps / cnt : NAN)},
                     {"observed", Num(cnt ? ys / cnt : NAN)}});
    }
    j["calibration_by_decile"] = cal;  // decile 1 = lowest scores
  }
  return j;
}

nlohmann::ordered_json FairnessGate(const FeatureMatrix& m, std::span<const double> prob, const GateOptions& o) {
  nlohmann::ordered_json out;
  out["threshold"] = o.threshold;
  out["min_group"] = o.min_group;
  out["bounds"] = {o.low, o.high};
  nlohmann::ordered_json comps = nlohmann::ordered_json::array();
  bool ok = true;
  struct Cell { double n = 0, pos = 0, flagged = 0, tp = 0; };
  for (const std::string kind : {"sex", "newcomer_history"}) {
    std::map<std::pair<int, std::string>, Cell> cells;
    for (size_t i = 0; i < m.size(); ++i) {
      if (m.label[i] == kLabelB) continue;
      const std::string g = kind == "sex" ? std::string(ToString(m.sex[i])) : (m.newcomer_history[i] ? "yes" : "no");
      Cell& c = cells[{static_cast<int>(m.sector[i]), g}];
      const bool f = prob[i] >= o.threshold;
      c.n += 1; c.pos += m.label[i]; c.flagged += f; c.tp += f && m.label[i];
    }
    for (int s = 0; s < kSectorCount; ++s) {
      const Cell* ref = nullptr;
      std::string ref_name;
      for (const auto& [key, c] : cells) {
        if (key.first == s && (!ref || c.n > ref->n)) { ref = &c; ref_name = key.second; }
      }
      if (!ref) continue;
      auto rates = [](const Cell& c) {
        const double neg = c.n - c.pos;
        return std::array<double, 3>{c.pos > 0 ? (c.pos - c.tp) / c.pos : NAN,
                                     neg > 0 ? (c.flagged - c.tp) / neg : NAN,
                                     c.flagged > 0 ? c.tp / c.flagged : NAN};
      };
      const auto rr = rates(*ref);
      for (const auto& [key, c] : cells) {
        if (key.first != s || key.second == ref_name) continue;
        const auto gr = rates(c);
        const bool gated = c.n >= o.min_group && ref->n >= o.min_group;
        nlohmann::ordered_json e;
        e["kind"] = kind;
        e["sector"] = ToString(static_cast<Sector>(s));
        e["group"] = key.second;
        e["reference"] = ref_name;
        e["persons"] = static_cast<int64_t>(c.n);
        e["reference_persons"] = static_cast<int64_t>(ref->n);
        const char* names[3] = {"fnr", "fpr", "precision"};
        bool bad = false;
        for (int k = 0; k < 3; ++k) {
          const double ratio = gr[k] / rr[k];
          e[std::string(names[k]) + "_ratio"] = Num(ratio);
          if (gated && std::isfinite(ratio) && (ratio < o.low || ratio > o.high)) bad = true;
        }
        e["gated"] = gated;
        e["outside_bounds"] = bad;
        if (bad) ok = false;
        comps.push_back(e);
      }
    }
  }
  out["comparisons"] = comps;
  out["release_ok"] = ok;
  return out;
}

nlohmann::ordered_json Evaluate(const FeatureMatrix& m, std::span<const double> prob, double threshold,
                                int capacity) {
  std::vector<double> rule(m.rule_points.begin(), m.rule_points.end());
  std::vector<double> school(m.school_rate.begin(), m.school_rate.end());
  nlohmann::ordered_json j;
  j["year"] = SchoolYearName(m.year);
  j["as_of"] = FormatDate(m.as_of);
  j["model"] = ScoreMetrics(prob, m.label, true, capacity);
  j["rule_score"] = ScoreMetrics(rule, m.label, false, capacity);
  j["school_only"] = ScoreMetrics(school, m.label, true, capacity);
  auto prec = [](const nlohmann::ordered_json& x) { return x["top_10pct"]["precision"]; };
  const auto pm = prec(j["model"]), ps = prec(j["school_only"]);
  j["lift_over_school_only_top_10pct"] =
      pm.is_number() && ps.is_number() && ps.get<double>() > 0 ? Num(pm.get<double>() / ps.get<double>())
                                                                : nlohmann::ordered_json(nullptr);
  j["beats_school_only"] = j["model"]["pr_auc"].is_number() && j["school_only"]["pr_auc"].is_number() &&
                           j["model"]["pr_auc"].get<double>() > j["school_only"]["pr_auc"].get<double>();
  // Per group: the model's figures within the group.
  nlohmann::ordered_json groups;
  auto by = [&](const std::string& kind, auto key_of) {
    std::map<std::string, std::vector<size_t>> rows;
    for (size_t i = 0; i < m.size(); ++i) if (m.label[i] != kLabelB) rows[key_of(i)].push_back(i);
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& [key, idx] : rows) {
      std::vector<double> s;
      std::vector<int8_t> l;
      for (size_t i : idx) { s.push_back(prob[i]); l.push_back(m.label[i]); }
      double pos = 0, flagged = 0, tp = 0;
      for (size_t k = 0; k < s.size(); ++k) {
        pos += l[k];
        const bool f = s[k] >= threshold;
        flagged += f; tp += f && l[k];
      }
      nlohmann::ordered_json g;
      g["group"] = key;
      g["persons"] = idx.size();
      g["leavers"] = static_cast<int64_t>(pos);
      g["roc_auc"] = Num(RocAuc(s, l));
      g["flagged"] = static_cast<int64_t>(flagged);
      g["precision"] = Num(flagged ? tp / flagged : NAN);
      g["recall"] = Num(pos ? tp / pos : NAN);
      g["fnr"] = Num(pos ? 1 - tp / pos : NAN);
      g["fpr"] = Num(idx.size() - pos > 0 ? (flagged - tp) / (static_cast<double>(idx.size()) - pos) : NAN);
      arr.push_back(g);
    }
    groups[kind] = arr;
  };
  by("sex", [&](size_t i) { return std::string(ToString(m.sex[i])); });
  by("sector", [&](size_t i) { return std::string(ToString(m.sector[i])); });
  by("category", [&](size_t i) { return std::string(CategoryName(m.category[i])); });
  by("region", [&](size_t i) { return m.region[i] >= 0 ? fmt::format("{:02d}", m.region[i]) : std::string("onbekend"); });
  by("newcomer_history", [&](size_t i) { return std::string(m.newcomer_history[i] ? "yes" : "no"); });
  j["groups"] = groups;
  GateOptions go;
  go.threshold = threshold;
  j["fairness"] = FairnessGate(m, prob, go);
  return j;
}

}  // namespace vsv::risk
