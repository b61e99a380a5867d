#include "synth/row_writer.h"

#include <cstring>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/date.h"

namespace vsv::synth {

const char* RegistryFileName(int file) {
  static constexpr const char* kNames[] = {
      "persons.csv",       "residences.csv",  "enrolments.csv", "diplomas.csv",
      "registrations.csv", "life_events.csv", "absences.csv",   "institutions.csv"};
  return kNames[file];
}

const char* RegistryFileHeader(int file) {
  static constexpr const char* kHeaders[] = {
      "person_id,birth_date,sex\n",
      "person_id,valid_from,valid_to,municipality,postcode4\n",
      "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,"
      "international,outsourced_to_vavo,start_date,end_date\n",
      "person_id,date,type,institution\n",
      "person_id,register,valid_from,valid_to\n",
      "person_id,date,event\n",
      "person_id,date,institution,kind,hours\n",
      "institution,location,name,sector,municipality\n"};
  return kHeaders[file];
}

namespace {

// "YYYY-MM-DD" for every day of 1900..2199, built once.
class DateTable {
 public:
  DateTable() : first_(MakeDate(1900, 1, 1)), last_(MakeDate(2199, 12, 31)) {
    text_.resize(static_cast<size_t>(last_ - first_ + 1) * 10);
    for (Date d = first_; d <= last_; ++d) {
      const YearMonthDay ymd = ToYearMonthDay(d);
      char* p = &text_[static_cast<size_t>(d - first_) * 10];
      p[0] = static_cast<char>('0' + ymd.year / 1000);
      p[1] = static_cast<char>('0' + ymd.year / 100 % 10);
      p[2] = static_cast<char>('0' + ymd.year / 10 % 10);
      p[3] = static_cast<char>('0' + ymd.year % 10);
      p[4] = '-';
      p[5] = static_cast<char>('0' + ymd.month / 10);
      p[6] = static_cast<char>('0' + ymd.month % 10);
      p[7] = '-';
      p[8] = static_cast<char>('0' + ymd.day / 10);
      p[9] = static_cast<char>('0' + ymd.day % 10);
    }
  }
  // Writes the date (or nothing for open/none) and returns the new end.
  char* Put(char* p, Date d) const {
    if (d == kOpenEnd || d == kNoDate || d < first_ || d > last_) return p;
    std::memcpy(p, &text_[static_cast<size_t>(d - first_) * 10], 10);
    return p + 10;
  }

