// random_registry DIR SEED PERSONS: writes a random registry (tests/random_registry.h)
// for end-to-end tests of the binary.
#include <cstdlib>

#include <fmt/format.h>

#include "random_registry.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: random_registry DIR SEED PERSONS\n");
    return 2;
  }
  vsv::test::WriteFiles(vsv::test::RandomRegistry(std::strtoull(argv[2], nullptr, 10), std::atoi(argv[3])), argv[1]);
  return 0;
}
