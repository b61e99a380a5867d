#include "effect/effect_report.h"

#include <array>

#include <fmt/format.h>

#include "measure/cube.h"
#include "report/table_writer.h"

namespace vsv {

namespace {

using followup::Destination;

class Figures {
 public:
  explicit Figures(std::vector<EffectFigure>& out) : out_(out) {}
  void Add(std::string key, std::string section, std::string nl, std::string en, std::optional<int64_t> v,
           FigureKind kind = FigureKind::kCount) {
    out_.push_back({std::move(key), std::move(section), std::move(nl), std::move(en), kind, v});
  }

 private:
  std::vector<EffectFigure>& out_;
};

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

nlohmann::ordered_json MeasureJson(const followup::Measure& m) {
  nlohmann::ordered_json years = nlohmann::ordered_json::array();
  for (const followup::MeasureYear& y : m.years) {
    nlohmann::ordered_json spent = nlohmann::ordered_json::object();
    for (int c = 0; c < followup::kSpendingCategoryCount; ++c) {
      spent[std::string(1, static_cast<char>('A' + c))] = y.spent[static_cast<size_t>(c)];
    }
    years.push_back({{"year", y.year}, {"budget", y.budget}, {"spent", spent}, {"spent_total", y.spent_total},
                     {"participants", y.participants}});
  }
  return {{"id", m.id},
          {"topic", followup::TopicName(m.m.topic)},
          {"title", m.m.title},
          {"target_group", m.m.target_group},
          {"activities", m.m.activities},
          {"partners", m.m.partners},
          {"planned_participants", m.m.planned_participants},
          {"expected_effect", m.m.expected_effect},
          {"expected_prevented", m.m.expected_prevented},
          {"years", years}};
}

constexpr std::array<const char*, 4> kYearsOut = {"1-2", "2-3", "3-4", "4+"};
constexpr std::array<const char*, 3> kWeeks = {"lt4", "4-6", "gt6"};
constexpr std::array<const char*, 3> kWeeksNl = {"< 4 weken", "4-6 weken", "> 6 weken"};
constexpr std::array<const char*, 3> kWeeksEn = {"< 4 weeks", "4-6 weeks", "> 6 weeks"};

}  // namespace

std::string FigureText(const EffectFigure& f) {
  if (!f.value) return "–";
  switch (f.kind) {
    case FigureKind::kEuros: return "€ " + Thousands(*f.value);
    case FigureKind::kPercentHundredths: return fmt::format("{},{:02d}%", *f.value / 100, *f.value % 100);
    case FigureKind::kCount: break;
  }
  return Thousands(*f.value);
}

Result<EffectReport> BuildEffectReport(const Registry& registry, const Reference& reference,
                                       ClassificationCache& cache, followup::CaseStore& store,
                                       const followup::Context& ctx, const EffectOptions& o) {
  EffectReport rep;
  rep.region = o.region;
  rep.year = o.year;
  rep.school_year = o.year - 1;
  const RegionInfo* info = reference.FindRegion(o.region, rep.school_year);
  if (!info) return MakeError(fmt::format("region {:02d} does not exist in school year {}-{}", o.region,
                                          rep.school_year, rep.school_year + 1));
  rep.region_name = info->name;
  auto programme = store.GetProgramme(ctx, o.region);
  if (!programme) return tl::unexpected(followup::ToError(programme.error()));
  auto reg = store.EffectFigures(ctx, o.region, o.year);
  if (!reg) return tl::unexpected(followup::ToError(reg.error()));
  Figures f(rep.figures);

  // Targets against results, from the count (school year year-1/year and the one before).
  const DimensionFilter in_region{Dimension::kRegion, o.region};
  auto count = [&](int school_year, bool national) -> std::optional<PartCounts> {
    if (school_year < reference.first_year()) return std::nullopt;
    const YearClassification& c = cache.Get(school_year, kNationalAgeLimit);
    const CountTable t = national ? CountBy(registry, c, {}) : CountBy(registry, c, {}, {&in_region, 1});
    return t.total;
  };
  const auto now = count(rep.school_year, false), before = count(rep.school_year - 1, false);
  const auto nat = count(rep.school_year, true);
  const std::string sy = fmt::format("{}-{}", rep.school_year, rep.school_year + 1);
  f.Add("count.participants", "5", "Deelnemers 1 oktober (A − B) " + sy, "Participants 1 October (A − B) " + sy,
        now ? std::optional<int64_t>(now->A() - now->B()) : std::nullopt);
  f.Add("count.new_vsv", "5", "Nieuwe voortijdig schoolverlaters " + sy, "New early school leavers " + sy,
        now ? std::optional<int64_t>(now->X()) : std::nullopt);
  f.Add("count.pct", "5", "Vsv-percentage " + sy, "Early-leaving percentage " + sy,
        now ? now->PercentHundredths() : std::nullopt, FigureKind::kPercentHundredths);
  f.Add("count.previous_new_vsv", "5", fmt::format("Nieuwe vsv'ers {}-{}", rep.school_year - 1, rep.school_year),
        fmt::format("New early leavers {}-{}", rep.school_year - 1, rep.school_year),
        before ? std::optional<int64_t>(before->X()) : std::nullopt);
  std::optional<int64_t> own_target;
  for (const followup::RegionTarget& t : programme->targets) {
    if (t.year == o.year) own_target = t.max_new_vsv;
  }
  f.Add("count.region_target", "5", "Streefwaarde regio (maximaal aantal nieuwe vsv'ers)",
        "Regional target (maximum new early leavers)", own_target);
  f.Add("count.national_new_vsv", "5", "Nieuwe vsv'ers landelijk " + sy, "New early leavers nationally " + sy,
        nat ? std::optional<int64_t>(nat->X()) : std::nullopt);
  f.Add("count.national_pct", "5", "Vsv-percentage landelijk " + sy, "Early-leaving percentage nationally " + sy,
        nat ? nat->PercentHundredths() : std::nullopt, FigureKind::kPercentHundredths);
  f.Add("count.national_target", "5", "Landelijke streefwaarde (maximaal aantal nieuwe vsv'ers)",
        "National target (maximum new early leavers)", reference.TargetFor(o.year));

  // 3A - 3D and the mbo-verklaring: the register's own queries.
  f.Add("3a.first_approached", "3A", "Jongeren voor het eerst benaderd", "Young people approached for the first time",
        reg->first_approached);
  f.Add("3a.intakes", "3A", "Intakes", "Intakes", reg->intakes);
  for (size_t i = 0; i < 3; ++i) {
    f.Add(fmt::format("3a.weeks_to_first_contact.{}", kWeeks[i]), "3A",
          fmt::format("Tijd van lijst tot eerste contact: {}", kWeeksNl[i]),
          fmt::format("Time from the list to the first contact: {}", kWeeksEn[i]), reg->weeks_to_first_contact[i]);
  }
  f.Add("3a.trajectories_started", "3A", "Trajecten gestart", "Trajectories started", reg->trajectories_started);
  f.Add("3b.trajectories_ended", "3B", "Trajecten beëindigd", "Trajectories ended", reg->trajectories_ended);
  for (int d = 0; d < followup::kDestinationCount; ++d) {
    const auto dest = static_cast<Destination>(d);
    f.Add(fmt::format("3b.destination.{}", followup::DestinationName(dest)), "3B",
          "Bestemming: " + std::string(followup::DestinationLabelNl(dest)),
          "Destination: " + std::string(followup::DestinationLabelEn(dest)),
          reg->destinations[static_cast<size_t>(d)]);
  }
  for (size_t b = 0; b < 4; ++b) {
    f.Add(fmt::format("3d.new.{}", kYearsOut[b]), "3D", fmt::format("Oud-vsv'ers {} jaar uit onderwijs: nieuw in beeld", kYearsOut[b]),
          fmt::format("Earlier leavers {} years out of education: new in view", kYearsOut[b]), reg->oud_vsv_new[b]);
    f.Add(fmt::format("3d.in_guidance.{}", kYearsOut[b]), "3D",
          fmt::format("Oud-vsv'ers {} jaar uit onderwijs: in begeleiding op 31 juli", kYearsOut[b]),
          fmt::format("Earlier leavers {} years out of education: in guidance on 31 July", kYearsOut[b]),
          reg->oud_vsv_in_guidance[b]);
    f.Add(fmt::format("3d.ended.{}", kYearsOut[b]), "3D",
          fmt::format("Oud-vsv'ers {} jaar uit onderwijs: traject beëindigd", kYearsOut[b]),
          fmt::format("Earlier leavers {} years out of education: trajectory ended", kYearsOut[b]), reg->oud_vsv_ended[b]);
  }
  f.Add("mbo.leavers", "mbo-verklaring", "Nieuwe uitvallers in het register", "New leavers on the register",
        reg->leavers);
  f.Add("mbo.with_verklaring", "mbo-verklaring", "Waarvan met mbo-verklaring", "Of whom with an mbo-verklaring",
        reg->leavers_with_mbo_verklaring);

  // 4: per topic and measure, the year's budget, spending by category, participants.
  for (const followup::TopicProgramme& t : programme->topics) {
    for (const followup::Measure& m : t.measures) {
      const std::string k = fmt::format("measure.{}", m.id);
      const std::string nl = fmt::format("{} ({})", m.m.title, followup::TopicName(t.topic));
      followup::MeasureYear y;
      for (const followup::MeasureYear& my : m.years) {
        if (my.year == o.year) y = my;
      }
      f.Add(k + ".budget", "4", nl + ": begroot", m.m.title + ": budget", y.budget, FigureKind::kEuros);
      for (int c = 0; c < followup::kSpendingCategoryCount; ++c) {
        if (y.spent[static_cast<size_t>(c)] == 0) continue;
        f.Add(fmt::format("{}.spent.{}", k, static_cast<char>('A' + c)), "4",
              fmt::format("{}: besteed {}", nl, followup::SpendingLabelNl(c)),
              fmt::format("{}: spent {}", m.m.title, followup::SpendingLabelEn(c)), y.spent[static_cast<size_t>(c)],
              FigureKind::kEuros);
      }
      f.Add(k + ".spent", "4", nl + ": besteed totaal", m.m.title + ": spent in total", y.spent_total,
            FigureKind::kEuros);
      f.Add(k + ".planned_participants", "4", nl + ": verwachte deelnemers", m.m.title + ": expected participants",
            m.m.planned_participants);
      f.Add(k + ".participants", "4", nl + ": deelnemers (gekoppelde dossiers)",
            m.m.title + ": participants (linked cases)", y.participants);
      f.Add(k + ".expected_prevented", "4", nl + ": verwacht voorkomen vsv'ers", m.m.title + ": expected vsv prevented",
            m.m.expected_prevented);
    }
  }
  rep.missing_topics = programme->missing_topics;
  rep.texts.assign(reg->texts.begin(), reg->texts.end());
  rep.empty_texts = reg->empty_texts;
  return rep;
}

nlohmann::ordered_json ProgrammeJson(const followup::Programme& p) {
  nlohmann::ordered_json topics = nlohmann::ordered_json::array();
  for (const followup::TopicProgramme& t : p.topics) {
    nlohmann::ordered_json agreements = nlohmann::ordered_json::array(), measures = nlohmann::ordered_json::array();
    for (const followup::Agreement& a : t.agreements) {
      agreements.push_back({{"id", a.id}, {"text", a.text}, {"author", a.author}});
    }
    for (const followup::Measure& m : t.measures) measures.push_back(MeasureJson(m));
    topics.push_back({{"topic", followup::TopicName(t.topic)},
                      {"label_nl", followup::TopicLabelNl(t.topic)},
                      {"label_en", followup::TopicLabelEn(t.topic)},
                      {"missing", t.missing},
                      {"agreements", agreements},
                      {"measures", measures}});
  }
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const followup::RegionTarget& t : p.targets) targets.push_back({{"year", t.year}, {"max_new_vsv", t.max_new_vsv}});
  return {{"region", fmt::format("{:02d}", p.region)},
          {"targets", targets},
          {"missing_topics", p.missing_topics},
          {"topics", topics}};
}

