// Reference data shipped with the product and replaceable by the user
// (`--reference DIR`): municipalities with their region per school year, regions,
// the municipal reorganisations between them, national targets and published
// national figures. From these it derives, for any school year, the division of the
// country: which municipality and region every code of the reference stands for in
// that year (a code merged away before it stands for its successor).
#ifndef VSV_REGISTRY_REFERENCE_H_
#define VSV_REGISTRY_REFERENCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
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

// One row of mergers.csv: on `date`, `old_code` ceased to exist (all or part of its
// territory went to `new_code`). A split has one row per receiving code.
enum class ChangeType : uint8_t { kMerger, kAbsorption, kSplit, kRecode };
struct MunicipalityChange {
  Date date;
  Municipality old_code;
  std::string old_name;
  Municipality new_code;
  std::string new_name;
  ChangeType type;
  // A split's share of the old code's addresses in percent (the column `share`, or
  // the first "NN.N%" of the note); nullopt when not given.
  std::optional<double> share;
  std::string note;
};

// The dates on which a code exists, as far as the reference tells: from the date of
// the reorganisation that created it (mergers.csv) or else the day after 1 October
// of the school year before its first one (kNoDate for the reference's first year),
// to the day before the reorganisation that ended it or else 30 September after its
// last school year (kOpenEnd while still valid).
struct CodeValidity {
  Date from = kOpenEnd;
  Date to = kNoDate;
  bool known() const { return from <= to; }
  bool Covers(Date d) const { return from <= d && d <= to; }
};

// A region whose area differs from the school year before: the codes it gained and
// lost (as codes of the year before), with the region on the other side.
struct AreaMove {
  Municipality municipality;  // a code of the year before
  std::string name;           // its name
  Municipality now;           // the code it is (part of) in this year
  int other_region;           // where it came from (gained) or went to (lost)
};
struct AreaChange {
  int region;
  bool new_region = false;  // no row in regions.csv the year before
  std::vector<AreaMove> gained, lost;
};

// The division of the country in one school year, for every code of the reference:
// `municipality[code]` is the municipality that code stands for in `year` (itself
// when valid; its successor through mergers.csv when merged away before; for a code
// created after `year`, its first predecessor listed in mergers.csv), -1 when none;
// `region[code]` is the region of that municipality in `year`, -1 when none. Index
// 0..9999. `area_changes`: the regions whose area differs from `year` - 1.
struct Division {
  int year = 0;
  std::vector<Municipality> municipality;
  std::vector<int8_t> region;
  std::vector<AreaChange> area_changes;

  Municipality MunicipalityOf(Municipality code) const {
    return code >= 0 ? municipality[static_cast<size_t>(code)] : Municipality{-1};
  }
  int RegionOf(Municipality code) const { return code >= 0 ? region[static_cast<size_t>(code)] : -1; }
  // The change of `region`'s area in this year, or nullptr.
  const AreaChange* AreaChangeOf(int region) const;
};

class Reference {
 public:
  // Loads municipalities.csv and regions.csv (required), mergers.csv, targets.csv,
  // national_figures.csv and municipalities_by_year.csv (optional; only its years are
  // read, for last_year()) from `dir`. An error names file, line, column and value.
  static Result<Reference> Load(const std::string& dir);

  const std::vector<MunicipalityPeriod>& municipalities() const { return municipalities_; }
  const std::vector<RegionInfo>& regions() const { return regions_; }
  const std::vector<NationalTarget>& targets() const { return targets_; }
  const std::vector<NationalFigure>& national_figures() const { return figures_; }
  const std::vector<MunicipalityChange>& changes() const { return changes_; }

  // The region of municipality `code` in school year `year` (a code merged away
  // before `year`: its successor's), or -1.
  int RegionOf(Municipality code, int year) const;
  // `code` mapped to its municipality in `year` (see Division), -1 when none: one
  // code's entry of DivisionOf(year), without building the whole division.
  Municipality CodeIn(Municipality code, int year) const;
  // The region column of DivisionOf(year): index = municipality code (0..9999).
  std::vector<int8_t> RegionTable(int year) const;
  // The division of school year `year` (see Division).
  Division DivisionOf(int year) const;
  // The one code that takes over from `code` when it ceases to exist, or -1: the new
  // code of a merger, absorption or recode; for a split the receiving code with the
  // largest share, or without shares the one whose note calls it the legal successor
  // ("legal successor" or "gives <code>", RvIG Tabel 33's new code), else the first row.
  Municipality SuccessorOf(Municipality code) const;
  // The dates `code` exists (not known(): never in the reference).
  CodeValidity ValidityOf(Municipality code) const {
    return code >= 0 && code < 10000 ? validity_[static_cast<size_t>(code)] : CodeValidity{};
  }
  // For an error message about `code` on `date` when it does not exist then: the
  // code(s) valid on that date that it most likely means, as "0439 Purmerend
  // (successor of 0370 from 2022-01-01, mergers.csv)". Successors through
  // mergers.csv for a code that ended before `date`; the predecessors for a code
  // created after it; otherwise the valid code nearest in number.
  std::string NearestValid(Municipality code, Date date) const;
  // The name of `code` (latest row), or "".
  std::string NameOf(Municipality code) const;
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
  // The latest school year the reference describes: the highest year named in
  // municipalities.csv, regions.csv (a last_year + 1) or municipalities_by_year.csv.
  // Divisions can be asked for first_year()..last_year() (e.g. `--boundaries`).
  int last_year() const { return last_year_; }

 private:
  std::vector<MunicipalityPeriod> municipalities_;
  std::vector<RegionInfo> regions_;
  std::vector<NationalTarget> targets_;
  std::vector<NationalFigure> figures_;
  std::vector<MunicipalityChange> changes_;
  std::vector<CodeValidity> validity_;  // index: code 0..9999
  std::vector<Municipality> successor_;  // index: code 0..9999; -1 none
  int first_year_ = kOpenYear;
  int last_year_ = 0;

  void ComputeValidity();
};

}  // namespace vsv

#endif  // VSV_REGISTRY_REFERENCE_H_
