// vsv stock: oud-vsv'ers, young people 23-27 without SK, young people in a
// vulnerable position — on a reference date, optionally by region or municipality.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/number_format.h"
#include "measure/stock.h"

namespace vsv::cli {

namespace {

struct StockCmdOptions {
  InputOptions input;
  std::string kind;
  std::string date;
  std::string by;
  int age_limit = 23;
  std::string format = "table";
  int boundaries = 0;
};

int RunStock(const StockCmdOptions& o) {
  auto kind = ParseStockKind(o.kind);
  if (!kind) return Fail(kind.error());
  auto date = ParseDateOption("--date", o.date);
  if (!date) return Fail(date.error());
  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  if (auto division = BoundariesDivision(o.boundaries, (*input)->reference); !division) {
    return Fail(division.error());
  }
  ClassificationCache cache((*input)->registry, (*input)->reference, o.input.threads);
  const StockResult stock = ComputeStock(cache, {*kind, *date, o.age_limit, o.boundaries});
  // Group key: "" (total), the region or the municipality; for vulnerable also the
  // origin and situation columns.
  std::map<std::vector<std::string>, int64_t> groups;
  for (const StockEntry& e : stock.entries) {
    std::vector<std::string> key;
    if (o.by == "region") key.push_back(e.region >= 0 ? fmt::format("{:02d}", e.region) : "");
    if (o.by == "municipality") key.push_back(e.municipality >= 0 ? fmt::format("{:04d}", e.municipality) : "");
    if (*kind == StockKind::kVulnerable) {
      key.emplace_back(VulnerableOriginName(e.origin));
      key.emplace_back(SituationName(e.situation));
    }
    ++groups[key];
  }
  std::vector<std::string> columns;
  if (!o.by.empty()) columns.push_back(o.by);
  if (*kind == StockKind::kVulnerable) { columns.push_back("origin"); columns.push_back("situation"); }
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["kind"] = StockKindName(*kind);
    j["date"] = FormatDate(*date);
    if (stock.school_year >= 0) j["school_year"] = SchoolYearName(stock.school_year);
    if (o.boundaries) j["boundaries"] = SchoolYearName(o.boundaries);
    j["total"] = stock.entries.size();
    j["groups"] = nlohmann::ordered_json::array();
    for (const auto& [key, n] : groups) {
      nlohmann::ordered_json g, k = nlohmann::ordered_json::object();
      for (size_t i = 0; i < key.size(); ++i) {
        k[columns[i]] = key[i].empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(key[i]);
      }
      g["key"] = k;
      g["count"] = n;
      j["groups"].push_back(g);
    }
    fmt::print("{}\n", j.dump());
    return 0;
  }
  if (o.format == "csv") {
    fmt::print("{}{}count\n", fmt::join(columns, ","), columns.empty() ? "" : ",");
    for (const auto& [key, n] : groups) fmt::print("{}{}{}\n", fmt::join(key, ","), key.empty() ? "" : ",", n);
    return 0;
  }
  fmt::print("{} op {}{}: {} personen\n", StockKindName(*kind), FormatDate(*date),
             stock.school_year >= 0 ? fmt::format(" (verlaters schooljaar {})", SchoolYearName(stock.school_year)) : "",
             FormatIntegerNl(static_cast<int64_t>(stock.entries.size())));
  if (!columns.empty()) {
    for (const auto& [key, n] : groups) fmt::print("  {:<30} {:>10}\n", fmt::join(key, " "), FormatIntegerNl(n));
  }
  return 0;
}

}  // namespace

void AddStockCommand(CLI::App& app) {
  auto o = std::make_shared<StockCmdOptions>();
  CLI::App* cmd = app.add_subcommand("stock", "stocks on a date: oud-vsv, jzs-23-27 or vulnerable");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--kind", o->kind, "oud-vsv, jzs-23-27 or vulnerable")->required();
  cmd->add_option("--date", o->date, "reference date YYYY-MM-DD")->required();
  cmd->add_option("--by", o->by, "region or municipality")->check(CLI::IsMember({"region", "municipality"}));
  cmd->add_option("--age-limit", o->age_limit, "oud-vsv: younger than this on the date (23 or 27)")
      ->check(CLI::Range(16, 40));
  cmd->add_option("--format", o->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
  AddBoundariesOption(cmd, &o->boundaries);
  cmd->callback([o] { Run([&] { return RunStock(*o); }); });
}

}  // namespace vsv::cli
