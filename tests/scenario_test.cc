// Runs one scenario file (tests/scenarios/*.scn) through the real loader and the real
// classification; ctest runs it once per file. Exit code 0 when every expectation
// holds; otherwise each failing expectation is printed.
#include <filesystem>

#include <fmt/format.h>

#include "measure/classify.h"
#include "measure/cube.h"
#include "registry/loader.h"
#include "scenario.h"

using namespace vsv;

namespace {

// The attribution of one person as the scenario names it.
std::optional<std::string> Attribute(const Registry& r, const YearClassification& c, size_t i,
                                     const std::string& name) {
  static const std::map<std::string, Dimension> kNames = {
      {"institution", Dimension::kSchool}, {"school", Dimension::kSchool},
      {"location", Dimension::kLocation},  {"municipality", Dimension::kMunicipality},
      {"region", Dimension::kRegion},      {"sector", Dimension::kSector},
      {"category", Dimension::kCategory},  {"level", Dimension::kLevel},
      {"pathway", Dimension::kPathway},    {"sex", Dimension::kSex},
      {"age", Dimension::kAge},            {"situation", Dimension::kSituation}};
  auto it = kNames.find(name);
  if (it == kNames.end()) return std::string("<unknown attribute '" + name + "'>");
  auto text = DimensionValueText(r, it->second, DimensionValue(r, c, i, it->second));
  if (it->second == Dimension::kLocation && text) {
    return text->substr(4);  // scenarios name the location code within the institution
  }
  return text;
}

int Run(const std::string& path) {
  auto sc = test::ParseScenario(path);
  if (!sc) { fmt::print("{}\n", sc.error().message); return 1; }
  const std::string dir = test::MakeTempDir("vsv-scenario-");
  struct Cleanup { std::string d; ~Cleanup() { std::filesystem::remove_all(d); } } cleanup{dir};
  if (auto st = test::WriteScenarioRegistry(*sc, dir); !st) { fmt::print("{}\n", st.error().message); return 1; }
  auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
  if (!ref) { fmt::print("reference: {}\n", ref.error().message); return 1; }
  auto reg = LoadRegistryCsv(dir, *ref, LoadOptions{1}, nullptr);
  int failures = 0;
  if (sc->expects_error) {
    if (reg) { fmt::print("{}: expected the load to fail, but it succeeded\n", path); return 1; }
    for (const std::string& needle : sc->expect_error) {
      if (reg.error().message.find(needle) == std::string::npos) {
        fmt::print("{}: error message lacks '{}':\n  {}\n", path, needle, reg.error().message);
        ++failures;
      }
    }
    return failures ? 1 : 0;
  }
  if (!reg) { fmt::print("{}: load failed: {}\n", path, reg.error().message); return 1; }
  const YearClassification c = ClassifyYear(*reg, *ref, sc->year, {sc->age_limit, 1});
  for (const test::ExpectedPerson& e : sc->expect) {
    const int64_t p = reg->persons.Find(e.person_id);
    if (p < 0) { fmt::print("{}:{}: person '{}' not in persons.csv\n", path, e.line, e.person_id); ++failures; continue; }
    auto it = std::lower_bound(c.person.begin(), c.person.end(), static_cast<PersonIndex>(p));
    const bool in_a = it != c.person.end() && *it == static_cast<PersonIndex>(p);
    const size_t i = static_cast<size_t>(it - c.person.begin());
    const std::string actual = in_a ? std::string(PartName(c.part[i])) : "-";
    if (actual != e.part) {
      fmt::print("{}:{}: person {}: expected {}, got {}\n", path, e.line, e.person_id, e.part, actual);
      ++failures;
      continue;
    }
    for (const auto& [name, want] : e.checks) {
      if (!in_a) { fmt::print("{}:{}: {} is not in A; cannot check {}\n", path, e.line, e.person_id, name); ++failures; continue; }
      const std::string got = Attribute(*reg, c, i, name).value_or("null");
      if (got != want) {
        fmt::print("{}:{}: person {}: {} expected {}, got {}\n", path, e.line, e.person_id, name, want, got);
        ++failures;
      }
    }
  }
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) { fmt::print(stderr, "usage: scenario_test FILE.scn...\n"); return 2; }
  int failed = 0;
  for (int i = 1; i < argc; ++i) failed += Run(argv[i]) != 0;
  return failed ? 1 : 0;
}
