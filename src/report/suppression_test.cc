// Small-cell suppression: primary and secondary marks, the audit, count tables, and
// a brute-force check on tiny tables that no hidden cell has only one possible value.
#include "report/suppression.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "measure/cube.h"
#include "report/count_report.h"
#include "report/table_writer.h"

namespace vsv {
namespace {

const SuppressionOptions kFive{5};

TEST(Suppression, SmallCellsArePrimaryAndTheRestShown) {
  const std::vector<int64_t> values = {0, 4, 5, 100};
  const auto marks = SuppressCells(values, {}, kFive);
  EXPECT_EQ(marks, (std::vector<CellMark>{CellMark::kSmall, CellMark::kSmall, CellMark::kShown, CellMark::kShown}));
  EXPECT_EQ(SmallCellText(kFive), "<5");
}

TEST(Suppression, LoneSmallPartGetsASecondPartNotTheTotal) {
  // 20 = 3 + 8 + 9: 3 could be read off as 20 - 8 - 9.
  const std::vector<int64_t> values = {20, 3, 8, 9};
  const std::vector<AdditiveRelation> rel = {{0, {1, 2, 3}}};
  const auto marks = SuppressCells(values, rel, kFive);
  EXPECT_EQ(marks[0], CellMark::kShown);
  EXPECT_EQ(marks[1], CellMark::kSmall);
  EXPECT_EQ(marks[2], CellMark::kHidden);  // the smallest other part
  EXPECT_EQ(marks[3], CellMark::kShown);
  EXPECT_TRUE(DerivableCells(values, rel, marks, kFive).empty());
}

TEST(Suppression, TwoZerosThatSumToZeroAreStillDerivable) {
  // 10 = 0 + 0 + 10: both "<5" cells must be 0 unless the 10 is hidden too.
  const std::vector<int64_t> values = {10, 0, 0, 10};
  const std::vector<AdditiveRelation> rel = {{0, {1, 2, 3}}};
  const std::vector<CellMark> primary_only = {CellMark::kShown, CellMark::kSmall, CellMark::kSmall, CellMark::kShown};
  EXPECT_EQ(DerivableCells(values, rel, primary_only, kFive).size(), 2u);
  const auto marks = SuppressCells(values, rel, kFive);
  EXPECT_EQ(marks[3], CellMark::kHidden);
  EXPECT_EQ(marks[0], CellMark::kShown);
  EXPECT_TRUE(DerivableCells(values, rel, marks, kFive).empty());
}

TEST(Suppression, HiddenMeansAtLeastTheThreshold) {
  // 5 = 0 + 5: hiding the 5 as "x" (>= 5) still pins it to 5 and the other to 0.
  const std::vector<int64_t> values = {5, 0, 5};
  const std::vector<AdditiveRelation> rel = {{0, {1, 2}}};
  const std::vector<CellMark> naive = {CellMark::kShown, CellMark::kSmall, CellMark::kHidden};
  EXPECT_EQ(DerivableCells(values, rel, naive, kFive).size(), 2u);
  const auto marks = SuppressCells(values, rel, kFive);
  EXPECT_EQ(marks, (std::vector<CellMark>{CellMark::kHidden, CellMark::kSmall, CellMark::kHidden}));
  EXPECT_TRUE(DerivableCells(values, rel, marks, kFive).empty());
}

TEST(Suppression, DerivationAcrossTwoRelationsIsFound) {
  // Rows g1, g2 and their total; columns p, q and the row total. g1.p = 2 is small;
  // hiding g1.q lets the row relation protect g1.p, but the column relation p still
  // reveals it unless another p is hidden.
  // cells: 0 T.t 1 T.p 2 T.q | 3 g1.t 4 g1.p 5 g1.q | 6 g2.t 7 g2.p 8 g2.q
  const std::vector<int64_t> values = {60, 22, 38, 30, 2, 28, 30, 20, 10};
  std::vector<AdditiveRelation> rel = {{0, {1, 2}}, {3, {4, 5}}, {6, {7, 8}},
                                       {0, {3, 6}}, {1, {4, 7}}, {2, {5, 8}}};
  const auto marks = SuppressCells(values, rel, kFive);
  EXPECT_TRUE(DerivableCells(values, rel, marks, kFive).empty());
  EXPECT_NE(marks[7], CellMark::kShown);  // the column of p needs a second hidden cell
}

// Every completion of the hidden cells that satisfies all relations, by depth-first
// search; returns for each cell the set of values it takes.
std::vector<std::set<int64_t>> PossibleValues(const std::vector<int64_t>& values,
                                              const std::vector<AdditiveRelation>& rel,
                                              const std::vector<CellMark>& marks, int64_t max_value) {
  const size_t n = values.size();
  std::vector<size_t> open;
  for (size_t i = 0; i < n; ++i) {
    if (marks[i] != CellMark::kShown) open.push_back(i);
  }
  std::vector<int64_t> v = values;
  std::vector<int8_t> assigned(n, 1);
  for (size_t i : open) assigned[i] = 0;
  std::vector<std::set<int64_t>> seen(n);
  auto consistent = [&]() {
    for (const auto& r : rel) {
      bool all = assigned[r.total];
      int64_t s = 0;
      for (size_t p : r.parts) { all &= assigned[p] != 0; s += v[p]; }
      if (all && s != v[r.total]) return false;
    }
    return true;
  };
  std::function<void(size_t)> dfs = [&](size_t k) {
    if (k == open.size()) {
      for (size_t i : open) seen[i].insert(v[i]);
      return;
    }
    const size_t c = open[k];
    const int64_t lo = marks[c] == CellMark::kSmall ? 0 : 5;
    const int64_t hi = marks[c] == CellMark::kSmall ? 4 : max_value;
    assigned[c] = 1;
    for (int64_t x = lo; x <= hi; ++x) {
      v[c] = x;
      if (consistent()) dfs(k + 1);
    }
    assigned[c] = 0;
    v[c] = values[c];
  };
  dfs(0);
  return seen;
}

TEST(Suppression, NoHiddenCellHasOnlyOnePossibleValueOnRandomTinyTables) {
  // Two groups and their total, each split in three parts with a row total.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> small(0, 9);
  int tables_with_secondary = 0;
  for (int trial = 0; trial < 200; ++trial) {
    // cells: row r (0 = total) * 4 + c (0 = row total, 1..3 parts)
    std::vector<int64_t> values(12, 0);
    for (int r = 1; r <= 2; ++r) {
      for (int c = 1; c <= 3; ++c) values[r * 4 + c] = small(rng);
    }
    for (int r = 1; r <= 2; ++r) values[r * 4] = values[r * 4 + 1] + values[r * 4 + 2] + values[r * 4 + 3];
    for (int c = 0; c <= 3; ++c) values[c] = values[4 + c] + values[8 + c];
    std::vector<AdditiveRelation> rel;
    for (int r = 0; r <= 2; ++r) {
      rel.push_back({static_cast<size_t>(r * 4), {static_cast<size_t>(r * 4 + 1), static_cast<size_t>(r * 4 + 2),
                                                  static_cast<size_t>(r * 4 + 3)}});
    }
    for (int c = 0; c <= 3; ++c) rel.push_back({static_cast<size_t>(c), {static_cast<size_t>(4 + c), static_cast<size_t>(8 + c)}});
    const auto marks = SuppressCells(values, rel, kFive);
    for (size_t i = 0; i < values.size(); ++i) {
      if (marks[i] == CellMark::kShown) { EXPECT_GE(values[i], 5); }
      if (marks[i] == CellMark::kSmall) { EXPECT_LT(values[i], 5); }
      if (marks[i] == CellMark::kHidden) { EXPECT_GE(values[i], 5); ++tables_with_secondary; }
    }
    // Hidden cells range up to well above the true total, so the cap tells nothing.
    const auto possible = PossibleValues(values, rel, marks, values[0] + 10);
    for (size_t i = 0; i < values.size(); ++i) {
      if (marks[i] == CellMark::kShown) continue;
      EXPECT_TRUE(possible[i].count(values[i])) << "trial " << trial << " cell " << i;
      EXPECT_GE(possible[i].size(), 2u) << "trial " << trial << " cell " << i << " is derivable" << [&] {
        std::string s;
        for (size_t k = 0; k < values.size(); ++k) {
          s += " " + std::to_string(values[k]) + (marks[k] == CellMark::kShown ? "" : marks[k] == CellMark::kSmall ? "s" : "h");
        }
        return s;
      }();
    }
  }
  EXPECT_GT(tables_with_secondary, 0);
}

// A count table with three groups, one of them with a small X.
CountTable SmallCountTable() {
  CountTable t;
  t.year = 2023;
  t.age_limit = 22;
  t.dimensions = {Dimension::kSector};
  auto group = [](int32_t key, int64_t b1, int64_t cvo, int64_t cmbo, int64_t dsk, int64_t x) {
    CountGroup g;
    g.key = {key};
    g.counts.n[static_cast<size_t>(Part::kB1)] = b1;
    g.counts.n[static_cast<size_t>(Part::kCVo)] = cvo;
    g.counts.n[static_cast<size_t>(Part::kCMbo)] = cmbo;
    g.counts.n[static_cast<size_t>(Part::kDSk)] = dsk;
    g.counts.n[static_cast<size_t>(Part::kX)] = x;
    return g;
  };
  t.groups = {group(0, 7, 900, 60, 40, 12), group(1, 9, 30, 700, 90, 3), group(2, 5, 10, 40, 20, 25)};
  for (const auto& g : t.groups) t.total.Add(g.counts);
  return t;
}

TEST(Suppression, CountTableJsonKeepsItsShapeAndHidesWhatWouldReveal) {
  Registry empty;
  const CountTable table = SmallCountTable();
  nlohmann::ordered_json j = CountTableJson(empty, table);
  const nlohmann::ordered_json before = j;
  SuppressCountTableJson(j, kFive);
  // Same keys in the same order; only values changed.
  ASSERT_EQ(j["groups"].size(), before["groups"].size());
  for (size_t g = 0; g < j["groups"].size(); ++g) {
    auto a = j["groups"][g].begin();
    for (auto b = before["groups"][g].begin(); b != before["groups"][g].end(); ++a, ++b) EXPECT_EQ(a.key(), b.key());
  }
  // MBO's X = 3 is "<5" and its percentage hidden; the total X stays visible, so
  // another group's X is hidden too.
  EXPECT_EQ(j["groups"][1]["X"], "<5");
  EXPECT_EQ(j["groups"][1]["pct"], "x");
  EXPECT_EQ(j["total"]["X"], 40);
  int hidden_x = 0;
  for (const auto& g : j["groups"]) hidden_x += g["X"].is_string();
  EXPECT_GE(hidden_x, 2);
  // Every zero part is "<5" (C_DJI etc.), the large ones shown.
  EXPECT_EQ(j["total"]["C_DJI"], "<5");
  EXPECT_EQ(j["total"]["A"], before["total"]["A"]);
  // The audit over the marks as published finds nothing derivable.
  std::vector<std::string> fields;
  for (auto it = before["total"].begin(); it != before["total"].end(); ++it) {
    if (it.value().is_number_integer()) fields.push_back(it.key());
  }
  std::vector<const nlohmann::ordered_json*> rows = {&j["total"]}, raw = {&before["total"]};
  for (size_t g = 0; g < j["groups"].size(); ++g) { rows.push_back(&j["groups"][g]); raw.push_back(&before["groups"][g]); }
  std::vector<int64_t> values;
  std::vector<CellMark> marks;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const auto& f : fields) {
      values.push_back((*raw[r])[f].get<int64_t>());
      const auto& cell = (*rows[r])[f];
      marks.push_back(cell.is_number() ? CellMark::kShown : cell == "<5" ? CellMark::kSmall : CellMark::kHidden);
    }
  }
  auto idx = [&](size_t r, const char* f) {
    return r * fields.size() + static_cast<size_t>(std::find(fields.begin(), fields.end(), f) - fields.begin());
  };
  std::vector<AdditiveRelation> rel;
  for (size_t r = 0; r < rows.size(); ++r) {
    rel.push_back({idx(r, "A"), {idx(r, "B"), idx(r, "C"), idx(r, "D"), idx(r, "X")}});
    rel.push_back({idx(r, "B"), {idx(r, "B1"), idx(r, "B2"), idx(r, "B3")}});
    rel.push_back({idx(r, "C"), {idx(r, "C_VO"), idx(r, "C_MBO"), idx(r, "C_VAVO"), idx(r, "C_HO"), idx(r, "C_SPECIAL"),
                                 idx(r, "C_NONFUNDED"), idx(r, "C_DJI"), idx(r, "C_POLICE_DEFENCE"), idx(r, "C_SOCIAL")}});
    rel.push_back({idx(r, "D"), {idx(r, "D_SK"), idx(r, "D_ENTREE_WORK")}});
  }
  for (const auto& f : fields) {
    AdditiveRelation across{idx(0, f.c_str()), {}};
    for (size_t r = 1; r < rows.size(); ++r) across.parts.push_back(idx(r, f.c_str()));
    rel.push_back(across);
  }
  EXPECT_TRUE(DerivableCells(values, rel, marks, kFive).empty());
}

