#include "measure/cube.h"

#include <algorithm>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include <fmt/format.h>

#include "measure/situation.h"

namespace vsv {

namespace {
constexpr std::array<std::string_view, kDimensionCount> kDimensionNames = {
    "school", "location", "municipality", "region", "sector",
    "category", "level", "pathway", "sex", "age", "situation"};
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
                                   "municipality, region, sector, category, level, pathway, sex, age, situation",
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

namespace {

template <Dimension D>
using DimensionTag = std::integral_constant<Dimension, D>;

// The value of dimension D for entry i of a classification (-1 = unknown): the one
// place that says what each breakdown means.
template <Dimension D>
int32_t ValueOf(const Registry& r, const YearClassification& c, const Division& div, size_t i) {
  const EnrolmentTable& e = r.enrolments;
  if constexpr (D == Dimension::kSchool) {
    return static_cast<int32_t>(r.institutions.institution[e.location_row[c.main_enrolment[i]]]);
  } else if constexpr (D == Dimension::kLocation) {
    return static_cast<int32_t>(e.location_row[c.main_enrolment[i]]);
  } else if constexpr (D == Dimension::kMunicipality) {
    return c.MunicipalityAt(i, &div);
  } else if constexpr (D == Dimension::kRegion) {
    return c.RegionAt(i, &div);
  } else if constexpr (D == Dimension::kSector) {
    return static_cast<int32_t>(e.sector[c.main_enrolment[i]]);
  } else if constexpr (D == Dimension::kCategory) {
    return static_cast<int32_t>(c.CategoryAt(r, i));
  } else if constexpr (D == Dimension::kLevel) {
    const uint8_t level = e.level[c.main_enrolment[i]];
    return level ? level : -1;
  } else if constexpr (D == Dimension::kPathway) {
    const Pathway pathway = e.pathway[c.main_enrolment[i]];
    return pathway == Pathway::kNone ? -1 : static_cast<int32_t>(pathway);
  } else if constexpr (D == Dimension::kSex) {
    return static_cast<int32_t>(r.persons.sex[c.person[i]]);
  } else if constexpr (D == Dimension::kSituation) {
    return static_cast<int32_t>(SituationAfterYear(r, c.person[i], c.year));
  } else {
    static_assert(D == Dimension::kAge);
    return c.AgeAt(r, i);
  }
}

// Calls f(DimensionTag<d>{}): turns the run-time dimension into a compile-time one,
// so a loop over all entries is compiled once per dimension without a switch inside.
template <typename F>
decltype(auto) WithDimension(Dimension d, F&& f) {
  switch (d) {
    case Dimension::kSchool: return f(DimensionTag<Dimension::kSchool>{});
    case Dimension::kLocation: return f(DimensionTag<Dimension::kLocation>{});
    case Dimension::kMunicipality: return f(DimensionTag<Dimension::kMunicipality>{});
    case Dimension::kRegion: return f(DimensionTag<Dimension::kRegion>{});
    case Dimension::kSector: return f(DimensionTag<Dimension::kSector>{});
    case Dimension::kCategory: return f(DimensionTag<Dimension::kCategory>{});
    case Dimension::kLevel: return f(DimensionTag<Dimension::kLevel>{});
    case Dimension::kPathway: return f(DimensionTag<Dimension::kPathway>{});
    case Dimension::kSex: return f(DimensionTag<Dimension::kSex>{});
    case Dimension::kSituation: return f(DimensionTag<Dimension::kSituation>{});
    case Dimension::kAge: break;
  }
  return f(DimensionTag<Dimension::kAge>{});
}

}  // namespace

int32_t DimensionValue(const Registry& r, const YearClassification& c, size_t i, Dimension d, const Division* on) {
  const Division& div = on ? *on : c.division;
  return WithDimension(d, [&](auto dim) { return ValueOf<dim()>(r, c, div, i); });
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
    case Dimension::kSituation: return std::string(WorkSituationName(static_cast<WorkSituation>(v)));
  }
  return std::nullopt;
}

namespace {

// Keys of up to kMaxDims values, packed for hashing.
constexpr size_t kMaxDims = kDimensionCount;
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
    case Dimension::kSituation: return kWorkSituationCount;
  }
  return 0;
}

// Numbers the groups of a breakdown. When the key space is small (the usual
// breakdowns) every entry's group is a mixed-radix number computed one dimension at a
// time over all entries, and a flat array maps it to a slot; otherwise the keys of
// each entry go through a hash map.
class GroupIndex {
 public:
  GroupIndex(const Registry& r, std::span<const Dimension> dims) : dims_(dims) {
    int64_t space = 1;
    for (Dimension d : dims) {
      radix_.push_back(static_cast<uint32_t>(Cardinality(r, d) + 1));  // +1 for unknown
      space = space > kMaxDense ? space : space * radix_.back();
    }
    if (space <= kMaxDense) dense_.assign(static_cast<size_t>(space), -1);
  }
  bool dense() const { return !dense_.empty(); }

