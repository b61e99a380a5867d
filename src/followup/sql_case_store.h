// Internal to followup: the one CaseStore implementation over SqlConnection, shared
// by the files that implement it by concern (case_store.cc: opening and the schema;
// case_store_cases.cc: cases, the change path, region rules, retention;
// user_store.cc: users; session_store.cc: login and sessions; audit_store.cc: the
// audit log). Not a public header: include store.h.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "followup/crypto.h"
#include "followup/schema.h"
#include "followup/store.h"

namespace vsv::followup::store_internal {

inline tl::unexpected<StoreError> Fail(Errc code, std::string message) {
  return tl::unexpected(StoreError{code, std::move(message), nullptr, ""});
}
inline tl::unexpected<StoreError> FailSql(const SqlError& e) { return Fail(Errc::kStorage, e.message); }

// Propagates a failed SQL call as kStorage.
#define VSV_TRY_SQL(var, expr) \
  auto var = (expr);           \
  if (!var) return FailSql(var.error())
#define VSV_TRY(var, expr) \
  auto var = (expr);       \
  if (!var) return tl::unexpected(var.error())

inline SqlValue DateValue(Date d) { return d == kNoDate ? Null() : SqlValue(int64_t{d}); }
inline Date DateAt(const SqlRow& r, size_t i) { return r.IsNull(i) ? kNoDate : static_cast<Date>(r.Int(i)); }
inline SqlValue IntOrNull(const std::optional<int>& v) { return v ? SqlValue(int64_t{*v}) : Null(); }
inline std::string DateText(Date d) { return d == kNoDate ? "none" : FormatDate(d); }

// ---- connection pool --------------------------------------------------------------

class Pool;

class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<SqlConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
  Lease(Lease&&) = default;
  ~Lease();
  SqlConnection& operator*() { return *conn_; }
  SqlConnection* operator->() { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<SqlConnection> conn_;
};

class Pool {
 public:
  Pool(std::string target, int size, int busy_timeout_ms, std::unique_ptr<SqlConnection> first)
      : target_(std::move(target)), size_(std::max(1, size)), busy_timeout_ms_(busy_timeout_ms) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }

  StoreResult<Lease> Acquire() {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
      }
      ++open_;
    }
    auto c = OpenSqlConnection(target_, busy_timeout_ms_);
    if (!c) {
      std::lock_guard<std::mutex> lock(mutex_);
      --open_;
      cv_.notify_one();
      return Fail(Errc::kStorage, c.error().message);
    }
    return Lease(this, std::move(*c));
  }

  void Release(std::unique_ptr<SqlConnection> c) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (c && c->Healthy()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;  // a broken connection is dropped; the next Acquire opens a new one
    }
    cv_.notify_one();
  }

 private:
  std::string target_;
  int size_;
  int busy_timeout_ms_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
  int open_ = 0;
};

inline Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

// ---- rows -------------------------------------------------------------------------

inline constexpr std::string_view kCaseSelect =
    "SELECT c.id, c.kind, c.episode, c.region, c.status, c.closed_reason, c.opened_on, c.closed_on, c.owner_id, "
    "u.name, c.person_id, c.birth_date, c.municipality, c.last_school, c.last_location, c.last_sector, "
    "c.last_program, c.last_level, c.left_on, c.diplomas, c.registry_flag, c.flagged_on, c.synced_on, "
    "c.agreements, c.next_contact, c.mbo_verklaring, c.version, c.created_at, c.updated_at "
    "FROM cases c LEFT JOIN users u ON u.id = c.owner_id ";

inline Case CaseFromRow(const SqlRow& r) {
  Case c;
  c.id = r.Int(0);
  c.kind = ParseKind(r.Text(1)).value_or(CaseKind::kNewLeaver);
  c.episode = r.Text(2);
  c.region = static_cast<int>(r.Int(3));
  c.status = ParseStatus(r.Text(4)).value_or(CaseStatus::kNew);
  c.closed_reason = r.Text(5);
  c.opened_on = DateAt(r, 6);
  c.closed_on = DateAt(r, 7);
  c.owner_id = r.OptInt(8);
  c.owner_name = r.Text(9);
  c.person.person_id = r.Text(10);
  c.person.birth_date = DateAt(r, 11);
  c.person.municipality = r.IsNull(12) ? -1 : static_cast<int>(r.Int(12));
  c.person.last_school = r.Text(13);
  c.person.last_location = r.Text(14);
  c.person.last_sector = r.Text(15);
  c.person.last_program = r.Text(16);
  c.person.last_level = static_cast<int>(r.Int(17));
  c.person.left_on = DateAt(r, 18);
  c.person.diplomas = r.Text(19);
  c.registry_flag.flag = r.Text(20);
  c.registry_flag.flagged_on = DateAt(r, 21);
  c.synced_on = DateAt(r, 22);
  c.agreements = r.Text(23);
  c.next_contact = DateAt(r, 24);
  c.mbo_verklaring = r.Int(25) != 0;
  c.version = r.Int(26);
  c.created_at = r.Int(27);
  c.updated_at = r.Int(28);
  return c;
}

