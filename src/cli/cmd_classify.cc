// vsv classify: the region's "names and numbers" file — every person in A with the
// part of the decomposition and the attribution.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "measure/classify.h"
#include "measure/cube.h"
#include "report/count_report.h"

namespace vsv::cli {

namespace {

struct ClassifyCmdOptions {
  InputOptions input;
  int year = 0;
  int age_limit = kNationalAgeLimit;
  int region = 0;  // 0 = all
  std::string format = "csv";
  int boundaries = 0;
};

constexpr Dimension kAttribution[] = {Dimension::kSchool, Dimension::kLocation, Dimension::kSector,
                                      Dimension::kCategory, Dimension::kMunicipality,
                                      Dimension::kRegion, Dimension::kSex, Dimension::kAge};
constexpr const char* kAttributionNames[] = {"institution", "location", "sector", "category",
                                             "municipality", "region", "sex", "age"};

int RunClassify(const ClassifyCmdOptions& o) {
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  const Registry& reg = (*input)->registry;
  auto division = BoundariesDivision(o.boundaries, (*input)->reference);
  if (!division) return Fail(division.error());
  const Division* on = *division ? &**division : nullptr;
  const YearClassification c = ClassifyYear(reg, (*input)->reference, o.year, {o.age_limit, o.input.threads});
  std::string csv = "person_id,part";
  for (const char* name : kAttributionNames) csv += fmt::format(",{}", name);
  csv += "\n";
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (size_t i = 0; i < c.size(); ++i) {
    if (o.region && c.RegionAt(i, on) != o.region) continue;
    nlohmann::ordered_json row;
    row["person_id"] = reg.persons.Id(c.person[i]);
    row["part"] = PartName(c.part[i]);
    std::string line = fmt::format("{},{}", CsvCell(reg.persons.Id(c.person[i])), PartName(c.part[i]));
    for (size_t d = 0; d < std::size(kAttribution); ++d) {
      const int32_t v = DimensionValue(reg, c, i, kAttribution[d], on);
      auto text = DimensionValueText(reg, kAttribution[d], v);
      line += "," + text.value_or("");
      if (kAttribution[d] == Dimension::kAge) {
        row[kAttributionNames[d]] = v;
      } else {
        row[kAttributionNames[d]] = text ? nlohmann::ordered_json(*text) : nlohmann::ordered_json(nullptr);
      }
    }
    if (o.format == "json") rows.push_back(std::move(row)); else csv += line + "\n";
  }
  if (o.format == "json") fmt::print("{}\n", rows.dump()); else fmt::print("{}", csv);
  return 0;
}

}  // namespace

void AddClassifyCommand(CLI::App& app) {
  auto o = std::make_shared<ClassifyCmdOptions>();
  CLI::App* cmd = app.add_subcommand("classify", "one row per person in the start population, with part and attribution");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--year", o->year, "school year (2023 = 2023-2024)")->required()->check(CLI::Range(1990, 2100));
  cmd->add_option("--age-limit", o->age_limit, "younger than this on teldatum T")->check(CLI::Range(12, 40));
  cmd->add_option("--region", o->region, "only persons attributed to this region")->check(CLI::Range(1, 99));
  cmd->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
  AddBoundariesOption(cmd, &o->boundaries);
  cmd->callback([o] { Run([&] { return RunClassify(*o); }); });
}

}  // namespace vsv::cli
