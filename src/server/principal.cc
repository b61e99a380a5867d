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

bool SuppressesSmallCells(const Principal& principal) { return principal.role == Role::kPublic; }

Principal PublicPrincipal(const httplib::Request&) { return Principal{}; }

}  // namespace vsv::server
