// Regions, municipalities and schools: the reference lists with the count of the
// chosen school year beside every entry, for the map, the rankings and the drill-down
// region -> municipalities -> schools and their locations.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "server/controllers.h"
#include "server/params.h"
#include "server/tables.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

ApiResult<Reply> HandleRegions(ServerContext& ctx, const ApiRequest& req);
ApiResult<Reply> HandleRegion(ServerContext& ctx, const ApiRequest& req);
ApiResult<Reply> HandleMunicipalities(ServerContext& ctx, const ApiRequest& req);
ApiResult<Reply> HandleSchools(ServerContext& ctx, const ApiRequest& req);
ApiResult<Reply> HandleSchool(ServerContext& ctx, const ApiRequest& req);

const std::vector<RouteSpec> kRoutes = {
    {"/api/v1/regions", "All RMC regions of a school year with their count and rank",
     {"year", "age_limit", "sector", "category", "boundaries"}, true,
     HandleRegions,
     "One row per region valid in the school year (by residence on teldatum T), plus a row with code null for "
     "persons without a Dutch residence; rank 1 = the lowest vsv-percentage. With boundaries=YEAR: the regions of "
     "that year's division, every residence mapped onto it. area_changes: regions whose area changed that year."},
    {"/api/v1/regions/{code}", "One region: its count, the national figure, and its municipalities",
     {"year", "age_limit", "sector", "category", "boundaries"}, true, HandleRegion,
     "The municipalities are those of the region in the school year (or in the boundaries year)."},
    {"/api/v1/municipalities", "Municipalities with their count (optionally of one region)",
     {"year", "age_limit", "region", "sector", "category", "boundaries"}, true, HandleMunicipalities, ""},
    {"/api/v1/schools", "School locations (vestigingen) located in a region or municipality, with their count",
     {"year", "age_limit", "region", "municipality", "sector", "boundaries"}, true, HandleSchools,
     "Schools are placed by the municipality of the location; the count of a location is that of all its students "
     "(main enrolment on teldatum T), wherever they live."},
    {"/api/v1/schools/{brin}", "One institution: its count and its locations", {"year", "age_limit", "boundaries"},
     true, HandleSchool, ""},
};

// Adds a zero group for every key in `keys` the table lacks, so a list is complete
// (and its zeros are suppressed like any small cell). One-dimension tables only.
void AddMissingKeys(CountTable& table, const std::vector<int32_t>& keys) {
  std::vector<int32_t> have;
  for (const CountGroup& g : table.groups) have.push_back(g.key[0]);
  for (int32_t k : keys) {
    if (std::find(have.begin(), have.end(), k) == have.end()) table.groups.push_back({{k}, {}});
  }
  auto order = [](int32_t v) { return v < 0 ? INT32_MAX : v; };
  std::sort(table.groups.begin(), table.groups.end(),
            [&](const CountGroup& a, const CountGroup& b) { return order(a.key[0]) < order(b.key[0]); });
}

// The decomposition fields of a published group (everything but "key").
oj Fields(const oj& group) {
  oj out = oj::object();
  for (auto it = group.begin(); it != group.end(); ++it) {
    if (it.key() != "key") out[it.key()] = it.value();
  }
  return out;
}

std::vector<int32_t> RegionsOf(const ServerContext& ctx, int year) {
  std::vector<int32_t> codes;
  for (const RegionInfo& r : ctx.reference.regions()) {
    if (r.first_year <= year && year <= r.last_year) codes.push_back(r.code);
  }
  return codes;
}

// Municipalities valid in `year`, of region `region` (all when < 0).
std::vector<const MunicipalityPeriod*> MunicipalitiesOf(const ServerContext& ctx, int year, int region) {
  std::vector<const MunicipalityPeriod*> out;
  for (const MunicipalityPeriod& m : ctx.reference.municipalities()) {
    if (m.first_year <= year && year <= m.last_year && (region < 0 || m.region == region)) out.push_back(&m);
  }
  return out;
}

