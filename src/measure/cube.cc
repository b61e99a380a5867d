#include "measure/cube.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace vsv {

namespace {
constexpr std::array<std::string_view, 10> kDimensionNames = {
    "school", "location", "municipality", "region", "sector",
    "category", "level", "pathway", "sex", "age"};
}  // namespace

std::string_view DimensionName(Dimension d) { return kDimensionNames[static_cast<size_t>(d)]; }

Result<std::vector<Dimension>> ParseDimensions(std::string_view list) {
  std::vector<Dimension> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view word = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (word.empty()) continue;
    auto it = std::find(kDimensionNames.begin(), kDimensionNames.end(), word);
    if (it == kDimensionNames.end()) {
      return MakeError(fmt::format("unknown breakdown '{}'; expected one or more of school, location, "
                                   "municipality, region, sector, category, level, pathway, sex, age",
                                   word));
    }
    const Dimension d = static_cast<Dimension>(it - kDimensionNames.begin());
    if (std::find(out.begin(), out.end(), d) != out.end()) {
      return MakeError(fmt::format("breakdown '{}' is named twice", word));
    }
    out.push_back(d);
  }
  return out;
}

int64_t PartCounts::Sum(Part from, Part to) const {
  int64_t s = 0;
  for (size_t i = static_cast<size_t>(from); i <= static_cast<size_t>(to); ++i) s += n[i];
  return s;
}

std::optional<double> PartCounts::Percentage() const {
  const int64_t base = A() - B();
  if (base == 0) return std::nullopt;
  return 100.0 * static_cast<double>(X()) / static_cast<double>(base);
}

std::optional<int64_t> PartCounts::PercentHundredths() const {
  const int64_t base = A() - B();
  if (base == 0) return std::nullopt;
  // Integers, so that e.g. 201 / 20000 = 1.005% rounds up as published, where
  // floating point would give 1.00499…
  return (2 * X() * 10000 + base) / (2 * base);
}

void PartCounts::Add(const PartCounts& other) {
  for (size_t i = 0; i < n.size(); ++i) n[i] += other.n[i];
}

int32_t DimensionValue(const Registry& r, const YearClassification& c, size_t i, Dimension d) {
  const uint32_t e = c.main_enrolment[i];
  switch (d) {
    case Dimension::kSchool: return static_cast<int32_t>(r.institutions.institution[r.enrolments.location_row[e]]);
    case Dimension::kLocation: return static_cast<int32_t>(r.enrolments.location_row[e]);
    case Dimension::kMunicipality: return c.municipality[i] >= 0 ? c.municipality[i] : -1;
    case Dimension::kRegion: return c.region[i];
    case Dimension::kSector: return static_cast<int32_t>(r.enrolments.sector[e]);
    case Dimension::kCategory: return static_cast<int32_t>(c.category[i]);
    case Dimension::kLevel: return r.enrolments.level[e] ? r.enrolments.level[e] : -1;
    case Dimension::kPathway:
      return r.enrolments.pathway[e] == Pathway::kNone ? -1 : static_cast<int32_t>(r.enrolments.pathway[e]);
    case Dimension::kSex: return static_cast<int32_t>(r.persons.sex[c.person[i]]);
    case Dimension::kAge: return c.age[i];
  }
  return -1;
}

std::optional<std::string> DimensionValueText(const Registry& r, Dimension d, int32_t v) {
  if (v < 0) return std::nullopt;
  switch (d) {
    case Dimension::kSchool: return r.institutions.brin[static_cast<size_t>(v)];
    case Dimension::kLocation: return r.institutions.LocationCode(static_cast<uint32_t>(v));
    case Dimension::kMunicipality: return fmt::format("{:04d}", v);
    case Dimension::kRegion: return fmt::format("{:02d}", v);
    case Dimension::kSector: return std::string(ToString(static_cast<Sector>(v)));
    case Dimension::kCategory: return std::string(CategoryName(static_cast<Category>(v)));
    case Dimension::kLevel: return fmt::format("{}", v);
    case Dimension::kPathway: return std::string(ToString(static_cast<Pathway>(v)));
    case Dimension::kSex: return std::string(ToString(static_cast<Sex>(v)));
    case Dimension::kAge: return fmt::format("{}", v);
  }
  return std::nullopt;
}

