// The official count of new vsv'ers (docs/vsv-definition.md): every person of
// school year T is classified once, into one part of the decomposition
// A = B1 + B2 + B3 + C_* + D_* + X, with the attribution of the main enrolment.
// Everything that shows a number (cubes, lists, explanations, API, dashboard) gets it
// from here.
#ifndef VSV_MEASURE_CLASSIFY_H_
#define VSV_MEASURE_CLASSIFY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv {

// The parts, in the order in which the definition tests them: the first that
// applies wins, so every person in A lands in exactly one.
enum class Part : uint8_t {
  kB1, kB2, kB3,
  kCVo, kCMbo, kCVavo, kCHo, kCSpecial, kCNonfunded, kCDji, kCPoliceDefence, kCSocial,
  kDSk, kDEntreeWork,
  kX,
};
inline constexpr int kPartCount = 15;
// "B1", "C_VO", ..., "X": the names of the JSON contract.
std::string_view PartName(Part part);
inline bool IsB(Part p) { return p <= Part::kB3; }
inline bool IsC(Part p) { return p >= Part::kCVo && p <= Part::kCSocial; }
inline bool IsD(Part p) { return p == Part::kDSk || p == Part::kDEntreeWork; }

// The ministry's categories within a sector.
enum class Category : uint8_t {
  kVoOnderbouw, kVoBovenbouwVmbo, kVoBovenbouwHavoVwo, kMbo1, kMbo2, kMbo34, kVavo,
};
inline constexpr int kCategoryCount = 7;
// "VO-ONDERBOUW", ..., "VAVO".
std::string_view CategoryName(Category category);
// The category of an enrolment that can be a main enrolment (VO, MBO or VAVO).
// Inline: a breakdown by category asks it for every entry of a classification.
inline Category CategoryOf(const EnrolmentTable& e, uint32_t row) {
  switch (e.sector[row]) {
    case Sector::kVO: {
      const Program p = e.program[row];
      const int grade = e.grade[row];
      if (p == Program::kBrugjaar || grade <= 2) return Category::kVoOnderbouw;
      if (IsVmbo(p)) return Category::kVoBovenbouwVmbo;
      return grade == 3 ? Category::kVoOnderbouw : Category::kVoBovenbouwHavoVwo;
    }
    case Sector::kMBO:
      return e.level[row] <= 1 ? Category::kMbo1
             : e.level[row] == 2 ? Category::kMbo2
                                 : Category::kMbo34;
    default:
      return Category::kVavo;
  }
}

// The national definition counts persons younger than 22 on teldatum T.
inline constexpr int kNationalAgeLimit = 22;

// The classification of one school year: one entry per person in A, in person order.
// Only what the rules decide is stored; the rest of the attribution (category,
// region, age) follows from it and is derived where it is used, so that classifying
// every school year writes as little new memory as possible.
struct YearClassification {
  int year = 0;
  int age_limit = kNationalAgeLimit;
  std::vector<PersonIndex> person;
  std::vector<Part> part;
  std::vector<uint32_t> main_enrolment;  // row in Registry::enrolments
  // The code of the residence on teldatum T as the registry has it; <0 when not
  // Dutch/unknown. A code merged away before T stands for its successor: see
  // MunicipalityAt.
  std::vector<Municipality> municipality;
  // The division of this school year (Reference::DivisionOf(year)): the municipality
  // and region every code stands for in T, as DUO attributes them.
  Division division;
  // Data quality: persons in A without any residence record on teldatum T or T+1
  // (counted in B2, as the definition says, and reported).
  int64_t residence_unknown = 0;

  size_t size() const { return person.size(); }
  // The category of entry i's main enrolment.
  Category CategoryAt(const Registry& registry, size_t i) const {
    return CategoryOf(registry.enrolments, main_enrolment[i]);
  }
  // The municipality of entry i's residence on teldatum T in the division `on`
  // (default: this year's own); -1 when unknown or abroad.
  Municipality MunicipalityAt(size_t i, const Division* on = nullptr) const {
    return (on ? *on : division).MunicipalityOf(municipality[i]);
  }
  // The region of entry i's residence on teldatum T in the division `on` (default:
  // this year's own); -1 when unknown or abroad.
  int RegionAt(size_t i, const Division* on = nullptr) const {
    return (on ? *on : division).RegionOf(municipality[i]);
  }
  // Entry i's age in completed years on teldatum T.
  int AgeAt(const Registry& registry, size_t i) const {
    return AgeOnTeldatum(registry.persons.birth_date[person[i]], year);
  }
};

// Where the facts that decided a person are written, for `vsv explain`. Only
// filled when asked for, so the count itself never builds strings.
struct Explanation {
  std::vector<std::string> steps;
};

// The outcome for one person in school year `year`.
struct PersonOutcome {
  bool in_a = false;
  Part part = Part::kX;
  int64_t main_enrolment = -1;
  Municipality municipality = kAbroad;
  bool residence_unknown = false;
};

// Decides one person by the definition. `why`, when not null, receives every rule
// tested and its result in plain words.
PersonOutcome ClassifyPerson(const Registry& registry, PersonIndex person, int year,
                             int age_limit, Explanation* why);

struct ClassifyOptions {
  int age_limit = kNationalAgeLimit;
  int threads = 0;  // 0 = as many as the machine has; the result never depends on it
};

// Classifies every person of school year `year` (2023 = 2023-2024).
YearClassification ClassifyYear(const Registry& registry, const Reference& reference, int year,
                                const ClassifyOptions& options);
// The same for several years in one pass over the persons (faster than one call per
// year: each person's rows are read once); one result per year, in order.
std::vector<YearClassification> ClassifyYears(const Registry& registry, const Reference& reference,
                                              std::span<const int> years, const ClassifyOptions& options);

// The school years a registry can be counted for: from the reference's first year
// (or the first year with an enrolment, if later) to the last year T whose
// teldatum T+1 the data reaches (the school year of the latest enrolment start,
// minus one). first > last when there is none.
struct YearRange {
  int first;
  int last;
};
YearRange CountableYears(const Registry& registry, const Reference& reference);

}  // namespace vsv

#endif  // VSV_MEASURE_CLASSIFY_H_
