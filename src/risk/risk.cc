#include "risk/risk.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace vsv::risk {

Status CheckTrainingYearsFinal(const std::vector<int>& years, const Registry& registry) {
  const Date extent = RegistryExtent(registry);
  for (int t : years) {
    if (!LabelsFinalBy(t, extent)) {
      return MakeError(fmt::format("training year {}: its labels are not final — the late-SK window runs to {} and "
                                   "the registry's data end on {}",
                                   SchoolYearName(t), FormatDate(MakeDate(t + 1, 12, 31)), FormatDate(extent)));
    }
  }
  return {};
}

Status CheckTrainingYearsBefore(const Model& model, Date as_of) {
  for (int t : model.train_years) {
    if (!LabelsFinalBy(t, as_of)) {
      return MakeError(fmt::format("training year {}: its labels were not final on the prediction date {} (the late-SK "
                                   "window runs to {}); use a model trained on earlier years",
                                   SchoolYearName(t), FormatDate(as_of), FormatDate(MakeDate(t + 1, 12, 31))));
    }
  }
  return {};
}

Status CheckRelease(const Model& model, const std::string& accept_reason) {
  if (model.release_ok || !model.accepted_disparities.empty() || !accept_reason.empty()) return {};
  return MakeError("the model is marked \"not for release\": the fairness gate found a disparity (see `vsv risk "
                   "report`); give --accept-disparity \"reason\" to use it anyway (the reason is recorded)");
}

Result<Model> TrainModel(ClassificationCache& cache, const std::vector<int>& years, FeatureSet set,
                         const TrainOptions& options, const Progress& progress) {
  if (years.empty()) return MakeError("--train-years: no years");
  if (auto s = CheckTrainingYearsFinal(years, cache.registry()); !s) return tl::unexpected(s.error());
  auto say = [&](const std::string& s) { if (progress) progress(s); };
  std::vector<FeatureMatrix> ms;
  for (int t : years) {
    say(fmt::format("features {}", SchoolYearName(t)));
    auto m = ExtractFeatures(cache, t, DefaultPredictionDate(t), set, options.threads);
    if (!m) return tl::unexpected(m.error());
    ms.push_back(std::move(*m));
  }
  std::vector<ModelKind> kinds;
  if (options.kind == "logistic") kinds = {ModelKind::kLogistic};
  else if (options.kind == "xgboost") kinds = {ModelKind::kXgboost};
  else if (options.kind == "auto") kinds = {ModelKind::kLogistic, ModelKind::kXgboost};
  else return MakeError(fmt::format("--model '{}': expected logistic, xgboost or auto", options.kind));

  // Validation: fit on the years final on the last year's teldatum, evaluate on it.
  const int last = years.back();
  std::vector<const FeatureMatrix*> vtrain;
  for (const FeatureMatrix& m : ms) if (LabelsFinalBy(m.year, Teldatum(last))) vtrain.push_back(&m);
  std::string vnote = "validation on the last training year, fitted on the years whose labels were final on its teldatum";
  if (vtrain.empty()) {
    for (const FeatureMatrix& m : ms) if (m.year != last) vtrain.push_back(&m);
    vnote = "validation on the last training year, fitted on the earlier training years (their labels were not yet "
            "final on its teldatum: more optimistic than a real forecast)";
  }
  const FeatureMatrix& vm = ms.back();
  ModelKind best = kinds[0];
  double best_pr = -1;
  nlohmann::ordered_json best_eval, choice = nlohmann::ordered_json::object();
  double threshold = 0.5;
  for (ModelKind k : kinds) {
    if (vtrain.empty()) break;
    say(fmt::format("validation fit {}", ModelKindName(k)));
    auto vmodel = Fit(k, vtrain, options);
    if (!vmodel) return tl::unexpected(vmodel.error());
    auto vs = Predict(*vmodel, vm, false, options.threads);
    if (!vs) return tl::unexpected(vs.error());
    const double thr = TopFractionThreshold(vs->probability, vm.label, 0.10);
    nlohmann::ordered_json ev = Evaluate(vm, vs->probability, thr, 0);
    const double pr = ev["model"]["pr_auc"].is_number() ? ev["model"]["pr_auc"].get<double>() : 0.0;
    choice[std::string(ModelKindName(k))] = ev["model"]["pr_auc"];
    if (pr > best_pr) { best_pr = pr; best = k; best_eval = ev; threshold = thr; }
  }
  std::vector<const FeatureMatrix*> all;
  for (const FeatureMatrix& m : ms) all.push_back(&m);
  say(fmt::format("fit {} on {} years", ModelKindName(best), all.size()));
  auto model = Fit(best, all, options);
  if (!model) return model;
  model->registry_checksum = RegistryChecksum(cache.registry());
  if (options.kind == "auto") model->chosen_by = fmt::format("auto: highest PR-AUC on the validation year {} ({})",
                                                             SchoolYearName(last), choice.dump());
  if (vtrain.empty()) {
    auto s = Predict(*model, vm, false, options.threads);
    if (!s) return tl::unexpected(s.error());
    threshold = TopFractionThreshold(s->probability, vm.label, 0.10);
    best_eval = Evaluate(vm, s->probability, threshold, 0);
    vnote = "no validation year: in-sample figures on the only training year (optimistic)";
  }
  model->release_threshold = threshold;
  model->fairness = best_eval["fairness"];
  model->release_ok = best_eval["fairness"]["release_ok"].get<bool>();
  best_eval.erase("fairness");
  best_eval["note"] = vnote;
  model->metrics = best_eval;
  return model;
}

