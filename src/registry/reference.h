// Reference data shipped with the product and replaceable by the user
// (`--reference DIR`): municipalities with their region per school year, regions,
// national targets and published national figures.
#ifndef VSV_REGISTRY_REFERENCE_H_
#define VSV_REGISTRY_REFERENCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "registry/codes.h"

namespace vsv {

// One row of municipalities.csv: `code` belongs to `region` in school years
// first_year..last_year (last_year = kOpenYear when still valid).
struct MunicipalityPeriod {
  Municipality code;
  std::string name;
  int8_t region;
  std::string province;
  int first_year;
  int last_year;
};

struct RegionInfo {
  int8_t code;
  std::string name;
  int first_year;
  int last_year;
};

struct NationalTarget {
  int year;  // the school year that ends in... as written in targets.csv
  int64_t max_new_vsv;
  std::string source;
};

// A published national figure; absent fields are nullopt.
struct NationalFigure {
  int school_year;
  std::optional<int64_t> total_new_vsv, vo_new_vsv, mbo_new_vsv, start_population;
  std::optional<double> vo_pct, mbo_pct, total_pct;
  std::string status, source;
};

inline constexpr int kOpenYear = 9999;

class Reference {
 public:
  // Loads municipalities.csv and regions.csv (required), targets.csv and
  // national_figures.csv (optional) from `dir`.
  static Result<Reference> Load(const std::string& dir);

  const std::vector<MunicipalityPeriod>& municipalities() const { return municipalities_; }
  const std::vector<RegionInfo>& regions() const { return regions_; }
  const std::vector<NationalTarget>& targets() const { return targets_; }
  const std::vector<NationalFigure>& national_figures() const { return figures_; }

  // The region of municipality `code` in school year `year`, or -1.
  int RegionOf(Municipality code, int year) const;
  // The whole mapping for one school year: index = municipality code (0..9999).
  std::vector<int8_t> RegionTable(int year) const;
  // Whether `code` exists in any year; whether it exists in school year `year`.
  bool Knows(Municipality code) const;
  // The period row of `code` valid in `year`, or nullptr.
  const MunicipalityPeriod* Find(Municipality code, int year) const;
  // The latest period row of `code` (for its name when the year does not matter).
  const MunicipalityPeriod* FindAny(Municipality code) const;
  const RegionInfo* FindRegion(int code, int year) const;
  // The target for a calendar year, if one is set.
  std::optional<int64_t> TargetFor(int year) const;
  // First school year the mapping covers.
  int first_year() const { return first_year_; }

 private:
  std::vector<MunicipalityPeriod> municipalities_;
  std::vector<RegionInfo> regions_;
  std::vector<NationalTarget> targets_;
  std::vector<NationalFigure> figures_;
  int first_year_ = kOpenYear;
};

}  // namespace vsv

#endif  // VSV_REGISTRY_REFERENCE_H_
