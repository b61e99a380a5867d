// Small random registries for property tests: persons with enrolments, residences,
// diplomas, registrations and events whose dates cluster around the counting dates,
// so that every rule and boundary of the definition is hit often.
#ifndef VSV_TESTS_RANDOM_REGISTRY_H_
#define VSV_TESTS_RANDOM_REGISTRY_H_

#include <cstdint>
#include <map>
#include <string>

namespace vsv::test {

// File name -> CSV text (with header). `shuffle_seed` != 0 shuffles the data rows of
// every file (same registry, other row order).
std::map<std::string, std::string> RandomRegistry(uint64_t seed, int persons, uint64_t shuffle_seed = 0);

// Writes the files into `dir`.
void WriteFiles(const std::map<std::string, std::string>& files, const std::string& dir);

}  // namespace vsv::test

#endif  // VSV_TESTS_RANDOM_REGISTRY_H_
