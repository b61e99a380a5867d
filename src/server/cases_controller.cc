// The caseworkers' register over HTTP: /api/v1/cases…, users and the audit log.
// Handlers are thin: they parse the request and call followup's CaseStore, which
// authorizes every call with followup::Authorize (the caller's role, region and
// school come from the session, RegisterUser in principal.h) and audits every read
// and write of personal data with the request's purpose. Nothing is decided here.
//
// Purpose: header X-Purpose, else the body's "purpose", else the route's default.
// Writes carry the "version" the user read; a stale version is a 409 whose body
// also holds the case as it is now ("current").
#include "server/register_http.h"

namespace vsv::server {

namespace {

using namespace register_http;  // NOLINT: the register's shared helpers

// ---- cases ------------------------------------------------------------------

ApiResult<Reply> HandleList(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  followup::CaseFilter f;
  // No region given: the store takes the user's own, and refuses (403, audited) a
  // user without one, like every other refusal.
  if (req.principal().role != Role::kSchoolMentor && req.Has("region")) {
    auto region = RegionParam(ctx, req);
    if (!region) return tl::unexpected(region.error());
    f.region = *region;
  }
  if (req.Has("status")) {
    auto s = followup::ParseStatus(req.Param("status"));
    if (!s) return BadParameter(fmt::format("status '{}': {}", req.Param("status"), s.error().message));
    f.status = *s;
    if (*s == followup::CaseStatus::kClosed) f.include_closed = true;
  }
  const std::string due = req.Param("due");
  if (!due.empty() && due != "due" && due != "overdue") {
    return BadParameter(fmt::format("due '{}': expected due or overdue", due));
  }
  f.only_due = !due.empty();
  const std::string owner = req.Param("owner");
  bool unowned = false;
  if (owner == "me") f.owner_id = req.principal().user_id;
  else if (owner == "none") unowned = true;
  else if (!owner.empty()) {
    auto id = ParseWholeNumber(owner);
    if (!id || *id < 1) return BadParameter(fmt::format("owner '{}': expected me, none or a user id", owner));
    f.owner_id = *id;
  }
  auto include_closed = WholeNumberParam(req, "include_closed", 0, 0, 1, "0 or 1");
  if (!include_closed) return tl::unexpected(include_closed.error());
  if (req.Has("include_closed")) f.include_closed = *include_closed == 1;
  auto limit = LimitParam(req, f.limit);
  if (!limit) return tl::unexpected(limit.error());
  f.limit = *limit;
  auto cases = ctx.store->ListCases(Ctx(req, nullptr, "begeleiding"), f);
  if (!cases) return Fail(cases.error());
  const Date today = Today(ctx);
  Reply reply;
  oj list = oj::array();
  int64_t overdue = 0, due_soon = 0;
  for (const followup::Case& c : *cases) {
    if (unowned && c.owner_id) continue;
    const bool is_overdue = c.next_contact != kNoDate && c.next_contact < today;
    if (due == "overdue" && !is_overdue) continue;
    oj j = CaseJson(c);
    j["overdue"] = is_overdue;
    j["due"] = c.next_contact != kNoDate && c.next_contact <= today + 7;
    overdue += is_overdue;
    due_soon += j["due"].get<bool>();
    list.push_back(std::move(j));
  }
  reply.json["today"] = FormatDate(today);
  reply.json["count"] = list.size();
  reply.json["overdue"] = overdue;
  reply.json["due"] = due_soon;
  reply.json["cases"] = std::move(list);
  return reply;
}

ApiResult<Reply> HandleGet(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto id = CaseId(req);
  if (!id) return tl::unexpected(id.error());
  auto d = ctx.store->GetCase(Ctx(req, nullptr, "begeleiding"), *id);
  if (!d) return Fail(d.error());
  Reply reply;
  reply.json["case"] = CaseJson(d->c);
  oj contacts = oj::array();
  for (const followup::Contact& c : d->contacts) {
    contacts.push_back({{"id", c.id}, {"date", DateJson(c.date)}, {"channel", c.channel}, {"with_whom", c.with_whom},
                        {"summary", c.summary}, {"outcome", c.outcome}, {"author", c.author}});
  }
  reply.json["contacts"] = std::move(contacts);
  oj referrals = oj::array();
  for (const followup::Referral& r : d->referrals) {
    referrals.push_back({{"id", r.id}, {"partner", std::string(followup::PartnerName(r.partner))},
                         {"date", DateJson(r.referred_on)}, {"note", r.note}, {"author", r.author}});
  }
  reply.json["referrals"] = std::move(referrals);
  oj history = oj::array();
  for (const followup::HistoryEntry& h : d->history) history.push_back(HistoryJson(h));
  reply.json["history"] = std::move(history);
  return reply;
}

ApiResult<Reply> CaseReply(const followup::StoreResult<followup::Case>& c) {
  if (!c) return StoreFailure(c.error());
  Reply reply;
  reply.json["case"] = CaseJson(*c);
  return reply;
}

ApiResult<Reply> HandlePatch(ServerContext& ctx, const ApiRequest& req) {
  auto change = ReadCaseChange(ctx, req);
  if (!change) return tl::unexpected(change.error());
  followup::CaseUpdate u;
  for (const auto& [key, value] : change->body.items()) {
    if (key == "version" || key == "purpose") continue;
    if (key == "status") {
      auto s = followup::ParseStatus(value.is_string() ? value.get<std::string>() : "");
      if (!s) return BadParameter(fmt::format("status: {}", s.error().message));
      u.status = *s;
    } else if (key == "closed_reason" || key == "agreements") {
      if (!value.is_string()) return BadParameter(fmt::format("{}: expected text", key));
      (key == "agreements" ? u.agreements : u.closed_reason) = value.get<std::string>();
    } else if (key == "next_contact") {
      auto d = BodyDate(change->body, "next_contact", kNoDate);
      if (!d) return tl::unexpected(d.error());
      u.next_contact = *d;
    } else if (key == "owner_id") {
      if (value.is_null()) u.owner_id = std::optional<int64_t>();
      else if (value.is_number_integer()) u.owner_id = std::optional<int64_t>(value.get<int64_t>());
      else if (value == "me") u.owner_id = std::optional<int64_t>(req.principal().user_id);
      else return BadParameter("owner_id: expected a user id, \"me\" or null");
    } else if (key == "mbo_verklaring") {
      if (!value.is_boolean()) return BadParameter("mbo_verklaring: expected true or false");
      u.mbo_verklaring = value.get<bool>();
    } else {
      return BadParameter(fmt::format("unknown field '{}'; a case takes status, closed_reason, agreements, "
                                      "next_contact, owner_id, mbo_verklaring, version, purpose", key));
    }
  }
  return CaseReply(ctx.store->UpdateCase(Ctx(req, &change->body, "begeleiding"), change->id, change->version, u));
}

ApiResult<Reply> HandleContact(ServerContext& ctx, const ApiRequest& req) {
  auto change = ReadCaseChange(ctx, req);
  if (!change) return tl::unexpected(change.error());
  followup::NewContact nc;
  auto date = BodyDate(change->body, "date", Today(ctx));
  if (!date) return tl::unexpected(date.error());
  nc.date = *date;
  BodyFields fields(change->body);
  nc.channel = fields.Text("channel");
  nc.with_whom = fields.Text("with_whom");
  nc.summary = fields.Text("summary");
  nc.outcome = fields.Text("outcome");
  nc.client_key = fields.Text("client_key");
  if (fields.error()) return tl::unexpected(*fields.error());
  if (change->body.contains("next_contact")) {
    auto next = BodyDate(change->body, "next_contact", kNoDate);
    if (!next) return tl::unexpected(next.error());
    if (*next != kNoDate) nc.next_contact = *next;
  }
  auto r = ctx.store->RecordContact(Ctx(req, &change->body, "begeleiding"), change->id, change->version, nc);
  if (!r) return StoreFailure(r.error());
  Reply reply;
  reply.status = r->duplicate ? 200 : 201;
  reply.json["case"] = CaseJson(r->c);
  reply.json["contact_id"] = r->contact_id;
  reply.json["duplicate"] = r->duplicate;
  return reply;
}

ApiResult<Reply> HandleReferral(ServerContext& ctx, const ApiRequest& req) {
  auto change = ReadCaseChange(ctx, req);
  if (!change) return tl::unexpected(change.error());
  followup::NewReferral nr;
  BodyFields fields(change->body);
  const std::string partner_text = fields.Text("partner");
  nr.note = fields.Text("note");
  if (fields.error()) return tl::unexpected(*fields.error());
  auto partner = followup::ParsePartner(partner_text);
  if (!partner) return BadParameter(fmt::format("partner: {}", partner.error().message));
  nr.partner = *partner;
  auto date = BodyDate(change->body, "date", Today(ctx));
  if (!date) return tl::unexpected(date.error());
  nr.referred_on = *date;
  return CaseReply(ctx.store->AddReferral(Ctx(req, &change->body, "begeleiding"), change->id, change->version, nr));
}

ApiResult<Reply> HandleHandover(ServerContext& ctx, const ApiRequest& req) {
  auto change = ReadCaseChange(ctx, req);
  if (!change) return tl::unexpected(change.error());
  BodyFields fields(change->body);
  const std::optional<int> to = fields.Region(ctx, "to_region");
  const std::string note = fields.Text("note");
  if (fields.error()) return tl::unexpected(*fields.error());
  if (!to) return BadParameter("to_region: the region code to hand the case over to is required");
  return CaseReply(
      ctx.store->HandOver(Ctx(req, &change->body, "warme overdracht"), change->id, change->version, *to, note));
}

oj StatusCounts(const std::array<int64_t, followup::kCaseStatusCount>& counts) {
  oj j = oj::object();
  for (int s = 0; s < followup::kCaseStatusCount; ++s) {
    j[std::string(followup::StatusName(static_cast<followup::CaseStatus>(s)))] = counts[s];
  }
  return j;
}

ApiResult<Reply> HandleOverview(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto region = RegionParam(ctx, req);
  if (!region) return tl::unexpected(region.error());
  auto ov = ctx.store->Overview(Ctx(req, nullptr, "regio-overzicht"), *region, Today(ctx));
  if (!ov) return Fail(ov.error());
  Reply reply;
  oj& j = reply.json;
  j["region"] = ov->region;
  j["region_name"] = ctx.RegionName(ov->region, ctx.years.last);
  j["today"] = DateJson(ov->today);
  j["open"] = ov->open;
  j["overdue"] = ov->overdue;
  j["due"] = ov->due;
  j["no_next_contact"] = ov->no_next_contact;
  j["flagged"] = ov->flagged;
  j["by_status"] = StatusCounts(ov->by_status);
  oj months = oj::array();
  for (const followup::MonthCount& m : ov->contacts_per_month) months.push_back({{"month", m.month}, {"contacts", m.contacts}});
  j["contacts_per_month"] = std::move(months);
  for (const followup::Outcome* o : {&ov->after_3, &ov->after_12}) {
    j[fmt::format("after_{}_months", o->months)] = {{"cohort", o->cohort}, {"by_status", StatusCounts(o->by_status)}};
  }
  return reply;
}

ApiResult<Reply> HandleRegionHistory(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  // Person data: without a region (and none of the user's own) the store refuses
  // with a 403 and audits it, as it does for another region.
  std::optional<int> region;
  if (req.Has("region") || req.principal().region >= 0) {
    auto r = RegionParam(ctx, req);
    if (!r) return tl::unexpected(r.error());
    region = *r;
  }
  auto limit = LimitParam(req, 200);
  if (!limit) return tl::unexpected(limit.error());
  auto h = ctx.store->RegionHistory(Ctx(req, nullptr, "begeleiding"), region, *limit);
  if (!h) return Fail(h.error());
  Reply reply;
  oj list = oj::array();
  for (const followup::HistoryEntry& e : *h) list.push_back(HistoryJson(e));
  reply.json["region"] = region.value();
  reply.json["history"] = std::move(list);
  return reply;
}

ApiResult<Reply> HandleSync(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  followup::SyncOptions o;
  BodyFields fields(*body);
  const std::optional<int> region = fields.Region(ctx, "region");
  o.doorstroompunt = fields.Flag("doorstroompunt", false);
  if (fields.error()) return tl::unexpected(*fields.error());
  if (region) o.region = *region;
  else if (req.principal().region >= 0) o.region = req.principal().region;
  else return BadParameter("region: required (your account has no region)");
  auto date = BodyDate(*body, "date", Today(ctx));
  if (!date) return tl::unexpected(date.error());
  o.date = *date;
  followup::SyncInputCounts counts;
  auto rep = followup::SyncCases(*ctx.store, Ctx(req, &*body, "werklijst synchroniseren"), ctx.registry,
                                 ctx.reference, ctx.cache, o, &counts);
  if (!rep) return Fail(rep.error());
  Reply reply;
  reply.json = {{"region", o.region},
                {"date", DateJson(o.date)},
                {"worklist", counts.worklist},
                {"oud_vsv", counts.oud_vsv},
                {"created_new_leaver", rep->created_new_leaver},
                {"created_oud_vsv", rep->created_oud_vsv},
                {"already_open", rep->already_open},
                {"open_elsewhere", rep->open_elsewhere},
                {"closed_episode", rep->closed_episode},
                {"refreshed", rep->refreshed},
                {"flagged", rep->flagged},
                {"open_cases", rep->open_cases}};
  return reply;
}

ApiResult<Reply> RuleReply(const followup::StoreResult<followup::RegionRule>& r) {
  if (!r) return Fail(r.error());
  Reply reply;
  reply.json = {{"region", r->region},
                {"oud_vsv_interval_months", r->oud_vsv_interval_months},
                {"new_leaver_interval_days", r->new_leaver_interval_days}};
  return reply;
}

ApiResult<Reply> HandleGetRule(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto region = RegionParam(ctx, req);
  if (!region) return tl::unexpected(region.error());
  return RuleReply(ctx.store->GetRegionRule(Ctx(req, nullptr, "regio-overzicht"), *region));
}

ApiResult<Reply> HandleSetRule(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  followup::RegionRule rule;
  BodyFields fields(*body);
  const std::optional<int> region = fields.Region(ctx, "region");
  for (const char* name : {"oud_vsv_interval_months", "new_leaver_interval_days"}) {
    if (!fields.Has(name)) return BadParameter(fmt::format("{}: a whole number is required", name));
  }
  // The store checks the allowed ranges (1-12 months, 1-365 days) and says so.
  rule.oud_vsv_interval_months = static_cast<int>(fields.Integer("oud_vsv_interval_months", 0, INT32_MIN, INT32_MAX));
  rule.new_leaver_interval_days = static_cast<int>(fields.Integer("new_leaver_interval_days", 0, INT32_MIN, INT32_MAX));
  if (fields.error()) return tl::unexpected(*fields.error());
  if (region) rule.region = *region;
  else if (req.principal().region >= 0) rule.region = req.principal().region;
  else return BadParameter("region: required (your account has no region)");
  return RuleReply(ctx.store->SetRegionRule(Ctx(req, &*body, "regio-instellingen"), rule));
}

ApiResult<Reply> HandlePurge(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  // The store checks the allowed range (1-100 years) and says so.
  const int years = static_cast<int>(fields.Integer("retention_years", 5, INT32_MIN, INT32_MAX));
  if (fields.error()) return tl::unexpected(*fields.error());
  auto rep = ctx.store->PurgeClosedCases(Ctx(req, &*body, "bewaartermijn"), Today(ctx), years);
  if (!rep) return Fail(rep.error());
  Reply reply;
  reply.json = {{"cutoff", DateJson(rep->cutoff)}, {"cases", rep->cases}, {"contacts", rep->contacts}};
  return reply;
}

}  // namespace

void RegisterCasesRoutes(ApiServer& api) {
  constexpr bool kNoCache = false;
  api.AddRoutes({
      // Before /api/v1/cases/{id}: httplib takes the first pattern that matches.
      {"/api/v1/cases/overview", "Region overview: cases by status, due and overdue, contacts per month, outcomes",
       {"region:case_region"}, false, HandleOverview, "No persons: also for the national analyst.", kNoCache},
      {"/api/v1/cases/history", "The region's case history, handovers in and out included, newest first",
       {"region:case_region", "limit"}, false, HandleRegionHistory, "", kNoCache},
      {"/api/v1/cases/rule", "The region's contact rule (how often cases are contacted)", {"region:case_region"},
       false, HandleGetRule, "", kNoCache},
      {"/api/v1/cases/rule", "Set the region's contact rule (coordinator of the region, administrator)", {}, false,
       HandleSetRule, "", kNoCache, "PUT", false, "region, oud_vsv_interval_months, new_leaver_interval_days"},
      {"/api/v1/cases/purge", "Retention: delete cases closed more than retention_years ago (administrator)", {},
       false, HandlePurge, "The purge itself is logged (one audit row per case and a summary).", kNoCache, "POST",
       false, "retention_years (default 5)"},
      {"/api/v1/cases/sync", "Create cases from the region's work list (coordinators, administrator)", {}, false,
       HandleSync, "Body {\"region\", \"date\", \"doorstroompunt\"}; never duplicates a case.", kNoCache, "POST", false,
       "region, date, doorstroompunt, purpose"},
      {"/api/v1/cases", "My work list: due and overdue first", {"status:case_status", "due", "owner",
       "region:case_region", "include_closed", "limit"}, false, HandleList,
       "Every case returned is written to the audit log with the purpose (X-Purpose, default begeleiding).", kNoCache},
      {"/api/v1/cases/{id}", "One case with its contacts, referrals and history", {}, false, HandleGet, "", kNoCache},
      {"/api/v1/cases/{id}", "Change status, next contact date, owner, agreements or mbo-verklaring", {}, false,
       HandlePatch, "Needs the version read; a stale version is a 409 with the current case in \"current\".",
       kNoCache, "PATCH", false, "version, status, closed_reason, next_contact, owner_id, agreements, mbo_verklaring, purpose"},
      {"/api/v1/cases/{id}/contacts", "Record a contact", {}, false, HandleContact,
       "201 with the case; a retry with the same client_key is stored once (200, duplicate true).", kNoCache, "POST",
       false, "version, date, channel, with_whom, summary, outcome, next_contact, client_key, purpose"},
      {"/api/v1/cases/{id}/referrals", "Refer to a partner", {}, false, HandleReferral, "", kNoCache, "POST", false,
       "version, partner, date, note, purpose"},
      {"/api/v1/cases/{id}/handover", "Warm handover to another region", {}, false, HandleHandover,
       "The case goes with its history; both regions see the handover.", kNoCache, "POST", false,
       "version, to_region, note, purpose"},
  });
  // Users and the audit log after the cases, in this order (the API reference lists them so).
  register_http::RegisterUserRoutes(api);
  register_http::RegisterAuditRoutes(api);
}

}  // namespace vsv::server
