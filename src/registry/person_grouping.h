// Grouping a table's rows by person, the step between parsing a registry file and
// its columns: rows come from the parser in parts (one per chunk of the file, in
// file order) and leave in person order, a person's rows sorted, with the offsets of
// every person's rows.
//
// Extracts usually list their rows in person order; those rows stay where the
// parser put them and are only sorted within persons, on all threads. Other rows are
// placed by a counting sort. Both give the same table.
#ifndef VSV_REGISTRY_PERSON_GROUPING_H_
#define VSV_REGISTRY_PERSON_GROUPING_H_

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "core/column.h"
#include "core/parallel.h"
#include "registry/registry.h"

namespace vsv {

// Rows of a file in file order, as parsed chunk by chunk. A Row has a `person`.
template <typename Row>
using RowParts = std::vector<std::vector<Row>>;

// A table's rows grouped by person: in person order, a person's rows ordered by the
// `less` of GroupByPerson. `ranges` are the table in order, `starts` the table index
// of each range's first row; `storage` holds the rows.
template <typename Row>
struct GroupedRows {
  RowParts<Row> storage;
  std::vector<std::span<const Row>> ranges;
  std::vector<size_t> starts;
  size_t size = 0;

  void AddRange(std::span<const Row> range) {
    if (range.empty()) return;
    ranges.push_back(range);
    starts.push_back(size);
    size += range.size();
  }
};

// Calls set(row, i) for every row of the table and its index i, on all threads.
template <typename Row, typename Set>
void ForEachRow(const GroupedRows<Row>& rows, int threads, Set set) {
  ParallelFor(rows.ranges.size(), static_cast<size_t>(threads), [&](size_t k) {
    size_t i = rows.starts[k];
    for (const Row& r : rows.ranges[k]) set(r, i++);
  });
}

namespace grouping_detail {

// Whether the parts list their rows in person order, as extracts usually do.
template <typename Row>
bool InPersonOrder(const RowParts<Row>& parts, int threads) {
  std::vector<char> ordered(parts.size());
  ParallelFor(parts.size(), static_cast<size_t>(threads), [&](size_t i) {
    ordered[i] = std::is_sorted(parts[i].begin(), parts[i].end(),
                                [](const Row& a, const Row& b) { return a.person < b.person; });
  });
  if (std::find(ordered.begin(), ordered.end(), 0) != ordered.end()) return false;
  const Row* last = nullptr;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (last && part.front().person < last->person) return false;
    last = &part.back();
  }
  return true;
}

// Sorts a person's rows by `less` when they are not already, and sets the person's
// row count in offsets[person + 1]; `rows` must be ordered by person.
template <typename Row, typename Less>
void SortEachPerson(std::span<Row> rows, Less less, std::vector<uint32_t>* offsets) {
  for (size_t begin = 0, end; begin < rows.size(); begin = end) {
    end = begin + 1;
    while (end < rows.size() && rows[end].person == rows[begin].person) ++end;
    auto first = rows.begin() + begin, last = rows.begin() + end;
    if (end - begin > 1 && !std::is_sorted(first, last, less)) std::sort(first, last, less);
    (*offsets)[rows[begin].person + 1] = static_cast<uint32_t>(end - begin);
  }
}

// Rows already in person order stay where they are: a person whose rows continue
// at the start of the next part has them moved to the part where they start, then
// each part is sorted within persons on its own thread.
template <typename Row, typename Less>
GroupedRows<Row> GroupInPlace(RowParts<Row> parts, int threads, Less less,
                              std::vector<uint32_t>* offsets) {
  std::vector<size_t> first(parts.size(), 0);  // rows moved to an earlier part
  for (size_t i = 0, owner = SIZE_MAX; i < parts.size(); ++i) {
    if (owner != SIZE_MAX) {
      const PersonIndex person = parts[owner].back().person;
      while (first[i] < parts[i].size() && parts[i][first[i]].person == person) {
        parts[owner].push_back(parts[i][first[i]++]);
      }
    }
    if (first[i] < parts[i].size()) owner = i;
  }
  auto own_rows = [&](size_t i) { return std::span<Row>(parts[i]).subspan(first[i]); };
  ParallelFor(parts.size(), static_cast<size_t>(threads),
              [&](size_t i) { SortEachPerson(own_rows(i), less, offsets); });
  GroupedRows<Row> grouped;
  for (size_t i = 0; i < parts.size(); ++i) grouped.AddRange(own_rows(i));
  grouped.storage = std::move(parts);
  return grouped;
}

// Rows in any order: a counting sort by person (O(n)), each part freed once placed
// so that the rows are held about once.
template <typename Row, typename Less>
GroupedRows<Row> GroupByScatter(RowParts<Row> parts, int threads, Less less,
                                std::vector<uint32_t>* offsets) {
  std::vector<uint32_t> next(offsets->size(), 0);
  for (const auto& part : parts) {
    for (const Row& r : part) ++next[r.person + 1];
  }
  std::partial_sum(next.begin(), next.end(), next.begin());
  std::vector<Row> sorted(next.back());
  for (auto& part : parts) {
    for (const Row& r : part) sorted[next[r.person]++] = r;
    std::vector<Row>().swap(part);
  }
  // Blocks of whole persons, sorted within persons on all threads.
  std::vector<std::span<Row>> blocks;
  constexpr size_t kBlock = 1 << 16;
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = std::min(sorted.size(), begin + kBlock);
    while (end < sorted.size() && sorted[end].person == sorted[end - 1].person) ++end;
    blocks.push_back(std::span<Row>(sorted).subspan(begin, end - begin));
    begin = end;
  }
  ParallelFor(blocks.size(), static_cast<size_t>(threads),
              [&](size_t i) { SortEachPerson(blocks[i], less, offsets); });
  GroupedRows<Row> grouped;
  for (std::span<Row> block : blocks) grouped.AddRange(block);
  grouped.storage.push_back(std::move(sorted));
  return grouped;
}

}  // namespace grouping_detail

// Groups rows by person, within a person ordered by `less`, and fills the
// grouping's offsets. The result does not depend on the input row order as long as
// `less` orders on every field.
template <typename Row, typename Less>
GroupedRows<Row> GroupByPerson(RowParts<Row> parts, size_t person_count, int threads, Less less,
                               PersonGrouping* grouping) {
  std::vector<uint32_t> offsets(person_count + 1, 0);  // first the counts
  namespace detail = grouping_detail;
  GroupedRows<Row> grouped =
      detail::InPersonOrder(parts, threads)
          ? detail::GroupInPlace(std::move(parts), threads, less, &offsets)
          : detail::GroupByScatter(std::move(parts), threads, less, &offsets);
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  grouping->offsets = Column<uint32_t>(std::move(offsets));
  return grouped;
}

}  // namespace vsv

#endif  // VSV_REGISTRY_PERSON_GROUPING_H_