struct Common {
  int year;
  int age_limit;
  std::vector<DimensionFilter> filters;  // sector and category, when given
  int boundaries;        // 0: the year's own division
  int division_year;     // the school year whose municipalities and regions are shown
  const Division* on;    // for CountBy: nullptr (own) or the boundaries division
};
ApiResult<Common> ParseCommon(const ServerContext& ctx, const ApiRequest& req) {
  auto year = ParseOneYear(ctx, req, "year", ctx.years.last);
  if (!year) return tl::unexpected(year.error());
  auto age = ParseAgeLimit(ctx, req);
  if (!age) return tl::unexpected(age.error());
  auto filters = ParseFilters(ctx, req);
  if (!filters) return tl::unexpected(filters.error());
  std::vector<DimensionFilter> kept;
  for (const DimensionFilter& f : *filters) {
    if (f.dimension == Dimension::kSector || f.dimension == Dimension::kCategory) kept.push_back(f);
  }
  auto boundaries = ParseBoundaries(ctx, req);
  if (!boundaries) return tl::unexpected(boundaries.error());
  return Common{*year, *age, kept, *boundaries, *boundaries ? *boundaries : *year, BoundariesDivision(ctx, *boundaries)};
}

// "boundaries" and "area_changes" of a reply, as the count's JSON has them.
void AddDivisionFields(const Common& c, const oj& published, oj& json) {
  if (c.boundaries) json["boundaries"] = SchoolYearName(c.boundaries);
  if (published.contains("area_changes")) json["area_changes"] = published["area_changes"];
}

void AddRanks(oj& rows) {
  std::vector<double> pcts;
  for (const oj& r : rows) {
    if (r["code"].is_string() && r["pct"].is_number()) pcts.push_back(r["pct"].get<double>());
  }
  std::sort(pcts.begin(), pcts.end());
  for (oj& r : rows) {
    if (r["code"].is_string() && r["pct"].is_number()) {
      r["rank"] = static_cast<int>(std::lower_bound(pcts.begin(), pcts.end(), r["pct"].get<double>()) - pcts.begin()) + 1;
    } else {
      r["rank"] = nullptr;
    }
  }
}

std::vector<oj> Rows(const oj& array) { return std::vector<oj>(array.begin(), array.end()); }

ApiResult<Reply> HandleRegions(ServerContext& ctx, const ApiRequest& req) {
  auto c = ParseCommon(ctx, req);
  if (!c) return tl::unexpected(c.error());
  const Dimension by[] = {Dimension::kRegion};
  CountTable table = CountBy(ctx.registry, ctx.Classification(c->year, c->age_limit), by, c->filters, c->on);
  AddMissingKeys(table, RegionsOf(ctx, c->division_year));
  const oj published = ctx.PublishCountTable(req.principal(), table);
  std::map<int, int> municipality_count;
  for (const MunicipalityPeriod* m : MunicipalitiesOf(ctx, c->division_year, -1)) ++municipality_count[m->region];
  oj rows = oj::array();
  for (const oj& g : published["groups"]) {
    oj row;
    const oj& code = g["key"]["region"];
    row["code"] = code;
    row["name"] = code.is_string() ? oj(ctx.RegionName(std::stoi(code.get<std::string>()), c->division_year)) : oj(nullptr);
    row["municipality_count"] = code.is_string() ? municipality_count[std::stoi(code.get<std::string>())] : 0;
    row.update(Fields(g));
    rows.push_back(std::move(row));
  }
  AddRanks(rows);
  Reply reply;
  reply.json["school_year"] = SchoolYearName(c->year);
  reply.json["age_limit"] = c->age_limit;
  AddDivisionFields(*c, published, reply.json);
  reply.json["total"] = published["total"];
  reply.json["regions"] = rows;
  reply.filename = "vsv-regios-" + SchoolYearName(c->year);
  reply.table = [&ctx, p = req.principal(), rows, year = c->year] {
    std::vector<oj> r = Rows(rows);
    return RowsTable(ctx, p, "Nieuwe vsv'ers per RMC-regio, schooljaar " + SchoolYearName(year),
                     {{"rank", "rang (1 = laagste vsv-percentage)", ColumnKind::kInteger},
                      {"code", "RMC-regio"}, {"name", "regionaam"},
                      {"municipality_count", "aantal gemeenten", ColumnKind::kInteger}},
                     r, true);
  };
  return reply;
}