Result<YearScores> ScoreYear(ClassificationCache& cache, const Model& model, int year, Date as_of,
                             bool contributions, int threads) {
  if (auto s = CheckTrainingYearsBefore(model, as_of); !s) return tl::unexpected(s.error());
  auto m = ExtractFeatures(cache, year, as_of, model.set, threads);
  if (!m) return tl::unexpected(m.error());
  auto s = Predict(model, *m, contributions, threads);
  if (!s) return tl::unexpected(s.error());
  YearScores ys{std::move(*m), std::move(*s), {}};
  const size_t n = ys.features.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  const auto& p = ys.scores.probability;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return p[a] > p[b]; });
  ys.rank.resize(n);
  for (size_t k = 0; k < n; ++k) {
    ys.rank[order[k]] = (k > 0 && p[order[k]] == p[order[k - 1]]) ? ys.rank[order[k - 1]] : static_cast<uint32_t>(k + 1);
  }
  return ys;
}

std::string DescribeFeature(const std::string& f, float v, Language lang) {
  const bool nl = lang == Language::kNl;
  const int n = static_cast<int>(std::lround(v));
  auto count = [&](const char* one_nl, const char* many_nl, const char* one_en, const char* many_en) -> std::string {
    if (n <= 0) return "";
    return fmt::format("{} {}", n, nl ? (n == 1 ? one_nl : many_nl) : (n == 1 ? one_en : many_en));
  };
  auto flag = [&](const char* t_nl, const char* t_en) -> std::string { return n ? (nl ? t_nl : t_en) : ""; };
  if (f == "age") return nl ? fmt::format("{} jaar oud", n) : fmt::format("{} years old", n);
  if (f == "age_for_grade_delay")
    return count("jaar achter op de leeftijd voor het leerjaar", "jaar achter op de leeftijd voor het leerjaar",
                 "year behind the usual age for the grade", "years behind the usual age for the grade");
  if (f == "cat_vo_bovenbouw_vmbo") return flag("in de bovenbouw van het vmbo", "in upper vmbo");
  if (f == "cat_vo_bovenbouw_havo_vwo") return flag("in de bovenbouw van havo/vwo", "in upper havo/vwo");
  if (f == "cat_mbo_1") return flag("in een entreeopleiding (mbo niveau 1)", "in an entree course (mbo level 1)");
  if (f == "cat_mbo_2") return flag("in mbo niveau 2", "in mbo level 2");
  if (f == "cat_mbo_3_4") return flag("in mbo niveau 3 of 4", "in mbo level 3 or 4");
  if (f == "cat_vavo") return flag("in het vavo", "in vavo (adult general education)");
  if (f == "mbo_level") return n ? (nl ? fmt::format("mbo niveau {}", n) : fmt::format("mbo level {}", n)) : "";
  if (f == "pathway_bbl") return flag("in de beroepsbegeleidende leerweg (bbl)", "in the work-based pathway (bbl)");
  if (f == "year_of_study") return n ? (nl ? fmt::format("leerjaar {}", n) : fmt::format("year of study {}", n)) : "";
  if (f == "switches_12m")
    return count("wissel van opleiding, niveau of school in de laatste 12 maanden",
                 "wissels van opleiding, niveau of school in de laatste 12 maanden",
                 "switch of programme, level or school in the last 12 months",
                 "switches of programme, level or school in the last 12 months");
  if (f == "switches_24m")
    return count("wissel van opleiding, niveau of school in de laatste 24 maanden",
                 "wissels van opleiding, niveau of school in de laatste 24 maanden",
                 "switch of programme, level or school in the last 24 months",
                 "switches of programme, level or school in the last 24 months");
  if (f == "school_switches_24m")
    return count("schoolwissel in de laatste 24 maanden", "schoolwissels in de laatste 24 maanden",
                 "change of school in the last 24 months", "changes of school in the last 24 months");
  if (f == "mid_year_intake") return flag("midden in het schooljaar ingestroomd", "started in the middle of a school year");
  if (f == "earlier_left_without_sk")
    return flag("eerder zonder startkwalificatie gestopt en teruggekomen",
                "left school earlier without a startkwalificatie and came back");
  if (f == "highest_diploma") {
    static const char* kNl[] = {"nog geen diploma", "hoogste diploma: pro/vso-getuigschrift of praktijkverklaring",
                                "hoogste diploma: vmbo basis of kader", "hoogste diploma: vmbo gemengd of theoretisch",
                                "hoogste diploma: entree of mbo-certificaat", "heeft al een startkwalificatie"};
    static const char* kEn[] = {"no diploma yet", "highest diploma: pro/vso certificate or praktijkverklaring",
                                "highest diploma: vmbo basic or kader", "highest diploma: vmbo mixed or theoretical",
                                "highest diploma: entree or mbo certificate", "already has a startkwalificatie"};
    return (nl ? kNl : kEn)[std::clamp(n, 0, 5)];
  }
  if (f == "pro_vso_background") return flag("eerder in praktijkonderwijs of vso", "earlier in pro or vso");
  if (f == "vo_newcomer_history") return flag("eerder nieuwkomer in het vo", "earlier a newcomer in vo");
  if (f == "absence_unauthorised_12m")
    return count("verzuimmelding in de laatste 12 maanden", "verzuimmeldingen in de laatste 12 maanden",
                 "absence report in the last 12 months", "absence reports in the last 12 months");
  if (f == "absence_long_12m")
    return count("melding van langdurig verzuim in de laatste 12 maanden",
                 "meldingen van langdurig verzuim in de laatste 12 maanden",
                 "report of long absence in the last 12 months", "reports of long absence in the last 12 months");
  if (f == "absence_early_leave_12m")
    return count("signaal van voortijdig schoolverlaten in de laatste 12 maanden",
                 "signalen van voortijdig schoolverlaten in de laatste 12 maanden",
                 "sign of leaving early in the last 12 months", "signs of leaving early in the last 12 months");
  if (f == "absence_hours_12m")
    return count("uur verzuim gemeld in de laatste 12 maanden", "uur verzuim gemeld in de laatste 12 maanden",
                 "hour of absence reported in the last 12 months", "hours of absence reported in the last 12 months");
  if (f == "moves_24m")
    return count("verhuizing in de laatste 24 maanden", "verhuizingen in de laatste 24 maanden",
                 "move of residence in the last 24 months", "moves of residence in the last 24 months");
  if (f == "not_enrolled_on_date") return flag("niet meer ingeschreven op de peildatum", "no longer enrolled on the date");
  if (f == "school_vsv_pct")
    return nl ? fmt::format("de locatie had eerder {:.1f}% voortijdig schoolverlaters", v)
              : fmt::format("the location had {:.1f}% early leavers in earlier years", v);
  return f;
}

