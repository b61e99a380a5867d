// The API's JSON as downloadable tables (report/table_writer.h): Dutch column names,
// the decomposition in contract order, names beside codes, a total row, and notes
// (source, definition, the suppression legend for the public).
#ifndef VSV_SERVER_TABLES_H_
#define VSV_SERVER_TABLES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/table_writer.h"
#include "server/context.h"

namespace vsv::server {

// A column taken from a flat JSON row object.
struct KeyColumn {
  std::string key;      // JSON field of the row
  std::string heading;  // Dutch
  ColumnKind kind = ColumnKind::kText;
};

// Rows are flat objects; the columns are `keys`, then (when `with_decomposition`) A..X
// and pct with their Dutch headings.
DataTable RowsTable(const ServerContext& ctx, const Principal& principal, std::string title,
                    const std::vector<KeyColumn>& keys, const std::vector<nlohmann::ordered_json>& rows,
                    bool with_decomposition);

// Count tables (CountTableJson, possibly suppressed; one or several school years):
// schooljaar, each breakdown's code and name, the decomposition; per school year
// the groups and then a row "totaal". `targets` adds the national target column.
DataTable CountTablesTable(const ServerContext& ctx, const Principal& principal, std::string title,
                           const std::vector<nlohmann::ordered_json>& tables, bool targets);

// The decomposition fields and their Dutch headings, in contract order (A, B1, .., X, pct).
const std::vector<std::pair<std::string, std::string>>& DecompositionHeadings();

}  // namespace vsv::server

#endif  // VSV_SERVER_TABLES_H_