ApiResult<Reply> HandleRegion(ServerContext& ctx, const ApiRequest& req) {
  auto c = ParseCommon(ctx, req);
  if (!c) return tl::unexpected(c.error());
  const std::string code_text = req.PathParam(0);
  auto code = ParseRegionCode(ctx, "region", code_text);
  if (!code) return NotFound(fmt::format("region '{}' not found; expected a two-digit RMC region code", code_text));
  const YearClassification& cls = ctx.Classification(c->year, c->age_limit);
  const Dimension by[] = {Dimension::kMunicipality};
  std::vector<DimensionFilter> filter = c->filters;
  filter.push_back({Dimension::kRegion, *code});
  CountTable table = CountBy(ctx.registry, cls, by, filter, c->on);
  std::vector<int32_t> keys;
  const auto municipalities = MunicipalitiesOf(ctx, c->division_year, *code);
  for (const MunicipalityPeriod* m : municipalities) keys.push_back(m->code);
  AddMissingKeys(table, keys);
  const oj published = ctx.PublishCountTable(req.principal(), table);
  const oj national = ctx.PublishCountTable(req.principal(), CountBy(ctx.registry, cls, {}, c->filters, c->on));
  oj rows = oj::array();
  for (const oj& g : published["groups"]) {
    const int m = std::stoi(g["key"]["municipality"].get<std::string>());
    const MunicipalityPeriod* period = ctx.reference.Find(static_cast<Municipality>(m), c->division_year);
    oj row;
    row["code"] = g["key"]["municipality"];
    row["name"] = ctx.MunicipalityName(m);
    row["province"] = period ? oj(period->province) : oj(nullptr);
    row.update(Fields(g));
    rows.push_back(std::move(row));
  }
  Reply reply;
  reply.json["code"] = code_text;
  reply.json["name"] = ctx.RegionName(*code, c->division_year);
  reply.json["school_year"] = SchoolYearName(c->year);
  reply.json["age_limit"] = c->age_limit;
  AddDivisionFields(*c, published, reply.json);
  reply.json["total"] = published["total"];
  reply.json["national"] = national["total"];
  reply.json["municipalities"] = rows;
  reply.filename = fmt::format("vsv-regio-{}-{}", code_text, SchoolYearName(c->year));
  reply.table = [&ctx, p = req.principal(), rows, name = reply.json["name"].get<std::string>(), year = c->year] {
    return RowsTable(ctx, p, fmt::format("Nieuwe vsv'ers per gemeente, RMC-regio {}, schooljaar {}", name, SchoolYearName(year)),
                     {{"code", "gemeente (CBS-code)"}, {"name", "gemeentenaam"}, {"province", "provincie"}}, Rows(rows), true);
  };
  return reply;
}

ApiResult<Reply> HandleMunicipalities(ServerContext& ctx, const ApiRequest& req) {
  auto c = ParseCommon(ctx, req);
  if (!c) return tl::unexpected(c.error());
  int region = -1;
  if (req.Has("region")) {
    auto code = ParseRegionCode(ctx, "region", req.Param("region"));
    if (!code) return tl::unexpected(code.error());
    region = *code;
  }
  const Dimension by[] = {Dimension::kMunicipality};
  std::vector<DimensionFilter> filters = c->filters;
  if (region >= 0) filters.push_back({Dimension::kRegion, region});
  CountTable table = CountBy(ctx.registry, ctx.Classification(c->year, c->age_limit), by, filters, c->on);
  std::vector<int32_t> keys;
  for (const MunicipalityPeriod* m : MunicipalitiesOf(ctx, c->division_year, region)) keys.push_back(m->code);
  AddMissingKeys(table, keys);
  const oj published = ctx.PublishCountTable(req.principal(), table);
  oj rows = oj::array();
  for (const oj& g : published["groups"]) {
    oj row;
    const oj& code = g["key"]["municipality"];
    row["code"] = code;
    if (code.is_string()) {
      const int m = std::stoi(code.get<std::string>());
      const MunicipalityPeriod* period = ctx.reference.Find(static_cast<Municipality>(m), c->division_year);
      const int r = ctx.reference.RegionOf(static_cast<Municipality>(m), c->division_year);
      row["name"] = ctx.MunicipalityName(m);
      row["region"] = r >= 0 ? oj(fmt::format("{:02d}", r)) : oj(nullptr);
      row["region_name"] = r >= 0 ? oj(ctx.RegionName(r, c->division_year)) : oj(nullptr);
      row["province"] = period ? oj(period->province) : oj(nullptr);
    } else {
      row["name"] = nullptr;
      row["region"] = nullptr;
      row["region_name"] = nullptr;
      row["province"] = nullptr;
    }
    row.update(Fields(g));
    rows.push_back(std::move(row));
  }
  Reply reply;
  reply.json["school_year"] = SchoolYearName(c->year);
  reply.json["age_limit"] = c->age_limit;
  reply.json["region"] = region >= 0 ? oj(fmt::format("{:02d}", region)) : oj(nullptr);
  AddDivisionFields(*c, published, reply.json);
  reply.json["total"] = published["total"];
  reply.json["municipalities"] = rows;
  reply.filename = "vsv-gemeenten-" + SchoolYearName(c->year) + (region >= 0 ? fmt::format("-regio-{:02d}", region) : "");
  reply.table = [&ctx, p = req.principal(), rows, year = c->year] {
    return RowsTable(ctx, p, "Nieuwe vsv'ers per gemeente, schooljaar " + SchoolYearName(year),
                     {{"code", "gemeente (CBS-code)"}, {"name", "gemeentenaam"}, {"region", "RMC-regio"},
                      {"region_name", "regionaam"}, {"province", "provincie"}},
                     Rows(rows), true);
  };
  return reply;
}