nlohmann::ordered_json EffectReportJson(const EffectReport& r) {
  nlohmann::ordered_json j;
  j["region"] = fmt::format("{:02d}", r.region);
  j["region_name"] = r.region_name;
  j["year"] = r.year;
  j["school_year"] = fmt::format("{}-{}", r.school_year, r.school_year + 1);
  nlohmann::ordered_json figs = nlohmann::ordered_json::array();
  for (const EffectFigure& f : r.figures) {
    figs.push_back({{"key", f.key},
                    {"section", f.section},
                    {"label_nl", f.label_nl},
                    {"label_en", f.label_en},
                    {"value", f.value ? nlohmann::ordered_json(*f.value) : nlohmann::ordered_json(nullptr)},
                    {"text", FigureText(f)}});
  }
  j["figures"] = std::move(figs);
  j["missing_topics"] = r.missing_topics;
  nlohmann::ordered_json texts = nlohmann::ordered_json::object();
  for (const followup::ReportText& t : r.texts) texts[std::string(followup::ReportTextName(t.section))] = t.text;
  j["texts"] = std::move(texts);
  j["empty_texts"] = r.empty_texts;
  return j;
}

Result<std::string> EffectReportXlsx(const EffectReport& r, bool en) {
  DataTable t;
  t.title = fmt::format("effectrapportage-{:02d}-{}", r.region, r.year);
  t.columns = {{en ? "Section" : "Onderdeel", ColumnKind::kText},
               {en ? "Key" : "Sleutel", ColumnKind::kText},
               {en ? "Figure" : "Gegeven", ColumnKind::kText},
               {en ? "Value" : "Waarde", ColumnKind::kInteger}};
  for (const EffectFigure& f : r.figures) {
    t.rows.push_back({f.section, f.key, en ? f.label_en : f.label_nl,
                      f.value ? TableCell(*f.value) : TableCell(std::string("–"))});
  }
  t.notes.push_back(fmt::format("{} {:02d} {}, {} {}", en ? "Effect report region" : "Effectrapportage regio", r.region,
                                r.region_name, en ? "year" : "jaar", r.year));
  t.notes.push_back(en ? "Count: the official count (vsv measure), school year "
                       : "Telling: de officiële telling (vsv measure), schooljaar ");
  t.notes.back() += fmt::format("{}-{}", r.school_year, r.school_year + 1);
  for (const std::string& m : r.missing_topics) {
    t.notes.push_back((en ? "Programme topic without an agreement: " : "Programmathema zonder afspraak: ") + m);
  }
  for (const followup::ReportText& x : r.texts) {
    const std::string label(en ? followup::ReportTextLabelEn(x.section) : followup::ReportTextLabelNl(x.section));
    t.notes.push_back(label + ": " + (x.text.empty() ? (en ? "(still empty)" : "(nog leeg)") : x.text));
  }
  return TableXlsx(t);
}

}  // namespace vsv
