// The PostgreSQL driver (libpq): parameters are sent separately from the SQL text,
// typed int8 or text so the server never has to guess. Each statement text is
// prepared once per connection (PQprepare) and then run with PQexecPrepared, so the
// server parses and plans it once instead of on every call (measured: planning took
// as long as executing the register's statements, bench/README.md "Register").
#include <libpq-fe.h>

#include <charconv>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "followup/sql.h"

namespace vsv::followup {

namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

class PgConnection final : public SqlConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  SqlResultOr<SqlResult> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    std::vector<Oid> types(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<int64_t>(&params[i])) {
        storage[i] = std::to_string(*v);
        values[i] = storage[i].c_str();
        types[i] = kInt8Oid;
      } else if (const auto* t = std::get_if<std::string>(&params[i])) {
        values[i] = t->c_str();
        types[i] = kTextOid;
      }
    }
    auto name = Prepared(sql, types);
    if (!name) return tl::unexpected(name.error());
    const int n_params = static_cast<int>(params.size());
    PGresult* res = *name ? PQexecPrepared(conn_, (*name)->c_str(), n_params, values.data(), nullptr, nullptr, 0)
                          : PQexecParams(conn_, std::string(sql).c_str(), n_params, types.data(), values.data(),
                                         nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      SqlError e = ErrorOf(res, sql);
      // "cached plan must not change result type" (a table changed under a prepared
      // SELECT *): prepare the text again next time.
      if (const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE); state && std::string_view(state) == "0A000") {
        prepared_.erase(CacheKey(sql, types));
      }
      PQclear(res);
      return tl::unexpected(e);
    }
    SqlResult out;
    const int n = PQntuples(res), cols = PQnfields(res);
    out.rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      std::vector<std::optional<std::string>> cells(cols);
      for (int c = 0; c < cols; ++c) {
        if (!PQgetisnull(res, r, c)) cells[c] = std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c));
      }
      out.rows.emplace_back(std::move(cells));
    }
    const char* affected = PQcmdTuples(res);
    if (affected && *affected) std::from_chars(affected, affected + std::char_traits<char>::length(affected), out.affected);
    PQclear(res);
    return out;
  }

  SqlResultOr<void> ExecScript(std::string_view sql) override {
    const std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      SqlError e = ErrorOf(res, sql);
      PQclear(res);
      return tl::unexpected(e);
    }
    PQclear(res);
    return {};
  }

  SqlResultOr<void> BeginWrite() override { return ExecScript("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  SqlResultOr<void> BeginRead() override { return ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  SqlResultOr<void> Commit() override { return ExecScript("COMMIT"); }
  void Rollback() override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }
  SqlResultOr<void> LockForMigration() override {
    auto r = Exec("SELECT pg_advisory_xact_lock(5743921)", {});  // "vsv" migrations
    if (!r) return tl::unexpected(r.error());
    return {};
  }
  bool Healthy() override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  // At most this many prepared statements per connection; texts beyond it (none in
  // the store today: its texts are fixed or built from a few optional filters) run
  // unprepared, parsed and planned each time.
  static constexpr size_t kMaxPrepared = 512;

  static std::string CacheKey(std::string_view sql, const std::vector<Oid>& types) {
    std::string key(sql);
    key += '\0';
    for (Oid t : types) key += t == kInt8Oid ? 'i' : t == kTextOid ? 't' : 'n';
    return key;
  }

  // The name of the prepared statement for `sql` with these parameter types (a NULL
  // is untyped, so the server infers it as PQexecParams did), preparing it on first
  // use; nullptr when the cache is full (run it unprepared).
  SqlResultOr<const std::string*> Prepared(std::string_view sql, const std::vector<Oid>& types) {
    std::string key = CacheKey(sql, types);
    if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) return nullptr;
    std::string name = fmt::format("vsv{}", next_statement_++);
    PGresult* res = PQprepare(conn_, name.c_str(), std::string(sql).c_str(), static_cast<int>(types.size()), types.data());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      SqlError e = ErrorOf(res, sql);
      PQclear(res);
      return tl::unexpected(e);
    }
    PQclear(res);
    return &prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

  SqlError ErrorOf(PGresult* res, std::string_view sql) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    SqlErrc code = SqlErrc::kOther;
    if (state && std::string_view(state) == "23505") code = SqlErrc::kUnique;
    if (state && (std::string_view(state) == "40001" || std::string_view(state) == "40P01")) code = SqlErrc::kBusy;
    if (PQstatus(conn_) != CONNECTION_OK) code = SqlErrc::kConnection;
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return SqlError{code, fmt::format("PostgreSQL: {} (in: {})", msg, sql.substr(0, 80))};
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // CacheKey -> statement name
  int64_t next_statement_ = 0;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenPostgresConnection(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    PQfinish(conn);
    return MakeError(fmt::format("cannot connect to PostgreSQL: {}", msg));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors; keep stderr clean.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  auto c = std::make_unique<PgConnection>(conn);
  if (auto r = c->ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'"); !r) {
    return MakeError(r.error().message);
  }
  return std::unique_ptr<SqlConnection>(std::move(c));
}

}  // namespace vsv::followup