  // Dense: the flat group number of every entry (the unknown value -1 counts as 0).
  std::vector<uint32_t> FlatKeys(const Registry& r, const YearClassification& c, const Division& div) const {
    std::vector<uint32_t> flat(c.size(), 0);
    for (size_t d = 0; d < dims_.size(); ++d) {
      const uint32_t radix = radix_[d];
      WithDimension(dims_[d], [&](auto dim) {
        for (size_t i = 0; i < flat.size(); ++i) {
          flat[i] = flat[i] * radix + static_cast<uint32_t>(ValueOf<dim()>(r, c, div, i) + 1);
        }
      });
    }
    return flat;
  }
  // The slot of a dense group number, or -1 when new (then Insert it).
  int64_t& Slot(uint32_t flat) { return dense_[flat]; }
  // The slot of a key (sparse), inserting `next` when new; returns {slot, new?}.
  std::pair<int64_t, bool> Slot(const PackedKey& key, int64_t next) {
    auto [it, inserted] = sparse_.try_emplace(key, next);
    return {it->second, inserted};
  }

 private:
  static constexpr int64_t kMaxDense = 1 << 20;
  std::span<const Dimension> dims_;
  std::vector<uint32_t> radix_;
  std::vector<int64_t> dense_;
  std::unordered_map<PackedKey, int64_t, PackedKeyHash> sparse_;
};

// Whether each entry passes every filter (1) or not (0), one filter at a time.
std::vector<uint8_t> PassesFilters(const Registry& r, const YearClassification& c, const Division& div,
                                   std::span<const DimensionFilter> filters) {
  std::vector<uint8_t> keep(c.size(), 1);
  for (const DimensionFilter& f : filters) {
    WithDimension(f.dimension, [&](auto dim) {
      for (size_t i = 0; i < keep.size(); ++i) keep[i] &= ValueOf<dim()>(r, c, div, i) == f.value ? 1 : 0;
    });
  }
  return keep;
}

PackedKey KeyOf(const Registry& r, const YearClassification& c, const Division& div, size_t i,
                std::span<const Dimension> dims) {
  PackedKey key;
  key.fill(0);
  for (size_t d = 0; d < dims.size(); ++d) key[d] = DimensionValue(r, c, i, dims[d], &div);
  return key;
}

}  // namespace

CountTable CountBy(const Registry& registry, const YearClassification& c,
                   std::span<const Dimension> dimensions, std::span<const DimensionFilter> filters,
                   const Division* on) {
  const Division& div = on ? *on : c.division;
  CountTable table;
  table.boundaries = on ? on->year : 0;
  table.year = c.year;
  table.age_limit = c.age_limit;
  table.dimensions.assign(dimensions.begin(), dimensions.end());
  table.residence_unknown = c.residence_unknown;
  table.national = filters.empty();
  // Where a region's area differs from the year before, say so beside any figure of
  // regions (only on the year's own division: on one year's map nothing moves).
  const bool about_regions =
      std::find(dimensions.begin(), dimensions.end(), Dimension::kRegion) != dimensions.end() ||
      std::any_of(filters.begin(), filters.end(), [](const DimensionFilter& f) { return f.dimension == Dimension::kRegion; });
  if (!on && about_regions) {
    for (const AreaChange& change : div.area_changes) {
      const bool asked = std::none_of(filters.begin(), filters.end(), [&](const DimensionFilter& f) {
        return f.dimension == Dimension::kRegion && f.value != change.region;
      });
      if (asked) table.area_changes.push_back(change);
    }
  }
  const std::span<const Dimension> dims = dimensions.first(std::min(dimensions.size(), kMaxDims));
  const std::vector<uint8_t> keep = PassesFilters(registry, c, div, filters);
  GroupIndex index(registry, dims);
  const std::vector<uint32_t> flat = index.dense() && !dims.empty() ? index.FlatKeys(registry, c, div)
                                                                    : std::vector<uint32_t>();
  std::vector<PartCounts> counts;
  std::vector<PackedKey> keys;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!keep[i]) continue;
    const size_t part = static_cast<size_t>(c.part[i]);
    ++table.total.n[part];
    if (dims.empty()) continue;
    const int64_t next = static_cast<int64_t>(counts.size());
    int64_t slot;
    if (index.dense()) {
      int64_t& s = index.Slot(flat[i]);
      if (s < 0) {
        s = next;
        keys.push_back(KeyOf(registry, c, div, i, dims));
      }
      slot = s;
    } else {
      const PackedKey key = KeyOf(registry, c, div, i, dims);
      bool is_new;
      std::tie(slot, is_new) = index.Slot(key, next);
      if (is_new) keys.push_back(key);
    }
    if (slot == next) counts.emplace_back();
    ++counts[static_cast<size_t>(slot)].n[part];
  }
  // Unknown (-1) sorts last.
  auto order = [](int32_t v) { return v < 0 ? INT32_MAX : v; };
  std::vector<size_t> perm(keys.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    for (size_t d = 0; d < dims.size(); ++d) {
      if (keys[a][d] != keys[b][d]) return order(keys[a][d]) < order(keys[b][d]);
    }
    return false;
  });
  for (size_t i : perm) {
    table.groups.push_back({std::vector<int32_t>(keys[i].begin(), keys[i].begin() + dims.size()), counts[i]});
  }
  return table;
}

}  // namespace vsv