// One row per location group of `published`, with what is known of the location.
oj LocationRows(const ServerContext& ctx, const oj& published, int year) {
  const InstitutionTable& inst = ctx.registry.institutions;
  oj rows = oj::array();
  for (const oj& g : published["groups"]) {
    const std::string code = g["key"]["location"];
    const int64_t row_index = inst.Find(code.substr(0, code.size() - 2), std::stoi(code.substr(code.size() - 2)));
    if (row_index < 0) continue;
    const auto row = static_cast<uint32_t>(row_index);
    const Municipality m = ctx.LocationMunicipality(row, year);
    const int region = ctx.LocationRegion(row, year);
    oj out;
    out["brin"] = inst.Brin(row);
    out["location"] = code;
    out["name"] = inst.name[row];
    out["sector"] = std::string(ToString(inst.sector[row]));
    out["municipality"] = m >= 0 ? oj(fmt::format("{:04d}", m)) : oj(nullptr);
    out["municipality_name"] = m >= 0 ? oj(ctx.MunicipalityName(m)) : oj(nullptr);
    out["region"] = region >= 0 ? oj(fmt::format("{:02d}", region)) : oj(nullptr);
    out["region_name"] = region >= 0 ? oj(ctx.RegionName(region, year)) : oj(nullptr);
    out.update(Fields(g));
    rows.push_back(std::move(out));
  }
  return rows;
}

const std::vector<KeyColumn>& LocationColumns() {
  static const std::vector<KeyColumn> kColumns = {
      {"brin", "instelling (BRIN)"}, {"location", "vestiging"}, {"name", "naam"}, {"sector", "sector"},
      {"municipality", "gemeente vestiging (CBS-code)"}, {"municipality_name", "gemeentenaam"},
      {"region", "RMC-regio vestiging"}, {"region_name", "regionaam"}};
  return kColumns;
}

bool CountsInA(Sector s) { return s == Sector::kVO || s == Sector::kMBO || s == Sector::kVAVO; }

ApiResult<Reply> HandleSchools(ServerContext& ctx, const ApiRequest& req) {
  auto c = ParseCommon(ctx, req);
  if (!c) return tl::unexpected(c.error());
  int region = -1, municipality = -1, sector = -1;
  if (req.Has("region")) {
    auto code = ParseRegionCode(ctx, "region", req.Param("region"));
    if (!code) return tl::unexpected(code.error());
    region = *code;
  }
  if (req.Has("municipality")) {
    auto code = ParseMunicipalityCode(ctx, "municipality", req.Param("municipality"));
    if (!code) return tl::unexpected(code.error());
    municipality = *code;
  }
  if (req.Has("sector")) {
    auto s = ParseSector(req.Param("sector"));
    if (!s || !CountsInA(*s)) return BadParameter(fmt::format("sector '{}': expected VO, MBO or VAVO", req.Param("sector")));
    sector = static_cast<int>(*s);
  }
  if (region < 0 && municipality < 0) {
    return BadParameter("region or municipality: one of them is required (the list of all schools is long)");
  }
  const InstitutionTable& inst = ctx.registry.institutions;
  auto in_area = [&](uint32_t row) {
    if (!CountsInA(inst.sector[row])) return false;
    if (sector >= 0 && static_cast<int>(inst.sector[row]) != sector) return false;
    if (municipality >= 0 && ctx.LocationMunicipality(row, c->division_year) != municipality) return false;
    if (region >= 0 && ctx.LocationRegion(row, c->division_year) != region) return false;
    return true;
  };
  const Dimension by[] = {Dimension::kLocation};
  const CountTable all = CountBy(ctx.registry, ctx.Classification(c->year, c->age_limit), by);
  CountTable table;
  table.year = all.year;
  table.age_limit = all.age_limit;
  table.dimensions = all.dimensions;
  for (const CountGroup& g : all.groups) {
    if (g.key[0] >= 0 && in_area(static_cast<uint32_t>(g.key[0]))) {
      table.groups.push_back(g);
      table.total.Add(g.counts);
    }
  }
  const oj published = ctx.PublishCountTable(req.principal(), table);
  const oj rows = LocationRows(ctx, published, c->division_year);
  Reply reply;
  reply.json["school_year"] = SchoolYearName(c->year);
  reply.json["age_limit"] = c->age_limit;
  AddDivisionFields(*c, published, reply.json);
  reply.json["region"] = region >= 0 ? oj(fmt::format("{:02d}", region)) : oj(nullptr);
  reply.json["municipality"] = municipality >= 0 ? oj(fmt::format("{:04d}", municipality)) : oj(nullptr);
  reply.json["total"] = published["total"];
  reply.json["schools"] = rows;
  reply.filename = "vsv-scholen-" + SchoolYearName(c->year) +
                   (region >= 0 ? fmt::format("-regio-{:02d}", region) : "") +
                   (municipality >= 0 ? fmt::format("-gemeente-{:04d}", municipality) : "");
  reply.table = [&ctx, p = req.principal(), rows, year = c->year] {
    return RowsTable(ctx, p, "Nieuwe vsv'ers per schoolvestiging, schooljaar " + SchoolYearName(year), LocationColumns(),
                     Rows(rows), true);
  };
  return reply;
}

