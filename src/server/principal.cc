#include "server/principal.h"

#include <array>

#include <fmt/format.h>

namespace vsv::server {

namespace {
constexpr std::array<std::string_view, 6> kRoleNames = {
    "public", "administrator", "national_analyst", "regional_coordinator", "caseworker", "school_mentor"};
}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<size_t>(role)]; }

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string Principal::CacheKey() const {
  return fmt::format("{}|{}|{}|{}", RoleName(role), user, region, school);
}

std::optional<followup::Role> RegisterRole(Role role) {
  switch (role) {
    case Role::kPublic: return std::nullopt;
    case Role::kAdministrator: return followup::Role::kAdministrator;
    case Role::kNationalAnalyst: return followup::Role::kNationalAnalyst;
    case Role::kRegionalCoordinator: return followup::Role::kRegionalCoordinator;
    case Role::kCaseworker: return followup::Role::kCaseworker;
    case Role::kSchoolMentor: return followup::Role::kSchoolMentor;
  }
  return std::nullopt;
}

Role FromRegisterRole(followup::Role role) {
  switch (role) {
    case followup::Role::kAdministrator: return Role::kAdministrator;
    case followup::Role::kNationalAnalyst: return Role::kNationalAnalyst;
    case followup::Role::kRegionalCoordinator: return Role::kRegionalCoordinator;
    case followup::Role::kCaseworker: return Role::kCaseworker;
    case followup::Role::kSchoolMentor: return Role::kSchoolMentor;
  }
  return Role::kPublic;
}

followup::User RegisterUser(const Principal& principal) {
  followup::User u;
  u.id = principal.user_id;
  u.name = principal.user.empty() ? "public" : principal.user;
  const auto role = RegisterRole(principal.role);
  u.active = role.has_value();
  u.role = role.value_or(followup::Role::kSchoolMentor);
  if (principal.region >= 0) u.region = principal.region;
  if (!principal.school.empty()) u.school = principal.school;
  return u;
}

Principal PrincipalOf(const followup::User& user, std::string csrf_token) {
  Principal p;
  p.role = user.active ? FromRegisterRole(user.role) : Role::kPublic;
  p.user = user.name;
  p.user_id = user.id;
  p.region = user.region.value_or(-1);
  p.school = user.school.value_or("");
  p.csrf_token = std::move(csrf_token);
  return p;
}

// Unsuppressed aggregates for exactly the roles the register lets view aggregates
// without a region (administrator, national analyst); everyone else, the public
// included, sees the suppressed tables.
bool SuppressesSmallCells(const Principal& principal) {
  if (principal.role == Role::kPublic) return true;
  return !followup::Authorize(RegisterUser(principal), followup::Action::kViewAggregates, followup::Resource{});
}

Principal PublicPrincipal(const httplib::Request&) { return Principal{}; }

}  // namespace vsv::server
