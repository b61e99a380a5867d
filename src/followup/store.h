// The case register behind one interface. CaseStore::Open picks the database from
// the target: a file path (SQLite) or a postgresql:// URL (PostgreSQL); both run the
// same SQL (sql.h) on the same schema (schema.h), migrated on open.
//
// Every method that touches persons takes a Context (who acts and why), checks it
// with Authorize (access.h) and writes the audit record in the same transaction as
// the change, so no caller can read or write personal data unlogged or unchecked.
// Methods are thread-safe: each call takes a connection from a small pool.
#ifndef VSV_FOLLOWUP_STORE_H_
#define VSV_FOLLOWUP_STORE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "followup/access.h"
#include "followup/case.h"
#include "followup/programme.h"
#include "followup/sql.h"

namespace vsv::followup {

enum class Errc : uint8_t {
  kInvalid,          // bad input; the message says which field and why
  kNotFound,
  kConflict,         // the case changed since it was read (version check), or the change would break
                     // a rule of the register (StoreError::reason); nothing was saved
  kForbidden,        // Authorize said no
  kUnauthenticated,  // wrong name or password, unknown or expired session
  kLocked,           // too many failed logins; try again later
  kStorage,          // the database failed
};
std::string_view ErrcName(Errc code);  // "invalid", "not-found", "conflict", ...

struct StoreError {
  Errc code = Errc::kStorage;
  std::string message;
  // kConflict: the case as it is now, so the caller can show it beside the input it
  // still holds and let the user apply it again.
  std::shared_ptr<const Case> current;
  // kConflict that is not a version check: which rule refused the change,
  // "own_account" or "last_administrator" (SetUserActive). Empty otherwise.
  std::string reason;
};

template <typename T>
using StoreResult = tl::expected<T, StoreError>;

// Who acts, and with which purpose (written to the audit log with every access).
struct Context {
  User user;
  std::string purpose;
};

struct AuthPolicy {
  int max_failed_logins = 5;           // then the account is locked
  int lockout_seconds = 15 * 60;
  int session_idle_seconds = 30 * 60;  // a session unused this long expires
  int session_max_seconds = 12 * 3600;
  size_t min_password_length = 12;
  // Argon2id cost (libsodium crypto_pwhash_str). Defaults: libsodium's INTERACTIVE
  // limits (2 passes, 64 MiB).
  unsigned long long pwhash_opslimit = 2;
  size_t pwhash_memlimit = 64u << 20;
};

struct StoreOptions {
  // Unix seconds; the system clock when empty. Tests inject their own.
  std::function<int64_t()> clock;
  int pool_size = 4;  // connections kept open
  int busy_timeout_ms = 10000;
  AuthPolicy auth;
};

// ---- sync -----------------------------------------------------------------------

// A person who should have a case: from the work list or the oud-vsv stock.
struct SyncCandidate {
  CaseKind kind = CaseKind::kNewLeaver;
  std::string episode;  // "leaver:<left_on>" or "oud-vsv:<school year counted>"
  // A case of the person opened on or after this date (open or closed) already covers
  // this candidate: the leaving date, or 1 August of the school year counted. A case
  // closed by a caseworker is therefore never re-created by a later sync.
  Date covered_from = kNoDate;
  PersonSnapshot person;
};

// The registry's current view of a person with an open case.
struct PersonState {
  bool found = false;
  PersonSnapshot snapshot;
  std::string flag;  // see RegistryFlag; "" when nothing to report
};
using RegistryLookup = std::function<PersonState(std::string_view person_id)>;

struct SyncRequest {
  int region = 0;
  Date date = kNoDate;
  std::vector<SyncCandidate> candidates;
  // Refreshes birth date, municipality and diplomas, and the flag, of every open case
  // of the region (the last school and program stay those that put the person on the list).
  RegistryLookup lookup;
};

struct SyncReport {
  int64_t created_new_leaver = 0;
  int64_t created_oud_vsv = 0;
  int64_t already_open = 0;     // candidate already has an open case in this region
  int64_t open_elsewhere = 0;   // ... in another region (a handover may be due)
  int64_t closed_episode = 0;   // a closed case already covers this leaving: not re-created
  int64_t refreshed = 0;        // open cases whose registry part changed
  int64_t flagged = 0;          // open cases whose flag changed (set or cleared)
  int64_t open_cases = 0;       // open cases of the region after the sync
};

// ---- overview, retention -------------------------------------------------------

struct MonthCount {
  std::string month;  // "2024-09"
  int64_t contacts = 0;
};

// Status distribution `months` after opening, of the cases opened at least that
// long ago (the cohort).
struct Outcome {
  int months = 0;
  int64_t cohort = 0;
  std::array<int64_t, kCaseStatusCount> by_status{};
};

struct RegionOverview {
  int region = 0;
  Date today = kNoDate;
  std::array<int64_t, kCaseStatusCount> by_status{};  // every case held by the region
  int64_t open = 0;
  int64_t overdue = 0;          // open, next contact before today
  int64_t due = 0;              // open, next contact today .. today + 7 days
  int64_t no_next_contact = 0;  // open, none planned
  int64_t flagged = 0;          // open, with a registry flag
  std::vector<MonthCount> contacts_per_month;  // the 12 months up to today, oldest first
  Outcome after_3, after_12;
};

struct PurgeReport {
  Date cutoff = kNoDate;  // cases closed before this date were deleted
  int64_t cases = 0;
  int64_t contacts = 0;
};

// ---- users, sessions, audit ----------------------------------------------------

struct NewUser {
  std::string name;
  Role role = Role::kCaseworker;
  std::optional<int> region;
  std::optional<std::string> school;
};

// A logged-in session. `token` (the cookie value) is only known to the caller: the
// database keeps its SHA-256 hash.
struct Session {
  std::string token;
  std::string csrf_token;
  User user;
  int64_t expires_at = 0;
};

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::optional<int64_t> user_id;
  std::string user;
  std::string role;
  std::string action;
  std::string person_id;  // "" when no person
  std::optional<int64_t> case_id;
  std::optional<int> region;
  std::string purpose;
  std::string detail;
};

