// Who is asking: the role of a request, and the scope it may see. Every handler gets
// the Principal as an explicit argument; nothing reads a global.
//
// Today every request is public: the default PrincipalResolver returns the public
// principal. The login of issue 5 installs its own resolver (session cookie or token
// -> Principal) through ServerOptions::resolve_principal; the handlers do not change.
#ifndef VSV_SERVER_PRINCIPAL_H_
#define VSV_SERVER_PRINCIPAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "followup/access.h"

namespace httplib {
struct Request;
}

namespace vsv::server {

enum class Role : uint8_t {
  kPublic,               // anyone: aggregates with small cells suppressed
  kAdministrator,        // runs the installation
  kNationalAnalyst,      // ministry / DUO: all aggregates, no persons
  kRegionalCoordinator,  // RMC / Doorstroompunt: persons of their region
  kCaseworker,           // trajectbegeleider: persons of their region
  kSchoolMentor,         // school staff: their own students
};

// "public", "administrator", "national_analyst", "regional_coordinator",
// "caseworker", "school_mentor".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Principal {
  Role role = Role::kPublic;
  std::string user;          // empty for the public
  int region = -1;           // regional roles: their RMC region
  std::string school;        // school mentor: their BRIN
  int64_t user_id = 0;       // the register's user id; 0 = no session
  std::string csrf_token;    // the session's CSRF token (not part of CacheKey)

  bool authenticated() const { return user_id != 0; }

  // Everything that can change what a response contains, for the response cache.
  std::string CacheKey() const;
};

// Aggregates shown to this principal get small-cell suppression (report/suppression.h):
// everyone but the roles that followup::Authorize allows to view aggregates.
bool SuppressesSmallCells(const Principal& principal);

// The one mapping between the server's roles ("national_analyst") and the
// register's (followup::Role, "national-analyst"). The public has no register role.
std::optional<followup::Role> RegisterRole(Role role);
Role FromRegisterRole(followup::Role role);
// The register's user for a principal (what followup::Authorize and the store's
// audit see). The public maps to an inactive user, whom Authorize refuses everything.
// Routes with personal data also require principal.authenticated() (a session).
followup::User RegisterUser(const Principal& principal);
// The principal of a logged-in register user.
Principal PrincipalOf(const followup::User& user, std::string csrf_token);

// Maps a request to its principal. Must be thread-safe.
using PrincipalResolver = std::function<Principal(const httplib::Request&)>;

// The resolver of today: every request is public.
Principal PublicPrincipal(const httplib::Request&);

}  // namespace vsv::server

#endif  // VSV_SERVER_PRINCIPAL_H_
