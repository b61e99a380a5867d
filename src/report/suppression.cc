#include "report/suppression.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <limits>
#include <tuple>

#include <fmt/format.h>

namespace vsv {

namespace {

// Upper bound of a hidden cell: unknown. Far below overflow even summed over a
// million cells.
constexpr int64_t kInf = int64_t{1} << 40;

struct Interval {
  int64_t lo;
  int64_t hi;  // >= kInf: unbounded
};

bool Unbounded(int64_t hi) { return hi >= kInf; }

// What a reader knows of each cell from the marks alone.
std::vector<Interval> InitialIntervals(std::span<const int64_t> values, std::span<const CellMark> marks,
                                       int64_t threshold) {
  std::vector<Interval> iv(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    switch (marks[i]) {
      case CellMark::kShown: iv[i] = {values[i], values[i]}; break;
      case CellMark::kSmall: iv[i] = {0, threshold - 1}; break;
      case CellMark::kHidden: iv[i] = {threshold, kInf}; break;
    }
  }
  return iv;
}

bool Tighten(Interval& iv, int64_t lo, int64_t hi) {
  bool changed = false;
  if (lo > iv.lo) { iv.lo = lo; changed = true; }
  if (!Unbounded(hi) && hi < iv.hi) { iv.hi = hi; changed = true; }
  return changed;
}

// Interval reasoning over every relation until nothing tightens: what a reader can
// conclude about every cell.
std::vector<Interval> Propagate(std::span<const int64_t> values, std::span<const AdditiveRelation> relations,
                                std::span<const CellMark> marks, int64_t threshold, std::span<const KnownRange> known) {
  std::vector<Interval> iv = InitialIntervals(values, marks, threshold);
  for (const KnownRange& k : known) Tighten(iv[k.cell], k.lo, k.hi);
  // Bounded: every round that changes something narrows an integer interval; the
  // cap only guards against pathological slow convergence.
  for (int round = 0; round < 10000; ++round) {
    bool changed = false;
    for (const AdditiveRelation& rel : relations) {
      int64_t sum_lo = 0, finite_hi = 0;
      int unbounded = 0;
      for (size_t p : rel.parts) {
        sum_lo += iv[p].lo;
        if (Unbounded(iv[p].hi)) ++unbounded; else finite_hi += iv[p].hi;
      }
      changed |= Tighten(iv[rel.total], sum_lo, unbounded ? kInf : finite_hi);
      const Interval total = iv[rel.total];
      for (size_t p : rel.parts) {
        // p = total - (others); others in [sum_lo - lo_p, sum_hi - hi_p].
        const int64_t others_lo = sum_lo - iv[p].lo;
        const int others_unbounded = unbounded - (Unbounded(iv[p].hi) ? 1 : 0);
        const int64_t others_hi = others_unbounded ? kInf : finite_hi - (Unbounded(iv[p].hi) ? 0 : iv[p].hi);
        const int64_t lo = Unbounded(others_hi) ? 0 : total.lo - others_hi;
        const int64_t hi = Unbounded(total.hi) ? kInf : total.hi - others_lo;
        changed |= Tighten(iv[p], lo, hi);
      }
    }
    if (!changed) break;
  }
  return iv;
}

}  // namespace

std::string SmallCellText(const SuppressionOptions& options) { return fmt::format("<{}", options.threshold); }

std::vector<size_t> DerivableCells(std::span<const int64_t> values, std::span<const AdditiveRelation> relations,
                                   std::span<const CellMark> marks, const SuppressionOptions& options,
                                   std::span<const KnownRange> known) {
  const std::vector<Interval> iv = Propagate(values, relations, marks, options.threshold, known);
  std::vector<size_t> out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (marks[i] != CellMark::kShown && iv[i].lo == iv[i].hi) out.push_back(i);
  }
  return out;
}

