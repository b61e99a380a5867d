// vsv risk: early warning (src/risk). train, score, evaluate, features and report
// (the model card). The commands only parse flags and call the risk library.
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "risk/risk.h"

namespace vsv::cli {

namespace {

struct RiskOptions {
  InputOptions input;
  std::string train_years, model_kind = "logistic", features = "all", model_out, model, as_of, region, school,
      format, out, accept_disparity, lang = "nl";
  int year = 0;
  int capacity = 0;
  int seed = 42;
};

risk::Progress MakeProgress(const InputOptions& in) {
  if (in.quiet || !isatty(STDERR_FILENO)) return {};
  auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  return [start](const std::string& s) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
    fmt::print(stderr, "[{:6.1f}s] {}\n", t, s);
  };
}

risk::Language Lang(const RiskOptions& o) { return o.lang == "en" ? risk::Language::kEn : risk::Language::kNl; }

Result<std::vector<int>> TrainYears(const std::string& text) {
  int a = 0, b = 0;
  char dash = 0;
  if (std::sscanf(text.c_str(), "%d%c%d", &a, &dash, &b) == 3 && dash == '-' && a >= 1900 && b >= a && b < 2200) {
    std::vector<int> ys;
    for (int y = a; y <= b; ++y) ys.push_back(y);
    return ys;
  }
  if (std::sscanf(text.c_str(), "%d", &a) == 1 && text == std::to_string(a) && a >= 1900 && a < 2200) return std::vector<int>{a};
  return MakeError(fmt::format("--train-years '{}': expected a year (2019) or a range (2016-2020)", text));
}

Result<Date> AsOf(const RiskOptions& o) {
  if (o.as_of.empty()) return risk::DefaultPredictionDate(o.year);
  auto d = ParseDateOption("--as-of", o.as_of);
  if (!d) return d;
  if (auto s = risk::CheckPredictionDate(o.year, *d); !s) return tl::unexpected(s.error());
  return d;
}

Status CheckYear(int year, const Input& in) {
  if (year < in.reference.first_year() || year > in.reference.last_year()) {
    return MakeError(fmt::format("--year {}: the reference data describe school years {}..{}", year,
                                 in.reference.first_year(), in.reference.last_year()));
  }
  return {};
}

int RunTrain(const RiskOptions& o) {
  auto years = TrainYears(o.train_years);
  if (!years) return Fail(years.error());
  auto set = risk::ParseFeatureSet(o.features);
  if (!set) return Fail(set.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  for (int y : *years) if (auto s = CheckYear(y, **input); !s) return Fail(s.error());
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  risk::TrainOptions t;
  t.kind = o.model_kind;
  t.seed = o.seed;
  t.threads = o.input.threads;
  auto model = risk::TrainModel(cache, *years, *set, t, MakeProgress(o.input));
  if (!model) return Fail(model.error());
  if (auto s = risk::SaveModel(*model, o.model_out); !s) return Fail(s.error());
  if (!o.input.quiet) {
    fmt::print(stderr, "vsv: model {} written to {}{}\n", risk::ModelKindName(model->kind), o.model_out,
               model->release_ok ? "" : " — NOT FOR RELEASE: the fairness gate found a disparity (vsv risk report)");
  }
  return 0;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) { if (c == '"') q += '"'; q += c; }
  return q + "\"";
}

int RunScore(const RiskOptions& o) {
  auto model = risk::LoadModel(o.model);
  if (!model) return Fail(model.error());
  if (auto s = risk::CheckRelease(*model, o.accept_disparity); !s) return Fail(s.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  if (auto s = CheckYear(o.year, **input); !s) return Fail(s.error());
  auto as_of = AsOf(o);
  if (!as_of) return Fail(as_of.error());
  const Registry& reg = (*input)->registry;
  int region = -1;
  int64_t brin = -1;
  if (!o.region.empty()) {
    if (o.region.size() != 2 || !std::isdigit(o.region[0]) || !std::isdigit(o.region[1]))
      return Fail(Error{fmt::format("--region '{}': expected a two-digit region code such as 07", o.region)});
    region = std::stoi(o.region);
  }
  if (!o.school.empty()) {
    brin = reg.institutions.FindBrin(o.school);
    if (brin < 0) return Fail(Error{fmt::format("--school '{}': no such institution (BRIN) in institutions.csv", o.school)});
  }
  ClassificationCache cache(reg, (*input)->reference, o.input.threads);
  auto ys = risk::ScoreYear(cache, *model, o.year, *as_of, true, o.input.threads);
  if (!ys) return Fail(ys.error());
  if (!model->release_ok && !o.accept_disparity.empty()) {
    // The reason goes into the model card (the model file).
    model->accepted_disparities.push_back(
        fmt::format("{} (score {} op {})", o.accept_disparity, SchoolYearName(o.year), FormatDate(*as_of)));
    if (auto s = risk::SaveModel(*model, o.model); !s) return Fail(s.error());
    fmt::print(stderr, "vsv: disparity accepted and recorded in {}: {}\n", o.model, o.accept_disparity);
  }
  std::vector<size_t> rows;
  for (size_t i = 0; i < ys->features.size(); ++i) {
    if (region >= 0 && ys->features.region[i] != region) continue;
    if (brin >= 0 && reg.institutions.institution[ys->features.location_row[i]] != brin) continue;
    rows.push_back(i);
  }
  std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return ys->rank[a] < ys->rank[b]; });
  // The rank within the selection.
  std::vector<uint32_t> rank(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    rank[k] = k > 0 && ys->rank[rows[k]] == ys->rank[rows[k - 1]] ? rank[k - 1] : static_cast<uint32_t>(k + 1);
  }
  const bool json = o.format == "json";
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  if (!json) fmt::print("person_id,score,rank,reason_1,reason_2,reason_3\n");
  std::string line;
  for (size_t k = 0; k < rows.size(); ++k) {
    const size_t i = rows[k];
    std::vector<std::string> r = risk::Reasons(*ys, i, Lang(o));
    r.resize(3);
    const std::string id(reg.persons.Id(ys->features.person[i]));
    if (json) {
      arr.push_back({{"person_id", id}, {"score", std::round(ys->scores.probability[i] * 1e6) / 1e6}, {"rank", rank[k]},
                     {"reason_1", r[0]}, {"reason_2", r[1]}, {"reason_3", r[2]}});
    } else {
      line = fmt::format("{},{:.6f},{},{},{},{}\n", id, ys->scores.probability[i], rank[k], CsvField(r[0]),
                         CsvField(r[1]), CsvField(r[2]));
      std::fputs(line.c_str(), stdout);
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["year"] = SchoolYearName(o.year);
    j["as_of"] = FormatDate(*as_of);
    j["model"] = risk::ModelKindName(model->kind);
    j["release_ok"] = model->release_ok;
    j["persons"] = arr;
    fmt::print("{}\n", j.dump());
  }
  return 0;
}

int RunEvaluate(const RiskOptions& o) {
  auto model = risk::LoadModel(o.model);
  if (!model) return Fail(model.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  if (auto s = CheckYear(o.year, **input); !s) return Fail(s.error());
  const Date extent = risk::RegistryExtent((*input)->registry);
  if (!risk::LabelsFinalBy(o.year, extent)) {
    return Fail(Error{fmt::format("--year {}: its labels are not final (late-SK window to {}; the data end on {})",
                                  o.year, FormatDate(MakeDate(o.year + 1, 12, 31)), FormatDate(extent))});
  }
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  auto ys = risk::ScoreYear(cache, *model, o.year, risk::DefaultPredictionDate(o.year), false, o.input.threads);
  if (!ys) return Fail(ys.error());
  nlohmann::ordered_json ev = risk::Evaluate(ys->features, ys->scores.probability, model->release_threshold, o.capacity);
  ev["model_kind"] = risk::ModelKindName(model->kind);
  if (o.format == "json") {
    fmt::print("{}\n", ev.dump());
    return 0;
  }
  auto f = [](const nlohmann::ordered_json& v) { return v.is_number() ? fmt::format("{:.3f}", v.get<double>()) : std::string("–"); };
  fmt::print("Evaluatie {} (peildatum {}), {} leerlingen in A − B, {} voortijdig schoolverlaters\n",
             ev["year"].get<std::string>(), ev["as_of"].get<std::string>(), ev["model"]["persons"].get<int64_t>(),
             ev["model"]["leavers"].get<int64_t>());
  fmt::print("{:<16} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n", "", "ROC-AUC", "PR-AUC", "Brier", "prec@5%",
             "prec@10%", "rec@10%", o.capacity > 0 ? "prec@cap" : "");
  for (const auto& [key, label] : std::vector<std::pair<std::string, std::string>>{
           {"model", "model"}, {"rule_score", "puntenregel"}, {"school_only", "alleen school"}}) {
    const auto& m = ev[key];
    fmt::print("{:<16} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10}\n", label, f(m["roc_auc"]), f(m["pr_auc"]),
               m.contains("brier") ? f(m["brier"]) : "–", f(m["top_5pct"]["precision"]), f(m["top_10pct"]["precision"]),
               f(m["top_10pct"]["recall"]), o.capacity > 0 ? f(m["capacity"]["precision"]) : "");
  }
  fmt::print("lift boven alleen-school (top 10%): {}; {}\n", f(ev["lift_over_school_only_top_10pct"]),
             ev["beats_school_only"].get<bool>() ? "het model is beter dan alleen-school"
                                                  : "het model is NIET beter dan alleen-school");
  fmt::print("toets gelijke behandeling: {}\n", ev["fairness"]["release_ok"].get<bool>() ? "geslaagd" : "NIET GESLAAGD");
  return 0;
}

int RunFeatures(const RiskOptions& o) {
  auto set = risk::ParseFeatureSet(o.features);
  if (!set) return Fail(set.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  if (auto s = CheckYear(o.year, **input); !s) return Fail(s.error());
  auto as_of = AsOf(o);
  if (!as_of) return Fail(as_of.error());
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  auto m = risk::ExtractFeatures(cache, o.year, *as_of, *set, o.input.threads);
  if (!m) return Fail(m.error());
  if (auto s = risk::WriteFeaturesCsv(*m, (*input)->registry, o.out); !s) return Fail(s.error());
  if (!o.input.quiet) fmt::print(stderr, "vsv: {} persons, {} features written to {}\n", m->size(), m->cols, o.out);
  return 0;
}

int RunReport(const RiskOptions& o) {
  auto model = risk::LoadModel(o.model);
  if (!model) return Fail(model.error());
  fmt::print("{}\n", risk::ModelCard(*model, o.format, Lang(o)));
  return 0;
}

}  // namespace

void AddRiskCommand(CLI::App& app) {
  CLI::App* risk = app.add_subcommand("risk", "early warning: who is likely to leave without a startkwalificatie");
  risk->require_subcommand(1);
  auto add_lang = [](CLI::App* c, RiskOptions* o) {
    c->add_option("--lang", o->lang, "language of the reasons and texts: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}));
  };
  {
    auto o = std::make_shared<RiskOptions>();
    CLI::App* c = risk->add_subcommand("train", "train a model on earlier school years");
    AddInputOptions(c, &o->input);
    c->add_option("--train-years", o->train_years, "school years to learn from, e.g. 2016-2020")->required();
    c->add_option("--model", o->model_kind, "logistic, xgboost or auto")->check(CLI::IsMember({"logistic", "xgboost", "auto"}));
    c->add_option("--features", o->features, "all or individual (individual: no school context)")
        ->check(CLI::IsMember({"all", "individual"}));
    c->add_option("--model-out", o->model_out, "model file to write (JSON)")->required();
    c->add_option("--seed", o->seed, "random seed (xgboost)");
    c->callback([o] { Run([&] { return RunTrain(*o); }); });
  }
  {
    auto o = std::make_shared<RiskOptions>();
    o->format = "csv";
    CLI::App* c = risk->add_subcommand("score", "score every student in A of a school year, with reasons");
    AddInputOptions(c, &o->input);
    c->add_option("--model", o->model, "model file (from vsv risk train)")->required();
    c->add_option("--year", o->year, "school year (2022 = 2022-2023)")->required();
    c->add_option("--as-of", o->as_of, "prediction date YYYY-MM-DD in the school year (default teldatum, 1 October)");
    auto* r = c->add_option("--region", o->region, "only students living in this region (two digits)");
    c->add_option("--school", o->school, "only students of this institution (BRIN)")->excludes(r);
    c->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    c->add_option("--accept-disparity", o->accept_disparity, "use a model marked not for release; the reason is recorded");
    add_lang(c, o.get());
    c->callback([o] { Run([&] { return RunScore(*o); }); });
  }
  {
    auto o = std::make_shared<RiskOptions>();
    o->format = "table";
    CLI::App* c = risk->add_subcommand("evaluate", "honesty figures of a model on a later school year");
    AddInputOptions(c, &o->input);
    c->add_option("--model", o->model, "model file")->required();
    c->add_option("--year", o->year, "school year to evaluate on")->required();
    c->add_option("--capacity", o->capacity, "precision and recall at a list of N students")->check(CLI::PositiveNumber);
    c->add_option("--format", o->format, "json or table")->check(CLI::IsMember({"json", "table"}));
    c->callback([o] { Run([&] { return RunEvaluate(*o); }); });
  }
  {
    auto o = std::make_shared<RiskOptions>();
    CLI::App* c = risk->add_subcommand("features", "write the feature matrix with person_id and label");
    AddInputOptions(c, &o->input);
    c->add_option("--year", o->year, "school year")->required();
    c->add_option("--out", o->out, "CSV file to write")->required();
    c->add_option("--as-of", o->as_of, "prediction date (default teldatum)");
    c->add_option("--features", o->features, "all or individual")->check(CLI::IsMember({"all", "individual"}));
    c->callback([o] { Run([&] { return RunFeatures(*o); }); });
  }
  {
    auto o = std::make_shared<RiskOptions>();
    o->format = "text";
    CLI::App* c = risk->add_subcommand("report", "the model card");
    c->add_option("--model", o->model, "model file")->required();
    c->add_option("--format", o->format, "text, markdown or json")->check(CLI::IsMember({"text", "markdown", "json"}));
    add_lang(c, o.get());
    c->callback([o] { Run([&] { return RunReport(*o); }); });
  }
}

}  // namespace vsv::cli
