// Who may do what: roles, actions and the one authorization function. Every check
// in the register (the library, the CLI and the HTTP layer) goes through Authorize.
//
// The rules (docs/followup.md, "Roles"):
//   administrator         users, audit log, sync of any region, retention purge,
//                         region rules, aggregates; no person data.
//   national-analyst      aggregates of any region; no person data.
//   regional-coordinator  persons and aggregates of the own region: read, write,
//                         assign, hand over, sync, region rules.
//   caseworker            persons and aggregates of the own region: read, write,
//                         hand over.
//   school-mentor         cases whose last school is the own school: read only.
// The regional programme (read-programme, write-programme): the region's coordinator
// writes it (and the administrator, as the command line does);
// coordinators and caseworkers read their own region's, the administrator
// and national analysts every region's.
#ifndef VSV_FOLLOWUP_ACCESS_H_
#define VSV_FOLLOWUP_ACCESS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vsv::followup {

enum class Role : uint8_t { kAdministrator, kNationalAnalyst, kRegionalCoordinator, kCaseworker, kSchoolMentor };
inline constexpr int kRoleCount = 5;
// "administrator", "national-analyst", "regional-coordinator", "caseworker", "school-mentor".
std::string_view RoleName(Role r);
Result<Role> ParseRole(std::string_view text);

enum class Action : uint8_t {
  kViewAggregates,  // region overview, counts by status: no persons
  kListCases,       // the work list: persons
  kReadCase,        // one case with contacts and history
  kWriteCase,       // contacts, status, agreements, next date, referrals, mbo-verklaring
  kAssignCase,      // set or change the owner
  kHandOverCase,    // move the case to another region
  kSyncCases,       // create cases from the work list
  kSetRegionRule,   // the region's contact rule
  kManageUsers,     // add, deactivate, list users
  kReadAudit,       // search and export the audit log
  kPurge,           // retention: delete old closed cases
  kReadProgramme,   // the regional programme and the effect report's figures: no persons
  kWriteProgramme,  // agreements, measures, spending, the effect report's texts
};
inline constexpr int kActionCount = 13;
std::string_view ActionName(Action a);  // "view-aggregates", "list-cases", ...

// An authenticated user (or the command line acting as administrator).
struct User {
  int64_t id = 0;  // 0 for the command line
  std::string name;
  Role role = Role::kCaseworker;
  std::optional<int> region;          // coordinators and caseworkers
  std::optional<std::string> school;  // school mentors: BRIN
  bool active = true;
};

// What an action touches: the region that holds the case (or whose figures are
// read) and, for a case, the school of the person's last enrolment. Unset = the
// action concerns no particular region (users, audit, national aggregates).
struct Resource {
  std::optional<int> region;
  std::optional<std::string> school;
};

// Whether `user` may perform `action` on `resource`. Inactive users may do nothing.
bool Authorize(const User& user, Action action, const Resource& resource);

// Whether the action reads or writes personal data (and so must be audited per person).
bool TouchesPersons(Action action);

// The user used by the command line (`vsv cases sync`, `vsv audit`): an administrator
// named "cli:<login>".
User CommandLineUser();

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_ACCESS_H_
