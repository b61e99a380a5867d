#include "server/params.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

std::vector<ParamSpec> MakeCatalogue() {
  std::vector<std::string> categories;
  for (int i = 0; i < kCategoryCount; ++i) categories.emplace_back(CategoryName(static_cast<Category>(i)));
  return {
      {"year", "School year: 2023 (= 2023-2024), a range 2015-2023, or all. Default: the last countable year.",
       oj{{"type", "string"}, {"example", "2023"}}},
      {"from", "First school year of the trend (2012 = 2012-2013). Default: the first countable year.",
       oj{{"type", "integer"}, {"example", 2012}}},
      {"to", "Last school year of the trend. Default: the last countable year.",
       oj{{"type", "integer"}, {"example", 2023}}},
      {"by",
       "Breakdown, comma separated: school, location, municipality, region, sector, category, level, pathway, sex, age.",
       oj{{"type", "string"}, {"example", "region,sector"}}},
      {"age_limit", "Younger than this on teldatum T: 22 (national definition) or 27 (Doorstroompunt).",
       oj{{"type", "integer"}, {"enum", {22, 27}}, {"default", 22}}},
      {"region", "Only persons living in this RMC region (two digits, 01-40); for /schools: schools located there.",
       oj{{"type", "string"}, {"pattern", "^[0-9]{2}$"}, {"example", "21"}}},
      {"municipality", "Only persons living in this municipality (CBS code, four digits); for /schools: schools located there.",
       oj{{"type", "string"}, {"pattern", "^[0-9]{4}$"}, {"example", "0363"}}},
      {"school", "Only persons whose main enrolment is at this institution (BRIN).",
       oj{{"type", "string"}, {"example", "00AA"}}},
      {"sector", "Only this sector of the main enrolment.", oj{{"type", "string"}, {"enum", {"VO", "MBO", "VAVO"}}}},
      {"category", "Only this category of the main enrolment.", oj{{"type", "string"}, {"enum", categories}}},
      {"boundaries",
       "Count every school year on the municipalities and regions of this school year (e.g. 2025 = today's map): "
       "a residence in a municipality merged away since is counted in its successor (a split: the part with the "
       "largest share). Default: each year on its own division, as DUO publishes it.",
       oj{{"type", "integer"}, {"example", 2025}}},
      {"kind", "Which stock: oud-vsv, jzs-23-27 or vulnerable.",
       oj{{"type", "string"}, {"enum", {"oud-vsv", "jzs-23-27", "vulnerable"}}}},
      {"date", "Reference date of the stock (YYYY-MM-DD).", oj{{"type", "string"}, {"format", "date"}}},
      {"stock_by", "Breakdown of a stock: region or municipality.",
       oj{{"type", "string"}, {"enum", {"region", "municipality"}}}},
      {"stock_age_limit", "oud-vsv: younger than this on the date (23 for the RMC, 27 for the Doorstroompunt).",
       oj{{"type", "integer"}, {"enum", {23, 27}}, {"default", 23}}},
      {"format", "json (default), csv or xlsx (a download with Dutch column names).",
       oj{{"type", "string"}, {"enum", {"json", "csv", "xlsx"}}, {"default", "json"}}},
      // The register (cases_controller.cc).
      {"case_status", "Case status: new, contacted, in-trajectory, back-in-education, working, "
       "working-and-learning, care, not-reachable, moved-out-of-region, closed.", oj{{"type", "string"}}},
      {"due", "due: next contact within 7 days or overdue; overdue: next contact before today.",
       oj{{"type", "string"}, {"enum", {"due", "overdue"}}}},
      {"owner", "me, none, or a user id.", oj{{"type", "string"}}},
      {"case_region", "Region code (01-40); default: the user's own region.", oj{{"type", "string"}}},
      {"include_closed", "1: include closed cases.", oj{{"type", "integer"}, {"enum", {0, 1}}, {"default", 0}}},
      {"limit", "At most this many rows.", oj{{"type", "integer"}, {"minimum", 1}}},
      {"audit_person", "Pseudonymous person id.", oj{{"type", "string"}}},
      {"audit_user", "User name.", oj{{"type", "string"}}},
      {"audit_from", "From this date (YYYY-MM-DD, inclusive).", oj{{"type", "string"}, {"format", "date"}}},
      {"audit_to", "Up to this date (YYYY-MM-DD, inclusive).", oj{{"type", "string"}, {"format", "date"}}},
      {"audit_format", "json (default) or csv (a download).", oj{{"type", "string"}, {"enum", {"json", "csv"}}}},
      // The effect report (programme_controller.cc).
      {"report_year", "Calendar year of the effect report.", oj{{"type", "integer"}}},
      {"report_format", "json (default), pdf or xlsx (a download).",
       oj{{"type", "string"}, {"enum", {"json", "pdf", "xlsx"}}}},
      {"report_lang", "nl (default) or en.", oj{{"type", "string"}, {"enum", {"nl", "en"}}}},
  };
}

