// vsv explain: why one person is or is not counted, in plain words.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "measure/explain.h"

namespace vsv::cli {

namespace {

struct ExplainOptions {
  InputOptions input;
  int year = 0;
  int age_limit = kNationalAgeLimit;
  std::string person;
};

int RunExplain(const ExplainOptions& o) {
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  auto e = ExplainPerson((*input)->registry, o.person, o.year, o.age_limit);
  if (!e) return Fail(e.error());
  fmt::print("Person {} — school year {} (teldatum T {}, teldatum T+1 {}, age limit {})\n\n",
             e->person_id, SchoolYearName(o.year), FormatDate(Teldatum(o.year)),
             FormatDate(Teldatum(o.year + 1)), o.age_limit);
  fmt::print("What the registry holds:\n");
  for (const std::string& f : e->facts) fmt::print("  - {}\n", f);
  fmt::print("\nHow the definition applies:\n");
  for (size_t i = 0; i < e->steps.size(); ++i) fmt::print("  {}. {}\n", i + 1, e->steps[i]);
  fmt::print("\nResult: {}\n", e->outcome.in_a ? fmt::format("in the start population, part {}",
                                                             PartName(e->outcome.part))
                                               : std::string("not in the start population"));
  return 0;
}

}  // namespace

void AddExplainCommand(CLI::App& app) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand("explain", "why a person is or is not counted");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--year", o->year, "school year (2023 = 2023-2024)")->required()->check(CLI::Range(1990, 2100));
  cmd->add_option("--person", o->person, "person_id")->required();
  cmd->add_option("--age-limit", o->age_limit, "younger than this on teldatum T")->check(CLI::Range(12, 40));
  cmd->callback([o] { Run([&] { return RunExplain(*o); }); });
}

}  // namespace vsv::cli
