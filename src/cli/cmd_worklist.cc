// vsv worklist: the region's new leavers without a startkwalificatie.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "measure/classify.h"
#include "measure/worklist.h"
#include "report/count_report.h"

namespace vsv::cli {

namespace {

struct WorklistCmdOptions {
  InputOptions input;
  int region = 0;
  std::string from, to;
  int age_limit = 23;
  std::string format = "csv";
  int boundaries = 0;
};

int RunWorklist(const WorklistCmdOptions& o) {
  auto from = ParseDateOption("--from", o.from);
  if (!from) return Fail(from.error());
  auto to = ParseDateOption("--to", o.to);
  if (!to) return Fail(to.error());
  if (*to < *from) return Fail(Error{"--to lies before --from"});
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  const Registry& reg = (*input)->registry;
  if (auto division = BoundariesDivision(o.boundaries, (*input)->reference); !division) {
    return Fail(division.error());
  }
  const auto list = ComputeWorklist(reg, (*input)->reference, {o.region, *from, *to, o.age_limit, o.boundaries});
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string csv = "person_id,birth_date,age,municipality,left_on,institution,location,sector,program,level\n";
  const EnrolmentTable& e = reg.enrolments;
  for (const WorklistEntry& w : list) {
    const uint32_t i = w.enrolment;
    const std::string program = e.program[i] == Program::kCrebo ? fmt::format("{}", e.crebo[i])
                                                                 : std::string(ToString(e.program[i]));
    const std::string level = e.level[i] ? fmt::format("{}", e.level[i]) : "";
    nlohmann::ordered_json row;
    row["person_id"] = reg.persons.Id(w.person);
    row["birth_date"] = FormatDate(reg.persons.birth_date[w.person]);
    row["age"] = w.age;
    row["municipality"] = fmt::format("{:04d}", w.municipality);
    row["left_on"] = FormatDate(w.left_on);
    row["institution"] = reg.institutions.Brin(e.location_row[i]);
    row["location"] = reg.institutions.LocationCode(e.location_row[i]);
    row["sector"] = ToString(e.sector[i]);
    row["program"] = program;
    row["level"] = level.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(level);
    csv += fmt::format("{},{},{},{:04d},{},{},{},{},{},{}\n", CsvCell(reg.persons.Id(w.person)),
                       FormatDate(reg.persons.birth_date[w.person]), w.age, w.municipality,
                       FormatDate(w.left_on), reg.institutions.Brin(e.location_row[i]),
                       reg.institutions.LocationCode(e.location_row[i]), ToString(e.sector[i]), program, level);
    rows.push_back(std::move(row));
  }
  if (o.format == "json") fmt::print("{}\n", rows.dump()); else fmt::print("{}", csv);
  return 0;
}

}  // namespace

void AddWorklistCommand(CLI::App& app) {
  auto o = std::make_shared<WorklistCmdOptions>();
  CLI::App* cmd = app.add_subcommand("worklist", "the region's new leavers without a startkwalificatie");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--region", o->region, "region code (1-40)")->required()->check(CLI::Range(1, 99));
  cmd->add_option("--from", o->from, "first leaving date YYYY-MM-DD")->required();
  cmd->add_option("--to", o->to, "last leaving date YYYY-MM-DD")->required();
  cmd->add_option("--age-limit", o->age_limit, "younger than this (23 RMC, 27 Doorstroompunt)")->check(CLI::Range(16, 40));
  cmd->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
  AddBoundariesOption(cmd, &o->boundaries);
  cmd->callback([o] { Run([&] { return RunWorklist(*o); }); });
}

}  // namespace vsv::cli