std::vector<CellMark> SuppressCells(std::span<const int64_t> values, std::span<const AdditiveRelation> relations,
                                    const SuppressionOptions& options, std::span<const uint8_t> keep) {
  const size_t n = values.size();
  std::vector<CellMark> marks(n, CellMark::kShown);
  for (size_t i = 0; i < n; ++i) {
    if (values[i] < options.threshold) marks[i] = CellMark::kSmall;
  }
  // Per cell: the relations it is in, and how many of them it is the total of.
  std::vector<std::vector<uint32_t>> member(n);
  std::vector<uint32_t> total_of(n, 0);
  for (size_t r = 0; r < relations.size(); ++r) {
    member[relations[r].total].push_back(static_cast<uint32_t>(r));
    ++total_of[relations[r].total];
    for (size_t p : relations[r].parts) member[p].push_back(static_cast<uint32_t>(r));
  }
  // How many relations a cell is in that have nothing hidden yet: hiding the cell
  // there would expose it alone, and call for one more hidden cell.
  std::vector<int> hidden_in(relations.size(), 0);
  auto count_hidden = [&] {
    std::fill(hidden_in.begin(), hidden_in.end(), 0);
    for (size_t r = 0; r < relations.size(); ++r) {
      hidden_in[r] += marks[relations[r].total] != CellMark::kShown;
      for (size_t p : relations[r].parts) hidden_in[r] += marks[p] != CellMark::kShown;
    }
  };
  auto exposures = [&](size_t cell, size_t next_to) {
    int n = 0;
    for (uint32_t r : member[cell]) {
      const bool shared = std::find(member[next_to].begin(), member[next_to].end(), r) != member[next_to].end();
      if (!shared && hidden_in[r] == 0) ++n;
    }
    return n;
  };
  // Which shown cell to give up next to `c`: one that exposes no clean relation,
  // then parts before totals, then the smallest.
  auto better = [&](size_t a, size_t b, size_t c) {
    const int keep_a = keep.empty() ? 0 : keep[a], keep_b = keep.empty() ? 0 : keep[b];
    return std::make_tuple(keep_a, exposures(a, c), total_of[a], values[a], a) <
           std::make_tuple(keep_b, exposures(b, c), total_of[b], values[b], b);
  };
  for (;;) {
    const std::vector<size_t> derivable = DerivableCells(values, relations, marks, options);
    if (derivable.empty()) break;
    std::vector<uint8_t> touched(relations.size(), 0);
    bool hid_any = false;
    count_hidden();
    for (size_t c : derivable) {
      if (std::any_of(member[c].begin(), member[c].end(), [&](uint32_t r) { return touched[r]; })) continue;
      size_t best = n;
      // A relation in which c is the only cell not shown pins it by subtraction: the
      // new hidden cell must come from such a relation. Otherwise (a chain over
      // several relations) any relation of c will do.
      const bool lone = std::any_of(member[c].begin(), member[c].end(), [&](uint32_t r) { return hidden_in[r] == 1; });
      for (uint32_t r : member[c]) {
        if (lone && hidden_in[r] != 1) continue;
        auto consider = [&](size_t cell) {
          if (marks[cell] == CellMark::kShown && (best == n || better(cell, best, c))) best = cell;
        };
        consider(relations[r].total);
        for (size_t p : relations[r].parts) consider(p);
      }
      if (best == n) {  // nothing shown beside it: give up the smallest shown cell anywhere
        for (size_t i = 0; i < n; ++i) {
          if (marks[i] == CellMark::kShown && (best == n || better(i, best, c))) best = i;
        }
      }
      if (best == n) continue;
      marks[best] = CellMark::kHidden;
      hid_any = true;
      for (uint32_t r : member[best]) ++hidden_in[r];
      for (uint32_t r : member[best]) touched[r] = 1;
      for (uint32_t r : member[c]) touched[r] = 1;
    }
    if (!hid_any) break;  // everything is hidden already
  }
  return marks;
}