std::optional<int> ParseInt(std::string_view s) {
  auto v = ParseWholeNumber(s);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int>(*v);
}

bool AllDigits(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string YearsText(const ServerContext& ctx) { return fmt::format("{}-{}", ctx.years.first, ctx.years.last); }

ApiResult<int> CheckYear(const ServerContext& ctx, const std::string& name, int year) {
  if (ctx.years.first > ctx.years.last) return BadParameter(fmt::format("{}: the registry has no countable school year", name));
  if (year < ctx.years.first || year > ctx.years.last) {
    return BadParameter(fmt::format("{} '{}': outside the school years this registry can count ({})", name, year,
                                    YearsText(ctx)));
  }
  return year;
}

}  // namespace

std::optional<int64_t> ParseWholeNumber(std::string_view text) {
  const std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
  if (digits.empty() || digits.size() > 18 || !AllDigits(digits, digits.size())) return std::nullopt;
  int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);  // 18 digits cannot overflow
  return text.starts_with('-') ? -value : value;
}

ApiResult<int64_t> WholeNumberParam(const ApiRequest& req, const std::string& name, int64_t fallback, int64_t min,
                                    int64_t max, std::string_view expected) {
  if (!req.Has(name)) return fallback;
  const std::string text = req.Param(name);
  auto value = ParseWholeNumber(text);
  if (!value || *value < min || *value > max) return BadParameter(fmt::format("{} '{}': expected {}", name, text, expected));
  return *value;
}

std::optional<ApiError> CheckIntegerParam(const std::string& name, const std::string& catalogue_name,
                                          const std::string& value) {
  const ParamSpec* spec = FindParam(catalogue_name);
  if (!spec || spec->schema.value("type", "") != "integer" || ParseWholeNumber(value)) return std::nullopt;
  return ApiError{400, "bad_parameter", fmt::format("{} '{}': expected a whole number", name, value)};
}

const std::vector<ParamSpec>& ParamCatalogue() {
  static const std::vector<ParamSpec> kCatalogue = MakeCatalogue();
  return kCatalogue;
}

