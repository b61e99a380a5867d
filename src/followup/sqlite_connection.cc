// The SQLite driver: one file, WAL, foreign keys on, synchronous=FULL (a committed
// transaction survives a crash of the process and of the machine), busy timeout.
#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "followup/sql.h"

namespace vsv::followup {

namespace {

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  SqlResultOr<SqlResult> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    auto stmt = Prepare(sql);
    if (!stmt) return tl::unexpected(stmt.error());
    sqlite3_stmt* s = *stmt;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(s, idx, *v);
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text(s, idx, t->data(), static_cast<int>(t->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(s, idx);
      }
      if (rc != SQLITE_OK) return tl::unexpected(ErrorOf(rc, sql));
    }
    SqlResult result;
    const int columns = sqlite3_column_count(s);
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        SqlError e = ErrorOf(rc, sql);
        sqlite3_reset(s);
        return tl::unexpected(e);
      }
      std::vector<std::optional<std::string>> cells(columns);
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
        cells[c] = std::string(text, sqlite3_column_bytes(s, c));
      }
      result.rows.emplace_back(std::move(cells));
    }
    result.affected = sqlite3_changes64(db_);
    sqlite3_reset(s);
    return result;
  }

  SqlResultOr<void> ExecScript(std::string_view sql) override {
    char* msg = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
      SqlError e{Classify(rc), fmt::format("SQLite: {}", msg ? msg : sqlite3_errstr(rc))};
      sqlite3_free(msg);
      return tl::unexpected(e);
    }
    return {};
  }

  SqlResultOr<void> BeginWrite() override { return Simple("BEGIN IMMEDIATE"); }
  SqlResultOr<void> BeginRead() override { return Simple("BEGIN"); }
  SqlResultOr<void> Commit() override {
    auto r = Simple("COMMIT");
    if (!r) Rollback();
    return r;
  }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  SqlResultOr<void> LockForMigration() override { return {}; }
  bool Healthy() override { return true; }

 private:
  static SqlErrc Classify(int rc) {
    switch (rc & 0xff) {
      case SQLITE_CONSTRAINT:
        return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ? SqlErrc::kUnique
                                                                                       : SqlErrc::kOther;
      case SQLITE_BUSY:
      case SQLITE_LOCKED: return SqlErrc::kBusy;
      default: return SqlErrc::kOther;
    }
  }
  SqlError ErrorOf(int rc, std::string_view sql) const {
    return SqlError{Classify(sqlite3_extended_errcode(db_) ? sqlite3_extended_errcode(db_) : rc),
                    fmt::format("SQLite: {} (in: {})", sqlite3_errmsg(db_), sql.substr(0, 80))};
  }
  SqlResultOr<void> Simple(const char* sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
      SqlError e{Classify(rc), fmt::format("SQLite: {}: {}", sql, msg ? msg : sqlite3_errstr(rc))};
      sqlite3_free(msg);
      return tl::unexpected(e);
    }
    return {};
  }
  SqlResultOr<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    const std::string rewritten = RewritePlaceholders(sql);
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return tl::unexpected(ErrorOf(rc, sql));
    cache_.emplace(std::move(key), stmt);
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqliteConnection(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return MakeError(fmt::format("cannot open database {}: {}", path, msg));
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  auto conn = std::make_unique<SqliteConnection>(db);
  // journal_mode=WAL returns a row; ExecScript ignores it.
  if (auto r = conn->ExecScript("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"); !r) {
    return MakeError(fmt::format("cannot set up database {}: {}", path, r.error().message));
  }
  auto mode = conn->Exec("PRAGMA journal_mode", {});
  if (!mode || mode->rows.empty() || mode->rows[0].Text(0) != "wal") {
    return MakeError(fmt::format("database {}: cannot switch to WAL mode", path));
  }
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace vsv::followup
