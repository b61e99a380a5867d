// A thin, parameterised SQL layer with two drivers: SQLite (C API) and PostgreSQL
// (libpq). The case store is written once against SqlConnection; the drivers differ
// only in how they connect, bind and begin transactions.
//
// Statements use PostgreSQL-style placeholders $1..$n in both dialects (the SQLite
// driver rewrites them to ?1..?n). Values travel as NULL, int64 or text; there is no
// way to splice a value into SQL text.
#ifndef VSV_FOLLOWUP_SQL_H_
#define VSV_FOLLOWUP_SQL_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace vsv::followup {

enum class Dialect { kSqlite, kPostgres };

// A bound parameter: NULL, an integer or text.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

inline SqlValue Null() { return std::monostate{}; }
inline SqlValue OptInt(const std::optional<int64_t>& v) { return v ? SqlValue(*v) : Null(); }
inline SqlValue OptText(const std::optional<std::string>& v) { return v ? SqlValue(*v) : Null(); }

// One result row; every column is NULL or its text form (integers as decimals).
class SqlRow {
 public:
  explicit SqlRow(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return !cells_[i].has_value(); }
  // The column as an integer (0 when NULL or not a number).
  int64_t Int(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  // The column as text ("" when NULL).
  const std::string& Text(size_t i) const;
  std::optional<std::string> OptText(size_t i) const { return cells_[i]; }

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// Why a statement failed; kUnique lets callers tell a duplicate from other failures.
enum class SqlErrc { kOther, kUnique, kBusy, kConnection };

struct SqlError {
  SqlErrc code = SqlErrc::kOther;
  std::string message;
};

template <typename T>
using SqlResultOr = tl::expected<T, SqlError>;

// One database connection. Not thread-safe: one thread at a time (see ConnectionPool).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;

  // Runs one statement with parameters $1..$n = params[0..n-1].
  virtual SqlResultOr<SqlResult> Exec(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  SqlResultOr<SqlResult> Exec(std::string_view sql, std::initializer_list<SqlValue> params = {}) {
    return Exec(sql, std::vector<SqlValue>(params));
  }
  // Runs a statement whose rows and count the caller does not need (an INSERT of a
  // history or audit row). Inside a transaction a driver may hold it back and send
  // it with the next statement or the commit, in one round trip (the PostgreSQL
  // driver does, in libpq's pipeline mode); a failure is then reported by that next
  // call, and COMMIT never commits past a failed statement. Outside a transaction
  // it runs at once. SQLite: the same as Exec.
  virtual SqlResultOr<void> ExecLater(std::string_view sql, const std::vector<SqlValue>& params) {
    auto r = Exec(sql, params);
    if (!r) return tl::unexpected(r.error());
    return {};
  }
  SqlResultOr<void> ExecLater(std::string_view sql, std::initializer_list<SqlValue> params) {
    return ExecLater(sql, std::vector<SqlValue>(params));
  }
  // Runs several statements without parameters (migrations).
  virtual SqlResultOr<void> ExecScript(std::string_view sql) = 0;

  // A transaction that will write: SQLite takes the write lock at once (BEGIN
  // IMMEDIATE, waiting up to the busy timeout) so two writers never deadlock on an
  // upgrade; PostgreSQL uses READ COMMITTED, and the store's UPDATE ... WHERE
  // version = $n checks catch concurrent changes. PostgreSQL sends BEGIN with the
  // transaction's first statement (one round trip), so a failure to begin is
  // reported by that statement.
  virtual SqlResultOr<void> BeginWrite() = 0;
  virtual SqlResultOr<void> BeginRead() = 0;
  virtual SqlResultOr<void> Commit() = 0;
  virtual void Rollback() = 0;
  // Serialises migrations between processes (a PostgreSQL advisory lock inside the
  // current transaction; SQLite's write lock already does it).
  virtual SqlResultOr<void> LockForMigration() = 0;
  // Whether the connection still works (PostgreSQL may drop it).
  virtual bool Healthy() = 0;
};

// `target` is a file path (SQLite; created when missing) or a postgresql:// or
// postgres:// URL. SQLite: WAL, foreign keys on, synchronous=FULL, busy timeout
// `busy_timeout_ms`.
Result<std::unique_ptr<SqlConnection>> OpenSqlConnection(const std::string& target, int busy_timeout_ms = 10000);

bool IsPostgresTarget(std::string_view target);

// "$1 .. $n" -> "?1 .. ?n" outside quotes (for SQLite).
std::string RewritePlaceholders(std::string_view sql);

// A transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(SqlConnection& c) : c_(c) {}
  ~Transaction() { if (open_) c_.Rollback(); }
  SqlResultOr<void> BeginWrite() { auto r = c_.BeginWrite(); open_ = r.has_value(); return r; }
  SqlResultOr<void> BeginRead() { auto r = c_.BeginRead(); open_ = r.has_value(); return r; }
  SqlResultOr<void> Commit() { open_ = false; return c_.Commit(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  SqlConnection& c_;
  bool open_ = false;
};

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_SQL_H_
