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
// "00AA" -> 0x30304141.
std::optional<uint32_t> PackBrin(std::string_view code) {
  if (code.size() != 4) return std::nullopt;
  uint32_t v = 0;
  for (char c : code) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
}  // namespace

size_t InstitutionTable::Slot(uint32_t packed) const {
  return (packed * 0x9E3779B1u) >> brin_slot_shift_;  // Fibonacci hashing
}

void InstitutionTable::BuildIndex() {
  // An open-addressing table at most a quarter full: a lookup is one or two probes
  // (it runs for every enrolment, diploma and absence row of a registry).
  int bits = 4;
  while ((size_t{1} << bits) < 4 * brin.size()) ++bits;
  brin_slot_shift_ = 32 - bits;
  brin_slots_.assign(size_t{1} << bits, BrinSlot{0, -1});
  for (size_t i = 0; i < brin.size(); ++i) {
    const uint32_t key = PackBrin(brin[i]).value_or(0);
    size_t slot = Slot(key);
    while (brin_slots_[slot].index >= 0) slot = (slot + 1) & (brin_slots_.size() - 1);
    brin_slots_[slot] = {key, static_cast<int32_t>(i)};
  }
  first_row_.assign(brin.size() + 1, static_cast<uint32_t>(institution.size()));
  for (size_t row = institution.size(); row-- > 0;) first_row_[institution[row]] = static_cast<uint32_t>(row);
}

int64_t InstitutionTable::FindBrin(std::string_view brin_code) const {
  auto key = PackBrin(brin_code);
  if (!key || brin_slots_.empty()) return -1;
  for (size_t slot = Slot(*key); brin_slots_[slot].index >= 0;
       slot = (slot + 1) & (brin_slots_.size() - 1)) {
    if (brin_slots_[slot].key == *key) return brin_slots_[slot].index;
  }
  return -1;
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