namespace {

// The decomposition of a row, by contract field name: total = parts.
struct NamedRelation {
  const char* total;
  std::vector<const char*> parts;
};
const std::vector<NamedRelation>& RowRelations() {
  static const std::vector<NamedRelation> kRelations = {
      {"A", {"B", "C", "D", "X"}},
      {"B", {"B1", "B2", "B3"}},
      {"C", {"C_VO", "C_MBO", "C_VAVO", "C_HO", "C_SPECIAL", "C_NONFUNDED", "C_DJI", "C_POLICE_DEFENCE", "C_SOCIAL"}},
      {"D", {"D_SK", "D_ENTREE_WORK"}},
  };
  return kRelations;
}

nlohmann::ordered_json MarkText(CellMark mark, const SuppressionOptions& options) {
  return mark == CellMark::kSmall ? nlohmann::ordered_json(SmallCellText(options))
                                  : nlohmann::ordered_json(kHiddenCellText);
}

// The percentage as published, in hundredths, rounded half up in integers as
// PartCounts::PercentHundredths does (229 = 2.29%).
int64_t PublishedHundredths(int64_t x, int64_t base) { return (2 * x * 10000 + base) / (2 * base); }

// What a reader who knows A, X and the published percentage learns about B (cell
// `bcell`, true value `b`): the bases A - B that round to the same percentage form
// one run of integers, found from an estimate and checked with the same rounding.
std::optional<KnownRange> BaseRangeFromPercentage(int64_t a, int64_t b, int64_t x, size_t bcell) {
  const int64_t base = a - b;
  if (x <= 0 || base <= 0) return std::nullopt;  // 0.00% whatever the base
  const int64_t h = PublishedHundredths(x, base);
  auto same = [&](int64_t d) { return d > 0 && PublishedHundredths(x, d) == h; };
  // Bases with the same rounding lie between 10000x/(h+0.5) and 10000x/(h-0.5).
  const double xd = static_cast<double>(x), hd = static_cast<double>(h);
  int64_t lo = std::max<int64_t>(1, std::min<int64_t>(base, static_cast<int64_t>(10000.0 * xd / (hd + 0.5)) - 2));
  while (!same(lo)) ++lo;
  int64_t hi = a;  // B >= 0
  if (h > 0) hi = std::min<int64_t>(a, std::max<int64_t>(base, static_cast<int64_t>(10000.0 * xd / (hd - 0.5)) + 2));
  while (!same(hi)) --hi;
  return KnownRange{bcell, a - hi, a - lo};  // B = A - base
}

}  // namespace

