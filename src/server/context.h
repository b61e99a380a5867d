// What every handler shares: the loaded registry and reference, the classification
// cache, the years that can be counted, and how aggregates are published to a
// principal. Read-only after construction except for the (thread-safe) cache.
#ifndef VSV_SERVER_CONTEXT_H_
#define VSV_SERVER_CONTEXT_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "measure/classification_cache.h"
#include "measure/cube.h"
#include "report/suppression.h"
#include "server/principal.h"

namespace vsv::followup {
class CaseStore;
}

namespace vsv::server {

// Parses a year list as the CLI does ("2023", "2015-2023", "all"); cmd_serve passes
// cli::ParseYears, so the API and `vsv count --year` accept the same text.
using YearParser = std::function<Result<std::vector<int>>(const std::string& text)>;

struct ServerContext {
  // `registry`, `reference` and `cache` must outlive the context.
  ServerContext(const Registry& registry, const Reference& reference, ClassificationCache& cache,
                YearParser parse_years);

  const Registry& registry;
  const Reference& reference;
  ClassificationCache& cache;
  YearParser parse_years;
  YearRange years;                    // the school years the registry can be counted for
  std::vector<int> age_limits = {kNationalAgeLimit, 27};  // the ones the API accepts
  SuppressionOptions suppression;
  std::string data_name;              // shown by /api/v1/meta
  int64_t person_count = 0;
  // The caseworkers' register (`vsv serve --db`); null: public aggregates only, and
  // the login and /api/v1/cases routes answer 503.
  followup::CaseStore* store = nullptr;
  bool tls_proxy = false;  // behind a TLS proxy: session cookies are Secure
  // Warm-up progress (server.cc): school years classified at the national age limit.
  std::atomic<int> warm_years{0};
  std::atomic<bool> warm_done{false};
  // Reference::DivisionOf for every school year of the reference and the registry,
  // from first_division on, made at construction.
  std::vector<Division> divisions;
  int first_division = 0;

  // The classification of a school year (cached; blocks while it is computed).
  const YearClassification& Classification(int year, int age_limit) const { return cache.Get(year, age_limit); }

  // The one code path from a count to what a principal may see: CountTableJson
  // (the contract of `vsv count --format json`), then small-cell suppression when
  // the principal's role asks for it.
  nlohmann::ordered_json PublishCountTable(const Principal& principal, const CountTable& table) const;

  // The region of an institution location in the division of school year `year`
  // (-1 when unknown).
  int LocationRegion(uint32_t location_row, int year) const;
  // The municipality an institution location is in, in the division of `year`.
  Municipality LocationMunicipality(uint32_t location_row, int year) const;
  // The division of school year `year` (kept for the reference's years, computed
  // otherwise).
  const Division& DivisionOf(int year) const;
  // Name of a municipality (latest known), or "".
  std::string MunicipalityName(int code) const;
  std::string RegionName(int code, int year) const;
};

}  // namespace vsv::server

#endif  // VSV_SERVER_CONTEXT_H_
