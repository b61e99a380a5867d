#include "registry/loader.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <functional>
#include <iterator>
#include <numeric>
#include <span>

#include <fmt/format.h>

#include "core/csv_reader.h"
#include "core/file_util.h"
#include "core/parallel.h"
#include "registry/person_grouping.h"
#include "registry/snapshot.h"

namespace vsv {

namespace {

// ---------------------------------------------------------------------------
// Field parsing with complete error messages.

// The last person found in a chunk. Registry files usually list a person's rows
// together and in person order, so most lookups are that person or one of the next
// few (sorted ids: sequential memory) and never touch the hash table.
struct LastPerson {
  int64_t index = -1;
};

// The record being parsed and the file it came from: everything an error needs.
struct RowContext {
  const CsvFile& file;
  const CsvRecord& record;
  LastPerson& last_person;
};

tl::unexpected<Error> FieldError(const RowContext& ctx, int col, std::string_view value,
                                 std::string_view expected) {
  return MakeError(fmt::format("{}:{}, column {} '{}': value '{}' is not valid; expected {}",
                               ctx.file.name(), ctx.record.line, col + 1,
                               ctx.file.header()[col], value, expected));
}

std::string_view Field(const RowContext& ctx, int col) { return ctx.record.fields[col]; }

Result<Date> DateField(const RowContext& ctx, int col) {
  std::string_view v = Field(ctx, col);
  auto d = ParseDate(v);
  if (!d) return FieldError(ctx, col, v, "a date YYYY-MM-DD");
  return *d;
}

// An empty end date is open-ended.
Result<Date> EndDateField(const RowContext& ctx, int col) {
  std::string_view v = Field(ctx, col);
  if (v.empty()) return kOpenEnd;
  auto d = ParseDate(v);
  if (!d) return FieldError(ctx, col, v, "a date YYYY-MM-DD or empty");
  return *d;
}

Result<uint8_t> BoolField(const RowContext& ctx, int col) {
  std::string_view v = Field(ctx, col);
  if (v == "0") return 0;
  if (v == "1") return 1;
  return FieldError(ctx, col, v, "0 or 1");
}

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T value{};
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsBrin(std::string_view s) {
  return s.size() == 4 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

bool IsValidPersonId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c > ' ' - 1 && c < 127 && c != ',' && c != '"'; });
}

template <typename E>
Result<E> EnumField(const RowContext& ctx, int col, std::optional<E> (*parse)(std::string_view),
                    std::string_view expected) {
  std::string_view v = Field(ctx, col);
  auto e = parse(v);
  if (!e) return FieldError(ctx, col, v, expected);
  return *e;
}

// ---------------------------------------------------------------------------
// Person lookup: ids are sorted; an open-addressing hash table maps id -> index.

class PersonIndexMap {
 public:
  explicit PersonIndexMap(const PersonTable& persons) : persons_(persons) {
    size_t capacity = 16;
    while (capacity < persons.size() * 2) capacity <<= 1;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{kEmpty, 0});
    for (PersonIndex p = 0; p < persons.size(); ++p) {
      const size_t h = Hash(persons.Id(p));
      size_t slot = h & mask_;
      while (slots_[slot].index != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = {p, Fingerprint(h)};
    }
  }
  const PersonTable& persons() const { return persons_; }
  int64_t Find(std::string_view id) const {
    const size_t h = Hash(id);
    const uint32_t fingerprint = Fingerprint(h);
    for (size_t slot = h & mask_; slots_[slot].index != kEmpty; slot = (slot + 1) & mask_) {
      // The fingerprint spares most string comparisons (and their cache misses).
      if (slots_[slot].fingerprint == fingerprint && persons_.Id(slots_[slot].index) == id) {
        return slots_[slot].index;
      }
    }
    return -1;
  }

