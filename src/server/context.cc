#include "server/context.h"

#include <algorithm>

#include "report/count_report.h"

namespace vsv::server {

ServerContext::ServerContext(const Registry& registry, const Reference& reference, ClassificationCache& cache,
                             YearParser parse_years)
    : registry(registry),
      reference(reference),
      cache(cache),
      parse_years(std::move(parse_years)),
      years(CountableYears(registry, reference)) {
  first_division = std::min(reference.first_year(), years.first);
  const int last = std::max(reference.last_year(), years.last);
  for (int y = first_division; y <= last; ++y) divisions.push_back(reference.DivisionOf(y));
}

const Division& ServerContext::DivisionOf(int year) const {
  const int i = year - first_division;
  if (i >= 0 && i < static_cast<int>(divisions.size())) return divisions[static_cast<size_t>(i)];
  // Not a year of the reference or the registry: the nearest one.
  static const Division kNone;
  return divisions.empty() ? kNone : (i < 0 ? divisions.front() : divisions.back());
}

nlohmann::ordered_json ServerContext::PublishCountTable(const Principal& principal, const CountTable& table) const {
  nlohmann::ordered_json j = CountTableJson(registry, table);
  if (SuppressesSmallCells(principal)) SuppressCountTableJson(j, suppression);
  return j;
}

int ServerContext::LocationRegion(uint32_t location_row, int year) const {
  return DivisionOf(year).RegionOf(registry.institutions.municipality[location_row]);
}

Municipality ServerContext::LocationMunicipality(uint32_t location_row, int year) const {
  const Municipality m = registry.institutions.municipality[location_row];
  if (m < 0) return -1;
  const Municipality now = DivisionOf(year).MunicipalityOf(m);
  return now >= 0 ? now : m;
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
