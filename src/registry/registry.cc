#include "registry/registry.h"

#include <algorithm>
#include <optional>

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

namespace {
// "00AA" -> 0x30304141: integer order is string order for 4-character codes.
std::optional<uint32_t> PackBrin(std::string_view code) {
  if (code.size() != 4) return std::nullopt;
  uint32_t v = 0;
  for (char c : code) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
}  // namespace

void InstitutionTable::BuildIndex() {
  packed_brin_.clear();
  for (const std::string& b : brin) packed_brin_.push_back(PackBrin(b).value_or(0));
  first_row_.assign(brin.size() + 1, static_cast<uint32_t>(institution.size()));
  for (size_t row = institution.size(); row-- > 0;) first_row_[institution[row]] = static_cast<uint32_t>(row);
}

int64_t InstitutionTable::FindBrin(std::string_view brin_code) const {
  auto key = PackBrin(brin_code);
  if (!key) return -1;
  auto it = std::lower_bound(packed_brin_.begin(), packed_brin_.end(), *key);
  return it != packed_brin_.end() && *it == *key ? it - packed_brin_.begin() : -1;
}

int64_t InstitutionTable::Find(std::string_view brin_code, int location_code) const {
  const int64_t inst = FindBrin(brin_code);
  if (inst < 0) return -1;
  // Rows are sorted by (institution, location).
  for (uint32_t row = first_row_[inst]; row < institution.size() && institution[row] == inst; ++row) {
    if (location[row] == location_code) return row;
  }
  return -1;
}

}  // namespace vsv
