// The education registry in memory: columnar tables, one dense index per person
// (persons sorted by person_id), and every other table's rows grouped per person
// (CSR layout: rows of person p are [offset[p], offset[p+1]) ), sorted within a
// person on all their fields so that any row order of the input gives the same
// registry. The first sort field is the date a row starts (start_date, valid_from,
// date), so a scan for the rows active on a date may stop at the first that starts
// after it.
#ifndef VSV_REGISTRY_REGISTRY_H_
#define VSV_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/date.h"
#include "registry/codes.h"

namespace vsv {

using PersonIndex = uint32_t;

// Rows of one person in a per-person table: [begin, end).
struct RowRange {
  uint32_t begin;
  uint32_t end;
  bool empty() const { return begin == end; }
};

// Row offsets of a per-person table; offsets.size() == person count + 1.
struct PersonGrouping {
  Column<uint32_t> offsets;
  RowRange Rows(PersonIndex p) const { return {offsets[p], offsets[p + 1]}; }
};

struct PersonTable {
  // person_id strings, concatenated; id of row i is chars[id_offsets[i], id_offsets[i+1]).
  Column<char> id_chars;
  Column<uint32_t> id_offsets;
  Column<Date> birth_date;
  Column<Sex> sex;

  size_t size() const { return birth_date.size(); }
  std::string_view Id(PersonIndex p) const {
    return AsText(id_chars).substr(id_offsets[p], id_offsets[p + 1] - id_offsets[p]);
  }
  // The index of `id`, or -1 (binary search: ids are sorted).
  int64_t Find(std::string_view id) const;
};

struct ResidenceTable : PersonGrouping {
  Column<Date> valid_from;
  Column<Date> valid_to;  // kOpenEnd when open
  Column<Municipality> municipality;
  Column<int16_t> postcode4;  // -1 when empty
};

// Institution locations, sorted by (institution, location): a lower row index is a
// lower code, which is what the tie-break of the main enrolment needs.
struct InstitutionTable {
  std::vector<std::string> brin;       // distinct institutions, sorted
  Column<uint32_t> institution;   // per location row: index into brin
  Column<uint8_t> location;       // 0..99
  std::vector<std::string> name;
  Column<Sector> sector;
  Column<Municipality> municipality;

  size_t size() const { return institution.size(); }
  // "00AA" and "00AA01".
  const std::string& Brin(uint32_t row) const { return brin[institution[row]]; }
  std::string LocationCode(uint32_t row) const;
  // Index of a BRIN in `brin`, or -1.
  int64_t FindBrin(std::string_view brin_code) const;
  // Row of (brin, location), or -1.
  int64_t Find(std::string_view brin_code, int location_code) const;
  // Builds the lookup index from the columns above; call after filling them.
  void BuildIndex();

 private:
  // Derived lookup index: a hash table from BRIN codes packed into integers to
  // their index in `brin`, and the first location row of every institution.
  struct BrinSlot {
    uint32_t key;
    int32_t index;  // -1: empty
  };
  size_t Slot(uint32_t packed) const;
  std::vector<BrinSlot> brin_slots_;
  int brin_slot_shift_ = 28;
  std::vector<uint32_t> first_row_;
};

struct EnrolmentTable : PersonGrouping {
  Column<uint32_t> location_row;  // into InstitutionTable
  Column<Sector> sector;
  Column<uint8_t> funded;
  Column<Program> program;
  Column<int32_t> crebo;      // MBO: the crebo number; else 0
  Column<uint8_t> level;      // MBO 1..4; 0 = none
  Column<Pathway> pathway;
  Column<uint8_t> grade;      // 0 = none
  Column<uint8_t> newcomer;
  Column<uint8_t> international;
  Column<uint8_t> outsourced_to_vavo;
  Column<Date> start_date;
  Column<Date> end_date;      // kOpenEnd when open

  bool ActiveOn(uint32_t row, Date d) const { return Covers(start_date[row], end_date[row], d); }
};

struct DiplomaTable : PersonGrouping {
  Column<Date> date;
  Column<DiplomaType> type;
  Column<int32_t> institution;  // index into InstitutionTable::brin, -1 = empty/unknown
};

struct RegistrationTable : PersonGrouping {
  Column<Register> register_kind;
  Column<Date> valid_from;
  Column<Date> valid_to;
};

struct LifeEventTable : PersonGrouping {
  Column<Date> date;
  Column<LifeEvent> event;
};

struct AbsenceTable : PersonGrouping {
  Column<Date> date;
  Column<int32_t> institution;  // index into InstitutionTable::brin, -1 unknown
  Column<AbsenceKind> kind;
  Column<int32_t> hours;        // -1 when empty
};

struct Registry {
  PersonTable persons;
  InstitutionTable institutions;
  ResidenceTable residences;
  EnrolmentTable enrolments;
  DiplomaTable diplomas;
  RegistrationTable registrations;
  LifeEventTable life_events;
  AbsenceTable absences;  // empty grouping when absences.csv was not given
  bool has_absences = false;

  size_t person_count() const { return persons.size(); }
  // The residence row covering `d`, or -1.
  int64_t ResidenceOn(PersonIndex p, Date d) const;
  // Whether a registration of `kind` is active on `d`.
  bool RegisteredOn(PersonIndex p, Register kind, Date d) const;
};

// Inline: the classification asks these for every person and school year.
inline int64_t Registry::ResidenceOn(PersonIndex p, Date d) const {
  const RowRange rows = residences.Rows(p);
  // Sorted by valid_from: no row after one that starts after `d` covers it.
  for (uint32_t i = rows.begin; i < rows.end && residences.valid_from[i] <= d; ++i) {
    if (Covers(residences.valid_from[i], residences.valid_to[i], d)) return i;
  }
  return -1;
}

inline bool Registry::RegisteredOn(PersonIndex p, Register kind, Date d) const {
  const RowRange rows = registrations.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end && registrations.valid_from[i] <= d; ++i) {
    if (registrations.register_kind[i] == kind && Covers(registrations.valid_from[i], registrations.valid_to[i], d)) {
      return true;
    }
  }
  return false;
}

}  // namespace vsv

#endif  // VSV_REGISTRY_REGISTRY_H_
