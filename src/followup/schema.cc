#include "followup/schema.h"

#include <fmt/format.h>

namespace vsv::followup {

namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE TABLE users (
  id {ID},
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('administrator', 'national-analyst', 'regional-coordinator',
                                     'caseworker', 'school-mentor')),
  region {INT},
  school TEXT,
  password_hash TEXT NOT NULL,
  failed_logins {INT} NOT NULL DEFAULT 0,
  locked_until {INT} NOT NULL DEFAULT 0,
  active {INT} NOT NULL DEFAULT 1,
  created_at {INT} NOT NULL,
  password_changed_at {INT} NOT NULL
){STRICT};

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id {INT} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at {INT} NOT NULL,
  last_seen_at {INT} NOT NULL,
  expires_at {INT} NOT NULL
){STRICT};
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE region_rules (
  region {INT} PRIMARY KEY,
  oud_vsv_interval_months {INT} NOT NULL CHECK (oud_vsv_interval_months BETWEEN 1 AND 12),
  new_leaver_interval_days {INT} NOT NULL CHECK (new_leaver_interval_days BETWEEN 1 AND 365),
  updated_at {INT} NOT NULL
){STRICT};

CREATE TABLE cases (
  id {ID},
  person_id TEXT NOT NULL,
  episode TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('new-leaver', 'oud-vsv')),
  region {INT} NOT NULL,
  status TEXT NOT NULL,
  closed_reason TEXT,
  opened_on {INT} NOT NULL,
  closed_on {INT},
  owner_id {INT} REFERENCES users(id) ON DELETE SET NULL,
  birth_date {INT} NOT NULL,
  municipality {INT},
  last_school TEXT NOT NULL DEFAULT '',
  last_location TEXT NOT NULL DEFAULT '',
  last_sector TEXT NOT NULL DEFAULT '',
  last_program TEXT NOT NULL DEFAULT '',
  last_level {INT},
  left_on {INT},
  diplomas TEXT NOT NULL DEFAULT '',
  registry_flag TEXT,
  flagged_on {INT},
  synced_on {INT} NOT NULL,
  agreements TEXT NOT NULL DEFAULT '',
  next_contact {INT},
  mbo_verklaring {INT} NOT NULL DEFAULT 0,
  version {INT} NOT NULL DEFAULT 1,
  created_at {INT} NOT NULL,
  updated_at {INT} NOT NULL,
  UNIQUE (person_id, episode),
  CHECK ((status = 'closed') = (closed_on IS NOT NULL))
){STRICT};
CREATE UNIQUE INDEX cases_one_open_per_person ON cases(person_id) WHERE closed_on IS NULL;
CREATE INDEX cases_region ON cases(region, closed_on, next_contact);
CREATE INDEX cases_school ON cases(last_school);

