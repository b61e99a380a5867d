// What the subcommands share: the options that name the input, loading it with
// notices on stderr, year lists and output formats.
#ifndef VSV_CLI_COMMON_H_
#define VSV_CLI_COMMON_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/result.h"
#include "registry/loader.h"
#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv::cli {

struct InputOptions {
  std::string data;       // registry folder or .vsvdb snapshot
  std::string reference;  // reference folder; empty = the shipped data/reference
  int threads = 0;
  bool quiet = false;
};

// Adds --data (required), --reference, --threads and --quiet to `cmd`.
void AddInputOptions(CLI::App* cmd, InputOptions* options);

// The registry with the reference it was loaded against.
struct Input {
  Reference reference;
  Registry registry;
};

// The shipped reference folder: ./data/reference, else next to the binary
// (../data/reference), else the source tree the binary was built from.
std::string DefaultReferenceDir();
Result<Reference> LoadReference(const std::string& dir);

// Loads the reference and the registry; notices and timing go to stderr unless quiet.
Result<std::unique_ptr<Input>> LoadInput(const InputOptions& options);

// "2023", "2015-2023" or "all" (every year the registry can be counted for).
Result<std::vector<int>> ParseYears(const std::string& text, const Registry& registry,
                                    const Reference& reference);

// Adds --boundaries YEAR to `cmd`: count every year on the municipalities and
// regions of school year YEAR (0 = each year on its own, the default).
void AddBoundariesOption(CLI::App* cmd, int* year);
// The division to count on: nullopt for each year's own (year 0), else the reference's
// division of `year`, or an error when the reference does not describe that year.
Result<std::optional<Division>> BoundariesDivision(int year, const Reference& reference);

// Prints "vsv: <message>" to stderr and returns the exit code for errors (1).
int Fail(const Error& error);

// Runs a subcommand's body; a non-zero exit code ends the program with that code.
template <typename Body>
void Run(Body body) {
  if (const int code = body(); code != 0) throw CLI::RuntimeError(code);
}

// A date option "YYYY-MM-DD".
Result<Date> ParseDateOption(const std::string& name, const std::string& value);

}  // namespace vsv::cli

#endif  // VSV_CLI_COMMON_H_