// The columns of kCaseSelect (the same order, for CaseFromRow) as an UPDATE's
// RETURNING list: the changed case comes back with the UPDATE instead of a reload.
inline constexpr std::string_view kCaseReturning =
    " RETURNING id, kind, episode, region, status, closed_reason, opened_on, closed_on, owner_id, "
    "(SELECT u.name FROM users u WHERE u.id = cases.owner_id), person_id, birth_date, municipality, last_school, "
    "last_location, last_sector, last_program, last_level, left_on, diplomas, registry_flag, flagged_on, synced_on, "
    "agreements, next_contact, mbo_verklaring, version, created_at, updated_at";

inline constexpr std::string_view kUserSelect = "SELECT id, name, role, region, school, active FROM users ";

inline User UserFromRow(const SqlRow& r) {
  User u;
  u.id = r.Int(0);
  u.name = r.Text(1);
  u.role = ParseRole(r.Text(2)).value_or(Role::kSchoolMentor);
  if (!r.IsNull(3)) u.region = static_cast<int>(r.Int(3));
  if (!r.IsNull(4)) u.school = r.Text(4);
  u.active = r.Int(5) != 0;
  return u;
}

inline bool ValidUserName(std::string_view n) {
  if (n.size() < 2 || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

inline Status CheckText(std::string_view field, std::string_view value, size_t max, bool required) {
  if (required && value.empty()) return MakeError(fmt::format("{} is required", field));
  if (value.size() > max) return MakeError(fmt::format("{} is longer than {} characters", field, max));
  return {};
}

// ---- the store ----------------------------------------------------------------

class SqlCaseStore final : public CaseStore {
 public:
  SqlCaseStore(const std::string& target, StoreOptions options, std::unique_ptr<SqlConnection> first)
      : options_(std::move(options)),
        dialect_(first->dialect()),
        pool_(target, options_.pool_size, options_.busy_timeout_ms, std::move(first)) {}

  Dialect dialect() const override { return dialect_; }

  int64_t Now() const override { return options_.clock(); }

  Date Today() const;

  int SchemaVersion() override;

  SqlResultOr<void> Audit(SqlConnection& c, const Context& ctx, std::string_view action, std::string_view person,
                          std::optional<int64_t> case_id, std::optional<int> region, std::string_view detail);

  // A refusal is logged in its own transaction (the refused one is rolled back).
  // `conn`: the caller's connection (its transaction is rolled back first), or none.
  tl::unexpected<StoreError> Deny(const Context& ctx, Action action, std::string_view person,
                                  std::optional<int64_t> case_id, std::optional<int> region,
                                  SqlConnection* conn = nullptr);

  // Writes the audit row of a refusal (action "denied:…") in its own transaction:
  // `conn`'s open transaction is rolled back first; without `conn`, a pooled one.
  void AuditRefusal(const Context& ctx, std::string_view what, std::string_view person, std::optional<int64_t> case_id,
                    std::optional<int> region, std::string_view detail, SqlConnection* conn);

  SqlResultOr<void> History(SqlConnection& c, const Case& cs, int region, std::string_view user, std::string_view event,
                            std::string_view old_value, std::string_view new_value, std::string_view detail);

  StoreResult<std::optional<Case>> LoadCase(SqlConnection& c, int64_t id);

  StoreResult<RegionRule> LoadRule(SqlConnection& c, int region);

  static Resource ResourceOf(const Case& c) { return Resource{c.region, c.person.last_school}; }

  // Checks the next contact date against the region's rule.
  StoreResult<void> CheckNextContact(SqlConnection& c, const Case& cs, Date next, Date from);

  struct Change {
    Change(std::string e, std::string o, std::string n, std::string d, std::optional<int> r = std::nullopt)
        : event(std::move(e)), old_value(std::move(o)), new_value(std::move(n)), detail(std::move(d)), region(r) {}
    std::string event, old_value, new_value, detail;
    std::optional<int> region;  // default: the case's region after the change
  };

  using Mutation =
      std::function<StoreResult<void>(SqlConnection&, const Case& before, Case& after, std::vector<Change>& changes)>;

  // The one path for changes by people: authorise, check the version, apply, bump
  // the version with a compare-and-set that returns the changed case, write history
  // and audit, commit. On PostgreSQL that is five round trips for a contact: BEGIN
  // with the load, the region rule, the contact, the update, history + audit + COMMIT.
  StoreResult<Case> Mutate(const Context& ctx, int64_t id, int64_t expected_version, Action action,
                           std::string_view audit_action, const Mutation& mutation);

  tl::unexpected<StoreError> Conflict(const Case& current, int64_t expected);

  StoreResult<SyncReport> Sync(const Context& ctx, const SyncRequest& req) override;

  StoreResult<std::vector<Case>> ListCases(const Context& ctx, const CaseFilter& f) override;

  StoreResult<CaseDetail> GetCase(const Context& ctx, int64_t id) override;

  static constexpr std::string_view kHistorySelect =
      "SELECT h.id, h.case_id, c.person_id, h.region, h.at, h.on_date, h.user_name, h.event, h.old_value, "
      "h.new_value, h.detail FROM case_history h JOIN cases c ON c.id = h.case_id ";

  static HistoryEntry HistoryFromRow(const SqlRow& r);

  StoreResult<Case> UpdateCase(const Context& ctx, int64_t id, int64_t expected_version, const CaseUpdate& u) override;

  StoreResult<ContactResult> RecordContact(const Context& ctx, int64_t id, int64_t expected_version,
                                           const NewContact& nc) override;

  StoreResult<Case> AddReferral(const Context& ctx, int64_t id, int64_t expected_version,
                                const NewReferral& nr) override;

  StoreResult<Case> HandOver(const Context& ctx, int64_t id, int64_t expected_version, int to_region,
                             const std::string& note) override;

  StoreResult<std::vector<HistoryEntry>> RegionHistory(const Context& ctx, std::optional<int> region_or_none,
                                                       int limit) override;

  StoreResult<RegionOverview> Overview(const Context& ctx, int region, Date today) override;

  StoreResult<RegionRule> GetRegionRule(const Context& ctx, int region) override;

  StoreResult<RegionRule> SetRegionRule(const Context& ctx, const RegionRule& rule) override;

  StoreResult<PurgeReport> PurgeClosedCases(const Context& ctx, Date today, int years) override;

  StoreResult<void> CheckPassword(std::string_view password) const;

  StoreResult<User> AddUser(const Context& ctx, const NewUser& nu, std::string_view password) override;

  StoreResult<std::vector<User>> ListUsers(const Context& ctx) override;

  StoreResult<void> SetUserActive(const Context& ctx, std::string_view name, bool active) override;

  // Inside SetUserActive's write transaction: someone must be left to manage users.
  // Refuses (kConflict, audited as denied:deactivate-user with the reason) the last
  // active administrator, and the acting user's own account. The active
  // administrators are read with FOR UPDATE on PostgreSQL (in id order, so two such
  // transactions lock alike and never deadlock): two administrators deactivating
  // each other at the same moment are serialised and the second sees the first's
  // change. SQLite's BEGIN IMMEDIATE already serialises writers.
  StoreResult<void> CheckDeactivation(const Context& ctx, SqlConnection& c, std::string_view name);

  StoreResult<void> ResetPassword(const Context& ctx, std::string_view name, std::string_view password) override;

  int64_t UserCount() override;

  struct Credentials {
    User user;
    std::string hash;
    int64_t locked_until = 0;
  };

  StoreResult<std::optional<Credentials>> LoadCredentials(SqlConnection& c, std::string_view name);

  const std::string& DummyHash();

  static Context AuthContext(const User& u) { return Context{u, "authentication"}; }

  StoreResult<Session> Login(std::string_view name, std::string_view password) override;

  StoreResult<Session> Authenticate(std::string_view token) override;

  StoreResult<void> Logout(std::string_view token) override;

  StoreResult<void> ChangePassword(std::string_view token, std::string_view old_password,
                                   std::string_view new_password) override;

  StoreResult<std::vector<AuditEntry>> SearchAudit(const Context& ctx, const AuditQuery& q) override;

  // ---- programme (programme_store.cc) ---------------------------------------

  StoreResult<Programme> GetProgramme(const Context& ctx, int region) override;
  StoreResult<Agreement> AddAgreement(const Context& ctx, int region, ProgrammeTopic topic,
                                      const std::string& text) override;
  StoreResult<Measure> AddMeasure(const Context& ctx, const NewMeasure& measure) override;
  StoreResult<Measure> SetSpending(const Context& ctx, int64_t measure_id, int year, int category,
                                   int64_t euros) override;
  StoreResult<void> LinkCaseToMeasure(const Context& ctx, int64_t case_id, int64_t measure_id, Date on) override;
  StoreResult<void> SetCaseDestination(const Context& ctx, int64_t case_id, Destination destination,
                                       Date ended_on) override;
  StoreResult<ReportText> SetReportText(const Context& ctx, int region, int year, int section,
                                        const std::string& text) override;
  StoreResult<RegionTarget> SetRegionTarget(const Context& ctx, int region, int year, int64_t max_new_vsv) override;
  StoreResult<EffectRegisterFigures> EffectFigures(const Context& ctx, int region, int year) override;

  static StoreResult<void> CheckMeasure(const NewMeasure& m);
  // The region's measures (or only `only`) with their years: budget, spending, participants.
  StoreResult<std::vector<Measure>> LoadMeasures(SqlConnection& c, int region, std::optional<int64_t> only);
  // The case for a write by `ctx` (kWriteCase, refusal audited), inside c's transaction.
  StoreResult<Case> LoadCaseForWrite(const Context& ctx, SqlConnection& c, int64_t case_id);

 private:
  StoreOptions options_;
  Dialect dialect_;
  Pool pool_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace vsv::followup::store_internal