const ParamSpec* FindParam(const std::string& name) {
  for (const ParamSpec& p : ParamCatalogue()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

ApiResult<std::vector<int>> ParseYearList(const ServerContext& ctx, const ApiRequest& req, bool* single) {
  const std::string text = req.Param("year", std::to_string(ctx.years.last));
  *single = text.find('-') == std::string::npos && text != "all";
  auto years = ctx.parse_years(text);
  if (!years) {
    std::string message = years.error().message;
    if (message.rfind("--year", 0) == 0) message = "year" + message.substr(6);  // the CLI's wording, our name
    return BadParameter(message);
  }
  if (years->empty()) return BadParameter(fmt::format("year '{}': no school year", text));
  for (int y : *years) {
    if (auto ok = CheckYear(ctx, "year", y); !ok) return tl::unexpected(ok.error());
  }
  return *years;
}

ApiResult<int> ParseOneYear(const ServerContext& ctx, const ApiRequest& req, const std::string& name, int fallback) {
  if (!req.Has(name)) return CheckYear(ctx, name, fallback);
  const std::string text = req.Param(name);
  auto y = ParseInt(text);
  if (!y || text.size() != 4) {
    return BadParameter(fmt::format("{} '{}': expected a school year as its first calendar year, e.g. 2023 for 2023-2024",
                                    name, text));
  }
  return CheckYear(ctx, name, *y);
}

ApiResult<int> ParseAgeLimit(const ServerContext& ctx, const ApiRequest& req) {
  if (!req.Has("age_limit")) return kNationalAgeLimit;
  const std::string text = req.Param("age_limit");
  auto v = ParseInt(text);
  if (!v || std::find(ctx.age_limits.begin(), ctx.age_limits.end(), *v) == ctx.age_limits.end()) {
    return BadParameter(fmt::format("age_limit '{}': expected {}", text, fmt::join(ctx.age_limits, " or ")));
  }
  return *v;
}

ApiResult<std::vector<Dimension>> ParseBy(const ApiRequest& req) {
  auto dims = ParseDimensions(req.Param("by"));
  if (!dims) return BadParameter("by: " + dims.error().message);
  return *dims;
}

ApiResult<int> ParseBoundaries(const ServerContext& ctx, const ApiRequest& req) {
  if (!req.Has("boundaries")) return 0;
  const std::string text = req.Param("boundaries");
  auto y = ParseInt(text);
  const int first = ctx.reference.first_year(), last = ctx.reference.last_year();
  if (!y || text.size() != 4 || *y < first || *y > last) {
    return BadParameter(fmt::format("boundaries '{}': expected a school year whose division the reference data "
                                    "describes, {}-{} (e.g. 2025 for 2025-2026)",
                                    text, first, last));
  }
  return *y;
}

const Division* BoundariesDivision(const ServerContext& ctx, int boundaries) {
  return boundaries ? &ctx.DivisionOf(boundaries) : nullptr;
}

ApiResult<int> ParseRegionCode(const ServerContext& ctx, const std::string& name, const std::string& text) {
  if (!AllDigits(text, 2)) return BadParameter(fmt::format("{} '{}': expected a two-digit RMC region code (01-40)", name, text));
  const int code = *ParseInt(text);
  const auto& regions = ctx.reference.regions();
  if (std::none_of(regions.begin(), regions.end(), [&](const RegionInfo& r) { return r.code == code; })) {
    return BadParameter(fmt::format("{} '{}': no such RMC region", name, text));
  }
  return code;
}

ApiResult<int> ParseMunicipalityCode(const ServerContext& ctx, const std::string& name, const std::string& text) {
  if (!AllDigits(text, 4)) return BadParameter(fmt::format("{} '{}': expected a four-digit CBS municipality code", name, text));
  const int code = *ParseInt(text);
  if (!ctx.reference.Knows(static_cast<Municipality>(code))) {
    return BadParameter(fmt::format("{} '{}': no such municipality", name, text));
  }
  return code;
}

ApiResult<int> ParseSchool(const ServerContext& ctx, const std::string& name, const std::string& text) {
  const auto& brin = ctx.registry.institutions.brin;
  auto it = std::lower_bound(brin.begin(), brin.end(), text);
  if (text.empty() || text.size() > 8 || it == brin.end() || *it != text) {
    return BadParameter(fmt::format("{} '{}': no institution with this BRIN code", name, text));
  }
  return static_cast<int>(it - brin.begin());
}

ApiResult<std::vector<DimensionFilter>> ParseFilters(const ServerContext& ctx, const ApiRequest& req) {
  std::vector<DimensionFilter> filters;
  if (req.Has("region")) {
    auto code = ParseRegionCode(ctx, "region", req.Param("region"));
    if (!code) return tl::unexpected(code.error());
    filters.push_back({Dimension::kRegion, *code});
  }
  if (req.Has("municipality")) {
    auto code = ParseMunicipalityCode(ctx, "municipality", req.Param("municipality"));
    if (!code) return tl::unexpected(code.error());
    filters.push_back({Dimension::kMunicipality, *code});
  }
  if (req.Has("school")) {
    auto index = ParseSchool(ctx, "school", req.Param("school"));
    if (!index) return tl::unexpected(index.error());
    filters.push_back({Dimension::kSchool, *index});
  }
  if (req.Has("sector")) {
    const std::string text = req.Param("sector");
    auto s = ParseSector(text);
    if (!s || (*s != Sector::kVO && *s != Sector::kMBO && *s != Sector::kVAVO)) {
      return BadParameter(fmt::format("sector '{}': expected VO, MBO or VAVO", text));
    }
    filters.push_back({Dimension::kSector, static_cast<int32_t>(*s)});
  }
  if (req.Has("category")) {
    const std::string text = req.Param("category");
    int found = -1;
    std::vector<std::string> names;
    for (int i = 0; i < kCategoryCount; ++i) {
      names.emplace_back(CategoryName(static_cast<Category>(i)));
      if (names.back() == text) found = i;
    }
    if (found < 0) return BadParameter(fmt::format("category '{}': expected one of {}", text, fmt::join(names, ", ")));
    filters.push_back({Dimension::kCategory, found});
  }
  return filters;
}

const nlohmann::json* BodyFields::Find(const char* name) const {
  auto it = body_.find(name);
  return it == body_.end() || it->is_null() ? nullptr : &*it;
}

bool BodyFields::Has(const char* name) const { return Find(name) != nullptr; }

std::string BodyFields::Text(const char* name) {
  const nlohmann::json* v = Find(name);
  if (v && v->is_string()) return v->get<std::string>();
  if (v) Fail(BadParameter(fmt::format("{}: expected text (a JSON string)", name)).value());
  return {};
}

bool BodyFields::Flag(const char* name, bool fallback) {
  const nlohmann::json* v = Find(name);
  if (v && v->is_boolean()) return v->get<bool>();
  if (v) Fail(BadParameter(fmt::format("{}: expected true or false", name)).value());
  return fallback;
}

namespace {
// A JSON whole number that fits int64_t (nlohmann keeps positive numbers unsigned).
std::optional<int64_t> WholeNumberOf(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    return u <= static_cast<uint64_t>(INT64_MAX) ? std::optional<int64_t>(static_cast<int64_t>(u)) : std::nullopt;
  }
  return v.is_number_integer() ? std::optional<int64_t>(v.get<int64_t>()) : std::nullopt;
}
}  // namespace

int64_t BodyFields::Integer(const char* name, int64_t fallback, int64_t min, int64_t max) {
  const nlohmann::json* v = Find(name);
  if (!v) return fallback;
  if (auto n = WholeNumberOf(*v); n && *n >= min && *n <= max) return *n;
  Fail(BadParameter(fmt::format("{}: expected a whole number from {} to {}", name, min, max)).value());
  return fallback;
}

std::optional<int> BodyFields::Region(const ServerContext& ctx, const char* name) {
  const nlohmann::json* v = Find(name);
  if (!v) return std::nullopt;
  std::string text = v->is_string() ? v->get<std::string>() : v->dump();
  if (auto n = WholeNumberOf(*v); n && *n >= 0 && *n <= 99) text = fmt::format("{:02d}", *n);
  auto code = ParseRegionCode(ctx, name, text);
  if (!code) { Fail(code.error()); return std::nullopt; }
  return *code;
}

}  // namespace vsv::server