 private:
  struct Slot {
    uint32_t index;
    uint32_t fingerprint;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static size_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
  static uint32_t Fingerprint(size_t h) { return static_cast<uint32_t>(h >> 32); }
  const PersonTable& persons_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

Result<PersonIndex> PersonField(const RowContext& ctx, int col, const PersonIndexMap& map) {
  std::string_view v = Field(ctx, col);
  const PersonTable& persons = map.persons();
  if (const int64_t last = ctx.last_person.index; last >= 0) {
    const int64_t ahead = std::min<int64_t>(last + 4, static_cast<int64_t>(persons.size()));
    for (int64_t q = last; q < ahead; ++q) {
      if (persons.Id(static_cast<PersonIndex>(q)) == v) {
        ctx.last_person.index = q;
        return static_cast<PersonIndex>(q);
      }
    }
  }
  const int64_t p = map.Find(v);
  if (p >= 0) ctx.last_person.index = p;
  if (p < 0) return FieldError(ctx, col, v, "a person_id that exists in persons.csv");
  return static_cast<PersonIndex>(p);
}

// ---------------------------------------------------------------------------
// Parsing a whole file in parallel chunks.

// Parses every record of `file` with `parse(ctx, row)`. The file is cut into more
// chunks than threads; each thread takes the next chunk and lets go of its memory
// when done, so a large file is never held whole. On errors, the one on the lowest
// line wins, so the message does not depend on the number of threads.
template <typename Row, typename ParseFn>
Result<RowParts<Row>> ParseRows(const CsvFile& file, int threads, ParseFn parse) {
  std::vector<CsvCursor> chunks = file.Chunks(threads * 16, threads);
  RowParts<Row> parts(chunks.size());
  std::vector<std::optional<std::pair<int64_t, Error>>> errors(chunks.size());
  const size_t width = file.header().size();
  auto parse_chunk = [&](size_t i) {
    CsvRecord record;
    LastPerson last_person;
    // Room for the chunk's rows up front (estimated from its first 64 KB): no
    // regrowth copies.
    const std::string_view text = chunks[i].data();
    const size_t sample = std::min<size_t>(text.size(), 1 << 16);
    const size_t lines = static_cast<size_t>(std::count(text.begin(), text.begin() + sample, '\n'));
    if (lines > 0) parts[i].reserve(text.size() / sample * lines + lines);
    for (;;) {
      auto more = chunks[i].Next(&record);
      // Next sets the record's line before it can fail.
      if (!more) { errors[i].emplace(record.line, more.error()); return; }
      if (!*more) return;
      if (record.fields.size() != width) {
        errors[i].emplace(record.line, Error{fmt::format(
            "{}:{}: expected {} fields as in the header, found {}", file.name(), record.line,
            width, record.fields.size())});
        return;
      }
      Row row;
      auto st = parse(RowContext{file, record, last_person}, &row);
      if (!st) { errors[i].emplace(record.line, st.error()); return; }
      parts[i].push_back(row);
    }
  };
  ParallelFor(chunks.size(), static_cast<size_t>(threads), [&](size_t i) {
    parse_chunk(i);
    file.ReleaseChunk(chunks[i]);
  });
  const std::pair<int64_t, Error>* first = nullptr;
  for (const auto& e : errors) {
    if (e && (!first || e->first < first->first)) first = &*e;
  }
  if (first) return tl::unexpected(first->second);
  return parts;
}

// All rows in file order in one vector (for the tables that are not grouped per person).
template <typename Row>
std::vector<Row> Flatten(RowParts<Row> parts) {
  std::vector<Row> rows = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    std::move(parts[i].begin(), parts[i].end(), std::back_inserter(rows));
    std::vector<Row>().swap(parts[i]);
  }
  return rows;
}

template <typename Row>
size_t RowCount(const RowParts<Row>& parts) {
  size_t n = 0;
  for (const auto& p : parts) n += p.size();
  return n;
}

// A column of n values to be filled by index.
template <typename T>
T* Sized(Column<T>& column, size_t n) {
  column.resize(n);
  return column.mutable_data();
}

// Notices are counted with their first few examples.
class NoticeCollector {
 public:
  void Add(const std::string& what, std::string example) {
    for (LoadNotice& n : notices_) {
      if (n.what == what) {
        ++n.count;
        if (n.examples.size() < 3) n.examples.push_back(std::move(example));
        return;
      }
    }
    notices_.push_back({what, 1, {std::move(example)}});
  }
  std::vector<LoadNotice> Take() { return std::move(notices_); }

