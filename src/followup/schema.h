// The register's schema: one ordered list of migrations for both databases. Each
// migration is written once with three placeholders that the dialect fills in:
// {ID} (an auto-increment primary key), {INT} (a 64-bit integer) and {STRICT}
// (SQLite's STRICT table option). Dates are stored as days since 1970-01-01 (the
// project's Date) and moments as Unix seconds, both integers, so comparisons never
// depend on a collation.
#ifndef VSV_FOLLOWUP_SCHEMA_H_
#define VSV_FOLLOWUP_SCHEMA_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "followup/sql.h"

namespace vsv::followup {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// The migrations in the order they are applied; versions are 1, 2, ... without gaps.
const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

// `sql` with the dialect's placeholders filled in.
std::string RenderForDialect(std::string_view sql, Dialect dialect);

// Brings the database to the latest version: every missing migration in order, each
// with its schema_version row, all in one transaction (either all are applied or
// none). Fails when the database is newer than this program.
Result<int> Migrate(SqlConnection& conn, int64_t now);

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_SCHEMA_H_
