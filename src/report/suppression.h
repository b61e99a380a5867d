// Small-cell suppression of aggregates published to the public: the one place where
// it is decided which cells of a table are hidden.
//
// Primary: a cell under the threshold (default 5 persons, 0 included, so an empty
// group is not revealed either) is shown as "<5".
// Secondary: further cells are shown as "x" until no hidden cell can be pinned to a
// single value from the table itself: every additive relation of the table (a total
// and its parts; a row's decomposition A = B + C + D + X, B = B1 + B2 + B3, ...; the
// groups adding up to the total) is used, together with what the marks themselves
// say ("<5" is 0..4, "x" is at least 5), by interval reasoning until nothing
// tightens. A percentage is hidden when a count it is computed from is.
// Only cells of the same table are considered: two tables published side by side
// (say by region and by municipality) are each safe on their own.
#ifndef VSV_REPORT_SUPPRESSION_H_
#define VSV_REPORT_SUPPRESSION_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vsv {

struct SuppressionOptions {
  int64_t threshold = 5;  // cells with fewer persons than this are hidden
};

// What the reader sees of a cell.
enum class CellMark : uint8_t {
  kShown,
  kSmall,   // primary: under the threshold, shown as "<5"
  kHidden,  // secondary: at least the threshold, hidden against derivation, shown as "x"
};

// "<5" (for threshold 5) and "x".
std::string SmallCellText(const SuppressionOptions& options);
inline constexpr const char* kHiddenCellText = "x";

// total = sum of parts, as indices into a table's cells.
struct AdditiveRelation {
  size_t total;
  std::vector<size_t> parts;
};

// Marks every cell of a table of non-negative counts. The result has one mark per
// value; no hidden or small cell's value follows from the shown values, the marks'
// ranges and `relations`. Secondary cells are chosen by, in this order: the lowest
// `keep` (a per-cell priority, empty = all equal: the figures that matter most get a
// high one), not exposing a relation that has nothing hidden yet, parts before
// totals, the smallest value.
std::vector<CellMark> SuppressCells(std::span<const int64_t> values,
                                    std::span<const AdditiveRelation> relations,
                                    const SuppressionOptions& options,
                                    std::span<const uint8_t> keep = {});

// What a reader learns about a cell from something else the table shows (say a
// percentage computed from it): lo <= value <= hi.
struct KnownRange {
  size_t cell;
  int64_t lo;
  int64_t hi;
};

// The cells that are not shown but whose value a reader can still pin down from the
// table (the audit that SuppressCells runs until it is empty), given the marks, the
// relations and `known`. For tests and checks.
std::vector<size_t> DerivableCells(std::span<const int64_t> values,
                                   std::span<const AdditiveRelation> relations,
                                   std::span<const CellMark> marks, const SuppressionOptions& options,
                                   std::span<const KnownRange> known = {});

// Suppresses a count table in the JSON of CountTableJson ({"total":{..},
// "groups":[{"key":..,..}]}) in place: counts become "<5" or "x". Relations: each
// row's decomposition, and each field's groups adding up to the total (CountBy's
// groups always do, unknown keys included). A row's "pct" (X / (A - B), two
// decimals) is shown only when A and X are: if B is not, the range of A - B that the
// rounded percentage gives away joins the audit, and the percentage becomes "x"
// when with it some cell could be pinned down.
void SuppressCountTableJson(nlohmann::ordered_json& table, const SuppressionOptions& options);

// Suppresses a one-column table in place: `rows[i][field]` add up to `total[field]`.
void SuppressCountColumnJson(nlohmann::ordered_json& rows, nlohmann::ordered_json& total,
                             const std::string& field, const SuppressionOptions& options);

}  // namespace vsv

#endif  // VSV_REPORT_SUPPRESSION_H_
