// Counts of a year's classification by any breakdown: the decomposition per group,
// the groups adding up to the total by construction.
#ifndef VSV_MEASURE_CUBE_H_
#define VSV_MEASURE_CUBE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "measure/classify.h"

namespace vsv {

enum class Dimension : uint8_t {
  kSchool, kLocation, kMunicipality, kRegion, kSector, kCategory, kLevel, kPathway, kSex, kAge,
  // Where the person is on teldatum T+1 by the registers of work and benefits
  // (measure/situation.h): EMPLOYED, BENEFIT, EMPLOYED_AND_BENEFIT, NEITHER.
  kSituation,
};
inline constexpr int kDimensionCount = 11;
std::string_view DimensionName(Dimension d);
// "region,sector" -> {kRegion, kSector}; an error names the unknown word.
Result<std::vector<Dimension>> ParseDimensions(std::string_view list);

// The decomposition of one group (or the total).
struct PartCounts {
  std::array<int64_t, kPartCount> n{};

  int64_t operator[](Part p) const { return n[static_cast<size_t>(p)]; }
  int64_t Sum(Part from, Part to) const;
  int64_t A() const { return Sum(Part::kB1, Part::kX); }
  int64_t B() const { return Sum(Part::kB1, Part::kB3); }
  int64_t C() const { return Sum(Part::kCVo, Part::kCSocial); }
  int64_t D() const { return Sum(Part::kDSk, Part::kDEntreeWork); }
  int64_t X() const { return (*this)[Part::kX]; }
  // X / (A - B) * 100, or nullopt when A - B is 0.
  std::optional<double> Percentage() const;
  // The published figure: the percentage in hundredths, rounded half up exactly
  // (229 for 2.29%), or nullopt when A - B is 0.
  std::optional<int64_t> PercentHundredths() const;
  void Add(const PartCounts& other);
};

// A group's key: one value per dimension, -1 for "unknown" (null).
// Values: school = index into InstitutionTable::brin; location = location row;
// municipality = CBS code; region = code; sector/category/sex/pathway = enum value;
// level = 1..4; age = years; situation = Situation value.
struct CountGroup {
  std::vector<int32_t> key;
  PartCounts counts;
};

struct CountTable {
  int year = 0;
  int age_limit = 0;
  std::vector<Dimension> dimensions;
  PartCounts total;
  std::vector<CountGroup> groups;  // sorted by key, unknown values last
  bool national = true;            // no filter: the whole country
  int64_t residence_unknown = 0;   // data-quality finding of the classification
  // 0: municipalities and regions as divided in `year` itself (as DUO publishes);
  // else the school year whose division every residence was mapped onto.
  int boundaries = 0;
  // On the year's own division, for a table by region or of one region: the regions
  // whose area differs from the year before.
  std::vector<AreaChange> area_changes;
};

// Keeps only the persons whose value of `dimension` is `value` (e.g. region 21).
struct DimensionFilter {
  Dimension dimension;
  int32_t value;
};

// Counts `classification` by `dimensions` (none: only the total), over the persons
// that pass every filter. Municipality and region (in keys and filters) are those of
// the division `on` (Reference::DivisionOf(B), for "on the map of school year B"),
// by default the classification's own year's.
CountTable CountBy(const Registry& registry, const YearClassification& classification,
                   std::span<const Dimension> dimensions,
                   std::span<const DimensionFilter> filters = {}, const Division* on = nullptr);

// The value of dimension `d` for entry `i` of the classification (-1 = unknown), in
// the division `on` (default: the classification's own).
int32_t DimensionValue(const Registry& registry, const YearClassification& c, size_t i, Dimension d,
                       const Division* on = nullptr);

// A key value as the JSON contract writes it: region "21", municipality "0363",
// school "00AA", location "00AA01", sector "MBO", level "2", sex "V", ...;
// nullopt for unknown. Age is a number and rendered by the caller.
std::optional<std::string> DimensionValueText(const Registry& registry, Dimension d, int32_t value);

}  // namespace vsv

#endif  // VSV_MEASURE_CUBE_H_
