// The PostgreSQL driver (libpq): parameters are sent separately from the SQL text,
// typed int8 or text so the server never has to guess. Each statement text is
// prepared once per connection (PQprepare) and then run with PQexecPrepared, so the
// server parses and plans it once instead of on every call (measured: planning took
// as long as executing the register's statements, bench/README.md "Register").
#include <libpq-fe.h>

#include <charconv>
#include <optional>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "followup/sql.h"

namespace vsv::followup {

namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

// Parameters in libpq's form; `storage` keeps the decimal text of integers alive.
struct Bound {
  explicit Bound(const std::vector<SqlValue>& params)
      : storage(params.size()), values(params.size(), nullptr), types(params.size(), 0) {
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
  }
  int size() const { return static_cast<int>(values.size()); }
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<Oid> types;
};

// A statement held back until the next round trip (ExecLater).
struct Queued {
  std::string sql;
  std::vector<SqlValue> params;
};

class PgConnection final : public SqlConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  SqlResultOr<SqlResult> Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    if (!pending_begin_.empty() || !queued_.empty()) {
      const Queued last{std::string(sql), params};
      return RunPipeline(&last, /*commit=*/false);
    }
    const Bound b(params);
    auto name = Prepared(sql, b.types);
    if (!name) return tl::unexpected(name.error());
    PGresult* res = *name ? PQexecPrepared(conn_, (*name)->c_str(), b.size(), b.values.data(), nullptr, nullptr, 0)
                          : PQexecParams(conn_, std::string(sql).c_str(), b.size(), b.types.data(), b.values.data(),
                                         nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      SqlError e = ErrorOf(res, sql);
      ForgetIfStale(res, CacheKey(sql, b.types));
      PQclear(res);
      return tl::unexpected(e);
    }
    SqlResult out = ResultOf(res);
    PQclear(res);
    return out;
  }

  SqlResultOr<void> ExecLater(std::string_view sql, const std::vector<SqlValue>& params) override {
    if (pending_begin_.empty() && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      auto r = Exec(sql, params);  // no transaction: nothing would send it later
      if (!r) return tl::unexpected(r.error());
      return {};
    }
    queued_.push_back(Queued{std::string(sql), params});
    if (queued_.size() >= kMaxQueued) {  // e.g. one audit row per listed case
      if (auto r = RunPipeline(nullptr, /*commit=*/false); !r) return tl::unexpected(r.error());
    }
    return {};
  }

  SqlResultOr<void> ExecScript(std::string_view sql) override {
    if (!pending_begin_.empty() || !queued_.empty()) {
      if (auto r = RunPipeline(nullptr, /*commit=*/false); !r) return tl::unexpected(r.error());
    }
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

  SqlResultOr<void> BeginWrite() override { return Begin("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  SqlResultOr<void> BeginRead() override { return Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  // COMMIT goes out with the statements still held back, in one round trip. It
  // succeeds only when every statement of the transaction did: after a failure in
  // the pipeline the server skips the COMMIT, and a COMMIT of a failed transaction
  // (the server answers ROLLBACK) is reported as an error.
  SqlResultOr<void> Commit() override {
    if (!pending_begin_.empty() && queued_.empty()) {
      pending_begin_.clear();  // nothing ran: there is nothing to commit
      return {};
    }
    auto r = RunPipeline(nullptr, /*commit=*/true);
    if (!r) {
      // The server skipped the COMMIT: end the failed transaction here, since the
      // caller's Transaction counts as closed once it asked to commit.
      if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
      return tl::unexpected(r.error());
    }
    return {};
  }
  void Rollback() override {
    pending_begin_.clear();
    queued_.clear();
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }
  SqlResultOr<void> LockForMigration() override {
    auto r = Exec("SELECT pg_advisory_xact_lock(5743921)", {});  // "vsv" migrations
    if (!r) return tl::unexpected(r.error());
    return {};
  }
  bool Healthy() override { return !broken_ && PQstatus(conn_) == CONNECTION_OK; }

 private:
  // At most this many prepared statements per connection; texts beyond it (none in
  // the store today: its texts are fixed or built from a few optional filters) run
  // unprepared, parsed and planned each time.
  static constexpr size_t kMaxPrepared = 512;
  // Held-back statements are sent at the latest when this many are waiting.
  static constexpr size_t kMaxQueued = 256;

  SqlResultOr<void> Begin(std::string_view begin) {
    if (!pending_begin_.empty() || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      return tl::unexpected(SqlError{SqlErrc::kOther, "PostgreSQL: a transaction is already open"});
    }
    pending_begin_ = std::string(begin);
    return {};
  }

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

  // "cached plan must not change result type" (a table changed under a prepared
  // SELECT *): prepare the text again next time.
  void ForgetIfStale(PGresult* res, const std::string& key) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state && std::string_view(state) == "0A000") prepared_.erase(key);
  }

  static SqlResult ResultOf(PGresult* res) {
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
    return out;
  }

  // One round trip in libpq's pipeline mode: the pending BEGIN, the held-back
  // statements, then `last` (its result is returned) or COMMIT, then one Sync. The
  // server runs them in order and skips the rest of the pipeline after a failure;
  // the first failure is returned. Statements seen for the first time are prepared
  // in the same pipeline.
  SqlResultOr<SqlResult> RunPipeline(const Queued* last, bool commit) {
    struct Sent {
      std::string_view sql;
      std::string key;       // the cache entry a Parse creates ("" for other commands)
      bool parse = false;    // the result of PQsendPrepare
      bool wanted = false;   // the result to return
      bool commit = false;
    };
    std::vector<Sent> sent;
    std::vector<Queued> queued = std::move(queued_);
    queued_.clear();
    const std::string begin = std::move(pending_begin_);
    pending_begin_.clear();
    if (PQenterPipelineMode(conn_) != 1) {
      return tl::unexpected(SqlError{SqlErrc::kConnection, fmt::format("PostgreSQL: {}", PQerrorMessage(conn_))});
    }
    bool send_ok = true;
    auto send_plain = [&](std::string_view text, bool is_commit) {
      const std::string t(text);
      send_ok = send_ok && PQsendQueryParams(conn_, t.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
      sent.push_back(Sent{text, "", false, false, is_commit});
    };
    auto send = [&](const Queued& q, bool wanted) {
      const Bound b(q.params);
      std::string key = CacheKey(q.sql, b.types);
      auto it = prepared_.find(key);
      if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
        it = prepared_.emplace(key, fmt::format("vsv{}", next_statement_++)).first;
        send_ok = send_ok && PQsendPrepare(conn_, it->second.c_str(), q.sql.c_str(), b.size(), b.types.data()) == 1;
        sent.push_back(Sent{q.sql, key, true, false, false});
      }
      if (it != prepared_.end()) {
        send_ok = send_ok && PQsendQueryPrepared(conn_, it->second.c_str(), b.size(), b.values.data(), nullptr,
                                                 nullptr, 0) == 1;
      } else {
        send_ok = send_ok && PQsendQueryParams(conn_, q.sql.c_str(), b.size(), b.types.data(), b.values.data(),
                                               nullptr, nullptr, 0) == 1;
      }
      sent.push_back(Sent{q.sql, std::move(key), false, wanted, false});
    };
    if (!begin.empty()) send_plain(begin, false);
    for (const Queued& q : queued) send(q, false);
    if (last) send(*last, true);
    if (commit) send_plain("COMMIT", true);
    send_ok = send_ok && PQpipelineSync(conn_) == 1;

    std::optional<SqlError> failure;
    if (!send_ok) {
      broken_ = true;
      failure = SqlError{SqlErrc::kConnection, fmt::format("PostgreSQL: {}", PQerrorMessage(conn_))};
    }
    SqlResult out;
    // Each command's results end with a NULL; the Sync's result ends the pipeline.
    // After a failure the server skips the rest (PGRES_PIPELINE_ABORTED), so the
    // first failure seen is the one that counts.
    size_t i = 0;
    while (true) {
      PGresult* res = PQgetResult(conn_);
      if (!res) {
        if (++i > sent.size() || PQstatus(conn_) != CONNECTION_OK) break;
        continue;
      }
      const ExecStatusType st = PQresultStatus(res);
      if (st == PGRES_PIPELINE_SYNC) {
        PQclear(res);
        break;
      }
      if (i < sent.size()) {
        const Sent& s = sent[i];
        if (st == PGRES_PIPELINE_ABORTED) {
          if (s.parse) prepared_.erase(s.key);
          if (!failure) failure = SqlError{SqlErrc::kOther, "PostgreSQL: the pipeline was aborted"};
        } else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
          if (s.parse) prepared_.erase(s.key);
          if (!s.key.empty() && !s.parse) ForgetIfStale(res, s.key);
          if (!failure) failure = ErrorOf(res, s.sql);
        } else if (s.commit && std::string_view(PQcmdStatus(res)) == "ROLLBACK") {
          if (!failure) failure = SqlError{SqlErrc::kOther, "PostgreSQL: the transaction failed and was rolled back"};
        } else if (s.wanted && !s.commit) {
          out = ResultOf(res);
        }
      }
      PQclear(res);
    }
    if (PQexitPipelineMode(conn_) != 1) {
      broken_ = true;  // results left over: the pool drops this connection
      if (!failure) failure = SqlError{SqlErrc::kConnection, fmt::format("PostgreSQL: {}", PQerrorMessage(conn_))};
    }
    if (failure) return tl::unexpected(*failure);
    return out;
  }

  SqlError ErrorOf(PGresult* res, std::string_view sql) const {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    SqlErrc code = SqlErrc::kOther;
    if (state && std::string_view(state) == "23505") code = SqlErrc::kUnique;
    if (state && (std::string_view(state) == "40001" || std::string_view(state) == "40P01")) code = SqlErrc::kBusy;
    if (PQstatus(conn_) != CONNECTION_OK) code = SqlErrc::kConnection;
    std::string msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return SqlError{code, fmt::format("PostgreSQL: {} (in: {})", msg, sql.substr(0, 80))};
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // CacheKey -> statement name
  int64_t next_statement_ = 0;
  std::string pending_begin_;    // BEGIN to send with the transaction's first statement
  std::vector<Queued> queued_;   // ExecLater statements not sent yet
  bool broken_ = false;
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
