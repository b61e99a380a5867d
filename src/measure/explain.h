// Why a person is or is not counted: the registry facts about the person and the
// rules the classification applied, in plain words.
#ifndef VSV_MEASURE_EXPLAIN_H_
#define VSV_MEASURE_EXPLAIN_H_

#include <string>
#include <vector>

#include "core/result.h"
#include "measure/classify.h"

namespace vsv {

struct PersonExplanation {
  std::string person_id;
  int year = 0;
  int age_limit = 0;
  std::vector<std::string> facts;  // enrolments, residences, diplomas, registrations, events
  std::vector<std::string> steps;  // the rules tested, in order
  PersonOutcome outcome;
};

// An error when `person_id` is not in the registry.
Result<PersonExplanation> ExplainPerson(const Registry& registry, std::string_view person_id,
                                        int year, int age_limit);

}  // namespace vsv

#endif  // VSV_MEASURE_EXPLAIN_H_
