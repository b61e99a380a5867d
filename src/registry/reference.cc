#include "registry/reference.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/csv_reader.h"
#include "core/file_util.h"

namespace vsv {

namespace {

// Reads all records of a small reference file, calling `row(fields, line)` for each.
template <typename RowFn>
Status ForEachRecord(const CsvFile& file, RowFn row) {
  for (CsvCursor& cursor : file.Chunks(1)) {
    CsvRecord record;
    for (;;) {
      auto more = cursor.Next(&record);
      if (!more) return tl::unexpected(more.error());
      if (!*more) break;
      if (auto st = row(record); !st) return st;
    }
  }
  return {};
}

std::string_view Field(const CsvRecord& r, int column) {
  return column >= 0 && static_cast<size_t>(column) < r.fields.size() ? r.fields[column]
                                                                      : std::string_view();
}

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

Error FieldError(const CsvFile& file, const CsvRecord& r, std::string_view column,
                 std::string_view value, std::string_view expected) {
  return Error{fmt::format("{}:{}: column '{}': value '{}' is not valid; expected {}",
                           file.name(), r.line, column, value, expected)};
}

// first_year is required; an empty last_year means "still valid".
Status ParseYears(const CsvFile& file, const CsvRecord& r, int first_col, int last_col,
                  int* first, int* last) {
  auto f = ParseNumber<int>(Field(r, first_col));
  if (!f) return tl::unexpected(FieldError(file, r, "first_year", Field(r, first_col), "a year"));
  *first = *f;
  *last = kOpenYear;
  if (!Field(r, last_col).empty()) {
    auto l = ParseNumber<int>(Field(r, last_col));
    if (!l || *l < *f) {
      return tl::unexpected(FieldError(file, r, "last_year", Field(r, last_col),
                                       "empty or a year not before first_year"));
    }
    *last = *l;
  }
  return {};
}

Result<CsvFile> OpenReferenceFile(const std::string& dir, std::string_view name) {
  return CsvFile::Open(dir + "/" + std::string(name), std::string(name));
}

}  // namespace

Result<Reference> Reference::Load(const std::string& dir) {
  if (!IsDirectory(dir)) {
    return MakeError(fmt::format("{}: reference directory not found", dir));
  }
  Reference ref;
  {
    auto file = OpenReferenceFile(dir, "regions.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"code", "name", "first_year", "last_year"});
    if (!cols) return tl::unexpected(cols.error());
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      RegionInfo info;
      auto code = ParseNumber<int>(Field(r, (*cols)[0]));
      if (!code || *code < 1 || *code > 99) {
        return tl::unexpected(FieldError(*file, r, "code", Field(r, (*cols)[0]), "01..99"));
      }
      info.code = static_cast<int8_t>(*code);
      info.name = std::string(Field(r, (*cols)[1]));
      if (auto y = ParseYears(*file, r, (*cols)[2], (*cols)[3], &info.first_year, &info.last_year); !y)
        return y;
      ref.regions_.push_back(std::move(info));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
  }
  {
    auto file = OpenReferenceFile(dir, "municipalities.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"code", "name", "region", "first_year", "last_year"});
    if (!cols) return tl::unexpected(cols.error());
    const int province_col = file->ColumnIndex("province");
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      MunicipalityPeriod m;
      std::string_view code = Field(r, (*cols)[0]);
      auto number = ParseNumber<int>(code);
      if (code.size() != 4 || !number) {
        return tl::unexpected(FieldError(*file, r, "code", code, "a 4-digit CBS code"));
      }
      m.code = static_cast<Municipality>(*number);
      m.name = std::string(Field(r, (*cols)[1]));
      auto region = ParseNumber<int>(Field(r, (*cols)[2]));
      if (!region || *region < 1 || *region > 99) {
        return tl::unexpected(FieldError(*file, r, "region", Field(r, (*cols)[2]), "01..99"));
      }
      m.region = static_cast<int8_t>(*region);
      m.province = std::string(Field(r, province_col));
      if (auto y = ParseYears(*file, r, (*cols)[3], (*cols)[4], &m.first_year, &m.last_year); !y)
        return y;
      ref.first_year_ = std::min(ref.first_year_, m.first_year);
      ref.municipalities_.push_back(std::move(m));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
  }
  if (FileExists(dir + "/targets.csv")) {
    auto file = OpenReferenceFile(dir, "targets.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"year", "max_new_vsv"});
    if (!cols) return tl::unexpected(cols.error());
    const int source_col = file->ColumnIndex("source");
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      auto year = ParseNumber<int>(Field(r, (*cols)[0]));
      auto max = ParseNumber<int64_t>(Field(r, (*cols)[1]));
      if (!year) return tl::unexpected(FieldError(*file, r, "year", Field(r, (*cols)[0]), "a year"));
      if (!max) {
        return tl::unexpected(FieldError(*file, r, "max_new_vsv", Field(r, (*cols)[1]), "a whole number"));
      }
      ref.targets_.push_back({*year, *max, std::string(Field(r, source_col))});
      return {};
    });
    if (!st) return tl::unexpected(st.error());
  }
  if (FileExists(dir + "/national_figures.csv")) {
    auto file = OpenReferenceFile(dir, "national_figures.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"school_year"});
    if (!cols) return tl::unexpected(cols.error());
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      NationalFigure f;
      std::string_view sy = Field(r, (*cols)[0]);
      auto year = ParseNumber<int>(sy.substr(0, 4));
      if (sy.size() != 9 || !year) {
        return tl::unexpected(FieldError(*file, r, "school_year", sy, "YYYY-YYYY"));
      }
      f.school_year = *year;
      auto integer = [&](const char* name) {
        return ParseNumber<int64_t>(Field(r, file->ColumnIndex(name)));
      };
      auto decimal = [&](const char* name) {
        return ParseNumber<double>(Field(r, file->ColumnIndex(name)));
      };
      f.total_new_vsv = integer("total_new_vsv");
      f.vo_new_vsv = integer("vo_new_vsv");
      f.mbo_new_vsv = integer("mbo_new_vsv");
      f.start_population = integer("start_population");
      f.vo_pct = decimal("vo_pct");
      f.mbo_pct = decimal("mbo_pct");
      f.total_pct = decimal("total_pct");
      f.status = std::string(Field(r, file->ColumnIndex("status")));
      f.source = std::string(Field(r, file->ColumnIndex("source")));
      ref.figures_.push_back(std::move(f));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
  }
  return ref;
}

const MunicipalityPeriod* Reference::Find(Municipality code, int year) const {
  for (const MunicipalityPeriod& m : municipalities_) {
    if (m.code == code && m.first_year <= year && year <= m.last_year) return &m;
  }
  return nullptr;
}

const MunicipalityPeriod* Reference::FindAny(Municipality code) const {
  const MunicipalityPeriod* best = nullptr;
  for (const MunicipalityPeriod& m : municipalities_) {
    if (m.code == code && (!best || m.first_year > best->first_year)) best = &m;
  }
  return best;
}

int Reference::RegionOf(Municipality code, int year) const {
  const MunicipalityPeriod* m = Find(code, year);
  return m ? m->region : -1;
}

std::vector<int8_t> Reference::RegionTable(int year) const {
  std::vector<int8_t> table(10000, -1);
  for (const MunicipalityPeriod& m : municipalities_) {
    if (m.first_year <= year && year <= m.last_year) table[m.code] = m.region;
  }
  return table;
}

bool Reference::Knows(Municipality code) const { return FindAny(code) != nullptr; }

const RegionInfo* Reference::FindRegion(int code, int year) const {
  for (const RegionInfo& r : regions_) {
    if (r.code == code && r.first_year <= year && year <= r.last_year) return &r;
  }
  for (const RegionInfo& r : regions_) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::optional<int64_t> Reference::TargetFor(int year) const {
  for (const NationalTarget& t : targets_) {
    if (t.year == year) return t.max_new_vsv;
  }
  return std::nullopt;
}

}  // namespace vsv
