// The count as people and scripts read it: JSON (the contract of
// `vsv count --format json` and of GET /api/v1/count), CSV and a Dutch text table.
// One rendering for the CLI and the API.
#ifndef VSV_REPORT_COUNT_REPORT_H_
#define VSV_REPORT_COUNT_REPORT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "measure/cube.h"

namespace vsv {

// {"school_year":"2023-2024","age_limit":22,"total":{A..X,pct},"groups":[{"key":{..},A..X,pct}]},
// with "boundaries":"2025-2026" when counted on another year's division and
// "area_changes":[AreaChangeJson…] when a region in the table changed area that year.
nlohmann::ordered_json CountTableJson(const Registry& registry, const CountTable& table);
// The decomposition fields of one group, in contract order, with "pct".
nlohmann::ordered_json PartCountsJson(const PartCounts& counts);

// A sentence on a region whose area changed in school year `year`: "region 14: area
// changed in 2021-2022 (figures before are of another area): 0268 Nijmegen, … went to
// region 40".
// `dutch`: the same in Dutch, for the text table.
std::string AreaChangeNote(const AreaChange& change, int year, bool dutch = false);
// {"region":"14","note":…,"new_region":false,"gained":[…],"lost":[{"municipality":"0268",
// "name":"Nijmegen","now":"0268","region":"40"}]}
nlohmann::ordered_json AreaChangeJson(const AreaChange& change, int year);

// One row per group (and a first row "total"): the dimension columns, then A..X, pct.
std::string CountTableCsv(const Registry& registry, const CountTable& table, bool with_header);

// Aligned Dutch table with Dutch number formatting; for the whole country (no
// filter, national age limit) the national target of that year below the figure.
std::string CountTableText(const Registry& registry, const Reference& reference,
                           const CountTable& table);

// Guards a CSV cell against formula injection (a leading = + - @ tab or CR gets a
// quote prefix) and quotes it when needed.
std::string CsvCell(std::string_view value);

}  // namespace vsv

#endif  // VSV_REPORT_COUNT_REPORT_H_
