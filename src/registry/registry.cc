#include "registry/registry.h"

#include <algorithm>

#include <fmt/format.h>

namespace vsv {

int64_t PersonTable::Find(std::string_view id) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (Id(static_cast<PersonIndex>(mid)) < id) lo = mid + 1; else hi = mid;
  }
  return lo < size() && Id(static_cast<PersonIndex>(lo)) == id ? static_cast<int64_t>(lo) : -1;
}

std::string InstitutionTable::LocationCode(uint32_t row) const {
  return fmt::format("{}{:02d}", Brin(row), location[row]);
}

int64_t InstitutionTable::Find(std::string_view brin_code, int location_code) const {
  auto it = std::lower_bound(brin.begin(), brin.end(), brin_code);
  if (it == brin.end() || *it != brin_code) return -1;
  const uint32_t inst = static_cast<uint32_t>(it - brin.begin());
  // Rows are sorted by (institution, location).
  auto row = std::lower_bound(institution.begin(), institution.end(), inst);
  for (size_t i = static_cast<size_t>(row - institution.begin());
       i < institution.size() && institution[i] == inst; ++i) {
    if (location[i] == location_code) return static_cast<int64_t>(i);
  }
  return -1;
}

int64_t Registry::ResidenceOn(PersonIndex p, Date d) const {
  const RowRange rows = residences.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (Covers(residences.valid_from[i], residences.valid_to[i], d)) return i;
  }
  return -1;
}

bool Registry::RegisteredOn(PersonIndex p, Register kind, Date d) const {
  const RowRange rows = registrations.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (registrations.register_kind[i] == kind &&
        Covers(registrations.valid_from[i], registrations.valid_to[i], d)) {
      return true;
    }
  }
  return false;
}

}  // namespace vsv