 private:
  std::vector<LoadNotice> notices_;
};

Result<CsvFile> OpenRegistryFile(const std::string& dir, std::string_view name,
                                 std::span<const std::string_view> known, NoticeCollector* notices);
Result<CsvFile> OpenRegistryFile(const std::string& dir, std::string_view name,
                                 std::initializer_list<std::string_view> known, NoticeCollector* notices) {
  return OpenRegistryFile(dir, name, std::span<const std::string_view>(known.begin(), known.size()), notices);
}
Result<CsvFile> OpenRegistryFile(const std::string& dir, std::string_view name,
                                 std::span<const std::string_view> known, NoticeCollector* notices) {
  auto file = CsvFile::Open(dir + "/" + std::string(name), std::string(name));
  if (!file) return file;
  for (const std::string& column : file->UnknownColumns(known)) {
    notices->Add("unknown column ignored", fmt::format("{}: '{}'", name, column));
  }
  return file;
}

// The municipality of a residence or institution, checked against the dates each
// code exists (Reference::ValidityOf: mergers.csv's dates where it has them).
class MunicipalityChecker {
 public:
  explicit MunicipalityChecker(const Reference& ref) : ref_(ref) {}
  // A residence period is valid when its code exists on the day it starts; it may
  // run on across a reorganisation (it is attributed to the successor from then).
  bool ValidOn(Municipality code, Date from) const { return ref_.ValidityOf(code).Covers(from); }
  // An institution location has no dates: its code must exist at some time.
  bool Known(Municipality code) const { return ref_.ValidityOf(code).known(); }
  // What was expected, for the error of a residence in `code` starting on `from`.
  std::string ExpectedOn(Municipality code, Date from, Date to) const {
    const CodeValidity v = ref_.ValidityOf(code);
    std::string existed;
    if (!v.known()) {
      existed = fmt::format("{:04d} is in no school year of the reference data", code);
    } else {
      existed = fmt::format("{:04d} {} exists {}{}", code, ref_.NameOf(code),
                            v.from == kNoDate ? "up to " : "from " + FormatDate(v.from),
                            v.from == kNoDate ? FormatDate(v.to)
                            : v.to == kOpenEnd ? std::string()
                                               : " to " + FormatDate(v.to));
    }
    return fmt::format("a municipality code that exists on {}, the start of this residence period ({} to {}); "
                       "{}; nearest valid code on {}: {}",
                       FormatDate(from), FormatDate(from), to == kOpenEnd ? "open" : FormatDate(to), existed,
                       FormatDate(from), ref_.NearestValid(code, from));
  }

 private:
  const Reference& ref_;
};

Result<Municipality> MunicipalityCode(const RowContext& ctx, int col, bool allow_special) {
  std::string_view v = Field(ctx, col);
  if (allow_special && v == "ABROAD") return kAbroad;
  if (allow_special && v == "NO_FIXED_ADDRESS") return kNoFixedAddress;
  if (v.size() != 4 || !AllDigits(v)) {
    return FieldError(ctx, col, v,
                      allow_special ? "a 4-digit CBS code, ABROAD or NO_FIXED_ADDRESS"
                                    : "a 4-digit CBS code");
  }
  return static_cast<Municipality>(*ParseNumber<int>(v));
}

// ---------------------------------------------------------------------------
// The files.

Status LoadInstitutions(const std::string& dir, const Reference& ref, NoticeCollector* notices,
                        InstitutionTable* out, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "institutions.csv",
                               {"institution", "location", "name", "sector", "municipality"},
                               notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"institution", "location", "name", "sector", "municipality"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    std::string brin;
    int location;
    std::string name;
    Sector sector;
    Municipality municipality;
    int64_t line;
  };
  const MunicipalityChecker checker(ref);
  auto parts = ParseRows<Row>(*file, 1, [&](const RowContext& ctx, Row* row) -> Status {
    std::string_view brin = Field(ctx, (*c)[0]);
    if (!IsBrin(brin)) return FieldError(ctx, (*c)[0], brin, "a 4-character BRIN code (digits and capitals)");
    std::string_view loc = Field(ctx, (*c)[1]);
    if (loc.size() != 2 || !AllDigits(loc)) return FieldError(ctx, (*c)[1], loc, "a 2-digit location code");
    auto sector = EnumField(ctx, (*c)[3], ParseSector, "VO, MBO, VAVO, HO, PRO, VSO or SO");
    if (!sector) return tl::unexpected(sector.error());
    auto m = MunicipalityCode(ctx, (*c)[4], false);
    if (!m) return tl::unexpected(m.error());
    if (!checker.Known(*m)) {
      return FieldError(ctx, (*c)[4], Field(ctx, (*c)[4]),
                        fmt::format("a municipality code of the reference data (in any school year); "
                                    "nearest valid code today: {}",
                                    ref.NearestValid(*m, kOpenEnd - 1)));
    }
    *row = {std::string(brin), *ParseNumber<int>(loc), std::string(Field(ctx, (*c)[2])), *sector,
            *m, ctx.record.line};
    return {};
  });
  if (!parts) return tl::unexpected(parts.error());
  std::vector<Row> rows = Flatten(std::move(*parts));
  *rows_read += static_cast<int64_t>(rows.size());
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.brin, a.location, a.line) < std::tie(b.brin, b.location, b.line);
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (i > 0 && rows[i - 1].brin == r.brin && rows[i - 1].location == r.location) {
      return MakeError(fmt::format("institutions.csv:{}: institution {} location {:02d} appears "
                                   "twice (also on line {}); expected one row per location",
                                   r.line, r.brin, r.location, rows[i - 1].line));
    }
    if (out->brin.empty() || out->brin.back() != r.brin) out->brin.push_back(r.brin);
    out->institution.push_back(static_cast<uint32_t>(out->brin.size() - 1));
    out->location.push_back(static_cast<uint8_t>(r.location));
    out->name.push_back(r.name);
    out->sector.push_back(r.sector);
    out->municipality.push_back(r.municipality);
  }
  out->BuildIndex();
  return {};
}

