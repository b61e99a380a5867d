// CaseStore: the audit log (writing rows, refusals, searching, CSV export).
#include "followup/sql_case_store.h"

namespace vsv::followup {

namespace {

std::string Csv(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string AuditCsv(const std::vector<AuditEntry>& entries) {
  std::string out = "id,at,user_id,user,role,action,person_id,case_id,region,purpose,detail\n";
  for (const AuditEntry& e : entries) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", e.id, FormatTimestamp(e.at),
                       e.user_id ? std::to_string(*e.user_id) : "", Csv(e.user), Csv(e.role), Csv(e.action),
                       Csv(e.person_id), e.case_id ? std::to_string(*e.case_id) : "",
                       e.region ? fmt::format("{:02d}", *e.region) : "", Csv(e.purpose), Csv(e.detail));
  }
  return out;
}

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

SqlResultOr<void> SqlCaseStore::Audit(SqlConnection& c, const Context& ctx, std::string_view action,
                                      std::string_view person, std::optional<int64_t> case_id,
                                      std::optional<int> region, std::string_view detail) {
  // Sent with the commit (PostgreSQL), which fails when this insert does.
  auto r = c.ExecLater(
      "INSERT INTO audit_log (at, user_id, user_name, role, action, person_id, case_id, region, purpose, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {Now(), ctx.user.id ? SqlValue(ctx.user.id) : Null(), ctx.user.name, std::string(RoleName(ctx.user.role)),
       std::string(action), person.empty() ? Null() : SqlValue(std::string(person)), OptInt(case_id), IntOrNull(region),
       ctx.purpose, std::string(detail)});
  if (!r) return tl::unexpected(r.error());
  return {};
}

tl::unexpected<StoreError> SqlCaseStore::Deny(const Context& ctx, Action action, std::string_view person,
                                              std::optional<int64_t> case_id, std::optional<int> region,
                                              SqlConnection* conn) {
  AuditRefusal(ctx, fmt::format("denied:{}", ActionName(action)), person, case_id, region, "", conn);
  return Fail(Errc::kForbidden,
              fmt::format("{} ({}) may not {}{}", ctx.user.name, RoleName(ctx.user.role), ActionName(action),
                          region ? fmt::format(" in region {:02d}", *region) : ""));
}

void SqlCaseStore::AuditRefusal(const Context& ctx, std::string_view what, std::string_view person,
                                std::optional<int64_t> case_id, std::optional<int> region, std::string_view detail,
                                SqlConnection* conn) {
  if (conn) {
    conn->Rollback();
    (void)Audit(*conn, ctx, what, person, case_id, region, detail);
  } else if (auto lease = pool_.Acquire()) {
    (void)Audit(**lease, ctx, what, person, case_id, region, detail);
  }
}

StoreResult<std::vector<AuditEntry>> SqlCaseStore::SearchAudit(const Context& ctx, const AuditQuery& q) {
  if (!Authorize(ctx.user, Action::kReadAudit, Resource{})) {
    return Deny(ctx, Action::kReadAudit, "", std::nullopt, std::nullopt);
  }
  std::string sql =
      "SELECT id, at, user_id, user_name, role, action, person_id, case_id, region, purpose, detail FROM audit_log "
      "WHERE 1 = 1";
  std::vector<SqlValue> params;
  std::vector<std::string> filter;
  if (q.person_id) {
    params.push_back(*q.person_id);
    sql += fmt::format(" AND person_id = ${}", params.size());
    filter.push_back("person " + *q.person_id);
  }
  if (q.user) {
    params.push_back(*q.user);
    sql += fmt::format(" AND user_name = ${}", params.size());
    filter.push_back("user " + *q.user);
  }
  if (q.from) {
    params.push_back(*q.from);
    sql += fmt::format(" AND at >= ${}", params.size());
    filter.push_back("from " + FormatTimestamp(*q.from));
  }
  if (q.to) {
    params.push_back(*q.to);
    sql += fmt::format(" AND at < ${}", params.size());
    filter.push_back("to " + FormatTimestamp(*q.to));
  }
  // The most recent `limit` rows, returned oldest first.
  params.push_back(int64_t{std::clamp(q.limit, 1, 10'000'000)});
  sql = fmt::format("SELECT * FROM ({} ORDER BY id DESC LIMIT ${}) AS recent ORDER BY id", sql, params.size());
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  VSV_TRY_SQL(rows, c.Exec(sql, params));
  std::vector<AuditEntry> out;
  out.reserve(rows->rows.size());
  for (const SqlRow& r : rows->rows) {
    AuditEntry e;
    e.id = r.Int(0);
    e.at = r.Int(1);
    e.user_id = r.OptInt(2);
    e.user = r.Text(3);
    e.role = r.Text(4);
    e.action = r.Text(5);
    e.person_id = r.Text(6);
    e.case_id = r.OptInt(7);
    if (!r.IsNull(8)) e.region = static_cast<int>(r.Int(8));
    e.purpose = r.Text(9);
    e.detail = r.Text(10);
    out.push_back(std::move(e));
  }
  if (auto a = Audit(c, Context{ctx.user, ctx.purpose.empty() ? "audit" : ctx.purpose}, "read-audit",
                     q.person_id.value_or(""), std::nullopt, std::nullopt,
                     fmt::format("{} entries; {}", out.size(), fmt::join(filter, ", ")));
      !a) {
    return FailSql(a.error());
  }
  return out;
}

}  // namespace vsv::followup