ApiResult<Reply> HandleSchool(ServerContext& ctx, const ApiRequest& req) {
  auto c = ParseCommon(ctx, req);
  if (!c) return tl::unexpected(c.error());
  const std::string brin = req.PathParam(0);
  auto index = ParseSchool(ctx, "school", brin);
  if (!index) return NotFound(fmt::format("school '{}' not found; expected a BRIN code", brin));
  const InstitutionTable& inst = ctx.registry.institutions;
  std::vector<int32_t> locations;
  for (uint32_t row = 0; row < inst.size(); ++row) {
    if (static_cast<int>(inst.institution[row]) == *index) locations.push_back(static_cast<int32_t>(row));
  }
  const Dimension by[] = {Dimension::kLocation};
  const DimensionFilter filter[] = {{Dimension::kSchool, *index}};
  CountTable table = CountBy(ctx.registry, ctx.Classification(c->year, c->age_limit), by, filter);
  AddMissingKeys(table, locations);
  const oj published = ctx.PublishCountTable(req.principal(), table);
  const oj rows = LocationRows(ctx, published, c->division_year);
  const uint32_t first = static_cast<uint32_t>(locations.front());
  const Municipality m = ctx.LocationMunicipality(first, c->division_year);
  const int region = ctx.LocationRegion(first, c->division_year);
  Reply reply;
  reply.json["brin"] = brin;
  reply.json["name"] = inst.name[first];
  reply.json["sector"] = std::string(ToString(inst.sector[first]));
  reply.json["municipality"] = m >= 0 ? oj(fmt::format("{:04d}", m)) : oj(nullptr);
  reply.json["municipality_name"] = m >= 0 ? oj(ctx.MunicipalityName(m)) : oj(nullptr);
  reply.json["region"] = region >= 0 ? oj(fmt::format("{:02d}", region)) : oj(nullptr);
  reply.json["region_name"] = region >= 0 ? oj(ctx.RegionName(region, c->division_year)) : oj(nullptr);
  reply.json["school_year"] = SchoolYearName(c->year);
  if (c->boundaries) reply.json["boundaries"] = SchoolYearName(c->boundaries);
  reply.json["age_limit"] = c->age_limit;
  reply.json["total"] = published["total"];
  reply.json["locations"] = rows;
  reply.filename = fmt::format("vsv-school-{}-{}", brin, SchoolYearName(c->year));
  reply.table = [&ctx, p = req.principal(), rows, name = inst.name[first], year = c->year] {
    return RowsTable(ctx, p, fmt::format("Nieuwe vsv'ers per vestiging van {}, schooljaar {}", name, SchoolYearName(year)),
                     LocationColumns(), Rows(rows), true);
  };
  return reply;
}

}  // namespace

void RegisterAreaRoutes(ApiServer& api) { api.AddRoutes(kRoutes); }

}  // namespace vsv::server
