// CaseStore: user accounts (add, list, activate, reset password).
#include "followup/sql_case_store.h"

namespace vsv::followup {

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

StoreResult<void> SqlCaseStore::CheckPassword(std::string_view password) const {
  if (password.size() < options_.auth.min_password_length) {
    return Fail(Errc::kInvalid,
                fmt::format("the password needs at least {} characters", options_.auth.min_password_length));
  }
  if (password.size() > 1024) return Fail(Errc::kInvalid, "the password is longer than 1024 characters");
  return {};
}

StoreResult<User> SqlCaseStore::AddUser(const Context& ctx, const NewUser& nu, std::string_view password) {
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
  auto ins = c.Exec(
      "INSERT INTO users (name, role, region, school, password_hash, created_at, "
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

StoreResult<std::vector<User>> SqlCaseStore::ListUsers(const Context& ctx) {
  if (!Authorize(ctx.user, Action::kManageUsers, Resource{})) {
    return Deny(ctx, Action::kManageUsers, "", std::nullopt, std::nullopt);
  }
  VSV_TRY(lease, pool_.Acquire());
  VSV_TRY_SQL(rows, (*lease)->Exec(std::string(kUserSelect) + "ORDER BY name", {}));
  std::vector<User> out;
  for (const SqlRow& r : rows->rows) out.push_back(UserFromRow(r));
  return out;
}

StoreResult<void> SqlCaseStore::SetUserActive(const Context& ctx, std::string_view name, bool active) {
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
    VSV_TRY_SQL(
        d, c.Exec("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)", {std::string(name)}));
  }
  if (auto a = Audit(c, ctx, active ? "activate-user" : "deactivate-user", "", std::nullopt, std::nullopt, name); !a) {
    return FailSql(a.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return {};
}

StoreResult<void> SqlCaseStore::CheckDeactivation(const Context& ctx, SqlConnection& c, std::string_view name) {
  VSV_TRY_SQL(admins, c.Exec(std::string("SELECT id FROM users WHERE role = $1 AND active = 1 ORDER BY id") +
                                 (dialect_ == Dialect::kPostgres ? " FOR UPDATE" : ""),
                             {std::string(RoleName(Role::kAdministrator))}));
  VSV_TRY_SQL(target, c.Exec("SELECT id, role, active FROM users WHERE name = $1", {std::string(name)}));
  if (target->rows.empty()) return Fail(Errc::kNotFound, fmt::format("user {} does not exist", name));
  const int64_t id = target->rows[0].Int(0);
  const bool active_admin = target->rows[0].Text(1) == RoleName(Role::kAdministrator) && target->rows[0].Int(2) != 0;
  std::string reason, message;
  if (active_admin &&
      std::none_of(admins->rows.begin(), admins->rows.end(), [&](const SqlRow& r) { return r.Int(0) != id; })) {
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
  AuditRefusal(ctx, "denied:deactivate-user", "", std::nullopt, std::nullopt, fmt::format("{}: {}", name, reason), &c);
  StoreError e{Errc::kConflict, std::move(message), nullptr, std::move(reason)};
  return tl::unexpected(std::move(e));
}

StoreResult<void> SqlCaseStore::ResetPassword(const Context& ctx, std::string_view name, std::string_view password) {
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
  VSV_TRY_SQL(
      d, c.Exec("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)", {std::string(name)}));
  if (auto a = Audit(c, ctx, "reset-password", "", std::nullopt, std::nullopt, name); !a) return FailSql(a.error());
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return {};
}

int64_t SqlCaseStore::UserCount() {
  auto lease = pool_.Acquire();
  if (!lease) return -1;
  auto r = (*lease)->Exec("SELECT COUNT(*) FROM users", {});
  return r ? r->rows.at(0).Int(0) : -1;
}

}  // namespace vsv::followup
