// vsv audit: search and export the register's audit log (who read or wrote which
// person's data, when, and why). The export itself is logged.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "followup/store.h"

namespace vsv::cli {

namespace {

struct AuditOptions {
  std::string db, person, user, from, to;
  std::string format = "csv";
  int limit = 1000000;
};

int RunAudit(const AuditOptions& o) {
  followup::AuditQuery q;
  q.limit = o.limit;
  if (!o.person.empty()) q.person_id = o.person;
  if (!o.user.empty()) q.user = o.user;
  if (!o.from.empty()) {
    auto d = ParseDateOption("--from", o.from);
    if (!d) return Fail(d.error());
    q.from = int64_t{*d} * 86400;
  }
  if (!o.to.empty()) {
    auto d = ParseDateOption("--to", o.to);
    if (!d) return Fail(d.error());
    q.to = (int64_t{*d} + 1) * 86400;  // --to is inclusive: the whole day
  }
  auto store = followup::CaseStore::Open(o.db);
  if (!store) return Fail(followup::ToError(store.error()));
  auto entries = (*store)->SearchAudit({followup::CommandLineUser(), "audit export"}, q);
  if (!entries) return Fail(followup::ToError(entries.error()));
  if (o.format == "csv") {
    fmt::print("{}", followup::AuditCsv(*entries));
    return 0;
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& e : *entries) {
    nlohmann::ordered_json r;
    r["id"] = e.id;
    r["at"] = followup::FormatTimestamp(e.at);
    r["user"] = e.user;
    r["role"] = e.role;
    r["action"] = e.action;
    r["person_id"] = e.person_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.person_id);
    r["case_id"] = e.case_id ? nlohmann::ordered_json(*e.case_id) : nlohmann::ordered_json(nullptr);
    r["region"] = e.region ? nlohmann::ordered_json(*e.region) : nlohmann::ordered_json(nullptr);
    r["purpose"] = e.purpose;
    r["detail"] = e.detail;
    rows.push_back(std::move(r));
  }
  fmt::print("{}\n", rows.dump());
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app) {
  auto o = std::make_shared<AuditOptions>();
  CLI::App* cmd = app.add_subcommand("audit", "search and export the register's audit log");
  cmd->add_option("--db", o->db, "register: SQLite file or postgresql://user@host/db")->required();
  cmd->add_option("--person", o->person, "only entries about this person id");
  cmd->add_option("--user", o->user, "only entries by this user");
  cmd->add_option("--from", o->from, "first day YYYY-MM-DD (UTC)");
  cmd->add_option("--to", o->to, "last day YYYY-MM-DD (UTC, inclusive)");
  cmd->add_option("--limit", o->limit, "at most this many entries")->check(CLI::Range(1, 10000000));
  cmd->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
  cmd->callback([o] { Run([&] { return RunAudit(*o); }); });
}

}  // namespace vsv::cli
