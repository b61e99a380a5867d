// Query parameters: one catalogue (name, meaning, schema — also the source of the
// OpenAPI document) and the parsers the handlers share. Every parser returns a 400
// whose message names the parameter, the value and what was expected.
#ifndef VSV_SERVER_PARAMS_H_
#define VSV_SERVER_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "measure/cube.h"
#include "server/api.h"
#include "server/context.h"

namespace vsv::server {

struct ParamSpec {
  std::string name;
  std::string description;
  nlohmann::ordered_json schema;  // OpenAPI schema object
};

// The one parser of whole numbers in requests: optional '-', then 1-18 digits and
// nothing else (no sign '+', spaces, hex or trailing text: "1 OR 1=1" is no number).
std::optional<int64_t> ParseWholeNumber(std::string_view text);
// Query parameter `name` as a whole number in [min, max]; `fallback` when absent; a
// 400 naming the value and `expected` otherwise.
ApiResult<int64_t> WholeNumberParam(const ApiRequest& req, const std::string& name, int64_t fallback, int64_t min,
                                    int64_t max, std::string_view expected);
// For ApiServer: a 400 when parameter `name` is declared an integer in the catalogue
// (`catalogue_name`) and `value` is not a whole number.
std::optional<ApiError> CheckIntegerParam(const std::string& name, const std::string& catalogue_name,
                                          const std::string& value);

// The catalogue; nullptr for an unknown name.
const ParamSpec* FindParam(const std::string& name);
const std::vector<ParamSpec>& ParamCatalogue();

// `year`: a list as the CLI takes it (2023, 2015-2023, all), each within the
// countable years; absent: the last countable year. `single` is set when the text
// named one year (the response is then an object, not an array, as with the CLI).
ApiResult<std::vector<int>> ParseYearList(const ServerContext& ctx, const ApiRequest& req, bool* single);
// One school year from parameter `name` (default: the last countable year).
ApiResult<int> ParseOneYear(const ServerContext& ctx, const ApiRequest& req, const std::string& name, int fallback);
// `age_limit`: one of ctx.age_limits; default 22.
ApiResult<int> ParseAgeLimit(const ServerContext& ctx, const ApiRequest& req);
// `by`: a breakdown as `vsv count --by` takes it.
ApiResult<std::vector<Dimension>> ParseBy(const ApiRequest& req);
// The filters region, municipality, school, sector and category, those present.
ApiResult<std::vector<DimensionFilter>> ParseFilters(const ServerContext& ctx, const ApiRequest& req);
// `boundaries`: the school year whose division (municipalities and regions) every
// year is counted on, as a four-digit integer within the years the reference data
// describes (Reference::first_year()..last_year()); 0 when absent (each year on its
// own division). Anything else is a 400.
ApiResult<int> ParseBoundaries(const ServerContext& ctx, const ApiRequest& req);
// The division a handler counts on: nullptr for 0 (the year's own), else ctx's.
const Division* BoundariesDivision(const ServerContext& ctx, int boundaries);
// Single filters, for handlers that use them otherwise than as a CountBy filter.
ApiResult<int> ParseRegionCode(const ServerContext& ctx, const std::string& name, const std::string& text);
ApiResult<int> ParseMunicipalityCode(const ServerContext& ctx, const std::string& name, const std::string& text);
// Index into InstitutionTable::brin.
ApiResult<int> ParseSchool(const ServerContext& ctx, const std::string& name, const std::string& text);

// The typed fields of a JSON object body (JsonBody). A field that is absent or null
// reads as the fallback; a field of another type reads as the fallback too and
// makes error() a 400 naming the field and what it takes (the first such field), so
// a handler reads its fields and then checks error() once. Nothing of a wrong type
// is silently dropped.
class BodyFields {
 public:
  explicit BodyFields(const nlohmann::json& body) : body_(body) {}
  std::string Text(const char* name);
  bool Flag(const char* name, bool fallback);
  // A whole number in [min, max].
  int64_t Integer(const char* name, int64_t fallback, int64_t min, int64_t max);
  // A region code, as text "21" or as the number 21; nullopt when absent.
  std::optional<int> Region(const ServerContext& ctx, const char* name);
  bool Has(const char* name) const;
  const std::optional<ApiError>& error() const { return error_; }

 private:
  const nlohmann::json* Find(const char* name) const;
  void Fail(ApiError e) { if (!error_) error_ = std::move(e); }

  const nlohmann::json& body_;
  std::optional<ApiError> error_;
};

}  // namespace vsv::server

#endif  // VSV_SERVER_PARAMS_H_