 private:
  Date first_, last_;
  std::vector<char> text_;
};

const DateTable& Dates() {
  static const DateTable table;
  return table;
}

char* PutStr(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}
char* PutUInt(char* p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}
char* PutFixed(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}
// Person ids: "P" and at least 8 digits of the 1-based index.
char* PutPid(char* p, int64_t index) {
  *p++ = 'P';
  const uint64_t v = static_cast<uint64_t>(index) + 1;
  return v < 100000000ULL ? PutFixed(p, v, 8) : PutUInt(p, v);
}

}  // namespace

RowWriter::RowWriter(const SynthReference& ref, const Catalogue& catalogue, SimWindow window)
    : ref_(ref), cat_(catalogue), window_(window) {
  Dates();
}

void RowWriter::Write(const PersonRecord& pr, std::array<OutBuffer, kRegistryFiles>* out,
                      RowCounts* counts) const {
  const DateTable& dates = Dates();
  const Date w_start = window_.start();
  const Date w_end = window_.end();
  const auto& locs = cat_.locations();
  const auto& insts = cat_.institutions();
  auto clip_end = [&](Date d) { return d > w_end ? kOpenEnd : d; };
  // Persons who died before the window are not in the registry at all.
  for (const LifeEventRow& ev : pr.life_events) {
    if (ev.event == LifeEvent::kDeath && ev.date < w_start) return;
  }

  {
    char* p = (*out)[kPersonsFile].Reserve(40);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = dates.Put(p, pr.birth);
    *p++ = ',';
    *p++ = pr.sex;
    *p++ = '\n';
    (*out)[kPersonsFile].Commit(p);
    ++counts->rows[kPersonsFile];
  }
  auto residence_row = [&](Date from, Date to, std::string_view where, uint16_t postcode) {
    char* p = (*out)[kResidencesFile].Reserve(64);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = dates.Put(p, from);
    *p++ = ',';
    p = dates.Put(p, to);
    *p++ = ',';
    p = PutStr(p, where);
    *p++ = ',';
    if (postcode != 0) p = PutFixed(p, postcode, 4);
    *p++ = '\n';
    (*out)[kResidencesFile].Commit(p);
    ++counts->rows[kResidencesFile];
  };
  for (const ResidenceRow& r : pr.residences) {
    if (r.to < w_start || r.from > w_end) continue;
    Date from = std::max(r.from, w_start);
    if (r.municipality < 0) {
      residence_row(from, clip_end(r.to), r.municipality == kAbroad ? "ABROAD" : "NO_FIXED_ADDRESS", 0);
      continue;
    }
    // As the population register records a reorganisation: the period ends the day
    // before it and a new one starts in the new code on its date.
    const SynthMunicipality& m = ref_.municipalities[r.municipality];
    for (const auto& change : m.later_codes) {
      if (change.first <= from || change.first > r.to || change.first > w_end) continue;
      residence_row(from, change.first - 1, m.CodeOn(from), r.postcode);
      from = change.first;
    }
    residence_row(from, clip_end(r.to), m.CodeOn(from), r.postcode);
  }
  for (const EnrolmentRow& e : pr.enrolments) {
    if (e.end < w_start || e.start > w_end) continue;
    const Location& loc = locs[e.location];
    char* p = (*out)[kEnrolmentsFile].Reserve(128);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = PutStr(p, insts[loc.institution].brin);
    *p++ = ',';
    p = PutFixed(p, loc.number, 2);
    *p++ = ',';
    p = PutStr(p, SectorCode(e.sector));
    *p++ = ',';
    *p++ = e.funded ? '1' : '0';
    *p++ = ',';
    if (e.program == Program::kCrebo) {
      p = PutFixed(p, e.crebo, 5);
    } else {
      p = PutStr(p, ProgramCode(e.program));
    }
    *p++ = ',';
    if (e.level) *p++ = static_cast<char>('0' + e.level);
    *p++ = ',';
    if (e.pathway) p = PutStr(p, e.pathway == 2 ? "BBL" : "BOL");
    *p++ = ',';
    if (e.grade) *p++ = static_cast<char>('0' + e.grade);
    *p++ = ',';
    *p++ = e.newcomer ? '1' : '0';
    *p++ = ',';
    *p++ = e.international ? '1' : '0';
    *p++ = ',';
    *p++ = e.outsourced_to_vavo ? '1' : '0';
    *p++ = ',';
    p = dates.Put(p, e.start);
    *p++ = ',';
    p = dates.Put(p, clip_end(e.end));
    *p++ = '\n';
    (*out)[kEnrolmentsFile].Commit(p);
    ++counts->rows[kEnrolmentsFile];
  }
  for (const DiplomaRow& d : pr.diplomas) {
    if (d.date > w_end) continue;
    char* p = (*out)[kDiplomasFile].Reserve(64);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = dates.Put(p, d.date);
    *p++ = ',';
    p = PutStr(p, DiplomaCode(d.type));
    *p++ = ',';
    if (d.institution >= 0) p = PutStr(p, insts[d.institution].brin);
    *p++ = '\n';
    (*out)[kDiplomasFile].Commit(p);
    ++counts->rows[kDiplomasFile];
  }
  for (const RegistrationRow& r : pr.registrations) {
    if (r.to < w_start || r.from > w_end) continue;
    char* p = (*out)[kRegistrationsFile].Reserve(64);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = PutStr(p, RegisterCode(r.reg));
    *p++ = ',';
    p = dates.Put(p, r.from);
    *p++ = ',';
    p = dates.Put(p, clip_end(r.to));
    *p++ = '\n';
    (*out)[kRegistrationsFile].Commit(p);
    ++counts->rows[kRegistrationsFile];
  }
  for (const LifeEventRow& ev : pr.life_events) {
    if (ev.date > w_end) continue;
    char* p = (*out)[kLifeEventsFile].Reserve(48);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = dates.Put(p, ev.date);
    *p++ = ',';
    p = PutStr(p, LifeEventCode(ev.event));
    *p++ = '\n';
    (*out)[kLifeEventsFile].Commit(p);
    ++counts->rows[kLifeEventsFile];
  }
  for (const AbsenceRow& a : pr.absences) {
    if (a.date < w_start || a.date > w_end) continue;
    char* p = (*out)[kAbsencesFile].Reserve(64);
    p = PutPid(p, pr.index);
    *p++ = ',';
    p = dates.Put(p, a.date);
    *p++ = ',';
    p = PutStr(p, insts[a.institution].brin);
    *p++ = ',';
    p = PutStr(p, AbsenceCode(a.kind));
    *p++ = ',';
    if (a.hours > 0) p = PutUInt(p, static_cast<uint64_t>(a.hours));
    *p++ = '\n';
    (*out)[kAbsencesFile].Commit(p);
    ++counts->rows[kAbsencesFile];
  }
}

std::string RowWriter::InstitutionsBody() const {
  std::string s;
  for (const Location& loc : cat_.locations()) {
    const Institution& inst = cat_.institutions()[loc.institution];
    // A name with a comma or quote (a municipality such as "Nuenen, Gerwen en
    // Nederwetten") is quoted as RFC 4180 says.
    std::string name = inst.name;
    if (name.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      name = quoted + "\"";
    }
    fmt::format_to(std::back_inserter(s), "{},{:02d},{},{},{}\n", inst.brin, loc.number,
                   name, SectorCode(inst.sector), ref_.municipalities[loc.municipality].code);
  }
  return s;
}

}  // namespace vsv::synth
