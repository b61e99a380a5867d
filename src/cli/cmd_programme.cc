// vsv programme: the region's programme in the register (topics, agreements,
// measures, spending, the region's target, the effect report's texts), and
// vsv effect-report: the effect report generated from the count and the register.
// The command line acts as the administrator (followup::CommandLineUser).
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "effect/effect_report.h"
#include "followup/store.h"

namespace vsv::cli {

namespace {

using followup::CaseStore;

struct ProgrammeOptions {
  std::string db;
  int region = 0;
  int year = 0;
  std::string topic, text, format = "table", category, section;
  followup::NewMeasure m;
  std::vector<std::string> budget;
  int64_t measure = 0;
  int64_t euros = -1;
  int64_t max_new_vsv = -1;
};

followup::Context Ctx() { return {followup::CommandLineUser(), "regionaal programma"}; }

Result<std::unique_ptr<CaseStore>> OpenStore(const std::string& db) {
  auto s = CaseStore::Open(db);
  if (!s) return tl::unexpected(followup::ToError(s.error()));
  return std::move(*s);
}

int RunShow(const ProgrammeOptions& o) {
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto p = (*store)->GetProgramme(Ctx(), o.region);
  if (!p) return Fail(followup::ToError(p.error()));
  if (o.format == "json") {
    fmt::print("{}\n", ProgrammeJson(*p).dump(2));
    return 0;
  }
  fmt::print("Regionaal programma regio {:02d}\n", p->region);
  for (const followup::TopicProgramme& t : p->topics) {
    fmt::print("\n{} [{}]{}\n", followup::TopicLabelNl(t.topic), followup::TopicName(t.topic),
               t.missing ? "  — ONTBREEKT: nog geen afspraak" : "");
    for (const followup::Agreement& a : t.agreements) fmt::print("  afspraak {}: {}\n", a.id, a.text);
    for (const followup::Measure& m : t.measures) {
      fmt::print("  maatregel {}: {} (doelgroep: {}; partners: {}; verwacht {} deelnemers, {} vsv voorkomen)\n", m.id,
                 m.m.title, m.m.target_group, m.m.partners, m.m.planned_participants, m.m.expected_prevented);
      for (const followup::MeasureYear& y : m.years) {
        fmt::print("    {}: begroot {} besteed {} deelnemers {}\n", y.year, y.budget, y.spent_total, y.participants);
      }
    }
  }
  return 0;
}

int RunAgreement(const ProgrammeOptions& o) {
  auto topic = followup::ParseTopic(o.topic);
  if (!topic) return Fail(topic.error());
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto a = (*store)->AddAgreement(Ctx(), o.region, *topic, o.text);
  if (!a) return Fail(followup::ToError(a.error()));
  fmt::print("agreement {} on {} recorded for region {:02d}\n", a->id, o.topic, o.region);
  return 0;
}

int RunMeasure(const ProgrammeOptions& o) {
  auto topic = followup::ParseTopic(o.topic);
  if (!topic) return Fail(topic.error());
  followup::NewMeasure m = o.m;
  m.region = o.region;
  m.topic = *topic;
  for (const std::string& b : o.budget) {
    const size_t eq = b.find('=');
    int year = 0;
    long long euros = 0;
    char tail = 0;
    if (eq == std::string::npos || std::sscanf(b.substr(0, eq).c_str(), "%d%c", &year, &tail) != 1 ||
        std::sscanf(b.substr(eq + 1).c_str(), "%lld%c", &euros, &tail) != 1) {
      return Fail(Error{fmt::format("--budget '{}': expected YEAR=EUROS, e.g. 2026=12000", b)});
    }
    m.budget.push_back({year, euros});
  }
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto r = (*store)->AddMeasure(Ctx(), m);
  if (!r) return Fail(followup::ToError(r.error()));
  fmt::print("measure {} '{}' recorded for region {:02d}\n", r->id, r->m.title, o.region);
  return 0;
}

int RunSpend(const ProgrammeOptions& o) {
  auto cat = followup::ParseSpendingCategory(o.category);
  if (!cat) return Fail(cat.error());
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto r = (*store)->SetSpending(Ctx(), o.measure, o.year, *cat, o.euros);
  if (!r) return Fail(followup::ToError(r.error()));
  fmt::print("measure {}: {} {} euros in {}\n", o.measure, o.category, o.euros, o.year);
  return 0;
}

int RunTarget(const ProgrammeOptions& o) {
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto r = (*store)->SetRegionTarget(Ctx(), o.region, o.year, o.max_new_vsv);
  if (!r) return Fail(followup::ToError(r.error()));
  fmt::print("region {:02d} {}: at most {} new vsv'ers\n", o.region, o.year, o.max_new_vsv);
  return 0;
}

int RunText(const ProgrammeOptions& o) {
  auto section = followup::ParseReportText(o.section);
  if (!section) return Fail(section.error());
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto r = (*store)->SetReportText(Ctx(), o.region, o.year, *section, o.text);
  if (!r) return Fail(followup::ToError(r.error()));
  fmt::print("region {:02d} {}: {} {}\n", o.region, o.year, o.section, o.text.empty() ? "emptied" : "saved");
  return 0;
}

struct EffectCmdOptions {
  InputOptions input;
  std::string db;
  int region = 0;
  int year = 0;
  std::string format = "pdf";
  std::string lang = "nl";
  std::string out;
};

int RunEffectReport(const EffectCmdOptions& o) {
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  auto rep = BuildEffectReport((*input)->registry, (*input)->reference, cache, **store,
                               {followup::CommandLineUser(), "effectrapportage"}, {o.region, o.year});
  if (!rep) return Fail(rep.error());
  const bool en = o.lang == "en";
  std::string bytes;
  if (o.format == "json") {
    bytes = EffectReportJson(*rep).dump(2) + "\n";
  } else {
    auto b = o.format == "xlsx" ? EffectReportXlsx(*rep, en) : EffectReportPdf(*rep, en);
    if (!b) return Fail(b.error());
    bytes = std::move(*b);
  }
  std::string out = o.out;
  if (out.empty() && o.format != "json") out = fmt::format("effectrapportage-{:02d}-{}.{}", o.region, o.year, o.format);
  if (out.empty() || out == "-") {
    std::cout << bytes;
    return 0;
  }
  std::ofstream f(out, std::ios::binary);
  f << bytes;
  f.close();
  if (!f) return Fail(Error{fmt::format("{}: cannot be written", out)});
  if (!o.input.quiet) fmt::print(stderr, "effect report written to {}\n", out);
  return 0;
}

}  // namespace

void AddProgrammeCommand(CLI::App& app) {
  auto o = std::make_shared<ProgrammeOptions>();
  CLI::App* prog = app.add_subcommand("programme", "the region's programme in the register (Van school naar duurzaam werk)");
  prog->require_subcommand(1);
  auto db = [&](CLI::App* c) { c->add_option("--db", o->db, "register: SQLite file or postgresql://…")->required(); };
  auto region = [&](CLI::App* c) {
    c->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  };
  const std::string topics = "mbo-verklaring, support, vo-mbo, up-to-27, work-without-sk";

  CLI::App* show = prog->add_subcommand("show", "the programme per topic; topics without an agreement are marked");
  db(show);
  region(show);
  show->add_option("--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  show->callback([o] { Run([&] { return RunShow(*o); }); });

  CLI::App* agr = prog->add_subcommand("agreement", "record an agreement on a topic");
  db(agr);
  region(agr);
  agr->add_option("--topic", o->topic, topics)->required();
  agr->add_option("--text", o->text, "the agreement")->required();
  agr->callback([o] { Run([&] { return RunAgreement(*o); }); });

  CLI::App* mea = prog->add_subcommand("measure", "record a measure");
  db(mea);
  region(mea);
  mea->add_option("--topic", o->topic, topics)->required();
  mea->add_option("--title", o->m.title, "title (unique in the region)")->required();
  mea->add_option("--target-group", o->m.target_group, "target group")->required();
  mea->add_option("--activities", o->m.activities, "activities")->required();
  mea->add_option("--partners", o->m.partners, "partners, who leads")->required();
  mea->add_option("--planned-participants", o->m.planned_participants, "planned participants a year")->required();
  mea->add_option("--expected-effect", o->m.expected_effect, "what improves")->required();
  mea->add_option("--expected-prevented", o->m.expected_prevented, "expected vsv'ers prevented a year");
  mea->add_option("--budget", o->budget, "YEAR=EUROS, repeatable");
  mea->callback([o] { Run([&] { return RunMeasure(*o); }); });

  CLI::App* spend = prog->add_subcommand("spend", "what a measure spent in a year by category A-H");
  db(spend);
  spend->add_option("--measure", o->measure, "measure id")->required();
  spend->add_option("--year", o->year, "calendar year")->required();
  spend->add_option("--category", o->category, "A coordination … H other")->required();
  spend->add_option("--euros", o->euros, "euros")->required();
  spend->callback([o] { Run([&] { return RunSpend(*o); }); });

  CLI::App* target = prog->add_subcommand("target", "the region's own target: at most N new vsv'ers in YEAR");
  db(target);
  region(target);
  target->add_option("--year", o->year, "year")->required();
  target->add_option("--max-new-vsv", o->max_new_vsv, "at most this many new vsv'ers")->required();
  target->callback([o] { Run([&] { return RunTarget(*o); }); });

  CLI::App* text = prog->add_subcommand("text", "a text of the effect report (cooperation, bottlenecks, …)");
  db(text);
  region(text);
  text->add_option("--year", o->year, "year of the report")->required();
  text->add_option("--section", o->section, "cooperation, bottlenecks, success-factors, looking-back, good-practices")
      ->required();
  text->add_option("--text", o->text, "the text (\"\" empties it)")->required();
  text->callback([o] { Run([&] { return RunText(*o); }); });
}

void AddEffectReportCommand(CLI::App& app) {
  auto o = std::make_shared<EffectCmdOptions>();
  CLI::App* cmd = app.add_subcommand("effect-report", "the region's effect report from the count and the register");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--db", o->db, "register: SQLite file or postgresql://…")->required();
  cmd->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  cmd->add_option("--year", o->year, "calendar year of the report")->required()->check(CLI::Range(2000, 2100));
  cmd->add_option("--format", o->format, "pdf, xlsx or json (default pdf)")
      ->check(CLI::IsMember({"pdf", "xlsx", "json"}));
  cmd->add_option("--lang", o->lang, "nl or en")->check(CLI::IsMember({"nl", "en"}));
  cmd->add_option("--out", o->out, "file (default effectrapportage-RR-YYYY.pdf|xlsx; json to stdout; - stdout)");
  cmd->callback([o] { Run([&] { return RunEffectReport(*o); }); });
}

}  // namespace vsv::cli
