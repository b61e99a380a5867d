// What the dashboard and API clients need to know before asking: the countable
// years, the filters' values, the targets, the principal's role and how suppressed
// cells look; a health check; and the OpenAPI 3 document, generated from the route
// tables and the parameter catalogue so it cannot drift from the code.
#include <fmt/format.h>

#include "server/controllers.h"
#include "server/params.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

ApiResult<Reply> HandleMeta(ServerContext& ctx, const ApiRequest& req) {
  Reply reply;
  oj& j = reply.json;
  j["name"] = "vsv";
  j["data"] = ctx.data_name;
  j["persons"] = ctx.person_count;
  j["years"] = {{"first", ctx.years.first}, {"last", ctx.years.last}};
  oj school_years = oj::array();
  for (int y = ctx.years.first; y <= ctx.years.last; ++y) school_years.push_back({{"year", y}, {"name", SchoolYearName(y)}});
  j["school_years"] = school_years;
  j["age_limits"] = ctx.age_limits;
  j["sectors"] = {"VO", "MBO", "VAVO"};
  oj categories = oj::array();
  for (int i = 0; i < kCategoryCount; ++i) {
    const std::string name(CategoryName(static_cast<Category>(i)));
    categories.push_back({{"code", name}, {"sector", name.substr(0, name.find('-'))}});
  }
  j["categories"] = categories;
  oj dims = oj::array();
  for (int d = 0; d < kDimensionCount; ++d) dims.push_back(DimensionName(static_cast<Dimension>(d)));
  j["dimensions"] = dims;
  oj targets = oj::array();
  for (const NationalTarget& t : ctx.reference.targets()) {
    targets.push_back({{"year", t.year}, {"school_year", SchoolYearName(t.year - 1)}, {"max_new_vsv", t.max_new_vsv}});
  }
  j["targets"] = targets;
  j["role"] = RoleName(req.principal().role);
  j["suppression"] = {{"applies", SuppressesSmallCells(req.principal())},
                      {"threshold", ctx.suppression.threshold},
                      {"small", SmallCellText(ctx.suppression)},
                      {"hidden", kHiddenCellText}};
  return reply;
}

ApiResult<Reply> HandleHealth(ServerContext& ctx, const ApiRequest&) {
  Reply reply;
  reply.json["status"] = "ok";
  reply.json["warm"] = ctx.warm_done.load();
  reply.json["warm_years"] = ctx.warm_years.load();
  return reply;
}

oj ErrorResponse(const char* description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
}

oj OpenApi(const ServerContext& ctx, const std::vector<RouteSpec>& routes) {
  oj doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "vsv API"},
                 {"version", "1.0.0"},
                 {"description",
                  "The official count of new early school leavers (voortijdig schoolverlaters) and its breakdowns. "
                  "For the public role, cells under 5 persons are \"<5\" and cells from which one could be derived "
                  "\"x\"; tables are also served as CSV or XLSX with format=csv|xlsx. See docs/api.md."}};
  doc["servers"] = oj::array({{{"url", "/"}}});
  oj paths = oj::object();
  for (const RouteSpec& r : routes) {
    oj op;
    op["summary"] = r.summary;
    if (*r.description) op["description"] = r.description;
    oj params = oj::array();
    const std::string path = r.path;
    for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      const std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
      params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    std::vector<std::string> names = r.params;
    if (r.tables) names.push_back("format");
    for (const std::string& spec : names) {
      const ParamSpec* p = FindParam(CatalogueName(spec));
      oj param = {{"name", QueryName(spec)}, {"in", "query"}, {"required", false}};
      if (p) {
        param["description"] = p->description;
        param["schema"] = p->schema;
      }
      params.push_back(std::move(param));
    }
    if (!params.empty()) op["parameters"] = params;
    oj ok = {{"description", "OK"}, {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    if (r.tables) {
      ok["content"]["text/csv"] = {{"schema", {{"type", "string"}}}};
      ok["content"]["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = {
          {"schema", {{"type", "string"}, {"format", "binary"}}}};
    }
    op["responses"] = {{"200", ok}, {"400", ErrorResponse("Unknown parameter or bad value; the message names it")}};
    if (path.find('{') != std::string::npos) op["responses"]["404"] = ErrorResponse("Not found");
    const std::string method = r.method;
    const bool register_route = path.rfind("/api/v1/cases", 0) == 0 || path.rfind("/api/v1/users", 0) == 0 ||
                                path == "/api/v1/audit" || path == "/api/v1/session" || method != "GET";
    if (*r.body) {
      op["requestBody"] = {{"required", true},
                           {"description", fmt::format("JSON object with: {}", r.body)},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    }
    if (register_route) {
      op["responses"]["401"] = ErrorResponse("No session (log in), or wrong name or password");
      op["responses"]["403"] = ErrorResponse("Not allowed for this role or region, or missing X-CSRF-Token");
      if (method != "GET" && !r.no_session) {
        op["parameters"] = op.value("parameters", oj::array());
        op["parameters"].push_back({{"name", "X-CSRF-Token"}, {"in", "header"}, {"required", true},
                                    {"schema", {{"type", "string"}}},
                                    {"description", "The session's CSRF token (from the login or /api/v1/session)"}});
      }
      if (path.find("{id}") != std::string::npos && method != "GET") {
        op["responses"]["409"] = ErrorResponse("The case changed since it was read; \"current\" holds it as it is now");
      }
      op["responses"]["503"] = ErrorResponse("The server runs without a register (--db)");
    }
    op["responses"]["500"] = ErrorResponse("Internal error");
    std::string key = method;
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    paths[path][key] = std::move(op);
  }
  doc["paths"] = paths;
  doc["components"]["schemas"]["Error"] = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"},
                      {"enum", {"bad_parameter", "unknown_parameter", "not_found", "internal_error", "unauthenticated",
                                "forbidden", "csrf", "invalid", "conflict", "locked", "storage", "no_register",
                                "method_not_allowed"}}}},
            {"message", {{"type", "string"}}}}}}}}}};
  (void)ctx;
  return doc;
}

}  // namespace

void RegisterMetaRoutes(ApiServer& api) {
  api.AddRoutes({
      {"/api/v1/meta", "Countable school years, filter values, targets, role and suppression marks", {}, false,
       HandleMeta, ""},
      {"/api/v1/health", "Liveness, and whether the school years are classified yet", {}, false, HandleHealth, "",
       false},
  });
  // Documents every route registered so far, itself included.
  const std::vector<RouteSpec> documented = [&] {
    std::vector<RouteSpec> all = api.routes();
    all.push_back({"/api/openapi.json", "This document (OpenAPI 3)", {}, false, nullptr, ""});
    return all;
  }();
  api.AddRoutes({{"/api/openapi.json", "This document (OpenAPI 3)", {}, false,
                  [documented](ServerContext& ctx, const ApiRequest&) -> ApiResult<Reply> {
                    Reply reply;
                    reply.json = OpenApi(ctx, documented);
                    return reply;
                  },
                  ""}});
}

}  // namespace vsv::server
