// CaseStore over SqlConnection: the one implementation for SQLite and PostgreSQL.
#include <algorithm>
#include <chrono>
#include <limits>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "followup/crypto.h"
#include "followup/schema.h"
#include "followup/store.h"

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

namespace {

std::string Csv(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string AuditCsv(const std::vector<AuditEntry>& entries) {
  std::string out = "id,at,user_id,user,role,action,person_id,case_id,region,purpose,detail\n";
  for (const AuditEntry& e : entries) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", e.id, FormatTimestamp(e.at),
                       e.user_id ? std::to_string(*e.user_id) : "", Csv(e.user), Csv(e.role), Csv(e.action),
                       Csv(e.person_id), e.case_id ? std::to_string(*e.case_id) : "",
                       e.region ? fmt::format("{:02d}", *e.region) : "", Csv(e.purpose), Csv(e.detail));
  }
  return out;
}

namespace {

tl::unexpected<StoreError> Fail(Errc code, std::string message) {
  return tl::unexpected(StoreError{code, std::move(message), nullptr, ""});
}
tl::unexpected<StoreError> FailSql(const SqlError& e) { return Fail(Errc::kStorage, e.message); }

// Propagates a failed SQL call as kStorage.
#define VSV_TRY_SQL(var, expr)                 \
  auto var = (expr);                           \
  if (!var) return FailSql(var.error())
#define VSV_TRY(var, expr)                     \
  auto var = (expr);                           \
  if (!var) return tl::unexpected(var.error())

SqlValue DateValue(Date d) { return d == kNoDate ? Null() : SqlValue(int64_t{d}); }
Date DateAt(const SqlRow& r, size_t i) { return r.IsNull(i) ? kNoDate : static_cast<Date>(r.Int(i)); }
SqlValue IntOrNull(const std::optional<int>& v) { return v ? SqlValue(int64_t{*v}) : Null(); }
std::string DateText(Date d) { return d == kNoDate ? "none" : FormatDate(d); }

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

Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

// ---- rows -------------------------------------------------------------------------

constexpr std::string_view kCaseSelect =
    "SELECT c.id, c.kind, c.episode, c.region, c.status, c.closed_reason, c.opened_on, c.closed_on, c.owner_id, "
    "u.name, c.person_id, c.birth_date, c.municipality, c.last_school, c.last_location, c.last_sector, "
    "c.last_program, c.last_level, c.left_on, c.diplomas, c.registry_flag, c.flagged_on, c.synced_on, "
    "c.agreements, c.next_contact, c.mbo_verklaring, c.version, c.created_at, c.updated_at "
    "FROM cases c LEFT JOIN users u ON u.id = c.owner_id ";

Case CaseFromRow(const SqlRow& r) {
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
constexpr std::string_view kCaseReturning =
    " RETURNING id, kind, episode, region, status, closed_reason, opened_on, closed_on, owner_id, "
    "(SELECT u.name FROM users u WHERE u.id = cases.owner_id), person_id, birth_date, municipality, last_school, "
    "last_location, last_sector, last_program, last_level, left_on, diplomas, registry_flag, flagged_on, synced_on, "
    "agreements, next_contact, mbo_verklaring, version, created_at, updated_at";

constexpr std::string_view kUserSelect = "SELECT id, name, role, region, school, active FROM users ";

User UserFromRow(const SqlRow& r) {
  User u;
  u.id = r.Int(0);
  u.name = r.Text(1);
  u.role = ParseRole(r.Text(2)).value_or(Role::kSchoolMentor);
  if (!r.IsNull(3)) u.region = static_cast<int>(r.Int(3));
  if (!r.IsNull(4)) u.school = r.Text(4);
  u.active = r.Int(5) != 0;
  return u;
}

bool ValidUserName(std::string_view n) {
  if (n.size() < 2 || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

Status CheckText(std::string_view field, std::string_view value, size_t max, bool required) {
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
  Date Today() const {
    const int64_t t = Now();
    return static_cast<Date>(t >= 0 ? t / 86400 : (t - 86399) / 86400);
  }

  int SchemaVersion() override {
    auto lease = pool_.Acquire();
    if (!lease) return -1;
    auto r = (*lease)->Exec("SELECT COALESCE(MAX(version), 0) FROM schema_version", {});
    return r ? static_cast<int>(r->rows.at(0).Int(0)) : -1;
  }

  // ---- audit helpers --------------------------------------------------------

  SqlResultOr<void> Audit(SqlConnection& c, const Context& ctx, std::string_view action, std::string_view person,
                          std::optional<int64_t> case_id, std::optional<int> region, std::string_view detail) {
    // Sent with the commit (PostgreSQL), which fails when this insert does.
    auto r = c.ExecLater(
        "INSERT INTO audit_log (at, user_id, user_name, role, action, person_id, case_id, region, purpose, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {Now(), ctx.user.id ? SqlValue(ctx.user.id) : Null(), ctx.user.name, std::string(RoleName(ctx.user.role)),
         std::string(action), person.empty() ? Null() : SqlValue(std::string(person)), OptInt(case_id),
         IntOrNull(region), ctx.purpose, std::string(detail)});
    if (!r) return tl::unexpected(r.error());
    return {};
  }

  // A refusal is logged in its own transaction (the refused one is rolled back).
  // `conn`: the caller's connection (its transaction is rolled back first), or none.
  tl::unexpected<StoreError> Deny(const Context& ctx, Action action, std::string_view person,
                                  std::optional<int64_t> case_id, std::optional<int> region,
                                  SqlConnection* conn = nullptr) {
    AuditRefusal(ctx, fmt::format("denied:{}", ActionName(action)), person, case_id, region, "", conn);
    return Fail(Errc::kForbidden, fmt::format("{} ({}) may not {}{}", ctx.user.name, RoleName(ctx.user.role),
                                              ActionName(action),
                                              region ? fmt::format(" in region {:02d}", *region) : ""));
  }

  // Writes the audit row of a refusal (action "denied:…") in its own transaction:
  // `conn`'s open transaction is rolled back first; without `conn`, a pooled one.
  void AuditRefusal(const Context& ctx, std::string_view what, std::string_view person,
                    std::optional<int64_t> case_id, std::optional<int> region, std::string_view detail,
                    SqlConnection* conn) {
    if (conn) {
      conn->Rollback();
      (void)Audit(*conn, ctx, what, person, case_id, region, detail);
    } else if (auto lease = pool_.Acquire()) {
      (void)Audit(**lease, ctx, what, person, case_id, region, detail);
    }
  }

  SqlResultOr<void> History(SqlConnection& c, const Case& cs, int region, std::string_view user,
                            std::string_view event, std::string_view old_value, std::string_view new_value,
                            std::string_view detail) {
    auto r = c.ExecLater(
        "INSERT INTO case_history (case_id, region, at, on_date, user_name, event, old_value, new_value, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {cs.id, int64_t{region}, Now(), int64_t{Today()}, std::string(user), std::string(event),
         old_value.empty() ? Null() : SqlValue(std::string(old_value)),
         new_value.empty() ? Null() : SqlValue(std::string(new_value)), std::string(detail)});
    if (!r) return tl::unexpected(r.error());
    return {};
  }

  StoreResult<std::optional<Case>> LoadCase(SqlConnection& c, int64_t id) {
    VSV_TRY_SQL(r, c.Exec(std::string(kCaseSelect) + "WHERE c.id = $1", {id}));
    if (r->rows.empty()) return std::optional<Case>();
    return std::optional<Case>(CaseFromRow(r->rows[0]));
  }

  StoreResult<RegionRule> LoadRule(SqlConnection& c, int region) {
    VSV_TRY_SQL(r, c.Exec("SELECT oud_vsv_interval_months, new_leaver_interval_days FROM region_rules "
                          "WHERE region = $1",
                          {int64_t{region}}));
    RegionRule rule;
    rule.region = region;
    if (!r->rows.empty()) {
      rule.oud_vsv_interval_months = static_cast<int>(r->rows[0].Int(0));
      rule.new_leaver_interval_days = static_cast<int>(r->rows[0].Int(1));
    }
    return rule;
  }

  static Resource ResourceOf(const Case& c) { return Resource{c.region, c.person.last_school}; }

  // Checks the next contact date against the region's rule.
  StoreResult<void> CheckNextContact(SqlConnection& c, const Case& cs, Date next, Date from) {
    if (next == kNoDate) {
      if (cs.kind == CaseKind::kOudVsv) {
        return Fail(Errc::kInvalid, "an oud-vsv case needs a next contact date (the region's contact rule)");
      }
      return {};
    }
    if (next < Today()) return Fail(Errc::kInvalid, fmt::format("next contact {} lies in the past", FormatDate(next)));
    if (cs.kind == CaseKind::kOudVsv) {
      VSV_TRY(rule, LoadRule(c, cs.region));
      const Date limit = AddMonths(std::max(from, Today()), rule->oud_vsv_interval_months);
      if (next > limit) {
        return Fail(Errc::kInvalid,
                    fmt::format("next contact {} is later than region {:02d}'s rule allows for oud-vsv'ers "
                                "(every {} months: at the latest {})",
                                FormatDate(next), cs.region, rule->oud_vsv_interval_months, FormatDate(limit)));
      }
    }
    return {};
  }

  struct Change {
    Change(std::string e, std::string o, std::string n, std::string d, std::optional<int> r = std::nullopt)
        : event(std::move(e)), old_value(std::move(o)), new_value(std::move(n)), detail(std::move(d)), region(r) {}
    std::string event, old_value, new_value, detail;
    std::optional<int> region;  // default: the case's region after the change
  };
  using Mutation = std::function<StoreResult<void>(SqlConnection&, const Case& before, Case& after,
                                                   std::vector<Change>& changes)>;

  // The one path for changes by people: authorise, check the version, apply, bump
  // the version with a compare-and-set that returns the changed case, write history
  // and audit, commit. On PostgreSQL that is five round trips for a contact: BEGIN
  // with the load, the region rule, the contact, the update, history + audit + COMMIT.
  StoreResult<Case> Mutate(const Context& ctx, int64_t id, int64_t expected_version, Action action,
                           std::string_view audit_action, const Mutation& mutation) {
    if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY(loaded, LoadCase(c, id));
    if (!*loaded) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
    const Case before = **loaded;
    if (!Authorize(ctx.user, action, ResourceOf(before))) {
      return Deny(ctx, action, before.person.person_id, before.id, before.region, &c);
    }
    if (before.version != expected_version) return Conflict(before, expected_version);
    if (!before.open()) return Fail(Errc::kInvalid, fmt::format("case {} is closed; a closed case is not changed", id));
    Case after = before;
    std::vector<Change> changes;
    if (auto r = mutation(c, before, after, changes); !r) return tl::unexpected(r.error());
    if (changes.empty()) return before;  // nothing changed: no new version
    static const std::string kUpdate =
        "UPDATE cases SET status = $1, closed_reason = $2, closed_on = $3, owner_id = $4, agreements = $5, "
        "next_contact = $6, mbo_verklaring = $7, region = $8, version = version + 1, updated_at = $9 "
        "WHERE id = $10 AND version = $11" +
        std::string(kCaseReturning);
    VSV_TRY_SQL(upd, c.Exec(kUpdate,
                            {std::string(StatusName(after.status)),
                             after.closed_reason.empty() ? Null() : SqlValue(after.closed_reason),
                             DateValue(after.closed_on), OptInt(after.owner_id), after.agreements,
                             DateValue(after.next_contact), int64_t{after.mbo_verklaring}, int64_t{after.region},
                             Now(), id, expected_version}));
    if (upd->rows.size() != 1) {
      VSV_TRY(now, LoadCase(c, id));
      return Conflict(now->value_or(before), expected_version);
    }
    // History and audit go out with the commit: one round trip on PostgreSQL.
    for (const Change& ch : changes) {
      if (auto r = History(c, before, ch.region.value_or(after.region), ctx.user.name, ch.event, ch.old_value,
                           ch.new_value, ch.detail);
          !r) {
        return FailSql(r.error());
      }
    }
    std::vector<std::string> events;
    for (const Change& ch : changes) events.push_back(ch.event);
    if (auto r = Audit(c, ctx, audit_action, before.person.person_id, id, before.region, fmt::format("{}", fmt::join(events, ",")));
        !r) {
      return FailSql(r.error());
    }
    const Case result = CaseFromRow(upd->rows[0]);
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return result;
  }

  tl::unexpected<StoreError> Conflict(const Case& current, int64_t expected) {
    StoreError e;
    e.code = Errc::kConflict;
    e.message = fmt::format(
        "case {} was changed by someone else since you opened it (your version {}, now {}); nothing of your "
        "change was saved — reload the case and apply your change again",
        current.id, expected, current.version);
    e.current = std::make_shared<Case>(current);
    return tl::unexpected(std::move(e));
  }

  // ---- cases ----------------------------------------------------------------

  StoreResult<SyncReport> Sync(const Context& ctx, const SyncRequest& req) override {
    if (!Authorize(ctx.user, Action::kSyncCases, Resource{req.region, std::nullopt})) {
      return Deny(ctx, Action::kSyncCases, "", std::nullopt, req.region);
    }
    if (req.date == kNoDate) return Fail(Errc::kInvalid, "sync needs a date");
    const std::string purpose = ctx.purpose.empty() ? "sync work list" : ctx.purpose;
    const Context sctx{ctx.user, purpose};
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    SyncReport rep;
    const int64_t now = Now();
    std::set<std::string> created;
    for (const SyncCandidate& cand : req.candidates) {
      const PersonSnapshot& p = cand.person;
      VSV_TRY_SQL(open, c.Exec("SELECT id, region FROM cases WHERE person_id = $1 AND closed_on IS NULL", {p.person_id}));
      if (!open->rows.empty()) {
        ++(open->rows[0].Int(1) == req.region ? rep.already_open : rep.open_elsewhere);
        continue;
      }
      VSV_TRY_SQL(ep, c.Exec("SELECT id FROM cases WHERE person_id = $1 AND (episode = $2 OR opened_on >= $3)",
                             {p.person_id, cand.episode,
                              int64_t{cand.covered_from == kNoDate ? std::numeric_limits<Date>::max() : cand.covered_from}}));
      if (!ep->rows.empty()) {
        ++rep.closed_episode;
        continue;
      }
      VSV_TRY_SQL(ins, c.Exec(
          "INSERT INTO cases (person_id, episode, kind, region, status, opened_on, birth_date, municipality, "
          "last_school, last_location, last_sector, last_program, last_level, left_on, diplomas, synced_on, "
          "next_contact, mbo_verklaring, created_at, updated_at) VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, "
          "$10, $11, $12, $13, $14, $5, $5, $15, $16, $16) RETURNING id",
          {p.person_id, cand.episode, std::string(KindName(cand.kind)), int64_t{req.region}, int64_t{req.date},
           DateValue(p.birth_date), p.municipality >= 0 ? SqlValue(int64_t{p.municipality}) : Null(), p.last_school,
           p.last_location, p.last_sector, p.last_program, p.last_level ? SqlValue(int64_t{p.last_level}) : Null(),
           DateValue(p.left_on), p.diplomas, int64_t{p.has_mbo_verklaring}, now}));
      Case cs;
      cs.id = ins->rows.at(0).Int(0);
      if (auto r = History(c, cs, req.region, sctx.user.name, "created", "", "new",
                           fmt::format("{} on the work list of {}", KindName(cand.kind), FormatDate(req.date)));
          !r) {
        return FailSql(r.error());
      }
      if (auto r = Audit(c, sctx, "create-case", p.person_id, cs.id, req.region, std::string(KindName(cand.kind))); !r) {
        return FailSql(r.error());
      }
      ++(cand.kind == CaseKind::kNewLeaver ? rep.created_new_leaver : rep.created_oud_vsv);
      created.insert(p.person_id);
    }
    // Refresh the registry part and the flag of the region's other open cases.
    VSV_TRY_SQL(open, c.Exec(std::string(kCaseSelect) + "WHERE c.region = $1 AND c.closed_on IS NULL ORDER BY c.id",
                             {int64_t{req.region}}));
    rep.open_cases = static_cast<int64_t>(open->rows.size());
    if (req.lookup) {
      for (const SqlRow& row : open->rows) {
        const Case cs = CaseFromRow(row);
        if (created.count(cs.person.person_id)) continue;
        const PersonState st = req.lookup(cs.person.person_id);
        if (st.found) {
          const PersonSnapshot& s = st.snapshot;
          const PersonSnapshot& o = cs.person;
          // The last school and program stay those of the enrolment that put the person on
          // the list; what the registry may correct or add is refreshed.
          if (s.birth_date != o.birth_date || s.municipality != o.municipality || s.diplomas != o.diplomas) {
            VSV_TRY_SQL(u, c.Exec("UPDATE cases SET birth_date = $1, municipality = $2, diplomas = $3, "
                                  "synced_on = $4 WHERE id = $5",
                                  {DateValue(s.birth_date),
                                   s.municipality >= 0 ? SqlValue(int64_t{s.municipality}) : Null(), s.diplomas,
                                   int64_t{req.date}, cs.id}));
            if (auto r = Audit(c, sctx, "refresh-case", cs.person.person_id, cs.id, req.region, "registry part"); !r) {
              return FailSql(r.error());
            }
            ++rep.refreshed;
          }
        }
        if (st.flag != cs.registry_flag.flag) {
          VSV_TRY_SQL(u, c.Exec("UPDATE cases SET registry_flag = $1, flagged_on = $2 WHERE id = $3",
                                {st.flag.empty() ? Null() : SqlValue(st.flag),
                                 st.flag.empty() ? Null() : SqlValue(int64_t{req.date}), cs.id}));
          if (auto r = History(c, cs, req.region, sctx.user.name, "registry-flag", cs.registry_flag.flag, st.flag,
                               st.flag.empty() ? "registry flag cleared"
                                               : fmt::format("registry on {}: {}", FormatDate(req.date), st.flag));
              !r) {
            return FailSql(r.error());
          }
          if (auto r = Audit(c, sctx, "flag-case", cs.person.person_id, cs.id, req.region, st.flag); !r) {
            return FailSql(r.error());
          }
          ++rep.flagged;
        }
      }
    }
    if (auto r = Audit(c, sctx, "sync", "", std::nullopt, req.region,
                       fmt::format("date {}; created {} new leavers, {} oud-vsv; {} open", FormatDate(req.date),
                                   rep.created_new_leaver, rep.created_oud_vsv, rep.open_cases));
        !r) {
      return FailSql(r.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return rep;
  }

  StoreResult<std::vector<Case>> ListCases(const Context& ctx, const CaseFilter& f) override {
    if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
    Resource res;
    if (ctx.user.role == Role::kSchoolMentor) res.school = f.school ? f.school : ctx.user.school;
    else res.region = f.region ? f.region : ctx.user.region;
    // Without a region (an administrator or analyst has none) Authorize refuses, and
    // that refusal is audited like every other.
    if (!Authorize(ctx.user, Action::kListCases, res)) {
      return Deny(ctx, Action::kListCases, "", std::nullopt, res.region);
    }
    std::string where;
    std::vector<SqlValue> params;
    if (ctx.user.role == Role::kSchoolMentor) {
      params.push_back(res.school.value_or(""));
      where = "WHERE c.last_school = $1";
    } else {
      params.push_back(int64_t{res.region.value()});
      where = "WHERE c.region = $1";
    }
    if (!f.include_closed) where += " AND c.closed_on IS NULL";
    if (f.status) {
      params.push_back(std::string(StatusName(*f.status)));
      where += fmt::format(" AND c.status = ${}", params.size());
    }
    if (f.owner_id) {
      params.push_back(*f.owner_id);
      where += fmt::format(" AND c.owner_id = ${}", params.size());
    }
    if (f.only_due) {
      params.push_back(int64_t{Today() + 7});
      where += fmt::format(" AND c.next_contact <= ${}", params.size());
    }
    params.push_back(int64_t{std::clamp(f.limit, 1, 100000)});
    const std::string sql = std::string(kCaseSelect) + where +
                            fmt::format(" ORDER BY CASE WHEN c.next_contact IS NULL THEN 1 ELSE 0 END, "
                                        "c.next_contact, c.id LIMIT ${}",
                                        params.size());
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(rows, c.Exec(sql, params));
    std::vector<Case> out;
    out.reserve(rows->rows.size());
    for (const SqlRow& r : rows->rows) {
      out.push_back(CaseFromRow(r));
      if (auto a = Audit(c, ctx, "list-cases", out.back().person.person_id, out.back().id, out.back().region, ""); !a) {
        return FailSql(a.error());
      }
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return out;
  }

  StoreResult<CaseDetail> GetCase(const Context& ctx, int64_t id) override {
    if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    CaseDetail d;
    {
      Transaction tx(c);
      if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
      VSV_TRY(loaded, LoadCase(c, id));
      if (!*loaded) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
      d.c = **loaded;
      if (!Authorize(ctx.user, Action::kReadCase, ResourceOf(d.c))) {
        return Deny(ctx, Action::kReadCase, d.c.person.person_id, id, d.c.region, &c);
      }
      VSV_TRY_SQL(contacts, c.Exec("SELECT id, case_id, contact_date, channel, with_whom, summary, outcome, "
                                   "author_name, client_key, created_at FROM contacts WHERE case_id = $1 "
                                   "ORDER BY contact_date DESC, id DESC",
                                   {id}));
      for (const SqlRow& r : contacts->rows) {
        d.contacts.push_back(Contact{r.Int(0), r.Int(1), DateAt(r, 2), r.Text(3), r.Text(4), r.Text(5), r.Text(6),
                                     r.Text(7), r.Text(8), r.Int(9)});
      }
      VSV_TRY_SQL(refs, c.Exec("SELECT id, case_id, partner, referred_on, note, author_name FROM referrals "
                               "WHERE case_id = $1 ORDER BY referred_on DESC, id DESC",
                               {id}));
      for (const SqlRow& r : refs->rows) {
        d.referrals.push_back(Referral{r.Int(0), r.Int(1), ParsePartner(r.Text(2)).value_or(Partner::kSchool),
                                       DateAt(r, 3), r.Text(4), r.Text(5)});
      }
      VSV_TRY_SQL(hist, c.Exec(std::string(kHistorySelect) + "WHERE h.case_id = $1 ORDER BY h.id", {id}));
      for (const SqlRow& r : hist->rows) d.history.push_back(HistoryFromRow(r));
      if (auto r = Audit(c, ctx, "read-case", d.c.person.person_id, id, d.c.region, ""); !r) return FailSql(r.error());
      if (auto r = tx.Commit(); !r) return FailSql(r.error());
    }
    return d;
  }

  static constexpr std::string_view kHistorySelect =
      "SELECT h.id, h.case_id, c.person_id, h.region, h.at, h.on_date, h.user_name, h.event, h.old_value, "
      "h.new_value, h.detail FROM case_history h JOIN cases c ON c.id = h.case_id ";
  static HistoryEntry HistoryFromRow(const SqlRow& r) {
    HistoryEntry h;
    h.id = r.Int(0);
    h.case_id = r.Int(1);
    h.person_id = r.Text(2);
    h.region = static_cast<int>(r.Int(3));
    h.at = r.Int(4);
    h.on_date = DateAt(r, 5);
    h.user = r.Text(6);
    h.event = r.Text(7);
    h.old_value = r.Text(8);
    h.new_value = r.Text(9);
    h.detail = r.Text(10);
    return h;
  }

  StoreResult<Case> UpdateCase(const Context& ctx, int64_t id, int64_t expected_version,
                               const CaseUpdate& u) override {
    return Mutate(ctx, id, expected_version, Action::kWriteCase, "update-case",
                  [&](SqlConnection& c, const Case& before, Case& after, std::vector<Change>& changes)
                      -> StoreResult<void> {
      if (u.closed_reason && u.status != CaseStatus::kClosed) {
        return Fail(Errc::kInvalid, "a closing reason is only given when the status becomes closed");
      }
      if (u.status && *u.status != before.status) {
        if (*u.status == CaseStatus::kClosed) {
          const std::string reason = u.closed_reason.value_or("");
          if (auto s = CheckText("closing reason", reason, 500, true); !s) return Fail(Errc::kInvalid, s.error().message);
          after.closed_reason = reason;
          after.closed_on = Today();
        }
        after.status = *u.status;
        changes.push_back({"status", std::string(StatusName(before.status)), std::string(StatusName(after.status)),
                           after.status == CaseStatus::kClosed ? after.closed_reason : ""});
      }
      if (u.owner_id && *u.owner_id != before.owner_id) {
        if (!Authorize(ctx.user, Action::kAssignCase, ResourceOf(before))) {
          return Deny(ctx, Action::kAssignCase, before.person.person_id, before.id, before.region, &c);
        }
        std::string new_name;
        if (*u.owner_id) {
          VSV_TRY_SQL(o, c.Exec(std::string(kUserSelect) + "WHERE id = $1", {**u.owner_id}));
          if (o->rows.empty()) return Fail(Errc::kInvalid, fmt::format("user {} does not exist", **u.owner_id));
          const User owner = UserFromRow(o->rows[0]);
          if (!owner.active || !Authorize(owner, Action::kWriteCase, ResourceOf(before))) {
            return Fail(Errc::kInvalid, fmt::format("{} cannot own a case of region {:02d}", owner.name, before.region));
          }
          new_name = owner.name;
        }
        after.owner_id = *u.owner_id;
        changes.push_back({"owner", before.owner_name, new_name, ""});
      }
      if (u.agreements && *u.agreements != before.agreements) {
        if (auto s = CheckText("agreements", *u.agreements, 4000, false); !s) return Fail(Errc::kInvalid, s.error().message);
        after.agreements = *u.agreements;
        changes.push_back({"agreements", before.agreements, after.agreements, ""});
      }
      if (u.next_contact && *u.next_contact != before.next_contact && after.status != CaseStatus::kClosed) {
        if (auto r = CheckNextContact(c, before, *u.next_contact, Today()); !r) return r;
        after.next_contact = *u.next_contact;
        changes.push_back({"next-contact", DateText(before.next_contact), DateText(after.next_contact), ""});
      }
      if (after.status == CaseStatus::kClosed) after.next_contact = kNoDate;
      if (u.mbo_verklaring && *u.mbo_verklaring != before.mbo_verklaring) {
        after.mbo_verklaring = *u.mbo_verklaring;
        changes.push_back({"mbo-verklaring", before.mbo_verklaring ? "issued" : "not issued",
                           after.mbo_verklaring ? "issued" : "not issued", ""});
      }
      return {};
    });
  }

  StoreResult<ContactResult> RecordContact(const Context& ctx, int64_t id, int64_t expected_version,
                                           const NewContact& nc) override {
    if (!nc.client_key.empty()) {
      // A retry of an acknowledged contact: answer with what was stored.
      VSV_TRY(lease, pool_.Acquire());
      VSV_TRY_SQL(r, (*lease)->Exec("SELECT id, case_id FROM contacts WHERE client_key = $1", {nc.client_key}));
      if (!r->rows.empty()) {
        if (r->rows[0].Int(1) != id) return Fail(Errc::kInvalid, "client_key was used for another case");
        VSV_TRY(c, LoadCase(**lease, id));
        if (!*c) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
        if (!Authorize(ctx.user, Action::kWriteCase, ResourceOf(**c))) {
          // On this lease: with one pooled connection another would wait for itself.
          return Deny(ctx, Action::kWriteCase, (**c).person.person_id, id, (**c).region, &**lease);
        }
        return ContactResult{**c, r->rows[0].Int(0), true};
      }
    }
    int64_t contact_id = 0;
    auto cs = Mutate(ctx, id, expected_version, Action::kWriteCase, "record-contact",
                     [&](SqlConnection& c, const Case& before, Case& after, std::vector<Change>& changes)
                         -> StoreResult<void> {
      if (nc.date == kNoDate) return Fail(Errc::kInvalid, "the contact needs a date");
      if (nc.date > Today()) return Fail(Errc::kInvalid, fmt::format("contact date {} lies in the future", FormatDate(nc.date)));
      if (!IsChannel(nc.channel)) {
        return Fail(Errc::kInvalid, fmt::format("unknown channel '{}'; expected phone, email, letter, visit, "
                                                "meeting, chat or other", nc.channel));
      }
      for (auto [field, value, max, required] :
           {std::tuple{"with whom", &nc.with_whom, 200, true}, std::tuple{"summary", &nc.summary, 4000, true},
            std::tuple{"outcome", &nc.outcome, 1000, false}, std::tuple{"client_key", &nc.client_key, 100, false}}) {
        if (auto s = CheckText(field, *value, max, required); !s) return Fail(Errc::kInvalid, s.error().message);
      }
      Date next = kNoDate;
      if (nc.next_contact) {
        if (auto r = CheckNextContact(c, before, *nc.next_contact, nc.date); !r) return r;
        next = *nc.next_contact;
      } else {
        VSV_TRY(rule, LoadRule(c, before.region));
        next = before.kind == CaseKind::kOudVsv ? AddMonths(nc.date, rule->oud_vsv_interval_months)
                                                : nc.date + rule->new_leaver_interval_days;
        next = std::max(next, Today());
      }
      auto ins = c.Exec("INSERT INTO contacts (case_id, contact_date, channel, with_whom, summary, outcome, "
                        "author_id, author_name, client_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                        "$9, $10) RETURNING id",
                        {id, int64_t{nc.date}, nc.channel, nc.with_whom, nc.summary, nc.outcome,
                         ctx.user.id ? SqlValue(ctx.user.id) : Null(), ctx.user.name,
                         nc.client_key.empty() ? Null() : SqlValue(nc.client_key), Now()});
      if (!ins) {
        if (ins.error().code == SqlErrc::kUnique) return Fail(Errc::kConflict, "this contact was just stored (same client_key)");
        return FailSql(ins.error());
      }
      contact_id = ins->rows.at(0).Int(0);
      changes.push_back({"contact", "", std::to_string(contact_id),
                         fmt::format("{} {} with {}", FormatDate(nc.date), nc.channel, nc.with_whom)});
      if (before.status == CaseStatus::kNew) {
        after.status = CaseStatus::kContacted;
        changes.push_back({"status", "new", "contacted", "first contact"});
      }
      if (next != before.next_contact) {
        after.next_contact = next;
        changes.push_back({"next-contact", DateText(before.next_contact), DateText(next), ""});
      }
      return {};
    });
    if (!cs) return tl::unexpected(cs.error());
    return ContactResult{*cs, contact_id, false};
  }

  StoreResult<Case> AddReferral(const Context& ctx, int64_t id, int64_t expected_version,
                                const NewReferral& nr) override {
    return Mutate(ctx, id, expected_version, Action::kWriteCase, "add-referral",
                  [&](SqlConnection& c, const Case&, Case&, std::vector<Change>& changes) -> StoreResult<void> {
      if (nr.referred_on == kNoDate || nr.referred_on > Today()) {
        return Fail(Errc::kInvalid, "the referral needs a date, not in the future");
      }
      if (auto s = CheckText("note", nr.note, 2000, false); !s) return Fail(Errc::kInvalid, s.error().message);
      VSV_TRY_SQL(ins, c.Exec("INSERT INTO referrals (case_id, partner, referred_on, note, author_name, created_at) "
                              "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                              {id, std::string(PartnerName(nr.partner)), int64_t{nr.referred_on}, nr.note,
                               ctx.user.name, Now()}));
      changes.push_back({"referral", "", std::string(PartnerName(nr.partner)),
                         fmt::format("{} to {}", FormatDate(nr.referred_on), PartnerName(nr.partner))});
      return {};
    });
  }

  StoreResult<Case> HandOver(const Context& ctx, int64_t id, int64_t expected_version, int to_region,
                             const std::string& note) override {
    return Mutate(ctx, id, expected_version, Action::kHandOverCase, "hand-over",
                  [&](SqlConnection&, const Case& before, Case& after, std::vector<Change>& changes)
                      -> StoreResult<void> {
      if (to_region < 1 || to_region > 99) return Fail(Errc::kInvalid, fmt::format("region {} does not exist", to_region));
      if (to_region == before.region) return Fail(Errc::kInvalid, "the case is already in that region");
      if (auto s = CheckText("handover note", note, 2000, false); !s) return Fail(Errc::kInvalid, s.error().message);
      after.region = to_region;
      after.owner_id.reset();
      const std::string from = fmt::format("{:02d}", before.region), to = fmt::format("{:02d}", to_region);
      changes.push_back({"handover-out", from, to, note, before.region});
      changes.push_back({"handover-in", from, to, note, to_region});
      return {};
    });
  }

  StoreResult<std::vector<HistoryEntry>> RegionHistory(const Context& ctx, std::optional<int> region_or_none,
                                                       int limit) override {
    if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
    if (!Authorize(ctx.user, Action::kListCases, Resource{region_or_none, std::nullopt})) {
      return Deny(ctx, Action::kListCases, "", std::nullopt, region_or_none);
    }
    const int region = region_or_none.value();
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(rows, c.Exec(std::string(kHistorySelect) + "WHERE h.region = $1 ORDER BY h.id DESC LIMIT $2",
                             {int64_t{region}, int64_t{std::clamp(limit, 1, 100000)}}));
    std::vector<HistoryEntry> out;
    std::set<int64_t> cases;
    for (const SqlRow& r : rows->rows) {
      out.push_back(HistoryFromRow(r));
      if (cases.insert(out.back().case_id).second) {
        if (auto a = Audit(c, ctx, "region-history", out.back().person_id, out.back().case_id, region, ""); !a) {
          return FailSql(a.error());
        }
      }
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return out;
  }

  StoreResult<RegionOverview> Overview(const Context& ctx, int region, Date today) override {
    if (!Authorize(ctx.user, Action::kViewAggregates, Resource{region, std::nullopt})) {
      return Deny(ctx, Action::kViewAggregates, "", std::nullopt, region);
    }
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginRead(); !r) return FailSql(r.error());
    RegionOverview ov;
    ov.region = region;
    ov.today = today;
    VSV_TRY_SQL(cases, c.Exec("SELECT id, status, opened_on, closed_on, next_contact, registry_flag FROM cases "
                              "WHERE region = $1",
                              {int64_t{region}}));
    struct Row { CaseStatus status; Date opened; };
    std::map<int64_t, Row> by_id;
    for (const SqlRow& r : cases->rows) {
      const CaseStatus s = ParseStatus(r.Text(1)).value_or(CaseStatus::kNew);
      ++ov.by_status[static_cast<size_t>(s)];
      by_id[r.Int(0)] = Row{s, DateAt(r, 2)};
      if (!r.IsNull(3)) continue;
      ++ov.open;
      const Date next = DateAt(r, 4);
      if (next == kNoDate) ++ov.no_next_contact;
      else if (next < today) ++ov.overdue;
      else if (next <= today + 7) ++ov.due;
      if (!r.IsNull(5)) ++ov.flagged;
    }
    // Status changes, to know each case's status N months after it was opened.
    VSV_TRY_SQL(hist, c.Exec("SELECT h.case_id, h.on_date, h.new_value FROM case_history h JOIN cases c "
                             "ON c.id = h.case_id WHERE c.region = $1 AND h.event = 'status' ORDER BY h.case_id, h.id",
                             {int64_t{region}}));
    std::map<int64_t, std::vector<std::pair<Date, CaseStatus>>> changes;
    for (const SqlRow& r : hist->rows) {
      changes[r.Int(0)].push_back({DateAt(r, 1), ParseStatus(r.Text(2)).value_or(CaseStatus::kNew)});
    }
    for (Outcome* o : {&ov.after_3, &ov.after_12}) {
      o->months = o == &ov.after_3 ? 3 : 12;
      for (const auto& [id, row] : by_id) {
        const Date at = AddMonths(row.opened, o->months);
        if (at > today) continue;
        ++o->cohort;
        CaseStatus s = CaseStatus::kNew;
        for (const auto& [d, st] : changes[id]) {
          if (d <= at) s = st;
        }
        ++o->by_status[static_cast<size_t>(s)];
      }
    }
    const Date first_month = AddMonths(today, -11);
    const YearMonthDay fm = ToYearMonthDay(first_month);
    const Date from = MakeDate(fm.year, fm.month, 1);
    for (int i = 0; i < 12; ++i) {
      const YearMonthDay m = ToYearMonthDay(AddMonths(from, i));
      ov.contacts_per_month.push_back({fmt::format("{:04d}-{:02d}", m.year, m.month), 0});
    }
    VSV_TRY_SQL(contacts, c.Exec("SELECT k.contact_date FROM contacts k JOIN cases c ON c.id = k.case_id "
                                 "WHERE c.region = $1 AND k.contact_date >= $2 AND k.contact_date <= $3",
                                 {int64_t{region}, int64_t{from}, int64_t{today}}));
    for (const SqlRow& r : contacts->rows) {
      const YearMonthDay d = ToYearMonthDay(DateAt(r, 0));
      const int idx = (d.year - fm.year) * 12 + (d.month - fm.month);
      if (idx >= 0 && idx < 12) ++ov.contacts_per_month[idx].contacts;
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return ov;
  }

  StoreResult<RegionRule> GetRegionRule(const Context& ctx, int region) override {
    if (!Authorize(ctx.user, Action::kViewAggregates, Resource{region, std::nullopt})) {
      return Deny(ctx, Action::kViewAggregates, "", std::nullopt, region);
    }
    VSV_TRY(lease, pool_.Acquire());
    return LoadRule(**lease, region);
  }

  StoreResult<RegionRule> SetRegionRule(const Context& ctx, const RegionRule& rule) override {
    if (!Authorize(ctx.user, Action::kSetRegionRule, Resource{rule.region, std::nullopt})) {
      return Deny(ctx, Action::kSetRegionRule, "", std::nullopt, rule.region);
    }
    if (rule.oud_vsv_interval_months < 1 || rule.oud_vsv_interval_months > 12 || rule.new_leaver_interval_days < 1 ||
        rule.new_leaver_interval_days > 365) {
      return Fail(Errc::kInvalid, "the oud-vsv interval is 1-12 months, the new-leaver interval 1-365 days");
    }
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(u, c.Exec("INSERT INTO region_rules (region, oud_vsv_interval_months, new_leaver_interval_days, "
                          "updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (region) DO UPDATE SET "
                          "oud_vsv_interval_months = excluded.oud_vsv_interval_months, "
                          "new_leaver_interval_days = excluded.new_leaver_interval_days, updated_at = excluded.updated_at",
                          {int64_t{rule.region}, int64_t{rule.oud_vsv_interval_months},
                           int64_t{rule.new_leaver_interval_days}, Now()}));
    if (auto r = Audit(c, ctx, "set-region-rule", "", std::nullopt, rule.region,
                       fmt::format("oud-vsv every {} months, new leavers every {} days", rule.oud_vsv_interval_months,
                                   rule.new_leaver_interval_days));
        !r) {
      return FailSql(r.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return rule;
  }

  StoreResult<PurgeReport> PurgeClosedCases(const Context& ctx, Date today, int years) override {
    if (!Authorize(ctx.user, Action::kPurge, Resource{})) return Deny(ctx, Action::kPurge, "", std::nullopt, std::nullopt);
    if (years < 1 || years > 100) return Fail(Errc::kInvalid, "the retention period is 1-100 years");
    const Context pctx{ctx.user, ctx.purpose.empty() ? "retention" : ctx.purpose};
    PurgeReport rep;
    rep.cutoff = AddMonths(today, -12 * years);
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(old, c.Exec("SELECT c.id, c.person_id, c.region, c.closed_on, "
                            "(SELECT COUNT(*) FROM contacts k WHERE k.case_id = c.id) FROM cases c "
                            "WHERE c.closed_on IS NOT NULL AND c.closed_on < $1 ORDER BY c.id",
                            {int64_t{rep.cutoff}}));
    for (const SqlRow& r : old->rows) {
      rep.contacts += r.Int(4);
      if (auto a = Audit(c, pctx, "purge-case", r.Text(1), r.Int(0), static_cast<int>(r.Int(2)),
                         fmt::format("closed {}; {} contacts", FormatDate(DateAt(r, 3)), r.Int(4)));
          !a) {
        return FailSql(a.error());
      }
    }
    VSV_TRY_SQL(del, c.Exec("DELETE FROM cases WHERE closed_on IS NOT NULL AND closed_on < $1", {int64_t{rep.cutoff}}));
    rep.cases = del->affected;
    if (rep.cases != static_cast<int64_t>(old->rows.size())) {
      return Fail(Errc::kStorage, "the set of cases to purge changed during the purge; nothing was deleted");
    }
    if (auto a = Audit(c, pctx, "purge", "", std::nullopt, std::nullopt,
                       fmt::format("closed before {} ({} years): {} cases, {} contacts deleted", FormatDate(rep.cutoff),
                                   years, rep.cases, rep.contacts));
        !a) {
      return FailSql(a.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return rep;
  }

  // ---- users ----------------------------------------------------------------

  StoreResult<void> CheckPassword(std::string_view password) const {
    if (password.size() < options_.auth.min_password_length) {
      return Fail(Errc::kInvalid, fmt::format("the password needs at least {} characters",
                                              options_.auth.min_password_length));
    }
    if (password.size() > 1024) return Fail(Errc::kInvalid, "the password is longer than 1024 characters");
    return {};
  }

  StoreResult<User> AddUser(const Context& ctx, const NewUser& nu, std::string_view password) override {
    if (!Authorize(ctx.user, Action::kManageUsers, Resource{})) {
      return Deny(ctx, Action::kManageUsers, "", std::nullopt, std::nullopt);
    }
    if (!ValidUserName(nu.name)) {
      return Fail(Errc::kInvalid, fmt::format("user name '{}': 2-64 characters of a-z, 0-9, . _ - @", nu.name));
    }
    const bool regional = nu.role == Role::kRegionalCoordinator || nu.role == Role::kCaseworker;
    if (regional && (!nu.region || *nu.region < 1 || *nu.region > 99)) {
      return Fail(Errc::kInvalid, fmt::format("a {} needs a region (--region 1-40)", RoleName(nu.role)));
    }
    if (!regional && nu.region) return Fail(Errc::kInvalid, fmt::format("a {} has no region", RoleName(nu.role)));
    const bool mentor = nu.role == Role::kSchoolMentor;
    if (mentor && (!nu.school || nu.school->size() != 4)) {
      return Fail(Errc::kInvalid, "a school mentor needs a school (--school BRIN, 4 characters)");
    }
    if (!mentor && nu.school) return Fail(Errc::kInvalid, fmt::format("a {} has no school", RoleName(nu.role)));
    if (auto r = CheckPassword(password); !r) return tl::unexpected(r.error());
    auto hash = HashPassword(password, options_.auth.pwhash_opslimit, options_.auth.pwhash_memlimit);
    if (!hash) return Fail(Errc::kStorage, hash.error().message);
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(count, c.Exec("SELECT COUNT(*) FROM users", {}));
    if (count->rows.at(0).Int(0) == 0 && nu.role != Role::kAdministrator) {
      return Fail(Errc::kInvalid, "the first user of a register must be an administrator");
    }
    const int64_t now = Now();
    auto ins = c.Exec("INSERT INTO users (name, role, region, school, password_hash, created_at, "
                      "password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                      {nu.name, std::string(RoleName(nu.role)), IntOrNull(nu.region), OptText(nu.school), *hash, now});
    if (!ins) {
      if (ins.error().code == SqlErrc::kUnique) return Fail(Errc::kInvalid, fmt::format("user {} exists", nu.name));
      return FailSql(ins.error());
    }
    User u{ins->rows.at(0).Int(0), nu.name, nu.role, nu.region, nu.school, true};
    if (auto a = Audit(c, ctx, "add-user", "", std::nullopt, nu.region,
                       fmt::format("{} as {}{}", nu.name, RoleName(nu.role), nu.school ? " of " + *nu.school : ""));
        !a) {
      return FailSql(a.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return u;
  }

  StoreResult<std::vector<User>> ListUsers(const Context& ctx) override {
    if (!Authorize(ctx.user, Action::kManageUsers, Resource{})) {
      return Deny(ctx, Action::kManageUsers, "", std::nullopt, std::nullopt);
    }
    VSV_TRY(lease, pool_.Acquire());
    VSV_TRY_SQL(rows, (*lease)->Exec(std::string(kUserSelect) + "ORDER BY name", {}));
    std::vector<User> out;
    for (const SqlRow& r : rows->rows) out.push_back(UserFromRow(r));
    return out;
  }

  StoreResult<void> SetUserActive(const Context& ctx, std::string_view name, bool active) override {
    if (!Authorize(ctx.user, Action::kManageUsers, Resource{})) {
      return Deny(ctx, Action::kManageUsers, "", std::nullopt, std::nullopt);
    }
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    if (!active) {
      if (auto r = CheckDeactivation(ctx, c, name); !r) return tl::unexpected(r.error());
    }
    VSV_TRY_SQL(u, c.Exec("UPDATE users SET active = $1 WHERE name = $2", {int64_t{active}, std::string(name)}));
    if (u->affected == 0) return Fail(Errc::kNotFound, fmt::format("user {} does not exist", name));
    if (!active) {
      VSV_TRY_SQL(d, c.Exec("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
                            {std::string(name)}));
    }
    if (auto a = Audit(c, ctx, active ? "activate-user" : "deactivate-user", "", std::nullopt, std::nullopt, name); !a) {
      return FailSql(a.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return {};
  }

  // Inside SetUserActive's write transaction: someone must be left to manage users.
  // Refuses (kConflict, audited as denied:deactivate-user with the reason) the last
  // active administrator, and the acting user's own account. The active
  // administrators are read with FOR UPDATE on PostgreSQL (in id order, so two such
  // transactions lock alike and never deadlock): two administrators deactivating
  // each other at the same moment are serialised and the second sees the first's
  // change. SQLite's BEGIN IMMEDIATE already serialises writers.
  StoreResult<void> CheckDeactivation(const Context& ctx, SqlConnection& c, std::string_view name) {
    VSV_TRY_SQL(admins, c.Exec(std::string("SELECT id FROM users WHERE role = $1 AND active = 1 ORDER BY id") +
                                   (dialect_ == Dialect::kPostgres ? " FOR UPDATE" : ""),
                               {std::string(RoleName(Role::kAdministrator))}));
    VSV_TRY_SQL(target, c.Exec("SELECT id, role, active FROM users WHERE name = $1", {std::string(name)}));
    if (target->rows.empty()) return Fail(Errc::kNotFound, fmt::format("user {} does not exist", name));
    const int64_t id = target->rows[0].Int(0);
    const bool active_admin = target->rows[0].Text(1) == RoleName(Role::kAdministrator) && target->rows[0].Int(2) != 0;
    std::string reason, message;
    if (active_admin && std::none_of(admins->rows.begin(), admins->rows.end(),
                                     [&](const SqlRow& r) { return r.Int(0) != id; })) {
      reason = "last_administrator";
      message = fmt::format(
          "{} is the last active administrator: without one nobody can manage users; add or activate another "
          "administrator first",
          name);
    } else if (ctx.user.id != 0 && ctx.user.id == id) {
      reason = "own_account";
      message = fmt::format("you cannot deactivate your own account ({}); another administrator can", name);
    } else {
      return {};
    }
    AuditRefusal(ctx, "denied:deactivate-user", "", std::nullopt, std::nullopt, fmt::format("{}: {}", name, reason),
                 &c);
    StoreError e{Errc::kConflict, std::move(message), nullptr, std::move(reason)};
    return tl::unexpected(std::move(e));
  }

  StoreResult<void> ResetPassword(const Context& ctx, std::string_view name, std::string_view password) override {
    if (!Authorize(ctx.user, Action::kManageUsers, Resource{})) {
      return Deny(ctx, Action::kManageUsers, "", std::nullopt, std::nullopt);
    }
    if (auto r = CheckPassword(password); !r) return tl::unexpected(r.error());
    auto hash = HashPassword(password, options_.auth.pwhash_opslimit, options_.auth.pwhash_memlimit);
    if (!hash) return Fail(Errc::kStorage, hash.error().message);
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(u, c.Exec("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0, "
                          "password_changed_at = $2 WHERE name = $3",
                          {*hash, Now(), std::string(name)}));
    if (u->affected == 0) return Fail(Errc::kNotFound, fmt::format("user {} does not exist", name));
    VSV_TRY_SQL(d, c.Exec("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
                          {std::string(name)}));
    if (auto a = Audit(c, ctx, "reset-password", "", std::nullopt, std::nullopt, name); !a) return FailSql(a.error());
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return {};
  }

  int64_t UserCount() override {
    auto lease = pool_.Acquire();
    if (!lease) return -1;
    auto r = (*lease)->Exec("SELECT COUNT(*) FROM users", {});
    return r ? r->rows.at(0).Int(0) : -1;
  }

  // ---- sessions ---------------------------------------------------------------

  struct Credentials {
    User user;
    std::string hash;
    int64_t locked_until = 0;
  };

  StoreResult<std::optional<Credentials>> LoadCredentials(SqlConnection& c, std::string_view name) {
    VSV_TRY_SQL(r, c.Exec("SELECT id, name, role, region, school, active, password_hash, locked_until FROM users "
                          "WHERE name = $1",
                          {std::string(name)}));
    if (r->rows.empty()) return std::optional<Credentials>();
    return std::optional<Credentials>(Credentials{UserFromRow(r->rows[0]), r->rows[0].Text(6), r->rows[0].Int(7)});
  }

  const std::string& DummyHash() {
    std::call_once(dummy_once_, [&] {
      dummy_hash_ = HashPassword(RandomToken(), options_.auth.pwhash_opslimit, options_.auth.pwhash_memlimit)
                        .value_or("");
    });
    return dummy_hash_;
  }

  static Context AuthContext(const User& u) { return Context{u, "authentication"}; }

  StoreResult<Session> Login(std::string_view name, std::string_view password) override {
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    VSV_TRY(cred, LoadCredentials(c, name));
    const int64_t now = Now();
    User who;
    who.name = std::string(name);
    if (!*cred) {
      (void)VerifyPassword(DummyHash(), password);  // the same time as for a real user
      (void)Audit(c, AuthContext(who), "login-failed", "", std::nullopt, std::nullopt, "unknown user");
      return Fail(Errc::kUnauthenticated, "wrong user name or password");
    }
    const Credentials& cr = **cred;
    if (cr.locked_until > now) {
      (void)Audit(c, AuthContext(cr.user), "login-locked", "", std::nullopt, std::nullopt, "");
      return Fail(Errc::kLocked, fmt::format("too many failed logins: the account is locked until {}",
                                             FormatTimestamp(cr.locked_until)));
    }
    const bool ok = VerifyPassword(cr.hash, password);
    if (!ok || !cr.user.active) {
      VSV_TRY_SQL(u, c.Exec("UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE WHEN "
                            "failed_logins + 1 >= $2 THEN $3 ELSE locked_until END WHERE id = $1 "
                            "RETURNING failed_logins",
                            {cr.user.id, int64_t{options_.auth.max_failed_logins},
                             now + options_.auth.lockout_seconds}));
      (void)Audit(c, AuthContext(cr.user), "login-failed", "", std::nullopt, std::nullopt,
                  !cr.user.active ? "inactive user" : "wrong password");
      if (!u->rows.empty() && u->rows[0].Int(0) >= options_.auth.max_failed_logins) {
        return Fail(Errc::kLocked, fmt::format("too many failed logins: the account is locked for {} minutes",
                                               options_.auth.lockout_seconds / 60));
      }
      return Fail(Errc::kUnauthenticated, "wrong user name or password");
    }
    Session s;
    s.token = RandomToken();
    s.csrf_token = RandomToken();
    s.user = cr.user;
    s.expires_at = now + options_.auth.session_max_seconds;
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(u, c.Exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1", {cr.user.id}));
    VSV_TRY_SQL(d, c.Exec("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
                          {now, now - options_.auth.session_idle_seconds}));
    VSV_TRY_SQL(i, c.Exec("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, "
                          "expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
                          {TokenHash(s.token), cr.user.id, s.csrf_token, now, s.expires_at}));
    if (auto a = Audit(c, AuthContext(cr.user), "login", "", std::nullopt, std::nullopt, ""); !a) return FailSql(a.error());
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return s;
  }

  StoreResult<Session> Authenticate(std::string_view token) override {
    if (token.size() != 64) return Fail(Errc::kUnauthenticated, "not logged in");
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    const std::string hash = TokenHash(token);
    VSV_TRY_SQL(r, c.Exec("SELECT u.id, u.name, u.role, u.region, u.school, u.active, s.csrf_token, s.expires_at, "
                          "s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
                          {hash}));
    if (r->rows.empty()) return Fail(Errc::kUnauthenticated, "not logged in (unknown or ended session)");
    const SqlRow& row = r->rows[0];
    const int64_t now = Now();
    Session s;
    s.user = UserFromRow(row);
    s.csrf_token = row.Text(6);
    s.expires_at = row.Int(7);
    const int64_t last_seen = row.Int(8);
    if (!s.user.active || s.expires_at <= now || last_seen + options_.auth.session_idle_seconds <= now) {
      VSV_TRY_SQL(d, c.Exec("DELETE FROM sessions WHERE token_hash = $1", {hash}));
      return Fail(Errc::kUnauthenticated, "the session has expired; log in again");
    }
    if (now - last_seen >= 15) {
      VSV_TRY_SQL(u, c.Exec("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", {now, hash}));
    }
    return s;
  }

  StoreResult<void> Logout(std::string_view token) override {
    auto s = Authenticate(token);
    VSV_TRY(lease, pool_.Acquire());
    VSV_TRY_SQL(d, (*lease)->Exec("DELETE FROM sessions WHERE token_hash = $1", {TokenHash(token)}));
    if (s) (void)Audit(**lease, AuthContext(s->user), "logout", "", std::nullopt, std::nullopt, "");
    return {};
  }

  StoreResult<void> ChangePassword(std::string_view token, std::string_view old_password,
                                   std::string_view new_password) override {
    VSV_TRY(s, Authenticate(token));
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    VSV_TRY(cred, LoadCredentials(c, s->user.name));
    if (!*cred) return Fail(Errc::kUnauthenticated, "not logged in");
    if (!VerifyPassword((*cred)->hash, old_password)) {
      VSV_TRY_SQL(u, c.Exec("UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE WHEN "
                            "failed_logins + 1 >= $2 THEN $3 ELSE locked_until END WHERE id = $1",
                            {s->user.id, int64_t{options_.auth.max_failed_logins},
                             Now() + options_.auth.lockout_seconds}));
      (void)Audit(c, AuthContext(s->user), "password-change-failed", "", std::nullopt, std::nullopt, "wrong password");
      return Fail(Errc::kUnauthenticated, "the current password is wrong");
    }
    if (auto r = CheckPassword(new_password); !r) return tl::unexpected(r.error());
    if (new_password == old_password) return Fail(Errc::kInvalid, "the new password is the old one");
    auto hash = HashPassword(new_password, options_.auth.pwhash_opslimit, options_.auth.pwhash_memlimit);
    if (!hash) return Fail(Errc::kStorage, hash.error().message);
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY_SQL(u, c.Exec("UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0 "
                          "WHERE id = $3",
                          {*hash, Now(), s->user.id}));
    VSV_TRY_SQL(d, c.Exec("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
                          {s->user.id, TokenHash(token)}));
    if (auto a = Audit(c, AuthContext(s->user), "password-change", "", std::nullopt, std::nullopt, ""); !a) {
      return FailSql(a.error());
    }
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
    return {};
  }

  // ---- audit ------------------------------------------------------------------

  StoreResult<std::vector<AuditEntry>> SearchAudit(const Context& ctx, const AuditQuery& q) override {
    if (!Authorize(ctx.user, Action::kReadAudit, Resource{})) {
      return Deny(ctx, Action::kReadAudit, "", std::nullopt, std::nullopt);
    }
    std::string sql =
        "SELECT id, at, user_id, user_name, role, action, person_id, case_id, region, purpose, detail FROM audit_log "
        "WHERE 1 = 1";
    std::vector<SqlValue> params;
    std::vector<std::string> filter;
    if (q.person_id) {
      params.push_back(*q.person_id);
      sql += fmt::format(" AND person_id = ${}", params.size());
      filter.push_back("person " + *q.person_id);
    }
    if (q.user) {
      params.push_back(*q.user);
      sql += fmt::format(" AND user_name = ${}", params.size());
      filter.push_back("user " + *q.user);
    }
    if (q.from) {
      params.push_back(*q.from);
      sql += fmt::format(" AND at >= ${}", params.size());
      filter.push_back("from " + FormatTimestamp(*q.from));
    }
    if (q.to) {
      params.push_back(*q.to);
      sql += fmt::format(" AND at < ${}", params.size());
      filter.push_back("to " + FormatTimestamp(*q.to));
    }
    // The most recent `limit` rows, returned oldest first.
    params.push_back(int64_t{std::clamp(q.limit, 1, 10'000'000)});
    sql = fmt::format("SELECT * FROM ({} ORDER BY id DESC LIMIT ${}) AS recent ORDER BY id", sql, params.size());
    VSV_TRY(lease, pool_.Acquire());
    SqlConnection& c = **lease;
    VSV_TRY_SQL(rows, c.Exec(sql, params));
    std::vector<AuditEntry> out;
    out.reserve(rows->rows.size());
    for (const SqlRow& r : rows->rows) {
      AuditEntry e;
      e.id = r.Int(0);
      e.at = r.Int(1);
      e.user_id = r.OptInt(2);
      e.user = r.Text(3);
      e.role = r.Text(4);
      e.action = r.Text(5);
      e.person_id = r.Text(6);
      e.case_id = r.OptInt(7);
      if (!r.IsNull(8)) e.region = static_cast<int>(r.Int(8));
      e.purpose = r.Text(9);
      e.detail = r.Text(10);
      out.push_back(std::move(e));
    }
    if (auto a = Audit(c, Context{ctx.user, ctx.purpose.empty() ? "audit" : ctx.purpose}, "read-audit",
                       q.person_id.value_or(""), std::nullopt, std::nullopt,
                       fmt::format("{} entries; {}", out.size(), fmt::join(filter, ", ")));
        !a) {
      return FailSql(a.error());
    }
    return out;
  }

 private:
  StoreOptions options_;
  Dialect dialect_;
  Pool pool_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

#undef VSV_TRY_SQL
#undef VSV_TRY

}  // namespace

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
