// The official count and its trend: what `vsv count` prints, over HTTP.
#include <fmt/format.h>

#include "server/controllers.h"
#include "server/params.h"
#include "server/tables.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

ApiResult<Reply> HandleCount(ServerContext& ctx, const ApiRequest& req);
ApiResult<Reply> HandleTrend(ServerContext& ctx, const ApiRequest& req);

const std::vector<RouteSpec> kRoutes = {
    {"/api/v1/count", "The count of new vsv'ers (A, B, C, D, X, percentage) for one or more school years",
     {"year", "by", "age_limit", "region", "municipality", "school", "sector", "category", "boundaries"}, true,
     HandleCount,
     "Exactly the JSON of `vsv count --format json` (one object for one year, an array for a range or all); "
     "for the public, cells under 5 persons are \"<5\" and cells that would reveal them \"x\". Regions and "
     "municipalities are those of each school year (area_changes notes a region whose area changed that year), "
     "or with boundaries=YEAR those of one year's division for every year."},
    {"/api/v1/trend", "The count per school year, with the national targets",
     {"from", "to", "by", "age_limit", "region", "municipality", "school", "sector", "category", "boundaries"}, true,
     HandleTrend,
     "One count table per school year from..to, each with the national target of the calendar year in which the "
     "school year ends (target 2024 = school year 2023-2024). A region's trend uses each year's own division, with "
     "area_changes in the years its area changed (region 14 in 2021); boundaries=YEAR puts every year on one map."},
};

std::string FilterSuffix(const ApiRequest& req) {
  std::string s;
  for (const char* p : {"region", "municipality", "school", "sector", "category"}) {
    if (req.Has(p)) s += "-" + req.Param(p);
  }
  if (req.Has("boundaries")) s += "-indeling-" + req.Param("boundaries");
  return s;
}

ApiResult<Reply> HandleCount(ServerContext& ctx, const ApiRequest& req) {
  bool single = false;
  auto years = ParseYearList(ctx, req, &single);
  if (!years) return tl::unexpected(years.error());
  auto age = ParseAgeLimit(ctx, req);
  if (!age) return tl::unexpected(age.error());
  auto dims = ParseBy(req);
  if (!dims) return tl::unexpected(dims.error());
  auto filters = ParseFilters(ctx, req);
  if (!filters) return tl::unexpected(filters.error());
  auto boundaries = ParseBoundaries(ctx, req);
  if (!boundaries) return tl::unexpected(boundaries.error());
  const Division* on = BoundariesDivision(ctx, *boundaries);
  std::vector<oj> tables;
  for (int y : *years) {
    tables.push_back(ctx.PublishCountTable(req.principal(), CountBy(ctx.registry, ctx.Classification(y, *age), *dims, *filters, on)));
  }
  Reply reply;
  if (single) {
    reply.json = tables[0];
  } else {
    reply.json = oj::array();
    for (const oj& t : tables) reply.json.push_back(t);
  }
  const std::string span = years->size() == 1 ? SchoolYearName(years->front())
                                               : fmt::format("{}-{}", years->front(), years->back() + 1);
  reply.filename = "vsv-telling-" + span + FilterSuffix(req);
  reply.table = [&ctx, p = req.principal(), tables, span] {
    return CountTablesTable(ctx, p, "Nieuwe vsv'ers, schooljaar " + span, tables, false);
  };
  return reply;
}

ApiResult<Reply> HandleTrend(ServerContext& ctx, const ApiRequest& req) {
  auto from = ParseOneYear(ctx, req, "from", ctx.years.first);
  if (!from) return tl::unexpected(from.error());
  auto to = ParseOneYear(ctx, req, "to", ctx.years.last);
  if (!to) return tl::unexpected(to.error());
  if (*from > *to) return BadParameter(fmt::format("from '{}' is after to '{}'", *from, *to));
  auto age = ParseAgeLimit(ctx, req);
  if (!age) return tl::unexpected(age.error());
  auto dims = ParseBy(req);
  if (!dims) return tl::unexpected(dims.error());
  auto filters = ParseFilters(ctx, req);
  if (!filters) return tl::unexpected(filters.error());
  auto boundaries = ParseBoundaries(ctx, req);
  if (!boundaries) return tl::unexpected(boundaries.error());
  const Division* on = BoundariesDivision(ctx, *boundaries);
  Reply reply;
  reply.json["from"] = SchoolYearName(*from);
  reply.json["to"] = SchoolYearName(*to);
  reply.json["age_limit"] = *age;
  if (*boundaries) reply.json["boundaries"] = SchoolYearName(*boundaries);
  oj targets = oj::array();
  for (const NationalTarget& t : ctx.reference.targets()) {
    targets.push_back({{"year", t.year}, {"school_year", SchoolYearName(t.year - 1)}, {"max_new_vsv", t.max_new_vsv},
                       {"source", t.source}});
  }
  reply.json["targets"] = std::move(targets);
  std::vector<oj> tables;
  for (int y = *from; y <= *to; ++y) {
    oj t = ctx.PublishCountTable(req.principal(), CountBy(ctx.registry, ctx.Classification(y, *age), *dims, *filters, on));
    const auto target = ctx.reference.TargetFor(y + 1);
    t["target"] = target ? oj(*target) : oj(nullptr);
    tables.push_back(std::move(t));
  }
  reply.json["years"] = tables;
  reply.filename = fmt::format("vsv-trend-{}-{}{}", *from, *to + 1, FilterSuffix(req));
  reply.table = [&ctx, p = req.principal(), tables, from = *from, to = *to] {
    return CountTablesTable(ctx, p, fmt::format("Nieuwe vsv'ers per schooljaar, {} tot en met {}", SchoolYearName(from),
                                                SchoolYearName(to)),
                            tables, true);
  };
  return reply;
}

}  // namespace

void RegisterCountRoutes(ApiServer& api) { api.AddRoutes(kRoutes); }

}  // namespace vsv::server
