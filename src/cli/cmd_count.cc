// vsv count: the official count for one or more school years, by any breakdown.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/parallel.h"
#include "measure/classification_cache.h"
#include "measure/cube.h"
#include "report/count_report.h"

namespace vsv::cli {

namespace {

struct CountOptions {
  InputOptions input;
  std::string year;
  int age_limit = kNationalAgeLimit;
  std::string by;
  std::string region;
  std::string format = "table";
  int boundaries = 0;
};

int RunCount(const CountOptions& o) {
  auto dims = ParseDimensions(o.by);
  if (!dims) return Fail(Error{"--by: " + dims.error().message});
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  const Registry& reg = (*input)->registry;
  auto years = ParseYears(o.year, reg, (*input)->reference);
  if (!years) return Fail(years.error());
  std::vector<DimensionFilter> filters;
  if (!o.region.empty()) {
    int code = 0;
    if (o.region.size() != 2 || std::sscanf(o.region.c_str(), "%d", &code) != 1) {
      return Fail(Error{fmt::format("--region '{}': expected a two-digit region code (01-40)", o.region)});
    }
    filters.push_back({Dimension::kRegion, code});
  }
  auto division = BoundariesDivision(o.boundaries, (*input)->reference);
  if (!division) return Fail(division.error());
  const Division* on = *division ? &**division : nullptr;
  ClassificationCache cache(reg, (*input)->reference, o.input.threads);
  cache.Prefetch(*years, o.age_limit);
  std::vector<CountTable> tables(years->size());
  ParallelFor(years->size(), ThreadCount(o.input.threads), [&](size_t i) {
    tables[i] = CountBy(reg, cache.Get((*years)[i], o.age_limit), *dims, filters, on);
  });
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (size_t i = 0; i < years->size(); ++i) {
    const CountTable& table = tables[i];
    if (o.format == "json") {
      all.push_back(CountTableJson(reg, table));
    } else if (o.format == "csv") {
      fmt::print("{}", CountTableCsv(reg, table, i == 0));
    } else {
      fmt::print("{}{}", i ? "\n" : "", CountTableText(reg, (*input)->reference, table));
    }
  }
  if (o.format == "json") fmt::print("{}\n", years->size() == 1 && o.year.find('-') == std::string::npos &&
                                                     o.year != "all" ? all[0].dump() : all.dump());
  return 0;
}

}  // namespace

void AddCountCommand(CLI::App& app) {
  auto o = std::make_shared<CountOptions>();
  CLI::App* cmd = app.add_subcommand("count", "count new vsv'ers (A, B, C, D, X) for school years");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--year", o->year, "school year (2023 = 2023-2024), a range 2015-2023, or all")->required();
  cmd->add_option("--age-limit", o->age_limit, "younger than this on teldatum T (22 national, 27 Doorstroompunt)")
      ->check(CLI::Range(12, 40));
  cmd->add_option("--by", o->by, "breakdown: school,location,municipality,region,sector,category,level,pathway,sex,age,situation");
  cmd->add_option("--region", o->region, "only this region (two-digit code)");
  cmd->add_option("--format", o->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  AddBoundariesOption(cmd, &o->boundaries);
  cmd->callback([o] { Run([&] { return RunCount(*o); }); });
}

}  // namespace vsv::cli
