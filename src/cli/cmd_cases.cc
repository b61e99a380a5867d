// vsv cases: the caseworkers' register (docs/followup.md). `sync` creates cases
// from the region's work list; `overview` prints the region's figures; `purge`
// applies the retention period; `rule` sets the region's contact rule.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "followup/store.h"
#include "followup/sync.h"

namespace vsv::cli {

namespace {

using followup::CaseStore;
using followup::Context;

struct CasesOptions {
  InputOptions input;
  std::string db;
  int region = 0;
  std::string date;
  bool doorstroompunt = false;
  std::string leavers_from;
  int retention_years = 5;
  int oud_vsv_months = 3;
  int new_leaver_days = 14;
  std::string format = "table";
};

Result<std::unique_ptr<CaseStore>> OpenStore(const std::string& db) {
  auto store = CaseStore::Open(db);
  if (!store) return MakeError(store.error().message);
  return std::move(*store);
}

Context CliContext(std::string purpose) { return Context{followup::CommandLineUser(), std::move(purpose)}; }

int RunSync(const CasesOptions& o) {
  auto date = ParseDateOption("--date", o.date);
  if (!date) return Fail(date.error());
  followup::SyncOptions so{o.region, *date, o.doorstroompunt, std::nullopt};
  if (!o.leavers_from.empty()) {
    auto from = ParseDateOption("--leavers-from", o.leavers_from);
    if (!from) return Fail(from.error());
    so.leavers_from = *from;
  }
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  followup::SyncInputCounts counts;
  auto rep = followup::SyncCases(**store, CliContext("sync work list"), (*input)->registry, (*input)->reference,
                                 cache, so, &counts);
  if (!rep) return Fail(followup::ToError(rep.error()));
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["region"] = o.region;
    j["date"] = FormatDate(*date);
    j["age_limit"] = followup::AgeLimit(so);
    j["worklist"] = counts.worklist;
    j["oud_vsv"] = counts.oud_vsv;
    j["created_new_leaver"] = rep->created_new_leaver;
    j["created_oud_vsv"] = rep->created_oud_vsv;
    j["already_open"] = rep->already_open;
    j["open_elsewhere"] = rep->open_elsewhere;
    j["closed_episode"] = rep->closed_episode;
    j["refreshed"] = rep->refreshed;
    j["flagged"] = rep->flagged;
    j["open_cases"] = rep->open_cases;
    fmt::print("{}\n", j.dump());
    return 0;
  }
  fmt::print("region {:02d} on {} (younger than {}): work list {}, oud-vsv'ers {}\n", o.region, FormatDate(*date),
             followup::AgeLimit(so), counts.worklist, counts.oud_vsv);
  fmt::print("  new cases: {} new leavers, {} oud-vsv'ers\n", rep->created_new_leaver, rep->created_oud_vsv);
  fmt::print("  already open here: {}, open in another region: {}, closed earlier (not reopened): {}\n",
             rep->already_open, rep->open_elsewhere, rep->closed_episode);
  fmt::print("  open cases refreshed from the registry: {}, flags changed: {}\n", rep->refreshed, rep->flagged);
  fmt::print("  open cases of the region: {}\n", rep->open_cases);
  return 0;
}

int RunOverview(const CasesOptions& o) {
  auto date = ParseDateOption("--date", o.date);
  if (!date) return Fail(date.error());
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto ov = (*store)->Overview(CliContext("region overview"), o.region, *date);
  if (!ov) return Fail(followup::ToError(ov.error()));
  nlohmann::ordered_json j;
  j["region"] = ov->region;
  j["date"] = FormatDate(ov->today);
  j["open"] = ov->open;
  j["overdue"] = ov->overdue;
  j["due_within_7_days"] = ov->due;
  j["no_next_contact"] = ov->no_next_contact;
  j["flagged"] = ov->flagged;
  nlohmann::ordered_json by_status = nlohmann::ordered_json::object();
  for (int s = 0; s < followup::kCaseStatusCount; ++s) {
    by_status[std::string(followup::StatusName(static_cast<followup::CaseStatus>(s)))] = ov->by_status[s];
  }
  j["by_status"] = by_status;
  nlohmann::ordered_json months = nlohmann::ordered_json::object();
  for (const auto& m : ov->contacts_per_month) months[m.month] = m.contacts;
  j["contacts_per_month"] = months;
  for (const followup::Outcome* out : {&ov->after_3, &ov->after_12}) {
    nlohmann::ordered_json oj;
    oj["cohort"] = out->cohort;
    nlohmann::ordered_json st = nlohmann::ordered_json::object();
    for (int s = 0; s < followup::kCaseStatusCount; ++s) {
      if (out->by_status[s]) st[std::string(followup::StatusName(static_cast<followup::CaseStatus>(s)))] = out->by_status[s];
    }
    oj["by_status"] = st;
    j[fmt::format("outcome_after_{}_months", out->months)] = oj;
  }
  if (o.format == "json") {
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("{}\n", j.dump(2));
  }
  return 0;
}

int RunPurge(const CasesOptions& o) {
  auto date = ParseDateOption("--date", o.date);
  if (!date) return Fail(date.error());
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto rep = (*store)->PurgeClosedCases(CliContext("retention"), *date, o.retention_years);
  if (!rep) return Fail(followup::ToError(rep.error()));
  fmt::print("purged {} cases closed before {} ({} contacts)\n", rep->cases, FormatDate(rep->cutoff), rep->contacts);
  return 0;
}

int RunRule(const CasesOptions& o) {
  auto store = OpenStore(o.db);
  if (!store) return Fail(store.error());
  auto rule = (*store)->SetRegionRule(CliContext("region rule"), {o.region, o.oud_vsv_months, o.new_leaver_days});
  if (!rule) return Fail(followup::ToError(rule.error()));
  fmt::print("region {:02d}: oud-vsv'ers at least every {} months, new leavers every {} days\n", rule->region,
             rule->oud_vsv_interval_months, rule->new_leaver_interval_days);
  return 0;
}

void AddDb(CLI::App* cmd, CasesOptions* o) {
  cmd->add_option("--db", o->db, "register: SQLite file or postgresql://user@host/db")->required();
}

}  // namespace

