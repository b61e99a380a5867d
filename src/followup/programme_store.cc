// CaseStore: the regional programme (agreements, measures, budgets, spending), cases
// linked to measures, trajectory destinations, the effect report's texts and its
// register figures (programme.h). Schema: migration 2.
#include "followup/sql_case_store.h"

namespace vsv::followup {

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

namespace {

constexpr size_t kMaxShort = 200;
constexpr size_t kMaxLong = 4000;
constexpr size_t kMaxText = 20000;
constexpr int64_t kMaxEuros = 10'000'000'000;  // ten billion: more is a typing error

StoreResult<void> Invalid(const Status& s) {
  if (!s) return Fail(Errc::kInvalid, s.error().message);
  return {};
}

StoreResult<void> CheckRegion(int region) {
  if (region < 1 || region > 99) return Fail(Errc::kInvalid, fmt::format("region {} is not 1-99", region));
  return {};
}

StoreResult<void> CheckYear(int year) {
  if (year < kMinProgrammeYear || year > kMaxProgrammeYear) {
    return Fail(Errc::kInvalid, fmt::format("year {} is not {}-{}", year, kMinProgrammeYear, kMaxProgrammeYear));
  }
  return {};
}

StoreResult<void> CheckEuros(std::string_view field, int64_t euros) {
  if (euros < 0 || euros > kMaxEuros) {
    return Fail(Errc::kInvalid, fmt::format("{} {} is not 0-{} euros", field, euros, kMaxEuros));
  }
  return {};
}

int YearOf(Date d) { return ToYearMonthDay(d).year; }

std::string CategoryName(int c) { return std::string(1, static_cast<char>('A' + c)); }

}  // namespace

StoreResult<void> SqlCaseStore::CheckMeasure(const NewMeasure& m) {
  VSV_TRY(region, CheckRegion(m.region));
  VSV_TRY(t1, Invalid(CheckText("title", m.title, kMaxShort, true)));
  VSV_TRY(t2, Invalid(CheckText("target_group", m.target_group, kMaxLong, true)));
  VSV_TRY(t3, Invalid(CheckText("activities", m.activities, kMaxLong, true)));
  VSV_TRY(t4, Invalid(CheckText("partners", m.partners, kMaxLong, true)));
  VSV_TRY(t5, Invalid(CheckText("expected_effect", m.expected_effect, kMaxLong, true)));
  if (m.planned_participants < 0 || m.planned_participants > 1'000'000) {
    return Fail(Errc::kInvalid, fmt::format("planned_participants {} is not 0-1000000", m.planned_participants));
  }
  if (m.expected_prevented < 0 || m.expected_prevented > 1'000'000) {
    return Fail(Errc::kInvalid, fmt::format("expected_prevented {} is not 0-1000000", m.expected_prevented));
  }
  std::set<int> years;
  for (const YearAmount& b : m.budget) {
    VSV_TRY(y, CheckYear(b.year));
    VSV_TRY(e, CheckEuros(fmt::format("budget {}", b.year), b.euros));
    if (!years.insert(b.year).second) return Fail(Errc::kInvalid, fmt::format("budget year {} is given twice", b.year));
  }
  return {};
}

StoreResult<std::vector<Measure>> SqlCaseStore::LoadMeasures(SqlConnection& c, int region,
                                                              std::optional<int64_t> only) {
  std::vector<SqlValue> params{int64_t{region}};
  std::string where = "WHERE m.region = $1";
  if (only) {
    params.push_back(*only);
    where += " AND m.id = $2";
  }
  VSV_TRY_SQL(rows, c.Exec("SELECT m.id, m.region, m.topic, m.title, m.target_group, m.activities, m.partners, "
                           "m.planned_participants, m.expected_effect, m.expected_prevented FROM programme_measures m " +
                               where + " ORDER BY m.topic, m.id",
                           params));
  std::vector<Measure> out;
  std::map<int64_t, size_t> index;
  for (const SqlRow& r : rows->rows) {
    Measure m;
    m.id = r.Int(0);
    m.m.region = static_cast<int>(r.Int(1));
    m.m.topic = ParseTopic(r.Text(2)).value_or(ProgrammeTopic::kMboVerklaring);
    m.m.title = r.Text(3);
    m.m.target_group = r.Text(4);
    m.m.activities = r.Text(5);
    m.m.partners = r.Text(6);
    m.m.planned_participants = static_cast<int>(r.Int(7));
    m.m.expected_effect = r.Text(8);
    m.m.expected_prevented = static_cast<int>(r.Int(9));
    index[m.id] = out.size();
    out.push_back(std::move(m));
  }
  std::map<std::pair<int64_t, int>, MeasureYear> years;
  auto year_of = [&](int64_t id, int year) -> MeasureYear& {
    MeasureYear& y = years[{id, year}];
    y.year = year;
    return y;
  };
  const std::string join = " JOIN programme_measures m ON m.id = x.measure_id " + where;
  VSV_TRY_SQL(budget, c.Exec("SELECT x.measure_id, x.year, x.euros FROM programme_budget x" + join, params));
  for (const SqlRow& r : budget->rows) {
    year_of(r.Int(0), static_cast<int>(r.Int(1))).budget = r.Int(2);
    if (index.count(r.Int(0))) out[index[r.Int(0)]].m.budget.push_back({static_cast<int>(r.Int(1)), r.Int(2)});
  }
  VSV_TRY_SQL(spent, c.Exec("SELECT x.measure_id, x.year, x.category, x.euros FROM programme_spending x" + join, params));
  for (const SqlRow& r : spent->rows) {
    auto cat = ParseSpendingCategory(r.Text(2));
    if (!cat) continue;
    MeasureYear& y = year_of(r.Int(0), static_cast<int>(r.Int(1)));
    y.spent[static_cast<size_t>(*cat)] += r.Int(3);
    y.spent_total += r.Int(3);
  }
  // Participation is counted: the cases linked to the measure, by the year of the link.
  VSV_TRY_SQL(links, c.Exec("SELECT x.measure_id, x.linked_on FROM case_measures x" + join, params));
  for (const SqlRow& r : links->rows) ++year_of(r.Int(0), YearOf(static_cast<Date>(r.Int(1)))).participants;
  for (auto& [key, y] : years) {
    if (index.count(key.first)) out[index[key.first]].years.push_back(y);
  }
  for (Measure& m : out) {
    std::sort(m.m.budget.begin(), m.m.budget.end(), [](auto& a, auto& b) { return a.year < b.year; });
  }
  return out;
}

StoreResult<Programme> SqlCaseStore::GetProgramme(const Context& ctx, int region) {
  if (!Authorize(ctx.user, Action::kReadProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kReadProgramme, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginRead(); !r) return FailSql(r.error());
  Programme p;
  p.region = region;
  for (int t = 0; t < kProgrammeTopicCount; ++t) p.topics[static_cast<size_t>(t)].topic = static_cast<ProgrammeTopic>(t);
  VSV_TRY_SQL(rows, c.Exec("SELECT id, topic, text, author_name, updated_at FROM programme_agreements "
                           "WHERE region = $1 ORDER BY id",
                           {int64_t{region}}));
  for (const SqlRow& r : rows->rows) {
    Agreement a;
    a.id = r.Int(0);
    a.region = region;
    a.topic = ParseTopic(r.Text(1)).value_or(ProgrammeTopic::kMboVerklaring);
    a.text = r.Text(2);
    a.author = r.Text(3);
    a.updated_at = r.Int(4);
    p.topics[static_cast<size_t>(a.topic)].agreements.push_back(std::move(a));
  }
  VSV_TRY_SQL(targets, c.Exec("SELECT year, max_new_vsv FROM programme_targets WHERE region = $1 ORDER BY year",
                              {int64_t{region}}));
  for (const SqlRow& r : targets->rows) p.targets.push_back({static_cast<int>(r.Int(0)), r.Int(1)});
  VSV_TRY(measures, LoadMeasures(c, region, std::nullopt));
  for (Measure& m : *measures) p.topics[static_cast<size_t>(m.m.topic)].measures.push_back(std::move(m));
  for (TopicProgramme& t : p.topics) {
    t.missing = t.agreements.empty();
    if (t.missing) p.missing_topics.emplace_back(TopicName(t.topic));
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return p;
}

StoreResult<Agreement> SqlCaseStore::AddAgreement(const Context& ctx, int region, ProgrammeTopic topic,
                                                  const std::string& text) {
  VSV_TRY(reg, CheckRegion(region));
  VSV_TRY(txt, Invalid(CheckText("text", text, kMaxText, true)));
  if (!Authorize(ctx.user, Action::kWriteProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kWriteProgramme, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO programme_agreements (region, topic, text, author_name, updated_at) "
                          "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                          {int64_t{region}, std::string(TopicName(topic)), text, ctx.user.name, Now()}));
  Agreement a{ins->rows.at(0).Int(0), region, topic, text, ctx.user.name, Now()};
  if (auto r = Audit(c, ctx, "programme:add-agreement", "", std::nullopt, region,
                     fmt::format("agreement {} on {}", a.id, TopicName(topic)));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return a;
}

StoreResult<Measure> SqlCaseStore::AddMeasure(const Context& ctx, const NewMeasure& m) {
  VSV_TRY(valid, CheckMeasure(m));
  if (!Authorize(ctx.user, Action::kWriteProgramme, Resource{m.region, std::nullopt})) {
    return Deny(ctx, Action::kWriteProgramme, "", std::nullopt, m.region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(dup, c.Exec("SELECT id FROM programme_measures WHERE region = $1 AND title = $2",
                          {int64_t{m.region}, m.title}));
  if (!dup->rows.empty()) {
    return Fail(Errc::kConflict, fmt::format("region {:02d} already has a measure titled '{}' (id {})", m.region,
                                             m.title, dup->rows[0].Int(0)));
  }
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO programme_measures (region, topic, title, target_group, activities, partners, "
                          "planned_participants, expected_effect, expected_prevented, author_name, updated_at) "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                          {int64_t{m.region}, std::string(TopicName(m.topic)), m.title, m.target_group, m.activities,
                           m.partners, int64_t{m.planned_participants}, m.expected_effect,
                           int64_t{m.expected_prevented}, ctx.user.name, Now()}));
  const int64_t id = ins->rows.at(0).Int(0);
  for (const YearAmount& b : m.budget) {
    VSV_TRY_SQL(r, c.Exec("INSERT INTO programme_budget (measure_id, year, euros) VALUES ($1, $2, $3)",
                          {id, int64_t{b.year}, b.euros}));
  }
  if (auto r = Audit(c, ctx, "programme:add-measure", "", std::nullopt, m.region,
                     fmt::format("measure {} '{}' on {}", id, m.title, TopicName(m.topic)));
      !r) {
    return FailSql(r.error());
  }
  VSV_TRY(loaded, LoadMeasures(c, m.region, id));
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return loaded->at(0);
}

StoreResult<Measure> SqlCaseStore::SetSpending(const Context& ctx, int64_t measure_id, int year, int category,
                                               int64_t euros) {
  VSV_TRY(y, CheckYear(year));
  if (category < 0 || category >= kSpendingCategoryCount) {
    return Fail(Errc::kInvalid, fmt::format("spending category {} is not A-H", category));
  }
  VSV_TRY(e, CheckEuros("spent", euros));
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(m, c.Exec("SELECT region FROM programme_measures WHERE id = $1", {measure_id}));
  if (m->rows.empty()) return Fail(Errc::kNotFound, fmt::format("measure {} does not exist", measure_id));
  const int region = static_cast<int>(m->rows[0].Int(0));
  if (!Authorize(ctx.user, Action::kWriteProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kWriteProgramme, "", std::nullopt, region, &c);
  }
  VSV_TRY_SQL(del, c.Exec("DELETE FROM programme_spending WHERE measure_id = $1 AND year = $2 AND category = $3",
                          {measure_id, int64_t{year}, CategoryName(category)}));
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO programme_spending (measure_id, year, category, euros, author_name, updated_at) "
                          "VALUES ($1, $2, $3, $4, $5, $6)",
                          {measure_id, int64_t{year}, CategoryName(category), euros, ctx.user.name, Now()}));
  if (auto r = Audit(c, ctx, "programme:set-spending", "", std::nullopt, region,
                     fmt::format("measure {} {} {}: {} euros", measure_id, year, CategoryName(category), euros));
      !r) {
    return FailSql(r.error());
  }
  VSV_TRY(loaded, LoadMeasures(c, region, measure_id));
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return loaded->at(0);
}

StoreResult<Case> SqlCaseStore::LoadCaseForWrite(const Context& ctx, SqlConnection& c, int64_t case_id) {
  if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
  VSV_TRY(loaded, LoadCase(c, case_id));
  if (!*loaded) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", case_id));
  const Case cs = **loaded;
  if (!Authorize(ctx.user, Action::kWriteCase, ResourceOf(cs))) {
    return Deny(ctx, Action::kWriteCase, cs.person.person_id, cs.id, cs.region, &c);
  }
  return cs;
}

StoreResult<void> SqlCaseStore::LinkCaseToMeasure(const Context& ctx, int64_t case_id, int64_t measure_id, Date on) {
  if (on == kNoDate) return Fail(Errc::kInvalid, "a link needs the date from which the young person takes part");
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY(cs, LoadCaseForWrite(ctx, c, case_id));
  VSV_TRY_SQL(m, c.Exec("SELECT region, title FROM programme_measures WHERE id = $1", {measure_id}));
  if (m->rows.empty()) return Fail(Errc::kNotFound, fmt::format("measure {} does not exist", measure_id));
  if (m->rows[0].Int(0) != cs->region) {
    return Fail(Errc::kInvalid, fmt::format("measure {} belongs to region {:02d}, case {} to region {:02d}",
                                            measure_id, m->rows[0].Int(0), case_id, cs->region));
  }
  VSV_TRY_SQL(dup, c.Exec("SELECT 1 FROM case_measures WHERE case_id = $1 AND measure_id = $2", {case_id, measure_id}));
  if (!dup->rows.empty()) {
    return Fail(Errc::kConflict, fmt::format("case {} is already linked to measure {}", case_id, measure_id));
  }
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO case_measures (case_id, measure_id, linked_on, author_name) "
                          "VALUES ($1, $2, $3, $4)",
                          {case_id, measure_id, int64_t{on}, ctx.user.name}));
  const std::string detail = fmt::format("measure {} '{}' from {}", measure_id, m->rows[0].Text(1), FormatDate(on));
  if (auto r = History(c, *cs, cs->region, ctx.user.name, "measure", "", std::to_string(measure_id), detail); !r) {
    return FailSql(r.error());
  }
  if (auto r = Audit(c, ctx, "programme:link-case", cs->person.person_id, case_id, cs->region, detail); !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return {};
}

StoreResult<void> SqlCaseStore::SetCaseDestination(const Context& ctx, int64_t case_id, Destination destination,
                                                   Date ended_on) {
  if (ended_on == kNoDate) return Fail(Errc::kInvalid, "a destination needs the date the trajectory ended");
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY(cs, LoadCaseForWrite(ctx, c, case_id));
  if (ended_on < cs->opened_on) {
    return Fail(Errc::kInvalid, fmt::format("ended_on {} lies before the case was opened ({})", FormatDate(ended_on),
                                            FormatDate(cs->opened_on)));
  }
  VSV_TRY_SQL(old, c.Exec("SELECT destination FROM case_destinations WHERE case_id = $1", {case_id}));
  const std::string before = old->rows.empty() ? "" : old->rows[0].Text(0);
  VSV_TRY_SQL(del, c.Exec("DELETE FROM case_destinations WHERE case_id = $1", {case_id}));
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO case_destinations (case_id, destination, ended_on, author_name, updated_at) "
                          "VALUES ($1, $2, $3, $4, $5)",
                          {case_id, std::string(DestinationName(destination)), int64_t{ended_on}, ctx.user.name,
                           Now()}));
  const std::string detail = fmt::format("ended {}", FormatDate(ended_on));
  if (auto r = History(c, *cs, cs->region, ctx.user.name, "destination", before,
                       std::string(DestinationName(destination)), detail);
      !r) {
    return FailSql(r.error());
  }
  if (auto r = Audit(c, ctx, "programme:set-destination", cs->person.person_id, case_id, cs->region,
                     fmt::format("{} {}", DestinationName(destination), detail));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return {};
}

StoreResult<ReportText> SqlCaseStore::SetReportText(const Context& ctx, int region, int year, int section,
                                                    const std::string& text) {
  VSV_TRY(reg, CheckRegion(region));
  VSV_TRY(y, CheckYear(year));
  if (section < 0 || section >= kReportTextCount) {
    return Fail(Errc::kInvalid, fmt::format("report text section {} does not exist", section));
  }
  VSV_TRY(txt, Invalid(CheckText(ReportTextName(section), text, kMaxText, false)));
  if (!Authorize(ctx.user, Action::kWriteProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kWriteProgramme, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  const std::string name(ReportTextName(section));
  VSV_TRY_SQL(del, c.Exec("DELETE FROM report_texts WHERE region = $1 AND year = $2 AND section = $3",
                          {int64_t{region}, int64_t{year}, name}));
  if (!text.empty()) {
    VSV_TRY_SQL(ins, c.Exec("INSERT INTO report_texts (region, year, section, text, author_name, updated_at) "
                            "VALUES ($1, $2, $3, $4, $5, $6)",
                            {int64_t{region}, int64_t{year}, name, text, ctx.user.name, Now()}));
  }
  if (auto r = Audit(c, ctx, "programme:set-text", "", std::nullopt, region,
                     fmt::format("{} {}: {} characters", year, name, text.size()));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return ReportText{section, text, text.empty() ? "" : ctx.user.name, text.empty() ? 0 : Now()};
}

StoreResult<RegionTarget> SqlCaseStore::SetRegionTarget(const Context& ctx, int region, int year,
                                                         int64_t max_new_vsv) {
  VSV_TRY(reg, CheckRegion(region));
  VSV_TRY(y, CheckYear(year));
  if (max_new_vsv < 0 || max_new_vsv > 1'000'000) {
    return Fail(Errc::kInvalid, fmt::format("max_new_vsv {} is not 0-1000000", max_new_vsv));
  }
  if (!Authorize(ctx.user, Action::kWriteProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kWriteProgramme, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(del, c.Exec("DELETE FROM programme_targets WHERE region = $1 AND year = $2",
                          {int64_t{region}, int64_t{year}}));
  VSV_TRY_SQL(ins, c.Exec("INSERT INTO programme_targets (region, year, max_new_vsv, author_name, updated_at) "
                          "VALUES ($1, $2, $3, $4, $5)",
                          {int64_t{region}, int64_t{year}, max_new_vsv, ctx.user.name, Now()}));
  if (auto r = Audit(c, ctx, "programme:set-target", "", std::nullopt, region,
                     fmt::format("{}: at most {} new vsv'ers", year, max_new_vsv));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return RegionTarget{year, max_new_vsv};
}

StoreResult<EffectRegisterFigures> SqlCaseStore::EffectFigures(const Context& ctx, int region, int year) {
  VSV_TRY(reg, CheckRegion(region));
  VSV_TRY(y, CheckYear(year));
  if (!Authorize(ctx.user, Action::kReadProgramme, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kReadProgramme, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginRead(); !r) return FailSql(r.error());
  EffectRegisterFigures f;
  f.region = region;
  f.year = year;
  const int64_t first = MakeDate(year, 1, 1), last = MakeDate(year, 12, 31);
  auto in_year = [&](int64_t d) { return d >= first && d <= last; };
  // 3A: the first contact of each case, and the first face-to-face one.
  VSV_TRY_SQL(fc, c.Exec("SELECT c.id, c.opened_on, MIN(ct.contact_date) FROM cases c JOIN contacts ct "
                         "ON ct.case_id = c.id WHERE c.region = $1 GROUP BY c.id, c.opened_on",
                         {int64_t{region}}));
  for (const SqlRow& r : fc->rows) {
    const int64_t d = r.Int(2);
    if (!in_year(d)) continue;
    ++f.first_approached;
    const int64_t days = d - r.Int(1);
    ++f.weeks_to_first_contact[days < 28 ? 0 : days <= 42 ? 1 : 2];
  }
  VSV_TRY_SQL(in, c.Exec("SELECT c.id, MIN(ct.contact_date) FROM cases c JOIN contacts ct ON ct.case_id = c.id "
                         "WHERE c.region = $1 AND ct.channel IN ('visit', 'meeting') GROUP BY c.id",
                         {int64_t{region}}));
  for (const SqlRow& r : in->rows) f.intakes += in_year(r.Int(1)) ? 1 : 0;
  VSV_TRY_SQL(ts, c.Exec("SELECT COUNT(*) FROM case_history WHERE region = $1 AND event = 'status' "
                         "AND new_value = 'in-trajectory' AND on_date BETWEEN $2 AND $3",
                         {int64_t{region}, first, last}));
  f.trajectories_started = ts->rows.at(0).Int(0);
  // 3B/3C and 3D: one row per case of the region with its recorded destination.
  VSV_TRY_SQL(cs, c.Exec("SELECT c.kind, c.opened_on, c.closed_on, c.left_on, c.mbo_verklaring, d.destination, "
                         "d.ended_on FROM cases c LEFT JOIN case_destinations d ON d.case_id = c.id "
                         "WHERE c.region = $1",
                         {int64_t{region}}));
  const Date july31 = MakeDate(year, 7, 31);
  for (const SqlRow& r : cs->rows) {
    const bool oud = r.Text(0) == "oud-vsv";
    const Date opened = DateAt(r, 1), closed = DateAt(r, 2), left = DateAt(r, 3);
    const bool ended = !r.IsNull(6) && in_year(r.Int(6));
    if (ended) {
      ++f.trajectories_ended;
      if (auto d = ParseDestination(r.Text(5))) ++f.destinations[static_cast<size_t>(*d)];
    }
    if (oud) {
      int years_out = left == kNoDate ? 4 : static_cast<int>((july31 - left) / 365.25);
      const size_t b = static_cast<size_t>(std::clamp(years_out - 1, 0, 3));
      if (in_year(opened)) ++f.oud_vsv_new[b];
      if (opened <= july31 && (closed == kNoDate || closed > july31)) ++f.oud_vsv_in_guidance[b];
      if (ended) ++f.oud_vsv_ended[b];
    } else if (in_year(opened)) {
      ++f.leavers;
      f.leavers_with_mbo_verklaring += r.Int(4) != 0 ? 1 : 0;
    }
  }
  for (int s = 0; s < kReportTextCount; ++s) f.texts[static_cast<size_t>(s)].section = s;
  VSV_TRY_SQL(tx_rows, c.Exec("SELECT section, text, author_name, updated_at FROM report_texts "
                              "WHERE region = $1 AND year = $2",
                              {int64_t{region}, int64_t{year}}));
  for (const SqlRow& r : tx_rows->rows) {
    auto s = ParseReportText(r.Text(0));
    if (!s) continue;
    f.texts[static_cast<size_t>(*s)] = ReportText{*s, r.Text(1), r.Text(2), r.Int(3)};
  }
  for (const ReportText& t : f.texts) {
    if (t.text.empty()) f.empty_texts.emplace_back(ReportTextName(t.section));
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return f;
}

}  // namespace vsv::followup
