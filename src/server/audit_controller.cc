// The register's audit log over HTTP: GET /api/v1/audit (administrator); format=csv
// downloads it. Reading the log is itself audited by the store.
#include "server/register_http.h"

namespace vsv::server {

namespace register_http {

namespace {

ApiResult<Reply> HandleAudit(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  followup::AuditQuery q;
  if (req.Has("person")) q.person_id = req.Param("person");
  if (req.Has("user")) q.user = req.Param("user");
  for (const char* name : {"from", "to"}) {
    if (!req.Has(name)) continue;
    auto d = ParseDate(req.Param(name));
    if (!d) return BadParameter(fmt::format("{} '{}': expected a date YYYY-MM-DD", name, req.Param(name)));
    const int64_t at = int64_t{*d} * 86400;
    if (std::string_view(name) == "from")
      q.from = at;
    else
      q.to = at + 86400;
  }
  const std::string format = req.Param("format", "json");
  if (format != "json" && format != "csv")
    return BadParameter(fmt::format("format '{}': expected json or csv", format));
  // The export has every row that matches unless a limit is given.
  auto limit = LimitParam(req, format == "csv" ? kAllAuditRows : q.limit);
  if (!limit) return tl::unexpected(limit.error());
  q.limit = *limit;
  auto entries = ctx.store->SearchAudit(Ctx(req, nullptr, "toezicht"), q);
  if (!entries) return Fail(entries.error());
  Reply reply;
  if (format == "csv") {
    reply.raw = followup::AuditCsv(*entries);
    reply.raw_type = "text/csv; charset=utf-8";
    reply.filename = "vsv-auditlog.csv";
    return reply;
  }
  oj list = oj::array();
  for (const followup::AuditEntry& e : *entries) {
    list.push_back({{"id", e.id},
                    {"at", followup::FormatTimestamp(e.at)},
                    {"user", e.user},
                    {"role", e.role},
                    {"action", e.action},
                    {"person_id", e.person_id},
                    {"case_id", e.case_id ? oj(*e.case_id) : oj(nullptr)},
                    {"region", e.region ? oj(*e.region) : oj(nullptr)},
                    {"purpose", e.purpose},
                    {"detail", e.detail}});
  }
  reply.json["count"] = list.size();
  reply.json["entries"] = std::move(list);
  return reply;
}

}  // namespace

void RegisterAuditRoutes(ApiServer& api) {
  constexpr bool kNoCache = false;
  api.AddRoutes({
      {"/api/v1/audit", "Search the audit log (administrator); format=csv downloads it",
       {"person:audit_person", "user:audit_user", "from:audit_from", "to:audit_to", "format:audit_format", "limit"},
       false, HandleAudit, "", kNoCache},
  });
}

}  // namespace register_http

}  // namespace vsv::server
