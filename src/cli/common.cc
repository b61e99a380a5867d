#include "cli/common.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "core/file_util.h"
#include "measure/classify.h"

#ifndef VSV_SOURCE_DIR
#define VSV_SOURCE_DIR "."
#endif

namespace vsv::cli {

void AddInputOptions(CLI::App* cmd, InputOptions* o) {
  cmd->add_option("--data", o->data, "registry folder (CSV, format v1) or .vsvdb snapshot")->required();
  cmd->add_option("--reference", o->reference, "reference data folder (default: the shipped data/reference)");
  cmd->add_option("--threads", o->threads, "threads to use (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--quiet,-q", o->quiet, "no notices on stderr");
}

std::string DefaultReferenceDir() {
  namespace fs = std::filesystem;
  if (IsDirectory("data/reference")) return "data/reference";
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path().parent_path() / "data" / "reference";
    if (IsDirectory(beside.string())) return beside.string();
  }
  return std::string(VSV_SOURCE_DIR) + "/data/reference";
}

Result<Reference> LoadReference(const std::string& dir) {
  return Reference::Load(dir.empty() ? DefaultReferenceDir() : dir);
}

Result<std::unique_ptr<Input>> LoadInput(const InputOptions& o) {
  auto input = std::make_unique<Input>();
  auto ref = LoadReference(o.reference);
  if (!ref) return tl::unexpected(ref.error());
  input->reference = std::move(*ref);
  LoadReport report;
  auto reg = LoadRegistry(o.data, input->reference, LoadOptions{o.threads}, &report);
  if (!reg) return tl::unexpected(reg.error());
  input->registry = std::move(*reg);
  if (!o.quiet) {
    for (const LoadNotice& n : report.notices) {
      fmt::print(stderr, "notice: {}: {} (e.g. {})\n", n.what, n.count, fmt::join(n.examples, "; "));
    }
    fmt::print(stderr, "loaded {} persons from {} in {:.2f} s\n", input->registry.person_count(),
               report.from_snapshot ? "snapshot" : "CSV", report.seconds);
  }
  return input;
}

namespace {
std::optional<int> ParseYear(std::string_view s) {
  int y = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
  if (ec != std::errc() || p != s.data() + s.size() || s.size() != 4) return std::nullopt;
  return y;
}
}  // namespace

Result<std::vector<int>> ParseYears(const std::string& text, const Registry& registry,
                                    const Reference& reference) {
  int first, last;
  if (text == "all") {
    const YearRange range = CountableYears(registry, reference);
    first = range.first;
    last = range.last;
    if (first > last) return MakeError("--year all: the registry has no school year that can be counted");
  } else if (const size_t dash = text.find('-'); dash != std::string::npos) {
    auto a = ParseYear(std::string_view(text).substr(0, dash));
    auto b = ParseYear(std::string_view(text).substr(dash + 1));
    if (!a || !b || *a > *b) {
      return MakeError(fmt::format("--year '{}': expected a year (2023), a range (2015-2023) or 'all'", text));
    }
    first = *a;
    last = *b;
  } else {
    auto y = ParseYear(text);
    if (!y) return MakeError(fmt::format("--year '{}': expected a year (2023), a range (2015-2023) or 'all'", text));
    first = last = *y;
  }
  std::vector<int> years;
  for (int y = first; y <= last; ++y) years.push_back(y);
  return years;
}

int Fail(const Error& error) {
  fmt::print(stderr, "vsv: {}\n", error.message);
  return 1;
}

Result<Date> ParseDateOption(const std::string& name, const std::string& value) {
  auto d = ParseDate(value);
  if (!d) return MakeError(fmt::format("{} '{}': expected a date YYYY-MM-DD", name, value));
  return *d;
}

void AddBoundariesOption(CLI::App* cmd, int* year) {
  cmd->add_option("--boundaries", *year,
                  "count every year on the municipalities and regions of this school year (e.g. 2025); "
                  "default: each year on its own division");
}

Result<std::optional<Division>> BoundariesDivision(int year, const Reference& reference) {
  if (year == 0) return std::optional<Division>();
  if (year < reference.first_year() || year > reference.last_year()) {
    return MakeError(fmt::format("--boundaries {}: expected a school year the reference data describes ({}-{})", year,
                                 reference.first_year(), reference.last_year()));
  }
  return std::optional<Division>(reference.DivisionOf(year));
}

}  // namespace vsv::cli