Status LoadPersons(const std::string& dir, int threads, NoticeCollector* notices,
                   PersonTable* out, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "persons.csv", {"person_id", "birth_date", "sex"}, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "birth_date", "sex"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    std::string id;  // a copy: quoted fields live in a scratch buffer that is reused
    Date birth;
    Sex sex;
    int64_t line;
  };
  auto parts = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    std::string_view id = Field(ctx, (*c)[0]);
    if (!IsValidPersonId(id)) {
      return FieldError(ctx, (*c)[0], id,
                        "1-64 printable ASCII characters without comma or quote");
    }
    auto birth = DateField(ctx, (*c)[1]);
    if (!birth) return tl::unexpected(birth.error());
    auto sex = EnumField(ctx, (*c)[2], ParseSex, "M, V or X");
    if (!sex) return tl::unexpected(sex.error());
    *row = {std::string(id), *birth, *sex, ctx.record.line};
    return {};
  });
  if (!parts) return tl::unexpected(parts.error());
  std::vector<Row> rows = Flatten(std::move(*parts));
  *rows_read += static_cast<int64_t>(rows.size());
  // Extracts are usually sorted by person already; checking is linear, sorting is not.
  auto by_id = [](const Row& a, const Row& b) { return std::tie(a.id, a.line) < std::tie(b.id, b.line); };
  if (!std::is_sorted(rows.begin(), rows.end(), by_id)) std::sort(rows.begin(), rows.end(), by_id);
  out->id_offsets.reserve(rows.size() + 1);
  out->id_offsets.push_back(0);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (i > 0 && rows[i - 1].id == r.id) {
      return MakeError(fmt::format("persons.csv:{}: person_id '{}' appears twice (also on line "
                                   "{}); expected each person once",
                                   r.line, r.id, rows[i - 1].line));
    }
    out->id_chars.append(r.id.begin(), r.id.end());
    out->id_offsets.push_back(static_cast<uint32_t>(out->id_chars.size()));
    out->birth_date.push_back(r.birth);
    out->sex.push_back(r.sex);
  }
  return {};
}

}  // namespace

namespace {

Status LoadResidences(const std::string& dir, const Reference& ref, int threads,
                      const PersonIndexMap& persons, NoticeCollector* notices,
                      Registry* reg, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "residences.csv",
                               {"person_id", "valid_from", "valid_to", "municipality", "postcode4"},
                               notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "valid_from", "valid_to", "municipality"});
  if (!c) return tl::unexpected(c.error());
  const int postcode_col = file->ColumnIndex("postcode4");
  const MunicipalityChecker checker(ref);
  struct Row {
    PersonIndex person;
    Date from, to;
    Municipality municipality;
    int16_t postcode;
    int64_t line;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto p = PersonField(ctx, (*c)[0], persons);
    if (!p) return tl::unexpected(p.error());
    auto from = DateField(ctx, (*c)[1]);
    if (!from) return tl::unexpected(from.error());
    auto to = EndDateField(ctx, (*c)[2]);
    if (!to) return tl::unexpected(to.error());
    if (*to < *from) return FieldError(ctx, (*c)[2], Field(ctx, (*c)[2]), "a date not before valid_from");
    auto m = MunicipalityCode(ctx, (*c)[3], true);
    if (!m) return tl::unexpected(m.error());
    if (IsDutchMunicipality(*m) && !checker.ValidOn(*m, *from)) {
      return FieldError(ctx, (*c)[3], Field(ctx, (*c)[3]), checker.ExpectedOn(*m, *from, *to));
    }
    int16_t postcode = -1;
    if (postcode_col >= 0 && !Field(ctx, postcode_col).empty()) {
      std::string_view v = Field(ctx, postcode_col);
      if (v.size() != 4 || !AllDigits(v)) return FieldError(ctx, postcode_col, v, "4 digits or empty");
      postcode = static_cast<int16_t>(*ParseNumber<int>(v));
    }
    *row = {*p, *from, *to, *m, postcode, ctx.record.line};
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  ResidenceTable& t = reg->residences;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) {
        return std::tie(a.from, a.to, a.municipality, a.postcode, a.line) <
               std::tie(b.from, b.to, b.municipality, b.postcode, b.line);
      }, &t);
  const Row* previous = nullptr;
  for (std::span<const Row> range : grouped.ranges) {
    for (const Row& r : range) {
      if (previous && previous->person == r.person && r.from <= previous->to) {
        const auto [first, second] = std::minmax(previous->line, r.line);
        return MakeError(fmt::format(
            "residences.csv:{}: the residence period of person '{}' from {} overlaps the "
            "period on line {} ({} to {}); expected periods of one person not to overlap",
            second, reg->persons.Id(r.person), FormatDate(r.from), first,
            FormatDate(previous->from), previous->to == kOpenEnd ? "open" : FormatDate(previous->to)));
      }
      previous = &r;
    }
  }
  Date* valid_from = Sized(t.valid_from, grouped.size);
  Date* valid_to = Sized(t.valid_to, grouped.size);
  Municipality* municipality = Sized(t.municipality, grouped.size);
  int16_t* postcode4 = Sized(t.postcode4, grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    valid_from[i] = r.from;
    valid_to[i] = r.to;
    municipality[i] = r.municipality;
    postcode4[i] = r.postcode;
  });
  for (size_t p = 0; p < reg->person_count(); ++p) {
    if (t.offsets[p] == t.offsets[p + 1]) {
      notices->Add("persons without any residence record",
                   std::string(reg->persons.Id(static_cast<PersonIndex>(p))));
    }
  }
  return {};
}

