// The regional programme and the effect report over HTTP (issue 16): thin handlers
// over followup's CaseStore (which authorizes with read-programme / write-programme
// and audits every write) and effect's report builder. Route table at the bottom.
#include "effect/effect_report.h"
#include "server/register_http.h"

namespace vsv::server {

namespace {

using namespace register_http;  // NOLINT: the register's shared helpers

constexpr const char* kPurpose = "regionaal programma";

// The region of a write: the body's, else the user's own.
ApiResult<int> BodyRegion(const ServerContext& ctx, const ApiRequest& req, BodyFields& fields) {
  const std::optional<int> region = fields.Region(ctx, "region");
  if (fields.error()) return tl::unexpected(*fields.error());
  if (region) return *region;
  if (req.principal().region >= 0) return req.principal().region;
  return BadParameter("region: required (your account has no region)");
}

ApiResult<std::string> RequiredText(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return BadParameter(fmt::format("{}: text is required", name));
  return it->get<std::string>();
}

ApiResult<int> YearParam(const ApiRequest& req) {
  auto y = ParseWholeNumber(req.Param("year"));
  if (!req.Has("year") || !y || *y < followup::kMinProgrammeYear || *y > followup::kMaxProgrammeYear) {
    return BadParameter(fmt::format("year '{}': a calendar year {}-{} is required", req.Param("year"),
                                    followup::kMinProgrammeYear, followup::kMaxProgrammeYear));
  }
  return static_cast<int>(*y);
}

ApiResult<Reply> JsonReply(nlohmann::ordered_json j, int status = 200) {
  Reply reply;
  reply.json = std::move(j);
  reply.status = status;
  return reply;
}

ApiResult<Reply> HandleGetProgramme(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto region = RegionParam(ctx, req);
  if (!region) return tl::unexpected(region.error());
  auto p = ctx.store->GetProgramme(Ctx(req, nullptr, kPurpose), *region);
  if (!p) return Fail(p.error());
  return JsonReply(ProgrammeJson(*p));
}

ApiResult<Reply> HandleAddAgreement(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  auto region = BodyRegion(ctx, req, fields);
  if (!region) return tl::unexpected(region.error());
  auto topic_text = RequiredText(*body, "topic");
  if (!topic_text) return tl::unexpected(topic_text.error());
  auto topic = followup::ParseTopic(*topic_text);
  if (!topic) return BadParameter("topic: " + topic.error().message);
  auto text = RequiredText(*body, "text");
  if (!text) return tl::unexpected(text.error());
  auto a = ctx.store->AddAgreement(Ctx(req, &*body, kPurpose), *region, *topic, *text);
  if (!a) return Fail(a.error());
  return JsonReply({{"id", a->id}, {"region", fmt::format("{:02d}", a->region)},
                    {"topic", followup::TopicName(a->topic)}, {"text", a->text}},
                   201);
}

ApiResult<Reply> HandleAddMeasure(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  auto region = BodyRegion(ctx, req, fields);
  if (!region) return tl::unexpected(region.error());
  followup::NewMeasure m;
  m.region = *region;
  auto topic_text = RequiredText(*body, "topic");
  if (!topic_text) return tl::unexpected(topic_text.error());
  auto topic = followup::ParseTopic(*topic_text);
  if (!topic) return BadParameter("topic: " + topic.error().message);
  m.topic = *topic;
  m.title = fields.Text("title");
  m.target_group = fields.Text("target_group");
  m.activities = fields.Text("activities");
  m.partners = fields.Text("partners");
  m.expected_effect = fields.Text("expected_effect");
  // The store checks the ranges and says so; here only the types.
  m.planned_participants = static_cast<int>(fields.Integer("planned_participants", 0, INT32_MIN, INT32_MAX));
  m.expected_prevented = static_cast<int>(fields.Integer("expected_prevented", 0, INT32_MIN, INT32_MAX));
  if (fields.error()) return tl::unexpected(*fields.error());
  if (auto it = body->find("budget"); it != body->end() && !it->is_null()) {
    if (!it->is_array()) return BadParameter("budget: expected a list of {\"year\", \"euros\"}");
    for (const nlohmann::json& b : *it) {
      if (!b.is_object() || !b.contains("year") || !b["year"].is_number_integer() || !b.contains("euros") ||
          !b["euros"].is_number_integer()) {
        return BadParameter("budget: every entry needs a whole-number year and euros");
      }
      m.budget.push_back({static_cast<int>(std::clamp<int64_t>(b["year"].get<int64_t>(), INT32_MIN, INT32_MAX)),
                          b["euros"].get<int64_t>()});
    }
  }
  auto r = ctx.store->AddMeasure(Ctx(req, &*body, kPurpose), m);
  if (!r) return Fail(r.error());
  return JsonReply({{"id", r->id}, {"title", r->m.title}, {"topic", followup::TopicName(r->m.topic)}}, 201);
}

ApiResult<Reply> HandleSetSpending(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto id = ParseWholeNumber(req.PathParam(0));
  if (!id || *id <= 0) return NotFound(fmt::format("measure '{}' does not exist", req.PathParam(0)));
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const int64_t year = fields.Integer("year", 0, INT32_MIN, INT32_MAX);
  const int64_t euros = fields.Integer("euros", -1, INT64_MIN, INT64_MAX);
  if (fields.error()) return tl::unexpected(*fields.error());
  auto cat_text = RequiredText(*body, "category");
  if (!cat_text) return tl::unexpected(cat_text.error());
  auto cat = followup::ParseSpendingCategory(*cat_text);
  if (!cat) return BadParameter("category: " + cat.error().message);
  auto m = ctx.store->SetSpending(Ctx(req, &*body, kPurpose), *id, static_cast<int>(year), *cat, euros);
  if (!m) return Fail(m.error());
  return JsonReply({{"measure_id", m->id}, {"year", year}, {"category", *cat_text}, {"euros", euros}});
}

ApiResult<Reply> HandleSetTarget(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  auto region = BodyRegion(ctx, req, fields);
  if (!region) return tl::unexpected(region.error());
  const int64_t year = fields.Integer("year", 0, INT32_MIN, INT32_MAX);
  const int64_t max = fields.Integer("max_new_vsv", -1, INT64_MIN, INT64_MAX);
  if (fields.error()) return tl::unexpected(*fields.error());
  auto t = ctx.store->SetRegionTarget(Ctx(req, &*body, kPurpose), *region, static_cast<int>(year), max);
  if (!t) return Fail(t.error());
  return JsonReply({{"region", fmt::format("{:02d}", *region)}, {"year", t->year}, {"max_new_vsv", t->max_new_vsv}});
}

ApiResult<Reply> HandleSetText(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  auto region = BodyRegion(ctx, req, fields);
  if (!region) return tl::unexpected(region.error());
  const int64_t year = fields.Integer("year", 0, INT32_MIN, INT32_MAX);
  const std::string text = fields.Text("text");
  if (fields.error()) return tl::unexpected(*fields.error());
  auto section_text = RequiredText(*body, "section");
  if (!section_text) return tl::unexpected(section_text.error());
  auto section = followup::ParseReportText(*section_text);
  if (!section) return BadParameter("section: " + section.error().message);
  auto t = ctx.store->SetReportText(Ctx(req, &*body, kPurpose), *region, static_cast<int>(year), *section, text);
  if (!t) return Fail(t.error());
  return JsonReply({{"region", fmt::format("{:02d}", *region)}, {"year", year}, {"section", *section_text},
                    {"text", t->text}});
}

ApiResult<Reply> HandleLinkMeasure(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto id = CaseId(req);
  if (!id) return tl::unexpected(id.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const int64_t measure = fields.Integer("measure_id", 0, 1, INT64_MAX);
  if (fields.error()) return tl::unexpected(*fields.error());
  if (measure == 0) return BadParameter("measure_id: required");
  auto on = BodyDate(*body, "date", Today(ctx));
  if (!on) return tl::unexpected(on.error());
  auto r = ctx.store->LinkCaseToMeasure(Ctx(req, &*body, "begeleiding"), *id, measure, *on);
  if (!r) return Fail(r.error());
  return JsonReply({{"case_id", *id}, {"measure_id", measure}, {"date", FormatDate(*on)}}, 201);
}

ApiResult<Reply> HandleSetDestination(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto id = CaseId(req);
  if (!id) return tl::unexpected(id.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  auto dest_text = RequiredText(*body, "destination");
  if (!dest_text) return tl::unexpected(dest_text.error());
  auto dest = followup::ParseDestination(*dest_text);
  if (!dest) return BadParameter("destination: " + dest.error().message);
  auto on = BodyDate(*body, "ended_on", Today(ctx));
  if (!on) return tl::unexpected(on.error());
  auto r = ctx.store->SetCaseDestination(Ctx(req, &*body, "begeleiding"), *id, *dest, *on);
  if (!r) return Fail(r.error());
  return JsonReply({{"case_id", *id}, {"destination", *dest_text}, {"ended_on", FormatDate(*on)}});
}

ApiResult<Reply> HandleEffectReport(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto region = RegionParam(ctx, req);
  if (!region) return tl::unexpected(region.error());
  auto year = YearParam(req);
  if (!year) return tl::unexpected(year.error());
  const std::string format = req.Param("format", "json");
  const bool en = req.Param("lang", "nl") == "en";
  if (format != "json" && format != "pdf" && format != "xlsx") {
    return BadParameter(fmt::format("format '{}': expected json, pdf or xlsx", format));
  }
  // The store's refusal (audited once) or failure first, with its own status.
  if (auto check = ctx.store->GetProgramme(Ctx(req, nullptr, "effectrapportage"), *region); !check) {
    return Fail(check.error());
  }
  auto rep = BuildEffectReport(ctx.registry, ctx.reference, ctx.cache, *ctx.store,
                               Ctx(req, nullptr, "effectrapportage"), {*region, *year});
  if (!rep) return BadParameter(rep.error().message);
  Reply reply;
  if (format == "json") {
    reply.json = EffectReportJson(*rep);
    return reply;
  }
  auto bytes = format == "pdf" ? EffectReportPdf(*rep, en) : EffectReportXlsx(*rep, en);
  if (!bytes) return tl::unexpected(ApiError{500, "internal_error", bytes.error().message});
  reply.raw = std::move(*bytes);
  reply.raw_type = format == "pdf" ? "application/pdf"
                                   : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  reply.headers.emplace("Content-Disposition",
                        fmt::format("attachment; filename=\"effectrapportage-{:02d}-{}.{}\"", *region, *year, format));
  return reply;
}

}  // namespace

void RegisterProgrammeRoutes(ApiServer& api) {
  constexpr bool kNoCache = false;
  api.AddRoutes({
      {"/api/v1/programme", "The region's programme per topic; topics without an agreement are marked missing",
       {"region:case_region"}, false, HandleGetProgramme,
       "Coordinators and caseworkers their own region, analysts and the administrator every region.", kNoCache},
      {"/api/v1/programme/agreements", "Record an agreement on a topic (the region's coordinator)", {}, false,
       HandleAddAgreement, "", kNoCache, "POST", false, "region, topic, text"},
      {"/api/v1/programme/measures", "Record a measure (the region's coordinator)", {}, false, HandleAddMeasure, "",
       kNoCache, "POST", false,
       "region, topic, title, target_group, activities, partners, planned_participants, expected_effect, "
       "expected_prevented, budget [{year, euros}]"},
      {"/api/v1/programme/measures/{id}/spending", "What a measure spent in a year in a category A-H", {}, false,
       HandleSetSpending, "", kNoCache, "PUT", false, "year, category, euros"},
      {"/api/v1/programme/targets", "The region's own target (maximum new vsv'ers) for a year", {}, false,
       HandleSetTarget, "", kNoCache, "PUT", false, "region, year, max_new_vsv"},
      {"/api/v1/programme/texts", "A text of the effect report (cooperation, bottlenecks, ...)", {}, false,
       HandleSetText, "", kNoCache, "PUT", false, "region, year, section, text"},
      {"/api/v1/cases/{id}/measures", "Link a case to a measure of its region (participation is counted)", {}, false,
       HandleLinkMeasure, "", kNoCache, "POST", false, "measure_id, date, purpose"},
      {"/api/v1/cases/{id}/destination", "Where the case's trajectory ended (the effect report's categories)", {},
       false, HandleSetDestination, "", kNoCache, "PUT", false, "destination, ended_on, purpose"},
      {"/api/v1/effect-report", "The region's effect report: format=json (default), pdf or xlsx",
       {"region:case_region", "year:report_year", "format:report_format", "lang:report_lang"}, false,
       HandleEffectReport, "Every figure from the count or a register query.", kNoCache},
  });
}

}  // namespace vsv::server