namespace {

// Keys of up to kMaxDims values, packed for hashing.
constexpr size_t kMaxDims = 10;
using PackedKey = std::array<int32_t, kMaxDims>;
struct PackedKeyHash {
  size_t operator()(const PackedKey& k) const {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int32_t v : k) h = (h ^ static_cast<uint32_t>(v)) * 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

// Upper bound of a dimension's values (exclusive), for a dense group index.
int64_t Cardinality(const Registry& r, Dimension d) {
  switch (d) {
    case Dimension::kSchool: return static_cast<int64_t>(r.institutions.brin.size());
    case Dimension::kLocation: return static_cast<int64_t>(r.institutions.size());
    case Dimension::kMunicipality: return 10000;
    case Dimension::kRegion: return 100;
    case Dimension::kSector: return kSectorCount;
    case Dimension::kCategory: return kCategoryCount;
    case Dimension::kLevel: return 5;
    case Dimension::kPathway: return 3;
    case Dimension::kSex: return 3;
    case Dimension::kAge: return 256;
  }
  return 0;
}

// Finds a group's slot by its key: a flat array when the key space is small (the
// usual breakdowns), a hash map otherwise.
class GroupIndex {
 public:
  GroupIndex(const Registry& r, std::span<const Dimension> dims) {
    int64_t space = 1;
    for (Dimension d : dims) {
      radix_.push_back(Cardinality(r, d) + 1);  // +1 for unknown
      space = space > kMaxDense ? space : space * radix_.back();
    }
    if (space <= kMaxDense) dense_.assign(static_cast<size_t>(space), -1);
  }
  // The slot of `key`, or -1 when new (then Insert it).
  int64_t Find(const PackedKey& key) const {
    if (dense_.empty()) {
      auto it = sparse_.find(key);
      return it == sparse_.end() ? -1 : it->second;
    }
    return dense_[Flat(key)];
  }
  void Insert(const PackedKey& key, int64_t slot) {
    if (dense_.empty()) sparse_.emplace(key, slot); else dense_[Flat(key)] = slot;
  }

 private:
  static constexpr int64_t kMaxDense = 1 << 20;
  size_t Flat(const PackedKey& key) const {
    size_t flat = 0;
    for (size_t d = 0; d < radix_.size(); ++d) flat = flat * radix_[d] + static_cast<size_t>(key[d] + 1);
    return flat;
  }
  std::vector<int64_t> radix_;
  std::vector<int64_t> dense_;
  std::unordered_map<PackedKey, int64_t, PackedKeyHash> sparse_;
};

}  // namespace

CountTable CountBy(const Registry& registry, const YearClassification& c,
                   std::span<const Dimension> dimensions, std::span<const DimensionFilter> filters) {
  CountTable table;
  table.year = c.year;
  table.age_limit = c.age_limit;
  table.dimensions.assign(dimensions.begin(), dimensions.end());
  table.residence_unknown = c.residence_unknown;
  table.national = filters.empty();
  const size_t dims = std::min(dimensions.size(), kMaxDims);
  GroupIndex index(registry, dimensions.first(dims));
  std::vector<PartCounts> counts;
  std::vector<PackedKey> keys;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!std::all_of(filters.begin(), filters.end(), [&](const DimensionFilter& f) {
          return DimensionValue(registry, c, i, f.dimension) == f.value;
        })) {
      continue;
    }
    const size_t part = static_cast<size_t>(c.part[i]);
    ++table.total.n[part];
    if (dims == 0) continue;
    PackedKey key;
    key.fill(0);
    for (size_t d = 0; d < dims; ++d) key[d] = DimensionValue(registry, c, i, dimensions[d]);
    int64_t slot = index.Find(key);
    if (slot < 0) {
      slot = static_cast<int64_t>(counts.size());
      index.Insert(key, slot);
      counts.emplace_back();
      keys.push_back(key);
    }
    ++counts[static_cast<size_t>(slot)].n[part];
  }
  // Unknown (-1) sorts last.
  auto order = [](int32_t v) { return v < 0 ? INT32_MAX : v; };
  std::vector<size_t> perm(keys.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    for (size_t d = 0; d < dims; ++d) {
      if (keys[a][d] != keys[b][d]) return order(keys[a][d]) < order(keys[b][d]);
    }
    return false;
  });
  for (size_t i : perm) {
    table.groups.push_back({std::vector<int32_t>(keys[i].begin(), keys[i].begin() + dims), counts[i]});
  }
  return table;
}

}  // namespace vsv