Status LoadEnrolments(const std::string& dir, int threads, const PersonIndexMap& persons,
                      NoticeCollector* notices, Registry* reg, int64_t* rows_read) {
  static constexpr std::array<std::string_view, 14> kColumns = {
      "person_id", "institution", "location", "sector", "funded", "program", "level",
      "pathway", "grade", "newcomer", "international", "outsourced_to_vavo", "start_date",
      "end_date"};
  auto file = OpenRegistryFile(dir, "enrolments.csv", kColumns, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns(kColumns);
  if (!c) return tl::unexpected(c.error());
  enum { kPerson, kInst, kLoc, kSector, kFunded, kProgram, kLevel, kPathway, kGrade,
         kNewcomer, kInternational, kOutsourced, kStart, kEnd };
  const InstitutionTable& inst = reg->institutions;
  struct Row {
    PersonIndex person;
    uint32_t location_row;
    Sector sector;
    uint8_t funded;
    Program program;
    int32_t crebo;
    uint8_t level;
    Pathway pathway;
    uint8_t grade;
    uint8_t newcomer, international, outsourced;
    Date start, end;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto col = [&](int k) { return (*c)[k]; };
    auto p = PersonField(ctx, col(kPerson), persons);
    if (!p) return tl::unexpected(p.error());
    row->person = *p;
    std::string_view brin = Field(ctx, col(kInst));
    if (!IsBrin(brin)) return FieldError(ctx, col(kInst), brin, "a 4-character BRIN code (digits and capitals)");
    std::string_view loc = Field(ctx, col(kLoc));
    if (loc.size() != 2 || !AllDigits(loc)) return FieldError(ctx, col(kLoc), loc, "a 2-digit location code");
    int64_t location_row = inst.Find(brin, *ParseNumber<int>(loc));
    if (location_row < 0) {
      return FieldError(ctx, col(kLoc), fmt::format("{} {}", brin, loc),
                        "an (institution, location) that exists in institutions.csv");
    }
    row->location_row = static_cast<uint32_t>(location_row);
    auto sector = EnumField(ctx, col(kSector), ParseSector, "VO, MBO, VAVO, HO, PRO, VSO or SO");
    if (!sector) return tl::unexpected(sector.error());
    row->sector = *sector;
    const bool vo = *sector == Sector::kVO, mbo = *sector == Sector::kMBO;
    auto funded = BoolField(ctx, col(kFunded));
    if (!funded) return tl::unexpected(funded.error());
    row->funded = *funded;
    std::string_view program = Field(ctx, col(kProgram));
    row->crebo = 0;
    if (mbo && program.size() == 5 && AllDigits(program)) {
      row->program = Program::kCrebo;
      row->crebo = *ParseNumber<int32_t>(program);
    } else {
      auto parsed = ParseProgram(program);
      if (!parsed || !ProgramFitsSector(*parsed, *sector)) {
        return FieldError(ctx, col(kProgram), program,
                          fmt::format("for sector {}: {}", ToString(*sector), ExpectedPrograms(*sector)));
      }
      row->program = *parsed;
    }
    std::string_view level = Field(ctx, col(kLevel));
    row->level = 0;
    if (mbo) {
      if (level.size() != 1 || level[0] < '1' || level[0] > '4') {
        return FieldError(ctx, col(kLevel), level, "for sector MBO: 1, 2, 3 or 4");
      }
      row->level = static_cast<uint8_t>(level[0] - '0');
    } else if (!level.empty()) {
      return FieldError(ctx, col(kLevel), level, "empty outside MBO");
    }
    std::string_view pathway = Field(ctx, col(kPathway));
    auto pw = ParsePathway(pathway);
    if (!pw || (mbo && *pw == Pathway::kNone) || (!mbo && *pw != Pathway::kNone)) {
      return FieldError(ctx, col(kPathway), pathway, mbo ? "for sector MBO: BOL or BBL" : "empty outside MBO");
    }
    row->pathway = *pw;
    std::string_view grade = Field(ctx, col(kGrade));
    row->grade = 0;
    if (!grade.empty()) {
      const int max_grade = vo ? 6 : mbo ? 4 : 0;
      if (grade.size() != 1 || grade[0] < '1' || grade[0] > '0' + max_grade) {
        return FieldError(ctx, col(kGrade), grade,
                          vo ? "for sector VO: 1 to 6" : mbo ? "for sector MBO: 1 to 4 or empty"
                                                             : "empty outside VO and MBO");
      }
      row->grade = static_cast<uint8_t>(grade[0] - '0');
    } else if (vo) {
      return FieldError(ctx, col(kGrade), grade, "for sector VO: 1 to 6");
    }
    auto newcomer = BoolField(ctx, col(kNewcomer));
    if (!newcomer) return tl::unexpected(newcomer.error());
    auto international = BoolField(ctx, col(kInternational));
    if (!international) return tl::unexpected(international.error());
    auto outsourced = BoolField(ctx, col(kOutsourced));
    if (!outsourced) return tl::unexpected(outsourced.error());
    row->newcomer = *newcomer;
    row->international = *international;
    row->outsourced = *outsourced;
    auto start = DateField(ctx, col(kStart));
    if (!start) return tl::unexpected(start.error());
    auto end = EndDateField(ctx, col(kEnd));
    if (!end) return tl::unexpected(end.error());
    if (*end < *start) return FieldError(ctx, col(kEnd), Field(ctx, col(kEnd)), "a date not before start_date");
    row->start = *start;
    row->end = *end;
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  EnrolmentTable& t = reg->enrolments;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) {
        return std::tie(a.start, a.end, a.sector, a.location_row, a.funded, a.program, a.crebo,
                        a.level, a.pathway, a.grade, a.newcomer, a.international, a.outsourced) <
               std::tie(b.start, b.end, b.sector, b.location_row, b.funded, b.program, b.crebo,
                        b.level, b.pathway, b.grade, b.newcomer, b.international, b.outsourced);
      }, &t);
  const size_t n = grouped.size;
  uint32_t* location_row = Sized(t.location_row, n);
  Sector* sector = Sized(t.sector, n);
  uint8_t* funded = Sized(t.funded, n);
  Program* program = Sized(t.program, n);
  int32_t* crebo = Sized(t.crebo, n);
  uint8_t* level = Sized(t.level, n);
  Pathway* pathway = Sized(t.pathway, n);
  uint8_t* grade = Sized(t.grade, n);
  uint8_t* newcomer = Sized(t.newcomer, n);
  uint8_t* international = Sized(t.international, n);
  uint8_t* outsourced = Sized(t.outsourced_to_vavo, n);
  Date* start_date = Sized(t.start_date, n);
  Date* end_date = Sized(t.end_date, n);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    location_row[i] = r.location_row;
    sector[i] = r.sector;
    funded[i] = r.funded;
    program[i] = r.program;
    crebo[i] = r.crebo;
    level[i] = r.level;
    pathway[i] = r.pathway;
    grade[i] = r.grade;
    newcomer[i] = r.newcomer;
    international[i] = r.international;
    outsourced[i] = r.outsourced;
    start_date[i] = r.start;
    end_date[i] = r.end;
  });
  return {};
}