void SuppressCountTableJson(nlohmann::ordered_json& table, const SuppressionOptions& options) {
  std::vector<nlohmann::ordered_json*> rows = {&table["total"]};
  for (auto& g : table["groups"]) rows.push_back(&g);
  // The count fields, in contract order, as the total row has them.
  std::vector<std::string> fields;
  for (auto it = rows[0]->begin(); it != rows[0]->end(); ++it) {
    if (it.value().is_number_integer()) fields.push_back(it.key());
  }
  const size_t f_count = fields.size();
  auto field_index = [&](const char* name) -> int {
    auto it = std::find(fields.begin(), fields.end(), name);
    return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
  };
  std::vector<int64_t> values(rows.size() * f_count);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t f = 0; f < f_count; ++f) values[r * f_count + f] = (*rows[r])[fields[f]].get<int64_t>();
  }
  std::vector<AdditiveRelation> relations;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const NamedRelation& nr : RowRelations()) {
      const int t = field_index(nr.total);
      if (t < 0) continue;
      AdditiveRelation rel{r * f_count + static_cast<size_t>(t), {}};
      for (const char* p : nr.parts) {
        const int pi = field_index(p);
        if (pi >= 0) rel.parts.push_back(r * f_count + static_cast<size_t>(pi));
      }
      relations.push_back(std::move(rel));
    }
  }
  if (rows.size() > 1) {
    for (size_t f = 0; f < f_count; ++f) {
      AdditiveRelation rel{f, {}};
      for (size_t r = 1; r < rows.size(); ++r) rel.parts.push_back(r * f_count + f);
      relations.push_back(std::move(rel));
    }
  }
  // What to keep visible: the total row before the groups; A, B and X (the figure
  // and the base of its percentage) before the subtotals C and D, before the parts.
  std::vector<uint8_t> keep(values.size(), 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t f = 0; f < f_count; ++f) {
      const std::string& name = fields[f];
      const uint8_t field_keep = (name == "A" || name == "B" || name == "X") ? 2 : (name == "C" || name == "D") ? 1 : 0;
      keep[r * f_count + f] = static_cast<uint8_t>(field_keep + (r == 0 ? 3 : 0));
    }
  }
  const std::vector<CellMark> marks = SuppressCells(values, relations, options, keep);
  const int a = field_index("A"), b = field_index("B"), x = field_index("X");
  auto shown = [&](size_t r, int f) { return f >= 0 && marks[r * f_count + static_cast<size_t>(f)] == CellMark::kShown; };
  // Percentages that may be shown, and what each gives away about a B not shown.
  std::vector<uint8_t> show_pct(rows.size(), 0);
  std::vector<std::optional<KnownRange>> pct_range(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r]->contains("pct") || !(*rows[r])["pct"].is_number() || !shown(r, a) || !shown(r, x)) continue;
    show_pct[r] = 1;
    if (b >= 0 && !shown(r, b)) {
      const size_t bcell = r * f_count + static_cast<size_t>(b);
      pct_range[r] = BaseRangeFromPercentage(values[r * f_count + static_cast<size_t>(a)], values[bcell],
                                             values[r * f_count + static_cast<size_t>(x)], bcell);
    }
  }
  // Drop the most telling percentage until nothing can be pinned down.
  for (;;) {
    std::vector<KnownRange> known;
    for (size_t r = 0; r < rows.size(); ++r) {
      if (show_pct[r] && pct_range[r]) known.push_back(*pct_range[r]);
    }
    if (known.empty() || DerivableCells(values, relations, marks, options, known).empty()) break;
    size_t narrowest = rows.size();
    for (size_t r = 0; r < rows.size(); ++r) {
      if (!show_pct[r] || !pct_range[r]) continue;
      if (narrowest == rows.size() ||
          pct_range[r]->hi - pct_range[r]->lo < pct_range[narrowest]->hi - pct_range[narrowest]->lo) {
        narrowest = r;
      }
    }
    show_pct[narrowest] = 0;
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t f = 0; f < f_count; ++f) {
      const CellMark m = marks[r * f_count + f];
      if (m != CellMark::kShown) (*rows[r])[fields[f]] = MarkText(m, options);
    }
    if (!show_pct[r] && rows[r]->contains("pct") && !(*rows[r])["pct"].is_null()) (*rows[r])["pct"] = kHiddenCellText;
    if (!show_pct[r] && rows[r]->contains("pct") && (*rows[r])["pct"].is_null() && !shown(r, a)) {
      (*rows[r])["pct"] = kHiddenCellText;  // "no base" would tell that A - B is 0
    }
  }
}

void SuppressCountColumnJson(nlohmann::ordered_json& rows, nlohmann::ordered_json& total, const std::string& field,
                             const SuppressionOptions& options) {
  std::vector<int64_t> values = {total[field].get<int64_t>()};
  AdditiveRelation rel{0, {}};
  for (auto& row : rows) {
    rel.parts.push_back(values.size());
    values.push_back(row[field].get<int64_t>());
  }
  std::vector<AdditiveRelation> relations;
  if (!rel.parts.empty()) relations.push_back(std::move(rel));
  const std::vector<CellMark> marks = SuppressCells(values, relations, options);
  if (marks[0] != CellMark::kShown) total[field] = MarkText(marks[0], options);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (marks[i + 1] != CellMark::kShown) rows[i][field] = MarkText(marks[i + 1], options);
  }
}

}  // namespace vsv