void AddCasesCommand(CLI::App& app) {
  auto o = std::make_shared<CasesOptions>();
  CLI::App* cases = app.add_subcommand("cases", "the caseworkers' register (follow-up of leavers without SK)");
  cases->require_subcommand(1);

  CLI::App* sync = cases->add_subcommand("sync", "create cases for the region's work list and oud-vsv'ers");
  AddInputOptions(sync, &o->input);
  AddDb(sync, o.get());
  sync->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  sync->add_option("--date", o->date, "the day of the sync YYYY-MM-DD")->required();
  sync->add_flag("--doorstroompunt", o->doorstroompunt, "Doorstroompunt mode: up to 27 instead of 23");
  sync->add_option("--leavers-from", o->leavers_from, "first leaving date of the work list (default: a year before)");
  sync->add_option("--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  sync->callback([o] { Run([&] { return RunSync(*o); }); });

  CLI::App* overview = cases->add_subcommand("overview", "the region's cases by status, due contacts, outcomes");
  AddDb(overview, o.get());
  overview->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  overview->add_option("--date", o->date, "reference date YYYY-MM-DD")->required();
  overview->add_option("--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  overview->callback([o] { Run([&] { return RunOverview(*o); }); });

  CLI::App* purge = cases->add_subcommand("purge", "delete cases closed longer ago than the retention period");
  AddDb(purge, o.get());
  purge->add_option("--date", o->date, "today YYYY-MM-DD")->required();
  purge->add_option("--retention-years", o->retention_years, "retention period in years (default 5)")
      ->check(CLI::Range(1, 100));
  purge->callback([o] { Run([&] { return RunPurge(*o); }); });

  CLI::App* rule = cases->add_subcommand("rule", "set the region's contact rule");
  AddDb(rule, o.get());
  rule->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  rule->add_option("--oud-vsv-months", o->oud_vsv_months, "oud-vsv'ers at least every N months (default 3)")
      ->check(CLI::Range(1, 12));
  rule->add_option("--new-leaver-days", o->new_leaver_days, "new leavers: next contact after N days (default 14)")
      ->check(CLI::Range(1, 365));
  rule->callback([o] { Run([&] { return RunRule(*o); }); });
}

}  // namespace vsv::cli