struct AuditQuery {
  std::optional<std::string> person_id;
  std::optional<std::string> user;
  std::optional<int64_t> from;  // Unix seconds, inclusive
  std::optional<int64_t> to;    // Unix seconds, exclusive
  int limit = 100000;  // the most recent rows that match, returned oldest first
};

struct ContactResult {
  Case c;
  int64_t contact_id = 0;
  bool duplicate = false;  // the client_key was seen before: stored once
};

class CaseStore {
 public:
  // Opens (and migrates) the register at `target`.
  static StoreResult<std::unique_ptr<CaseStore>> Open(const std::string& target, StoreOptions options = {});
  virtual ~CaseStore() = default;

  virtual Dialect dialect() const = 0;
  virtual int64_t Now() const = 0;
  virtual int SchemaVersion() = 0;

  // Cases from the region's work list (SyncCases in sync.h builds the request).
  // Never changes what caseworkers wrote; creates no case twice. Needs kSyncCases.
  virtual StoreResult<SyncReport> Sync(const Context& ctx, const SyncRequest& request) = 0;

  // Cases visible to the user: a coordinator/caseworker their region, a mentor their
  // school. Due and overdue first (next contact ascending, none last). Logs one
  // audit row per case returned. A refusal (kForbidden) is audited as
  // denied:list-cases, also when no region is given and the user has none.
  virtual StoreResult<std::vector<Case>> ListCases(const Context& ctx, const CaseFilter& filter) = 0;
  virtual StoreResult<CaseDetail> GetCase(const Context& ctx, int64_t case_id) = 0;

  // Changes by caseworkers. `expected_version` is the version the user read; when
  // the case changed since, the call fails with kConflict and saves nothing.
  virtual StoreResult<Case> UpdateCase(const Context& ctx, int64_t case_id, int64_t expected_version,
                                       const CaseUpdate& update) = 0;
  virtual StoreResult<ContactResult> RecordContact(const Context& ctx, int64_t case_id, int64_t expected_version,
                                                   const NewContact& contact) = 0;
  virtual StoreResult<Case> AddReferral(const Context& ctx, int64_t case_id, int64_t expected_version,
                                        const NewReferral& referral) = 0;
  // Warm handover: the case with its whole history goes to `to_region`; the owner
  // is cleared. Both regions get a history entry (RegionHistory).
  virtual StoreResult<Case> HandOver(const Context& ctx, int64_t case_id, int64_t expected_version, int to_region,
                                     const std::string& note) = 0;
  // History entries written in `region` (including handovers out of it), newest first.
  // Without a region the call is refused (kForbidden) and the refusal audited.
  virtual StoreResult<std::vector<HistoryEntry>> RegionHistory(const Context& ctx, std::optional<int> region,
                                                               int limit) = 0;

  virtual StoreResult<RegionOverview> Overview(const Context& ctx, int region, Date today) = 0;
  virtual StoreResult<RegionRule> GetRegionRule(const Context& ctx, int region) = 0;
  virtual StoreResult<RegionRule> SetRegionRule(const Context& ctx, const RegionRule& rule) = 0;