CREATE TABLE contacts (
  id {ID},
  case_id {INT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  contact_date {INT} NOT NULL,
  channel TEXT NOT NULL,
  with_whom TEXT NOT NULL,
  summary TEXT NOT NULL,
  outcome TEXT NOT NULL,
  author_id {INT} REFERENCES users(id) ON DELETE SET NULL,
  author_name TEXT NOT NULL,
  client_key TEXT UNIQUE,
  created_at {INT} NOT NULL
){STRICT};
CREATE INDEX contacts_case ON contacts(case_id);

CREATE TABLE referrals (
  id {ID},
  case_id {INT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  partner TEXT NOT NULL CHECK (partner IN ('youth-care', 'debt-help', 'income-support', 'uwv', 'school')),
  referred_on {INT} NOT NULL,
  note TEXT NOT NULL,
  author_name TEXT NOT NULL,
  created_at {INT} NOT NULL
){STRICT};
CREATE INDEX referrals_case ON referrals(case_id);

CREATE TABLE case_history (
  id {ID},
  case_id {INT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  region {INT} NOT NULL,
  at {INT} NOT NULL,
  on_date {INT} NOT NULL,
  user_name TEXT NOT NULL,
  event TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  detail TEXT NOT NULL
){STRICT};
CREATE INDEX case_history_case ON case_history(case_id, id);
CREATE INDEX case_history_region ON case_history(region, at);

CREATE TABLE audit_log (
  id {ID},
  at {INT} NOT NULL,
  user_id {INT},
  user_name TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  person_id TEXT,
  case_id {INT},
  region {INT},
  purpose TEXT NOT NULL,
  detail TEXT NOT NULL
){STRICT};
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_person ON audit_log(person_id, at);
CREATE INDEX audit_log_user ON audit_log(user_name, at);
)SQL";

// The regional programme and the effect report (issue 16): agreements and measures
// per legal topic, budgets and spending per year by the report's categories, cases
// linked to measures, the destination of an ended trajectory (the case statuses do
// not say "without daytime activity", "justice" or "other"), the report's texts.
constexpr std::string_view kV2 = R"SQL(
CREATE TABLE programme_agreements (
  id {ID},
  region {INT} NOT NULL,
  topic TEXT NOT NULL CHECK (topic IN ('mbo-verklaring', 'support', 'vo-mbo', 'up-to-27', 'work-without-sk')),
  text TEXT NOT NULL,
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL
){STRICT};
CREATE INDEX programme_agreements_region ON programme_agreements(region, topic);

CREATE TABLE programme_measures (
  id {ID},
  region {INT} NOT NULL,
  topic TEXT NOT NULL CHECK (topic IN ('mbo-verklaring', 'support', 'vo-mbo', 'up-to-27', 'work-without-sk')),
  title TEXT NOT NULL,
  target_group TEXT NOT NULL,
  activities TEXT NOT NULL,
  partners TEXT NOT NULL,
  planned_participants {INT} NOT NULL CHECK (planned_participants >= 0),
  expected_effect TEXT NOT NULL,
  expected_prevented {INT} NOT NULL CHECK (expected_prevented >= 0),
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL,
  UNIQUE (region, title)
){STRICT};

CREATE TABLE programme_budget (
  measure_id {INT} NOT NULL REFERENCES programme_measures(id) ON DELETE CASCADE,
  year {INT} NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  euros {INT} NOT NULL CHECK (euros >= 0),
  PRIMARY KEY (measure_id, year)
){STRICT};

CREATE TABLE programme_spending (
  measure_id {INT} NOT NULL REFERENCES programme_measures(id) ON DELETE CASCADE,
  year {INT} NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  category TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H')),
  euros {INT} NOT NULL CHECK (euros >= 0),
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL,
  PRIMARY KEY (measure_id, year, category)
){STRICT};

CREATE TABLE case_measures (
  case_id {INT} NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  measure_id {INT} NOT NULL REFERENCES programme_measures(id) ON DELETE CASCADE,
  linked_on {INT} NOT NULL,
  author_name TEXT NOT NULL,
  PRIMARY KEY (case_id, measure_id)
){STRICT};
CREATE INDEX case_measures_measure ON case_measures(measure_id, linked_on);

CREATE TABLE case_destinations (
  case_id {INT} PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  destination TEXT NOT NULL CHECK (destination IN ('full-time-education', 'work-learning', 'work-without-sk',
                                                   'care-shelter-justice', 'no-daytime-activity',
                                                   'moved-or-untraceable', 'other')),
  ended_on {INT} NOT NULL,
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL
){STRICT};

CREATE TABLE programme_targets (
  region {INT} NOT NULL,
  year {INT} NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  max_new_vsv {INT} NOT NULL CHECK (max_new_vsv >= 0),
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL,
  PRIMARY KEY (region, year)
){STRICT};

CREATE TABLE report_texts (
  region {INT} NOT NULL,
  year {INT} NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  section TEXT NOT NULL CHECK (section IN ('cooperation', 'bottlenecks', 'success-factors', 'looking-back',
                                           'good-practices')),
  text TEXT NOT NULL,
  author_name TEXT NOT NULL,
  updated_at {INT} NOT NULL,
  PRIMARY KEY (region, year, section)
){STRICT};
)SQL";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "cases, contacts, referrals, history, users, sessions, region rules, audit log", kV1},
      {2, "regional programme: agreements, measures, budgets, spending, case links, destinations, targets, report texts", kV2},
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

std::string RenderForDialect(std::string_view sql, Dialect dialect) {
  const bool lite = dialect == Dialect::kSqlite;
  std::string out;
  out.reserve(sql.size() + 256);
  for (size_t i = 0; i < sql.size();) {
    auto token = [&](std::string_view t) { return sql.substr(i, t.size()) == t; };
    if (token("{ID}")) {
      out += lite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
      i += 4;
    } else if (token("{INT}")) {
      out += lite ? "INTEGER" : "BIGINT";
      i += 5;
    } else if (token("{STRICT}")) {
      out += lite ? " STRICT" : "";
      i += 8;
    } else {
      out += sql[i++];
    }
  }
  return out;
}

Result<int> Migrate(SqlConnection& conn, int64_t now) {
  Transaction tx(conn);
  if (auto r = tx.BeginWrite(); !r) return MakeError(r.error().message);
  if (auto r = conn.LockForMigration(); !r) return MakeError(r.error().message);
  const std::string create = RenderForDialect(
      "CREATE TABLE IF NOT EXISTS schema_version (version {INT} PRIMARY KEY, applied_at {INT} NOT NULL, "
      "description TEXT NOT NULL){STRICT}",
      conn.dialect());
  if (auto r = conn.ExecScript(create); !r) return MakeError(r.error().message);
  auto current = conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
  if (!current) return MakeError(current.error().message);
  const int64_t have = current->rows.at(0).Int(0);
  if (have > LatestSchemaVersion()) {
    return MakeError(fmt::format("the database has schema version {}, newer than this vsv knows ({}); "
                                 "use a newer vsv", have, LatestSchemaVersion()));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= have) continue;
    if (auto r = conn.ExecScript(RenderForDialect(m.sql, conn.dialect())); !r) {
      return MakeError(fmt::format("migration {} failed: {}", m.version, r.error().message));
    }
    auto r = conn.Exec("INSERT INTO schema_version (version, applied_at, description) VALUES ($1, $2, $3)",
                       {int64_t{m.version}, now, std::string(m.description)});
    if (!r) return MakeError(r.error().message);
  }
  if (auto r = tx.Commit(); !r) return MakeError(r.error().message);
  return LatestSchemaVersion();
}

}  // namespace vsv::followup
