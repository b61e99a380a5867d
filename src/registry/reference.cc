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

// The first percentage in a note ("Winsum divided; 87.7% of addresses" -> 87.7).
std::optional<double> ShareInNote(std::string_view note) {
  const size_t pct = note.find('%');
  if (pct == std::string_view::npos) return std::nullopt;
  size_t begin = pct;
  while (begin > 0 && ((note[begin - 1] >= '0' && note[begin - 1] <= '9') || note[begin - 1] == '.')) --begin;
  if (begin == pct) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(note.data() + begin, note.data() + pct, value);
  if (ec != std::errc() || ptr != note.data() + pct) return std::nullopt;
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
  if (FileExists(dir + "/mergers.csv")) {
    auto file = OpenReferenceFile(dir, "mergers.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"date", "old_code", "new_code", "type"});
    if (!cols) return tl::unexpected(cols.error());
    const int old_name_col = file->ColumnIndex("old_name");
    const int new_name_col = file->ColumnIndex("new_name");
    const int note_col = file->ColumnIndex("note");
    const int share_col = file->ColumnIndex("share");
    std::vector<bool> known(10000, false);
    for (const MunicipalityPeriod& m : ref.municipalities_) known[static_cast<size_t>(m.code)] = true;
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      MunicipalityChange c;
      auto date = ParseDate(Field(r, (*cols)[0]));
      if (!date) return tl::unexpected(FieldError(*file, r, "date", Field(r, (*cols)[0]), "a date YYYY-MM-DD"));
      c.date = *date;
      for (int k : {1, 2}) {
        std::string_view code = Field(r, (*cols)[k]);
        auto number = ParseNumber<int>(code);
        const char* name = k == 1 ? "old_code" : "new_code";
        if (code.size() != 4 || !number) {
          return tl::unexpected(FieldError(*file, r, name, code, "a 4-digit CBS code"));
        }
        if (!known[static_cast<size_t>(*number)]) {
          return tl::unexpected(FieldError(*file, r, name, code, "a code of municipalities.csv"));
        }
        (k == 1 ? c.old_code : c.new_code) = static_cast<Municipality>(*number);
      }
      std::string_view type = Field(r, (*cols)[3]);
      if (type == "merger") c.type = ChangeType::kMerger;
      else if (type == "absorption") c.type = ChangeType::kAbsorption;
      else if (type == "split") c.type = ChangeType::kSplit;
      else if (type == "recode") c.type = ChangeType::kRecode;
      else return tl::unexpected(FieldError(*file, r, "type", type, "merger, absorption, split or recode"));
      c.old_name = std::string(Field(r, old_name_col));
      c.new_name = std::string(Field(r, new_name_col));
      c.note = std::string(Field(r, note_col));
      if (!Field(r, share_col).empty()) {
        auto share = ParseNumber<double>(Field(r, share_col));
        if (!share || *share < 0 || *share > 100) {
          return tl::unexpected(FieldError(*file, r, "share", Field(r, share_col), "empty or a percentage 0-100"));
        }
        c.share = *share;
      } else {
        c.share = ShareInNote(c.note);
      }
      ref.changes_.push_back(std::move(c));
      return {};
    });
    if (!st) return tl::unexpected(st.error());
  }
  if (FileExists(dir + "/municipalities_by_year.csv")) {
    auto file = OpenReferenceFile(dir, "municipalities_by_year.csv");
    if (!file) return tl::unexpected(file.error());
    auto cols = file->RequireColumns({"year"});
    if (!cols) return tl::unexpected(cols.error());
    auto st = ForEachRecord(*file, [&](const CsvRecord& r) -> Status {
      auto year = ParseNumber<int>(Field(r, (*cols)[0]));
      if (!year) return tl::unexpected(FieldError(*file, r, "year", Field(r, (*cols)[0]), "a year"));
      ref.last_year_ = std::max(ref.last_year_, *year);
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
  for (const MunicipalityPeriod& m : ref.municipalities_) {
    ref.last_year_ = std::max({ref.last_year_, m.first_year, m.last_year == kOpenYear ? 0 : m.last_year + 1});
  }
  for (const RegionInfo& r : ref.regions_) {
    ref.last_year_ = std::max({ref.last_year_, r.first_year, r.last_year == kOpenYear ? 0 : r.last_year + 1});
  }
  ref.ComputeValidity();
  return ref;
}

void Reference::ComputeValidity() {
  validity_.assign(10000, CodeValidity{});
  std::vector<int> first(10000, kOpenYear), last(10000, 0);
  for (const MunicipalityPeriod& m : municipalities_) {
    const auto c = static_cast<size_t>(m.code);
    first[c] = std::min(first[c], m.first_year);
    last[c] = std::max(last[c], m.last_year);
  }
  for (size_t c = 0; c < validity_.size(); ++c) {
    if (first[c] == kOpenYear) continue;
    // A school year Y holds the codes that exist on 1 October Y.
    validity_[c].from = first[c] <= first_year_ ? kNoDate : Teldatum(first[c] - 1) + 1;
    validity_[c].to = last[c] == kOpenYear ? kOpenEnd : Teldatum(last[c] + 1) - 1;
  }
  // The exact dates where mergers.csv has them.
  for (const MunicipalityChange& ch : changes_) {
    CodeValidity& created = validity_[static_cast<size_t>(ch.new_code)];
    const int fy = first[static_cast<size_t>(ch.new_code)];
    if (created.from != kNoDate && ch.date >= created.from && ch.date <= Teldatum(fy)) created.from = ch.date;
    CodeValidity& ended = validity_[static_cast<size_t>(ch.old_code)];
    const int ly = last[static_cast<size_t>(ch.old_code)];
    if (ended.to != kOpenEnd && ch.date > Teldatum(ly) && ch.date - 1 <= ended.to) ended.to = ch.date - 1;
  }
  successor_.assign(10000, -1);
  for (size_t c = 0; c < successor_.size(); ++c) {
    const MunicipalityChange* best = nullptr;
    bool best_legal = false;
    for (const MunicipalityChange& ch : changes_) {
      if (static_cast<size_t>(ch.old_code) != c) continue;
      const std::string code = fmt::format("{:04d}", ch.new_code);
      const bool legal = ch.note.find("legal successor") != std::string::npos ||
                         ch.note.find("gives " + code) != std::string::npos;
      if (!best) {
        best = &ch;
        best_legal = legal;
      } else if (ch.share && (!best->share || *ch.share > *best->share)) {
        best = &ch;
        best_legal = legal;
      } else if (!ch.share && !best->share && legal && !best_legal) {
        best = &ch;
        best_legal = true;
      }
    }
    if (best) successor_[c] = best->new_code;
  }
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

Municipality Reference::CodeIn(Municipality code, int year) const {
  Municipality x = code;
  const Date teldatum = Teldatum(year);
  // Each step moves to another code; reorganisations are few, so a chain is short.
  for (int step = 0; step < 64 && x >= 0; ++step) {
    if (Find(x, year)) return x;
    const CodeValidity v = ValidityOf(x);
    if (!v.known()) return -1;
    if (v.to < teldatum) {
      x = successor_[static_cast<size_t>(x)];
    } else if (v.from > teldatum) {
      // Created after `year`: its first predecessor listed in mergers.csv.
      Municipality before = -1;
      for (const MunicipalityChange& ch : changes_) {
        if (ch.new_code == x && ch.date == v.from && ch.type != ChangeType::kAbsorption) {
          before = ch.old_code;
          break;
        }
      }
      x = before;
    } else {
      return -1;
    }
  }
  return -1;
}

Municipality Reference::SuccessorOf(Municipality code) const {
  return code >= 0 && static_cast<size_t>(code) < successor_.size() ? successor_[static_cast<size_t>(code)] : -1;
}

int Reference::RegionOf(Municipality code, int year) const {
  const Municipality now = CodeIn(code, year);
  const MunicipalityPeriod* m = now >= 0 ? Find(now, year) : nullptr;
  return m ? m->region : -1;
}

std::vector<int8_t> Reference::RegionTable(int year) const { return DivisionOf(year).region; }

const AreaChange* Division::AreaChangeOf(int r) const {
  for (const AreaChange& c : area_changes) {
    if (c.region == r) return &c;
  }
  return nullptr;
}

Division Reference::DivisionOf(int year) const {
  Division d;
  d.year = year;
  d.municipality.assign(10000, -1);
  d.region.assign(10000, -1);
  std::vector<int8_t> region_now(10000, -1);
  for (const MunicipalityPeriod& m : municipalities_) {
    if (m.first_year <= year && year <= m.last_year) region_now[static_cast<size_t>(m.code)] = m.region;
  }
  for (size_t c = 0; c < validity_.size(); ++c) {
    if (!validity_[c].known()) continue;
    const Municipality now = CodeIn(static_cast<Municipality>(c), year);
    d.municipality[c] = now;
    d.region[c] = now >= 0 ? region_now[static_cast<size_t>(now)] : int8_t{-1};
  }
  // What moved between the division of the year before and this one.
  if (year - 1 < first_year_) return d;
  auto change_of = [&](int r) -> AreaChange& {
    for (AreaChange& c : d.area_changes) {
      if (c.region == r) return c;
    }
    d.area_changes.push_back(AreaChange{r, false, {}, {}});
    return d.area_changes.back();
  };
  for (const MunicipalityPeriod& m : municipalities_) {
    if (!(m.first_year <= year - 1 && year - 1 <= m.last_year)) continue;
    // Every code of this year that holds part of m's territory.
    std::vector<Municipality> parts, todo = {m.code};
    while (!todo.empty()) {
      const Municipality x = todo.back();
      todo.pop_back();
      if (region_now[static_cast<size_t>(x)] >= 0) {
        parts.push_back(x);
        continue;
      }
      for (const MunicipalityChange& ch : changes_) {
        if (ch.old_code == x && ch.date <= Teldatum(year) && todo.size() < 64) todo.push_back(ch.new_code);
      }
    }
    for (Municipality now : parts) {
      const int r = region_now[static_cast<size_t>(now)];
      if (r == m.region) continue;
      change_of(m.region).lost.push_back({m.code, m.name, now, r});
      change_of(r).gained.push_back({m.code, m.name, now, m.region});
    }
  }
  for (const RegionInfo& r : regions_) {
    if (r.first_year != year) continue;
    const bool before = std::any_of(regions_.begin(), regions_.end(), [&](const RegionInfo& o) {
      return o.code == r.code && o.first_year <= year - 1 && year - 1 <= o.last_year;
    });
    if (!before) change_of(r.code).new_region = true;
  }
  std::sort(d.area_changes.begin(), d.area_changes.end(),
            [](const AreaChange& a, const AreaChange& b) { return a.region < b.region; });
  return d;
}

std::string Reference::NameOf(Municipality code) const {
  const MunicipalityPeriod* m = FindAny(code);
  return m ? m->name : std::string();
}

std::string Reference::NearestValid(Municipality code, Date date) const {
  auto named = [&](Municipality c) { return fmt::format("{:04d} {}", c, NameOf(c)); };
  const CodeValidity v = ValidityOf(code);
  if (v.known() && date > v.to) {
    Municipality x = code;
    for (int step = 0; step < 64; ++step) {
      const Municipality next = SuccessorOf(x);
      if (next < 0) break;
      x = next;
      if (ValidityOf(x).Covers(date)) {
        return fmt::format("{} (successor of {:04d}, which ended on {}; mergers.csv)", named(x), code,
                           FormatDate(v.to));
      }
    }
  } else if (v.known() && date < v.from) {
    std::vector<std::string> before;
    for (const MunicipalityChange& ch : changes_) {
      if (ch.new_code == code && ch.date == v.from && ValidityOf(ch.old_code).Covers(date)) {
        before.push_back(named(ch.old_code));
      }
    }
    if (!before.empty()) {
      return fmt::format("{} ({:04d} was formed from {} on {}; mergers.csv)", fmt::join(before, " or "), code,
                         before.size() == 1 ? "it" : "them", FormatDate(v.from));
    }
  }
  Municipality best = -1;
  for (size_t c = 0; c < validity_.size(); ++c) {
    if (!validity_[c].Covers(date)) continue;
    const int distance = std::abs(static_cast<int>(c) - code);
    if (best < 0 || distance < std::abs(best - code)) best = static_cast<Municipality>(c);
  }
  if (best < 0) return "none (the reference has no municipality on that date)";
  return fmt::format("{} (the valid code nearest in number)", named(best));
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
