// CaseStore over SqlConnection: the one implementation for SQLite and PostgreSQL.
// Opening the store (migrations, the connection pool) and the error names; the
// methods live by concern in case_store_cases.cc, user_store.cc, session_store.cc and
// audit_store.cc (the class: sql_case_store.h).
#include "followup/sql_case_store.h"

namespace vsv::followup {

std::string_view ErrcName(Errc code) {
  static constexpr std::string_view kNames[] = {"invalid",         "not-found", "conflict", "forbidden",
                                                "unauthenticated", "locked",    "storage"};
  return kNames[static_cast<size_t>(code)];
}

std::string FormatTimestamp(int64_t t) {
  const Date day = static_cast<Date>(t >= 0 ? t / 86400 : (t - 86399) / 86400);
  const int64_t secs = t - int64_t{day} * 86400;
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z", FormatDate(day), secs / 3600, secs / 60 % 60, secs % 60);
}

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

Date SqlCaseStore::Today() const {
  const int64_t t = Now();
  return static_cast<Date>(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

int SqlCaseStore::SchemaVersion() {
  auto lease = pool_.Acquire();
  if (!lease) return -1;
  auto r = (*lease)->Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
  return r ? static_cast<int>(r->rows.at(0).Int(0)) : -1;
}

StoreResult<std::unique_ptr<CaseStore>> CaseStore::Open(const std::string& target, StoreOptions options) {
  if (!InitCrypto()) return Fail(Errc::kStorage, "libsodium could not be initialised");
  if (!options.clock) {
    options.clock = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  auto conn = OpenSqlConnection(target, options.busy_timeout_ms);
  if (!conn) return Fail(Errc::kStorage, conn.error().message);
  auto version = Migrate(**conn, options.clock());
  if (!version) return Fail(Errc::kStorage, version.error().message);
  return std::unique_ptr<CaseStore>(std::make_unique<SqlCaseStore>(target, std::move(options), std::move(*conn)));
}

}  // namespace vsv::followup