  // Deletes cases closed more than `retention_years` before `today` with their
  // contacts, referrals and history; writes one audit row per case and a summary.
  virtual StoreResult<PurgeReport> PurgeClosedCases(const Context& ctx, Date today, int retention_years) = 0;

  // Users. The first user of a register must be an administrator.
  virtual StoreResult<User> AddUser(const Context& ctx, const NewUser& user, std::string_view password) = 0;
  virtual StoreResult<std::vector<User>> ListUsers(const Context& ctx) = 0;
  // Deactivation ends the user's sessions. So that someone can always manage users,
  // it is refused (kConflict, audited as denied:deactivate-user) for the last active
  // administrator (reason "last_administrator") and for the acting user's own
  // account (reason "own_account"); the command line is bound by the first rule.
  virtual StoreResult<void> SetUserActive(const Context& ctx, std::string_view name, bool active) = 0;
  // Sets a new password, unlocks the account and ends its sessions (administrator).
  virtual StoreResult<void> ResetPassword(const Context& ctx, std::string_view name, std::string_view password) = 0;
  virtual int64_t UserCount() = 0;

  // Sessions. Login fails alike for an unknown name and a wrong password; after
  // AuthPolicy::max_failed_logins failures in a row the account is locked.
  virtual StoreResult<Session> Login(std::string_view name, std::string_view password) = 0;
  // The session of `token` (refreshing its idle timer); kUnauthenticated when
  // unknown, expired or the user was deactivated. The returned token is empty.
  virtual StoreResult<Session> Authenticate(std::string_view token) = 0;
  virtual StoreResult<void> Logout(std::string_view token) = 0;
  // Needs the old password; ends every other session of the user.
  virtual StoreResult<void> ChangePassword(std::string_view token, std::string_view old_password,
                                           std::string_view new_password) = 0;

  // The audit log, oldest first (administrator). The search itself is logged.
  virtual StoreResult<std::vector<AuditEntry>> SearchAudit(const Context& ctx, const AuditQuery& query) = 0;

  // The regional programme (programme.h; programme_store.cc). Reading needs
  // kReadProgramme (analysts and the administrator every region, coordinators and
  // caseworkers their own), writing kWriteProgramme (the region's coordinator).
  // Every write is audited (action programme:…); bad input is kInvalid with the field
  // named, and nothing is saved.
  virtual StoreResult<Programme> GetProgramme(const Context& ctx, int region) = 0;
  virtual StoreResult<Agreement> AddAgreement(const Context& ctx, int region, ProgrammeTopic topic,
                                              const std::string& text) = 0;
  virtual StoreResult<Measure> AddMeasure(const Context& ctx, const NewMeasure& measure) = 0;
  // Sets what measure `measure_id` spent in `year` in `category` (0 = A … 7 = H).
  virtual StoreResult<Measure> SetSpending(const Context& ctx, int64_t measure_id, int year, int category,
                                           int64_t euros) = 0;
  // Links a case to a measure of its region from `on` (kWriteCase on the case; the
  // link is in the case's history). Linking twice is kConflict.
  virtual StoreResult<void> LinkCaseToMeasure(const Context& ctx, int64_t case_id, int64_t measure_id, Date on) = 0;
  // Records where the case's trajectory ended (kWriteCase; replaces an earlier one).
  virtual StoreResult<void> SetCaseDestination(const Context& ctx, int64_t case_id, Destination destination,
                                               Date ended_on) = 0;
  // The effect report's texts (section: ParseReportText); "" empties one.
  virtual StoreResult<ReportText> SetReportText(const Context& ctx, int region, int year, int section,
                                                const std::string& text) = 0;
  // The region's own target for `year` (kWriteProgramme); replaces an earlier one.
  virtual StoreResult<RegionTarget> SetRegionTarget(const Context& ctx, int region, int year,
                                                    int64_t max_new_vsv) = 0;
  // The register's figures of the effect report (kReadProgramme; no persons).
  virtual StoreResult<EffectRegisterFigures> EffectFigures(const Context& ctx, int region, int year) = 0;
};

// RFC 4180 CSV of audit entries, with a header; times as UTC "YYYY-MM-DDTHH:MM:SSZ".
std::string AuditCsv(const std::vector<AuditEntry>& entries);
std::string FormatTimestamp(int64_t unix_seconds);

// StoreError -> Error, for callers that only report.
inline Error ToError(const StoreError& e) { return Error{e.message}; }

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_STORE_H_
