// The people's lists beside the annual count (docs/vsv-definition.md, "Figures of the
// people's lists"): stocks on a reference date.
#ifndef VSV_MEASURE_STOCK_H_
#define VSV_MEASURE_STOCK_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "measure/classification_cache.h"

namespace vsv {

enum class StockKind : uint8_t { kOudVsv, kJzs23To27, kVulnerable };
// "oud-vsv", "jzs-23-27", "vulnerable".
Result<StockKind> ParseStockKind(std::string_view text);
std::string_view StockKindName(StockKind kind);

// Leavers in a vulnerable position: where they came from and where they are on
// teldatum T+1 (the first of enrolled, employed, benefit that applies, else none).
enum class VulnerableOrigin : uint8_t { kPro, kVso, kEntree, kMbo2Bol };
enum class Situation : uint8_t { kEnrolled, kEmployed, kBenefit, kNone };
std::string_view VulnerableOriginName(VulnerableOrigin o);  // "PRO", "VSO", "ENTREE", "MBO-2-BOL"
std::string_view SituationName(Situation s);                // "ENROLLED", ...

struct StockEntry {
  PersonIndex person;
  // The residence on the reference date as divided in its school year (or in
  // StockOptions::boundaries): a code merged away stands for its successor.
  Municipality municipality;  // <0: none in NL
  int8_t region;              // -1 when unknown
  int age;                    // on the reference date
  int since_year = -1;        // oud-vsv: the school year in which they were counted
  VulnerableOrigin origin = VulnerableOrigin::kPro;  // vulnerable only
  Situation situation = Situation::kNone;            // vulnerable only
};

struct StockOptions {
  StockKind kind = StockKind::kOudVsv;
  Date date = 0;
  // oud-vsv: under this age on the date (23 for the RMC, 27 for the Doorstroompunt).
  int age_limit = 23;
  // 0: municipalities and regions of the school year of the date (vulnerable: of
  // teldatum T+1); else those of this school year's division.
  int boundaries = 0;
};

struct StockResult {
  StockKind kind;
  Date date;
  int school_year = -1;  // vulnerable: the school year T of the leavers
  std::vector<StockEntry> entries;  // in person order
};

// oud-vsv'ers: counted as new vsv'er (national definition) in a school year whose
// teldatum T+1 is on or before the date, and on the date still not enrolled, without
// SK, living in the Netherlands and under the age limit.
// jzs-23-27: aged 23 up to 27 on the date, living in the Netherlands, no SK, not
// enrolled, not employed, no benefit.
// vulnerable: leavers in school year T (the last whose teldatum T+1 is on or before
// the date) from PRO, VSO, entree and mbo-2 BOL, and their situation on teldatum T+1.
StockResult ComputeStock(ClassificationCache& cache, const StockOptions& options);

// Helpers shared with the work list.
bool EnrolledOn(const Registry& r, PersonIndex p, Date d);
bool HasStartkwalificatieOn(const Registry& r, PersonIndex p, Date d);

}  // namespace vsv

#endif  // VSV_MEASURE_STOCK_H_