// The BRIN of a diploma or absence report: an index into the institutions' BRIN list,
// -1 when empty or not one of the registry's institutions.
int32_t BrinIndex(const InstitutionTable& inst, std::string_view brin) {
  return static_cast<int32_t>(inst.FindBrin(brin));
}

Status LoadDiplomas(const std::string& dir, int threads, const PersonIndexMap& persons,
                    NoticeCollector* notices, Registry* reg, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "diplomas.csv", {"person_id", "date", "type", "institution"}, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "date", "type", "institution"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    PersonIndex person;
    Date date;
    DiplomaType type;
    int32_t institution;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto p = PersonField(ctx, (*c)[0], persons);
    if (!p) return tl::unexpected(p.error());
    auto date = DateField(ctx, (*c)[1]);
    if (!date) return tl::unexpected(date.error());
    auto type = EnumField(ctx, (*c)[2], ParseDiplomaType,
                          "VMBO-BB, VMBO-KB, VMBO-GL, VMBO-TL, HAVO, VWO, MBO1, MBO2, MBO3, MBO4, "
                          "HO, FOREIGN, MBO_CERTIFICATE, MBO_VERKLARING, PRAKTIJKVERKLARING, "
                          "PRO_CERTIFICATE or VSO_CERTIFICATE");
    if (!type) return tl::unexpected(type.error());
    std::string_view brin = Field(ctx, (*c)[3]);
    if (!brin.empty() && !IsBrin(brin)) return FieldError(ctx, (*c)[3], brin, "a 4-character BRIN code or empty");
    *row = {*p, *date, *type, brin.empty() ? -1 : BrinIndex(reg->institutions, brin)};
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  DiplomaTable& t = reg->diplomas;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) {
        return std::tie(a.date, a.type, a.institution) < std::tie(b.date, b.type, b.institution);
      }, &t);
  Date* date = Sized(t.date, grouped.size);
  DiplomaType* type = Sized(t.type, grouped.size);
  int32_t* institution = Sized(t.institution, grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    date[i] = r.date;
    type[i] = r.type;
    institution[i] = r.institution;
  });
  return {};
}

