// CaseStore: login, sessions and password changes.
#include "followup/sql_case_store.h"

namespace vsv::followup {

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

StoreResult<std::optional<SqlCaseStore::Credentials>> SqlCaseStore::LoadCredentials(SqlConnection& c,
                                                                                    std::string_view name) {
  VSV_TRY_SQL(r, c.Exec("SELECT id, name, role, region, school, active, password_hash, locked_until FROM users "
                        "WHERE name = $1",
                        {std::string(name)}));
  if (r->rows.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(Credentials{UserFromRow(r->rows[0]), r->rows[0].Text(6), r->rows[0].Int(7)});
}

const std::string& SqlCaseStore::DummyHash() {
  std::call_once(dummy_once_, [&] {
    dummy_hash_ =
        HashPassword(RandomToken(), options_.auth.pwhash_opslimit, options_.auth.pwhash_memlimit).value_or("");
  });
  return dummy_hash_;
}

StoreResult<Session> SqlCaseStore::Login(std::string_view name, std::string_view password) {
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
                          {cr.user.id, int64_t{options_.auth.max_failed_logins}, now + options_.auth.lockout_seconds}));
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
  if (auto a = Audit(c, AuthContext(cr.user), "login", "", std::nullopt, std::nullopt, ""); !a)
    return FailSql(a.error());
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return s;
}

StoreResult<Session> SqlCaseStore::Authenticate(std::string_view token) {
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

StoreResult<void> SqlCaseStore::Logout(std::string_view token) {
  auto s = Authenticate(token);
  VSV_TRY(lease, pool_.Acquire());
  VSV_TRY_SQL(d, (*lease)->Exec("DELETE FROM sessions WHERE token_hash = $1", {TokenHash(token)}));
  if (s) (void)Audit(**lease, AuthContext(s->user), "logout", "", std::nullopt, std::nullopt, "");
  return {};
}

StoreResult<void> SqlCaseStore::ChangePassword(std::string_view token, std::string_view old_password,
                                               std::string_view new_password) {
  VSV_TRY(s, Authenticate(token));
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  VSV_TRY(cred, LoadCredentials(c, s->user.name));
  if (!*cred) return Fail(Errc::kUnauthenticated, "not logged in");
  if (!VerifyPassword((*cred)->hash, old_password)) {
    VSV_TRY_SQL(u,
                c.Exec("UPDATE users SET failed_logins = failed_logins + 1, locked_until = CASE WHEN "
                       "failed_logins + 1 >= $2 THEN $3 ELSE locked_until END WHERE id = $1",
                       {s->user.id, int64_t{options_.auth.max_failed_logins}, Now() + options_.auth.lockout_seconds}));
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
  VSV_TRY_SQL(d,
              c.Exec("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", {s->user.id, TokenHash(token)}));
  if (auto a = Audit(c, AuthContext(s->user), "password-change", "", std::nullopt, std::nullopt, ""); !a) {
    return FailSql(a.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return {};
}

}  // namespace vsv::followup
