#include "followup/access.h"

#include <unistd.h>

#include <array>
#include <cstdlib>

#include <fmt/format.h>

namespace vsv::followup {

namespace {
constexpr std::array<std::string_view, kRoleCount> kRoleNames = {
    "administrator", "national-analyst", "regional-coordinator", "caseworker", "school-mentor"};
constexpr std::array<std::string_view, kActionCount> kActionNames = {
    "view-aggregates", "list-cases", "read-case", "write-case", "assign-case", "hand-over-case",
    "sync-cases", "set-region-rule", "manage-users", "read-audit", "purge",
    "read-programme", "write-programme"};
}  // namespace

std::string_view RoleName(Role r) { return kRoleNames[static_cast<size_t>(r)]; }

Result<Role> ParseRole(std::string_view text) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == text) return static_cast<Role>(i);
  }
  return MakeError(fmt::format("unknown role '{}'; expected one of {}", text, fmt::join(kRoleNames, ", ")));
}

std::string_view ActionName(Action a) { return kActionNames[static_cast<size_t>(a)]; }

bool TouchesPersons(Action a) {
  switch (a) {
    case Action::kListCases:
    case Action::kReadCase:
    case Action::kWriteCase:
    case Action::kAssignCase:
    case Action::kHandOverCase:
    case Action::kSyncCases:
    case Action::kPurge: return true;
    default: return false;
  }
}

bool Authorize(const User& user, Action action, const Resource& resource) {
  if (!user.active) return false;
  // The user's own region, when the resource is in one.
  const bool own_region = user.region.has_value() && resource.region.has_value() && *user.region == *resource.region;
  const bool own_school = user.school.has_value() && !user.school->empty() && resource.school.has_value() &&
                          *user.school == *resource.school;
  switch (user.role) {
    case Role::kAdministrator:
      switch (action) {
        case Action::kViewAggregates:
        case Action::kSyncCases:
        case Action::kSetRegionRule:
        case Action::kManageUsers:
        case Action::kReadAudit:
        case Action::kPurge:
        case Action::kReadProgramme:
        case Action::kWriteProgramme: return true;
        default: return false;
      }
    case Role::kNationalAnalyst:
      return action == Action::kViewAggregates || action == Action::kReadProgramme;
    case Role::kRegionalCoordinator:
      switch (action) {
        case Action::kViewAggregates:
        case Action::kListCases:
        case Action::kReadCase:
        case Action::kWriteCase:
        case Action::kAssignCase:
        case Action::kHandOverCase:
        case Action::kSyncCases:
        case Action::kSetRegionRule:
        case Action::kReadProgramme:
        case Action::kWriteProgramme: return own_region;
        default: return false;
      }
    case Role::kCaseworker:
      switch (action) {
        case Action::kViewAggregates:
        case Action::kListCases:
        case Action::kReadCase:
        case Action::kWriteCase:
        case Action::kHandOverCase:
        case Action::kReadProgramme: return own_region;
        default: return false;
      }
    case Role::kSchoolMentor:
      return (action == Action::kListCases || action == Action::kReadCase) && own_school;
  }
  return false;
}

User CommandLineUser() {
  const char* login = getlogin();
  if (!login) login = std::getenv("USER");
  User u;
  u.id = 0;
  u.name = fmt::format("cli:{}", login ? login : "unknown");
  u.role = Role::kAdministrator;
  return u;
}

}  // namespace vsv::followup
