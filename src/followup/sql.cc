#include "followup/sql.h"

#include <charconv>

namespace vsv::followup {

int64_t SqlRow::Int(size_t i) const {
  if (!cells_[i]) return 0;
  int64_t v = 0;
  const std::string& s = *cells_[i];
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<int64_t> SqlRow::OptInt(size_t i) const {
  if (!cells_[i]) return std::nullopt;
  return Int(i);
}

const std::string& SqlRow::Text(size_t i) const {
  static const std::string kEmpty;
  return cells_[i] ? *cells_[i] : kEmpty;
}

bool IsPostgresTarget(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path, int busy_timeout_ms);
Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url);

Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& target, int busy_timeout_ms) {
  if (target.empty()) return MakeError("no database given (--db PATH or --db postgresql://...)");
  if (IsPostgresTarget(target)) return OpenPostgresConnection(target);
  return OpenSqliteConnection(target, busy_timeout_ms);
}

}  // namespace vsv::followup
