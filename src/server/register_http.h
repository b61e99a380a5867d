// Internal to the server: what the register's controllers share (cases_controller.cc,
// users_controller.cc, audit_controller.cc) — the request's purpose and store context,
// JSON shapes of cases and dates, the uniform store-error replies. Not for other
// controllers.
#ifndef VSV_SERVER_REGISTER_HTTP_H_
#define VSV_SERVER_REGISTER_HTTP_H_

#include <algorithm>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/utf8.h"
#include "followup/sync.h"
#include "server/context.h"
#include "server/controllers.h"
#include "server/params.h"
#include "server/session.h"

namespace vsv::server::register_http {

using oj = nlohmann::ordered_json;
using followup::CaseStore;

inline oj DateJson(Date d) { return d == kNoDate ? oj(nullptr) : oj(FormatDate(d)); }

// As many audit rows as the store returns at most.
inline constexpr int kAllAuditRows = 10'000'000;

// The `limit` parameter: `fallback` when absent, a 400 naming the value when it is
// not a positive whole number.
inline ApiResult<int> LimitParam(const ApiRequest& req, int fallback) {
  auto limit = WholeNumberParam(req, "limit", fallback, 1, INT32_MAX, "a positive whole number");
  if (!limit) return tl::unexpected(limit.error());
  return static_cast<int>(*limit);
}

inline oj CaseJson(const followup::Case& c) {
  oj j;
  j["id"] = c.id;
  j["version"] = c.version;
  j["kind"] = std::string(followup::KindName(c.kind));
  j["episode"] = c.episode;
  j["region"] = c.region;
  j["status"] = std::string(followup::StatusName(c.status));
  j["closed_reason"] = c.closed_reason;
  j["opened_on"] = DateJson(c.opened_on);
  j["closed_on"] = DateJson(c.closed_on);
  j["owner_id"] = c.owner_id ? oj(*c.owner_id) : oj(nullptr);
  j["owner"] = c.owner_name;
  j["next_contact"] = DateJson(c.next_contact);
  j["agreements"] = c.agreements;
  j["mbo_verklaring"] = c.mbo_verklaring;
  j["registry_flag"] = c.registry_flag.flag;
  j["synced_on"] = DateJson(c.synced_on);
  const followup::PersonSnapshot& p = c.person;
  j["person"] = {{"id", p.person_id},
                 {"birth_date", DateJson(p.birth_date)},
                 {"municipality", p.municipality},
                 {"last_school", p.last_school},
                 {"last_location", p.last_location},
                 {"last_sector", p.last_sector},
                 {"last_program", p.last_program},
                 {"last_level", p.last_level},
                 {"left_on", DateJson(p.left_on)},
                 {"diplomas", p.diplomas},
                 {"has_mbo_verklaring", p.has_mbo_verklaring}};
  j["updated_at"] = c.updated_at;
  return j;
}

inline oj HistoryJson(const followup::HistoryEntry& h) {
  return {{"id", h.id},
          {"case_id", h.case_id},
          {"person_id", h.person_id},
          {"region", h.region},
          {"at", followup::FormatTimestamp(h.at)},
          {"date", DateJson(h.on_date)},
          {"user", h.user},
          {"event", h.event},
          {"old", h.old_value},
          {"new", h.new_value},
          {"detail", h.detail}};
}

inline std::string Purpose(const ApiRequest& req, const nlohmann::json* body, const char* fallback) {
  std::string p = req.http().get_header_value("X-Purpose");
  if (p.empty() && body && body->contains("purpose") && (*body)["purpose"].is_string()) {
    p = (*body)["purpose"].get<std::string>();
  }
  return p.empty() ? fallback : std::string(TruncateUtf8(p, 200));  // whole characters only
}

inline followup::Context Ctx(const ApiRequest& req, const nlohmann::json* body, const char* fallback) {
  return followup::Context{RegisterUser(req.principal()), Purpose(req, body, fallback)};
}

inline tl::unexpected<ApiError> Fail(const followup::StoreError& e) { return tl::unexpected(StoreApiError(e)); }

// A 409 carries the case as it is now, so the page can show it beside the input.
inline ApiResult<Reply> Conflict(const followup::StoreError& e) {
  Reply reply;
  reply.status = 409;
  reply.json["error"] = {{"code", "conflict"}, {"message", e.message}};
  if (e.current) reply.json["current"] = CaseJson(*e.current);
  return reply;
}

inline ApiResult<int64_t> CaseId(const ApiRequest& req) {
  const std::string text = req.PathParam(0);
  auto id = ParseWholeNumber(text);
  if (!id || *id <= 0) return NotFound(fmt::format("case '{}' does not exist", text));
  return *id;
}

inline ApiResult<Date> BodyDate(const nlohmann::json& body, const char* name, Date fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return BadParameter(fmt::format("{}: expected a date YYYY-MM-DD", name));
  auto d = ParseDate(it->get<std::string>());
  if (!d) return BadParameter(fmt::format("{} '{}': expected a date YYYY-MM-DD", name, it->get<std::string>()));
  return *d;
}

inline ApiResult<int64_t> BodyVersion(const nlohmann::json& body) {
  auto it = body.find("version");
  if (it == body.end() || !it->is_number_integer()) {
    return BadParameter("version: the case version you read is required (optimistic check)");
  }
  return it->get<int64_t>();
}

// What every change to a case starts from: a session, the case id in the path, the
// JSON body, and the version the caller read (for the optimistic check).
struct CaseChange {
  int64_t id;
  nlohmann::json body;
  int64_t version;
};

inline ApiResult<CaseChange> ReadCaseChange(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto id = CaseId(req);
  if (!id) return tl::unexpected(id.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  auto version = BodyVersion(*body);
  if (!version) return tl::unexpected(version.error());
  return CaseChange{*id, std::move(*body), *version};
}

// A store error as a reply: a version conflict is a 409 with the current case.
inline ApiResult<Reply> StoreFailure(const followup::StoreError& e) {
  return e.code == followup::Errc::kConflict ? Conflict(e) : Fail(e);
}

inline ApiResult<int> RegionParam(const ServerContext& ctx, const ApiRequest& req) {
  if (!req.Has("region")) {
    if (req.principal().region >= 0) return req.principal().region;
    return BadParameter("region: required (your account has no region)");
  }
  return ParseRegionCode(ctx, "region", req.Param("region"));
}

inline Date Today(const ServerContext& ctx) {
  const int64_t t = ctx.store->Now();
  return static_cast<Date>(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

// GET/POST /api/v1/users…: the register's accounts (users_controller.cc)
void RegisterUserRoutes(ApiServer& api);
// GET /api/v1/audit: the audit log (audit_controller.cc)
void RegisterAuditRoutes(ApiServer& api);

}  // namespace vsv::server::register_http

#endif  // VSV_SERVER_REGISTER_HTTP_H_