Status LoadRegistrations(const std::string& dir, int threads, const PersonIndexMap& persons,
                         NoticeCollector* notices, Registry* reg, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "registrations.csv",
                               {"person_id", "register", "valid_from", "valid_to"}, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "register", "valid_from", "valid_to"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    PersonIndex person;
    Register kind;
    Date from, to;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto p = PersonField(ctx, (*c)[0], persons);
    if (!p) return tl::unexpected(p.error());
    auto kind = EnumField(ctx, (*c)[1], ParseRegister,
                          "LPW_EXEMPTION, DJI, POLICE_DEFENCE, SOCIAL_TRAJECTORY, EMPLOYED or BENEFIT");
    if (!kind) return tl::unexpected(kind.error());
    auto from = DateField(ctx, (*c)[2]);
    if (!from) return tl::unexpected(from.error());
    auto to = EndDateField(ctx, (*c)[3]);
    if (!to) return tl::unexpected(to.error());
    if (*to < *from) return FieldError(ctx, (*c)[3], Field(ctx, (*c)[3]), "a date not before valid_from");
    *row = {*p, *kind, *from, *to};
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  RegistrationTable& t = reg->registrations;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) {
        return std::tie(a.from, a.to, a.kind) < std::tie(b.from, b.to, b.kind);
      }, &t);
  Register* kind = Sized(t.register_kind, grouped.size);
  Date* valid_from = Sized(t.valid_from, grouped.size);
  Date* valid_to = Sized(t.valid_to, grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    kind[i] = r.kind;
    valid_from[i] = r.from;
    valid_to[i] = r.to;
  });
  return {};
}

Status LoadLifeEvents(const std::string& dir, int threads, const PersonIndexMap& persons,
                      NoticeCollector* notices, Registry* reg, int64_t* rows_read) {
  auto file = OpenRegistryFile(dir, "life_events.csv", {"person_id", "date", "event"}, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "date", "event"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    PersonIndex person;
    Date date;
    LifeEvent event;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto p = PersonField(ctx, (*c)[0], persons);
    if (!p) return tl::unexpected(p.error());
    auto date = DateField(ctx, (*c)[1]);
    if (!date) return tl::unexpected(date.error());
    auto event = EnumField(ctx, (*c)[2], ParseLifeEvent, "DEATH, EMIGRATION or IMMIGRATION");
    if (!event) return tl::unexpected(event.error());
    *row = {*p, *date, *event};
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  LifeEventTable& t = reg->life_events;
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) { return std::tie(a.date, a.event) < std::tie(b.date, b.event); },
      &t);
  Date* date = Sized(t.date, grouped.size);
  LifeEvent* event = Sized(t.event, grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    date[i] = r.date;
    event[i] = r.event;
  });
  return {};
}