std::vector<std::string> Reasons(const YearScores& ys, size_t row, Language lang, int count) {
  const size_t p = ys.features.cols;
  std::vector<std::pair<float, size_t>> c;
  for (size_t j = 0; j < p; ++j) {
    const float v = ys.scores.contributions[row * p + j];
    if (v > 0) c.push_back({v, j});
  }
  std::stable_sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (const auto& [v, j] : c) {
    if (static_cast<int>(out.size()) >= count) break;
    std::string text = DescribeFeature(ys.features.names[j], ys.features.At(row, j), lang);
    if (!text.empty()) out.push_back(std::move(text));
  }
  return out;
}

std::string ModelCard(const Model& model, const std::string& format, Language lang) {
  const nlohmann::ordered_json j = ModelToJson(model);
  if (format == "json") {
    nlohmann::ordered_json card = j;
    card.erase("booster");
    return card.dump(2);
  }
  const bool md = format == "markdown", nl = lang == Language::kNl;
  std::string out;
  auto line = [&](const std::string& s) { out += s; out += '\n'; };
  auto h = [&](const std::string& s) { line(md ? "## " + s : s); if (!md) line(std::string(s.size(), '-')); };
  std::vector<std::string> ys;
  for (int y : model.train_years) ys.push_back(SchoolYearName(y));
  line(md ? (nl ? "# Modelkaart vroegsignalering" : "# Early-warning model card")
          : (nl ? "Modelkaart vroegsignalering" : "Early-warning model card"));
  line("");
  auto kv = [&](const std::string& k, const std::string& v) { line(md ? fmt::format("- **{}**: {}", k, v) : fmt::format("{:<28} {}", k + ":", v)); };
  kv(nl ? "Model" : "Model", std::string(ModelKindName(model.kind)) + (model.chosen_by.empty() ? "" : " (" + model.chosen_by + ")"));
  kv(nl ? "Kenmerken" : "Features", fmt::format("{} ({}): {}", FeatureSetName(model.set), model.features.size(), fmt::join(model.features, ", ")));
  kv(nl ? "Trainingsjaren" : "Training years", fmt::format("{}", fmt::join(ys, ", ")));
  kv(nl ? "Registercontrolegetal" : "Registry checksum", model.registry_checksum);
  kv(nl ? "Geslacht" : "Sex", nl ? "nooit een kenmerk; alleen voor de toets op gelijke behandeling" : "never a feature; used for the fairness audit only");
  kv(nl ? "Drempel voor de lijst" : "Release threshold", fmt::format("{:.4f} ({})", model.release_threshold, nl ? "top 10% van het validatiejaar" : "top 10% of the validation year"));
  kv(nl ? "Vrijgave" : "Release", model.release_ok ? (nl ? "toegestaan" : "allowed")
                                                   : (nl ? "NIET VOOR VRIJGAVE (ongelijkheid gevonden)" : "NOT FOR RELEASE (disparity found)"));
  for (const std::string& r : model.accepted_disparities) kv(nl ? "Ongelijkheid geaccepteerd" : "Disparity accepted", r);
  line("");
  if (model.metrics.is_object() && model.metrics.contains("model")) {
    h(nl ? "Eerlijkheidscijfers (validatiejaar " + model.metrics.value("year", "") + ")" : "Honesty figures (validation year " + model.metrics.value("year", "") + ")");
    if (md) { line(""); line("| | ROC-AUC | PR-AUC | Brier | precisie top 10% | recall top 10% |"); line("|---|---|---|---|---|---|"); }
    auto fmtn = [](const nlohmann::ordered_json& v) { return v.is_number() ? fmt::format("{:.3f}", v.get<double>()) : std::string("–"); };
    for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
             {"model", nl ? "model" : "model"}, {"rule_score", nl ? "puntenregel" : "rule score"},
             {"school_only", nl ? "alleen school" : "school only"}}) {
      const auto& m = model.metrics[key];
      const std::string brier = m.contains("brier") ? fmtn(m["brier"]) : "–";
      if (md) line(fmt::format("| {} | {} | {} | {} | {} | {} |", label, fmtn(m["roc_auc"]), fmtn(m["pr_auc"]), brier, fmtn(m["top_10pct"]["precision"]), fmtn(m["top_10pct"]["recall"])));
      else line(fmt::format("{:<16} ROC-AUC {}  PR-AUC {}  Brier {}  precisie@10% {}  recall@10% {}", label, fmtn(m["roc_auc"]), fmtn(m["pr_auc"]), brier, fmtn(m["top_10pct"]["precision"]), fmtn(m["top_10pct"]["recall"])));
    }
    line("");
    const auto& lift = model.metrics["lift_over_school_only_top_10pct"];
    line(fmt::format("{}: {}", nl ? "Lift boven alleen-school (top 10%)" : "Lift over school only (top 10%)", fmtn(lift)));
    line(model.metrics.value("beats_school_only", false)
             ? (nl ? "Het model is beter dan richten op school alleen (PR-AUC)." : "The model beats school-only targeting (PR-AUC).")
             : (nl ? "Het model is NIET beter dan richten op school alleen (PR-AUC)." : "The model does NOT beat school-only targeting (PR-AUC)."));
    const auto& top = model.metrics["model"]["top_10pct"];
    if (top["precision"].is_number()) {
      line(nl ? fmt::format("Van de 10 leerlingen bovenaan de lijst verlaten er naar verwachting {:.1f} de school zonder startkwalificatie.", 10 * top["precision"].get<double>())
              : fmt::format("Of the 10 students at the top of the list, about {:.1f} are expected to leave without a startkwalificatie.", 10 * top["precision"].get<double>()));
    }
    line(model.metrics.value("note", ""));
    line("");
  }
  h(nl ? "Toets op gelijke behandeling" : "Fairness gate");
  if (model.fairness.contains("comparisons")) {
    for (const auto& c : model.fairness["comparisons"]) {
      auto r = [](const nlohmann::ordered_json& v) { return v.is_number() ? fmt::format("{:.2f}", v.get<double>()) : std::string("–"); };
      line(fmt::format("{}{} {} {} vs {} (n={}): FNR {}  FPR {}  precisie {}{}{}", md ? "- " : "", c["sector"].get<std::string>(), c["kind"].get<std::string>(),
                       c["group"].get<std::string>(), c["reference"].get<std::string>(), c["persons"].get<int64_t>(), r(c["fnr_ratio"]), r(c["fpr_ratio"]),
                       r(c["precision_ratio"]), c["gated"].get<bool>() ? "" : (nl ? "  (te klein, niet getoetst)" : "  (too small, not gated)"),
                       c["outside_bounds"].get<bool>() ? (nl ? "  BUITEN 0,8–1,25" : "  OUTSIDE 0.8–1.25") : ""));
    }
  }
  return out;
}

}  // namespace vsv::risk
