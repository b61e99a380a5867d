// Scenario files (tests/scenarios/README.md): a tiny registry plus the expected
// outcome per person, parsed and written out as a registry folder.
#ifndef VSV_TESTS_SCENARIO_H_
#define VSV_TESTS_SCENARIO_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vsv::test {

struct ExpectedPerson {
  std::string person_id;
  std::string part;  // "-" = not in A
  std::vector<std::pair<std::string, std::string>> checks;  // attribute=value
  int line = 0;
};

struct Scenario {
  std::string path;
  int year = 0;
  int age_limit = 22;
  std::map<std::string, std::string> files;  // file name -> content
  std::vector<ExpectedPerson> expect;
  std::vector<std::string> expect_error;  // substrings; non-empty = the load must fail
  bool expects_error = false;
};

Result<Scenario> ParseScenario(const std::string& path);

// Writes the scenario's registry files into `dir` (created), the missing required
// ones with their header only.
Status WriteScenarioRegistry(const Scenario& scenario, const std::string& dir);

// A fresh empty folder under the system temp folder.
std::string MakeTempDir(const std::string& prefix);

}  // namespace vsv::test

#endif  // VSV_TESTS_SCENARIO_H_