TEST(Suppression, ColumnTable) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::parse(R"([{"k":"a","count":2},{"k":"b","count":40},{"k":"c","count":50}])");
  nlohmann::ordered_json total = {{"count", 92}};
  SuppressCountColumnJson(rows, total, "count", kFive);
  EXPECT_EQ(rows[0]["count"], "<5");
  EXPECT_EQ(rows[1]["count"], "x");
  EXPECT_EQ(rows[2]["count"], 50);
  EXPECT_EQ(total["count"], 92);
}

TEST(TableWriter, CsvHasDutchHeadingsAndGuardsFormulas) {
  DataTable t;
  t.columns = {{"gemeente", ColumnKind::kText}, {"nieuwe vsv'ers (X)", ColumnKind::kInteger},
               {"vsv-percentage", ColumnKind::kPercent}};
  t.rows = {{std::string("=HYPERLINK(\"x\")"), int64_t{1553}, 2.6}, {std::string("Ede, Gld"), std::string("<5"), std::string("x")}};
  EXPECT_EQ(TableCsv(t),
            "gemeente,nieuwe vsv'ers (X),vsv-percentage\r\n"
            "\"'=HYPERLINK(\"\"x\"\")\",1553,2.60\r\n"
            "\"Ede, Gld\",<5,x\r\n");
}

TEST(TableWriter, XlsxIsAZipWorkbook) {
  DataTable t;
  t.title = "test";
  t.columns = {{"a", ColumnKind::kText}, {"b", ColumnKind::kInteger}};
  t.rows = {{std::string("r"), int64_t{12345}}};
  auto bytes = TableXlsx(t);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
  ASSERT_GT(bytes->size(), 1000u);
  EXPECT_EQ(bytes->substr(0, 2), "PK");
}

}  // namespace
}  // namespace vsv