Status LoadAbsences(const std::string& dir, int threads, const PersonIndexMap& persons,
                    NoticeCollector* notices, Registry* reg, int64_t* rows_read) {
  AbsenceTable& t = reg->absences;
  if (!FileExists(dir + "/absences.csv")) {
    t.offsets.assign(reg->person_count() + 1, 0);
    return {};
  }
  reg->has_absences = true;
  auto file = OpenRegistryFile(dir, "absences.csv",
                               {"person_id", "date", "institution", "kind", "hours"}, notices);
  if (!file) return tl::unexpected(file.error());
  auto c = file->RequireColumns({"person_id", "date", "institution", "kind", "hours"});
  if (!c) return tl::unexpected(c.error());
  struct Row {
    PersonIndex person;
    Date date;
    int32_t institution;
    AbsenceKind kind;
    int32_t hours;
  };
  auto rows = ParseRows<Row>(*file, threads, [&](const RowContext& ctx, Row* row) -> Status {
    auto p = PersonField(ctx, (*c)[0], persons);
    if (!p) return tl::unexpected(p.error());
    auto date = DateField(ctx, (*c)[1]);
    if (!date) return tl::unexpected(date.error());
    std::string_view brin = Field(ctx, (*c)[2]);
    if (!IsBrin(brin)) return FieldError(ctx, (*c)[2], brin, "a 4-character BRIN code");
    auto kind = EnumField(ctx, (*c)[3], ParseAbsenceKind, "UNAUTHORISED, LONG or EARLY_LEAVE");
    if (!kind) return tl::unexpected(kind.error());
    std::string_view hours_text = Field(ctx, (*c)[4]);
    int32_t hours = -1;
    if (!hours_text.empty()) {
      auto h = ParseNumber<int32_t>(hours_text);
      if (!h || *h < 0) return FieldError(ctx, (*c)[4], hours_text, "a whole number of hours or empty");
      hours = *h;
    }
    *row = {*p, *date, BrinIndex(reg->institutions, brin), *kind, hours};
    return {};
  });
  if (!rows) return tl::unexpected(rows.error());
  *rows_read += static_cast<int64_t>(RowCount(*rows));
  const GroupedRows<Row> grouped = GroupByPerson(std::move(*rows), reg->person_count(), threads,
      [](const Row& a, const Row& b) {
        return std::tie(a.date, a.institution, a.kind, a.hours) <
               std::tie(b.date, b.institution, b.kind, b.hours);
      }, &t);
  Date* date = Sized(t.date, grouped.size);
  int32_t* institution = Sized(t.institution, grouped.size);
  AbsenceKind* kind = Sized(t.kind, grouped.size);
  int32_t* hours = Sized(t.hours, grouped.size);
  ForEachRow(grouped, threads, [&](const Row& r, size_t i) {
    date[i] = r.date;
    institution[i] = r.institution;
    kind[i] = r.kind;
    hours[i] = r.hours;
  });
  return {};
}

}  // namespace

Result<Registry> LoadRegistryCsv(const std::string& dir, const Reference& reference,
                                 const LoadOptions& options, LoadReport* report) {
  const auto started = std::chrono::steady_clock::now();
  if (!IsDirectory(dir)) return MakeError(fmt::format("{}: registry folder not found", dir));
  const int threads = static_cast<int>(ThreadCount(options.threads));
  Registry reg;
  NoticeCollector notices;
  int64_t rows = 0;
  if (auto st = LoadInstitutions(dir, reference, &notices, &reg.institutions, &rows); !st)
    return tl::unexpected(st.error());
  if (auto st = LoadPersons(dir, threads, &notices, &reg.persons, &rows); !st)
    return tl::unexpected(st.error());
  const PersonIndexMap persons(reg.persons);
  using Loader = Status (*)(const std::string&, int, const PersonIndexMap&, NoticeCollector*,
                            Registry*, int64_t*);
  if (auto st = LoadResidences(dir, reference, threads, persons, &notices, &reg, &rows); !st)
    return tl::unexpected(st.error());
  for (Loader load : {Loader{LoadEnrolments}, Loader{LoadDiplomas}, Loader{LoadRegistrations},
                      Loader{LoadLifeEvents}, Loader{LoadAbsences}}) {
    if (auto st = load(dir, threads, persons, &notices, &reg, &rows); !st) {
      return tl::unexpected(st.error());
    }
  }
  if (report) {
    report->notices = notices.Take();
    report->rows = rows;
    report->from_snapshot = false;
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return reg;
}

Result<Registry> LoadRegistry(const std::string& path, const Reference& reference,
                              const LoadOptions& options, LoadReport* report) {
  if (IsDirectory(path)) return LoadRegistryCsv(path, reference, options, report);
  const auto started = std::chrono::steady_clock::now();
  auto reg = ReadSnapshot(path);
  if (reg && report) {
    report->from_snapshot = true;
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return reg;
}

}  // namespace vsv
