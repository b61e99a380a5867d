#include "server/context.h"

#include "report/count_report.h"

namespace vsv::server {

ServerContext::ServerContext(const Registry& registry, const Reference& reference, ClassificationCache& cache,
                             YearParser parse_years)
    : registry(registry),
      reference(reference),
      cache(cache),
      parse_years(std::move(parse_years)),
      years(CountableYears(registry, reference)) {}

nlohmann::ordered_json ServerContext::PublishCountTable(const Principal& principal, const CountTable& table) const {
  nlohmann::ordered_json j = CountTableJson(registry, table);
  if (SuppressesSmallCells(principal)) SuppressCountTableJson(j, suppression);
  return j;
}

int ServerContext::LocationRegion(uint32_t location_row, int year) const {
  const Municipality m = registry.institutions.municipality[location_row];
  return m >= 0 ? reference.RegionOf(m, year) : -1;
}

std::string ServerContext::MunicipalityName(int code) const {
  const MunicipalityPeriod* p = reference.FindAny(static_cast<Municipality>(code));
  return p ? p->name : std::string();
}

std::string ServerContext::RegionName(int code, int year) const {
  const RegionInfo* r = reference.FindRegion(code, year);
  return r ? r->name : std::string();
}

}  // namespace vsv::server
