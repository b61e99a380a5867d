// Stocks on a reference date (oud-vsv'ers, young people 23-27 without SK, young
// people in a vulnerable position), as `vsv stock --format json` shows them.
#include <map>

#include <fmt/format.h>

#include "measure/stock.h"
#include "server/controllers.h"
#include "server/params.h"
#include "server/tables.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

ApiResult<Reply> HandleStock(ServerContext& ctx, const ApiRequest& req);

const std::vector<RouteSpec> kRoutes = {
    {"/api/v1/stock", "A stock of persons on a reference date, optionally by region or municipality",
     {"kind", "date", "by:stock_by", "age_limit:stock_age_limit", "boundaries"}, true, HandleStock,
     "{\"kind\",\"date\",\"school_year\"(vulnerable),\"total\",\"groups\":[{\"key\":{..},\"count\"}]}; "
     "vulnerable groups are also keyed by origin and situation."},
};

ApiResult<Reply> HandleStock(ServerContext& ctx, const ApiRequest& req) {
  if (!req.Has("kind")) return BadParameter("kind: required; expected oud-vsv, jzs-23-27 or vulnerable");
  auto kind = ParseStockKind(req.Param("kind"));
  if (!kind) return BadParameter(fmt::format("kind '{}': expected oud-vsv, jzs-23-27 or vulnerable", req.Param("kind")));
  if (!req.Has("date")) return BadParameter("date: required; expected a date YYYY-MM-DD");
  auto date = ParseDate(req.Param("date"));
  if (!date) return BadParameter(fmt::format("date '{}': expected a date YYYY-MM-DD", req.Param("date")));
  // Within the registry's reach: from teldatum T+1 of the first countable year to the
  // end of the calendar year after the last.
  const Date lo = Teldatum(ctx.years.first + 1), hi = MakeDate(ctx.years.last + 1, 12, 31);
  if (ctx.years.first > ctx.years.last || *date < lo || *date > hi) {
    return BadParameter(fmt::format("date '{}': outside the dates this registry covers ({} to {})", req.Param("date"),
                                    FormatDate(lo), FormatDate(hi)));
  }
  const std::string by = req.Param("by");
  if (!by.empty() && by != "region" && by != "municipality") {
    return BadParameter(fmt::format("by '{}': expected region or municipality", by));
  }
  auto age_limit = WholeNumberParam(req, "age_limit", 23, 23, 27, "23 or 27");
  if (!age_limit || (*age_limit != 23 && *age_limit != 27)) {
    return BadParameter(fmt::format("age_limit '{}': expected 23 or 27", req.Param("age_limit")));
  }
  auto boundaries = ParseBoundaries(ctx, req);
  if (!boundaries) return tl::unexpected(boundaries.error());
  const StockResult stock = ComputeStock(ctx.cache, {*kind, *date, static_cast<int>(*age_limit), *boundaries});
  // Group key: the region or municipality (when asked), and for vulnerable the origin
  // and situation — as the CLI groups them.
  std::vector<std::string> columns;
  if (!by.empty()) columns.push_back(by);
  if (*kind == StockKind::kVulnerable) { columns.push_back("origin"); columns.push_back("situation"); }
  std::map<std::vector<std::string>, int64_t> groups;
  for (const StockEntry& e : stock.entries) {
    std::vector<std::string> key;
    if (by == "region") key.push_back(e.region >= 0 ? fmt::format("{:02d}", e.region) : "");
    if (by == "municipality") key.push_back(e.municipality >= 0 ? fmt::format("{:04d}", e.municipality) : "");
    if (*kind == StockKind::kVulnerable) {
      key.emplace_back(VulnerableOriginName(e.origin));
      key.emplace_back(SituationName(e.situation));
    }
    ++groups[key];
  }
  oj rows = oj::array();
  for (const auto& [key, n] : groups) {
    oj g, k = oj::object();
    for (size_t i = 0; i < key.size(); ++i) k[columns[i]] = key[i].empty() ? oj(nullptr) : oj(key[i]);
    g["key"] = k;
    g["count"] = n;
    rows.push_back(std::move(g));
  }
  oj total = {{"count", static_cast<int64_t>(stock.entries.size())}};
  if (SuppressesSmallCells(req.principal())) SuppressCountColumnJson(rows, total, "count", ctx.suppression);
  Reply reply;
  reply.json["kind"] = StockKindName(*kind);
  reply.json["date"] = FormatDate(*date);
  if (stock.school_year >= 0) reply.json["school_year"] = SchoolYearName(stock.school_year);
  if (*boundaries) reply.json["boundaries"] = SchoolYearName(*boundaries);
  reply.json["total"] = total["count"];
  reply.json["groups"] = rows;
  reply.filename = fmt::format("vsv-voorraad-{}-{}{}", StockKindName(*kind), FormatDate(*date), by.empty() ? "" : "-" + by);
  const int division_year = *boundaries ? *boundaries : SchoolYearOf(*date);
  reply.table = [&ctx, p = req.principal(), rows, columns, total, kind = *kind, date = *date, division_year] {
    static const std::map<std::string, std::string> kHeadings = {
        {"region", "RMC-regio"}, {"municipality", "gemeente (CBS-code)"}, {"origin", "herkomst"}, {"situation", "situatie"}};
    std::vector<KeyColumn> keys;
    for (const std::string& c : columns) keys.push_back({c, kHeadings.at(c)});
    if (!columns.empty() && columns[0] == "region") keys.push_back({"region_name", "regionaam"});
    if (!columns.empty() && columns[0] == "municipality") keys.push_back({"municipality_name", "gemeentenaam"});
    keys.push_back({"count", "aantal personen", ColumnKind::kInteger});
    std::vector<oj> flat;
    for (const oj& g : rows) {
      oj r = g["key"];
      if (r.contains("region") && r["region"].is_string()) {
        r["region_name"] = ctx.RegionName(std::stoi(r["region"].get<std::string>()), division_year);
      }
      if (r.contains("municipality") && r["municipality"].is_string()) {
        r["municipality_name"] = ctx.MunicipalityName(std::stoi(r["municipality"].get<std::string>()));
      }
      for (auto& [k, v] : r.items()) {
        if (v.is_null()) v = "onbekend";
      }
      r["count"] = g["count"];
      flat.push_back(std::move(r));
    }
    oj t = {{"count", total["count"]}};
    if (!columns.empty()) t[columns[0]] = "totaal";
    flat.push_back(std::move(t));
    return RowsTable(ctx, p, fmt::format("{} op {}", StockKindName(kind), FormatDate(date)), keys, flat, false);
  };
  return reply;
}

}  // namespace

void RegisterStockRoutes(ApiServer& api) { api.AddRoutes(kRoutes); }

}  // namespace vsv::server
