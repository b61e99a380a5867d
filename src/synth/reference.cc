#include "synth/reference.h"

#include <charconv>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "core/csv_reader.h"
#include "core/file_util.h"
#include "registry/reference.h"

namespace vsv::synth {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitSemicolon(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = line.find(';', start);
    if (pos == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

bool ParseInt(std::string_view s, int* value) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *value);
  return ec == std::errc() && ptr == s.data() + s.size();
}

struct Columns {
  int code = -1, name = -1, region = -1, first_year = -1, last_year = -1;
};

}  // namespace

Result<SynthReference> LoadSynthReference(const std::string& dir, int first_year) {
  SynthReference ref;
  const std::string muni_path = dir + "/municipalities.csv";
  auto muni_file = CsvFile::Open(muni_path, muni_path);
  if (!muni_file) return tl::unexpected(muni_file.error());
  Columns c;
  c.code = muni_file->ColumnIndex("code");
  c.name = muni_file->ColumnIndex("name");
  c.region = muni_file->ColumnIndex("region");
  c.first_year = muni_file->ColumnIndex("first_year");
  c.last_year = muni_file->ColumnIndex("last_year");
  if (c.code < 0 || c.region < 0) {
    return MakeError(fmt::format("{}: columns 'code' and 'region' are required", muni_path));
  }
  std::unordered_map<std::string, int> index_of;
  for (CsvCursor& cursor : muni_file->Chunks(1)) {
    CsvRecord rec;
    for (;;) {
      auto more = cursor.Next(&rec);
      if (!more) return tl::unexpected(more.error());
      if (!*more) break;
      auto field = [&](int i) -> std::string_view {
        return i >= 0 && i < static_cast<int>(rec.fields.size()) ? rec.fields[i]
                                                                 : std::string_view();
      };
      int from = 0, to = 9999, region = 0;
      if (!field(c.first_year).empty() && !ParseInt(field(c.first_year), &from)) {
        return MakeError(fmt::format("{}:{}: bad first_year '{}'", muni_path, rec.line,
                                     field(c.first_year)));
      }
      if (!field(c.last_year).empty() && !ParseInt(field(c.last_year), &to)) {
        return MakeError(fmt::format("{}:{}: bad last_year '{}'", muni_path, rec.line,
                                     field(c.last_year)));
      }
      if (!ParseInt(field(c.region), &region) || region < 1 || region > 99) {
        return MakeError(fmt::format("{}:{}: bad region '{}'", muni_path, rec.line,
                                     field(c.region)));
      }
      const std::string_view code = field(c.code);
      if (code.size() != 4) {
        return MakeError(fmt::format("{}:{}: bad municipality code '{}'", muni_path,
                                     rec.line, code));
      }
      if (first_year < from || first_year > to) continue;
      SynthMunicipality m;
      m.code = std::string(code);
      m.name = std::string(field(c.name));
      m.region = region;
      index_of.emplace(m.code, static_cast<int>(ref.municipalities.size()));
      ref.municipalities.push_back(std::move(m));
      ref.max_region = std::max(ref.max_region, region);
    }
  }
  if (ref.municipalities.empty()) {
    return MakeError(fmt::format("{}: no municipality valid in {}", muni_path, first_year));
  }

  // Reorganisations since: the code each municipality has from each later date.
  if (FileExists(dir + "/mergers.csv")) {
    auto full = Reference::Load(dir);
    if (!full) return tl::unexpected(full.error());
    for (SynthMunicipality& m : ref.municipalities) {
      int number = 0;
      if (!ParseInt(m.code, &number)) continue;
      auto x = static_cast<Municipality>(number);
      for (int step = 0; step < 16; ++step) {
        const CodeValidity v = full->ValidityOf(x);
        if (!v.known() || v.to == kOpenEnd) break;
        x = full->SuccessorOf(x);
        if (x < 0) break;
        m.later_codes.emplace_back(v.to + 1, fmt::format("{:04d}", x));
      }
    }
  }

  // Region names (optional file content; numbers are what matter).
  ref.region_names.assign(ref.max_region + 1, "");
  const std::string region_path = dir + "/regions.csv";
  if (auto region_file = CsvFile::Open(region_path, region_path)) {
    const int code_col = region_file->ColumnIndex("code");
    const int name_col = region_file->ColumnIndex("name");
    for (CsvCursor& cursor : region_file->Chunks(1)) {
      CsvRecord rec;
      while (true) {
        auto more = cursor.Next(&rec);
        if (!more || !*more) break;
        int code = 0;
        if (code_col >= 0 && name_col >= 0 &&
            ParseInt(rec.fields[code_col], &code) && code > 0 && code <= ref.max_region) {
          ref.region_names[code] = std::string(rec.fields[name_col]);
        }
      }
    }
  }

  // DUO primary-school locations: the size proxy and the postcodes.
  const std::string duo_path = dir + "/sources/duo_po_adressen_2013_openstate.csv";
  auto duo = ReadFile(duo_path);
  if (!duo) return tl::unexpected(duo.error());
  std::string_view text = *duo;
  size_t line_end = text.find('\n');
  if (line_end == std::string_view::npos) {
    return MakeError(fmt::format("{}: no header line", duo_path));
  }
  int col_muni = -1, col_postcode = -1;
  {
    const auto header = SplitSemicolon(text.substr(0, line_end));
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string_view h = Trim(header[i]);
      if (h == "GEMEENTENUMMER") col_muni = static_cast<int>(i);
      if (h == "POSTCODE") col_postcode = static_cast<int>(i);
    }
  }
  if (col_muni < 0 || col_postcode < 0) {
    return MakeError(fmt::format(
        "{}:1: columns GEMEENTENUMMER and POSTCODE are required", duo_path));
  }
  size_t pos = line_end + 1;
  int64_t line_no = 1;
  while (pos < text.size()) {
    ++line_no;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (Trim(line).empty()) continue;
    const auto fields = SplitSemicolon(line);
    if (static_cast<int>(fields.size()) <= std::max(col_muni, col_postcode)) {
      return MakeError(fmt::format("{}:{}: too few fields", duo_path, line_no));
    }
    const std::string code(Trim(fields[col_muni]));
    auto it = index_of.find(code);
    if (it == index_of.end()) continue;  // not a municipality of the reference
    SynthMunicipality& m = ref.municipalities[it->second];
    m.weight += 1;
    int pc = 0;
    const std::string_view postcode = Trim(fields[col_postcode]);
    if (postcode.size() >= 4 && ParseInt(postcode.substr(0, 4), &pc) && pc >= 1000) {
      m.postcodes.push_back(static_cast<uint16_t>(pc));
    }
  }

  ref.region_municipalities.assign(ref.max_region + 1, {});
  double total = 0;
  for (size_t i = 0; i < ref.municipalities.size(); ++i) {
    SynthMunicipality& m = ref.municipalities[i];
    if (m.weight < 1) m.weight = 1;
    if (m.postcodes.empty()) m.postcodes.push_back(0);  // 0 = written as empty
    total += m.weight;
    ref.cumulative_weight.push_back(total);
    ref.region_municipalities[m.region].push_back(static_cast<int>(i));
  }
  return ref;
}

}  // namespace vsv::synth
