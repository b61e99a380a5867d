#include "registry/person_grouping.h"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

namespace vsv {
namespace {

struct Row {
  PersonIndex person;
  int value;
  friend bool operator==(const Row&, const Row&) = default;
};

bool ByValue(const Row& a, const Row& b) { return a.value < b.value; }

struct Table {
  std::vector<Row> rows;
  std::vector<uint32_t> offsets;
};

Table Group(RowParts<Row> parts, size_t persons, int threads) {
  PersonGrouping grouping;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(parts), persons, threads, ByValue, &grouping);
  Table table;
  table.rows.resize(grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) { table.rows[i] = r; });
  table.offsets.assign(grouping.offsets.begin(), grouping.offsets.end());
  return table;
}

// Every person's rows in person order, sorted by value: what any input must give.
Table Expected(std::vector<Row> rows, size_t persons) {
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return std::tie(a.person, a.value) < std::tie(b.person, b.value); });
  Table table{rows, std::vector<uint32_t>(persons + 1, 0)};
  for (const Row& r : rows) ++table.offsets[r.person + 1];
  for (size_t p = 0; p < persons; ++p) table.offsets[p + 1] += table.offsets[p];
  return table;
}

// Cuts rows into parts at the given sizes.
RowParts<Row> Cut(const std::vector<Row>& rows, const std::vector<size_t>& sizes) {
  RowParts<Row> parts;
  size_t at = 0;
  for (size_t n : sizes) {
    parts.emplace_back(rows.begin() + at, rows.begin() + at + n);
    at += n;
  }
  parts.emplace_back(rows.begin() + at, rows.end());
  return parts;
}

// Person 1 runs through three parts (the middle one holds nothing else), person 3
// continues after an empty part, person 4 has no rows; values within a person are
// out of order.
const std::vector<Row> kInPersonOrder = {
    {0, 2}, {0, 1}, {1, 9}, {1, 3}, {1, 7}, {1, 5}, {1, 4}, {2, 1},
    {3, 8}, {3, 2}, {3, 5}, {5, 1}, {5, 0}};

TEST(PersonGroupingTest, RowsInPersonOrderSplitAcrossParts) {
  const Table expected = Expected(kInPersonOrder, 6);
  for (int threads : {1, 2, 3}) {
    const Table got = Group(Cut(kInPersonOrder, {3, 2, 4, 1, 0}), 6, threads);
    EXPECT_EQ(got.rows, expected.rows) << threads;
    EXPECT_EQ(got.offsets, expected.offsets) << threads;
  }
}

TEST(PersonGroupingTest, RowsInAnyOrderGiveTheSameTable) {
  std::vector<Row> shuffled = kInPersonOrder;
  std::mt19937 rng(5);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const Table got = Group(Cut(shuffled, {4, 4}), 6, 2);
    EXPECT_EQ(got.rows, Expected(kInPersonOrder, 6).rows);
    EXPECT_EQ(got.offsets, Expected(kInPersonOrder, 6).offsets);
  }
}

TEST(PersonGroupingTest, ManyRowsBothWays) {
  // Large enough for the counting sort to cut the table into several blocks.
  std::vector<Row> rows;
  std::mt19937 rng(9);
  for (PersonIndex p = 0; p < 100000; ++p) {
    for (int k = static_cast<int>(rng() % 4); k > 0; --k) rows.push_back({p, static_cast<int>(rng() % 1000)});
  }
  const Table expected = Expected(rows, 100000);
  const Table in_order = Group(Cut(rows, {rows.size() / 3, rows.size() / 3}), 100000, 2);
  EXPECT_EQ(in_order.rows, expected.rows);
  EXPECT_EQ(in_order.offsets, expected.offsets);
  std::shuffle(rows.begin(), rows.end(), rng);
  const Table shuffled = Group(Cut(rows, {rows.size() / 2}), 100000, 2);
  EXPECT_EQ(shuffled.rows, expected.rows);
  EXPECT_EQ(shuffled.offsets, expected.offsets);
}

TEST(PersonGroupingTest, NoRows) {
  const Table got = Group(RowParts<Row>(3), 2, 2);
  EXPECT_TRUE(got.rows.empty());
  EXPECT_EQ(got.offsets, (std::vector<uint32_t>{0, 0, 0}));
}

}  // namespace
}  // namespace vsv
