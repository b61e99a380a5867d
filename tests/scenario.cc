#include "scenario.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "core/file_util.h"

namespace vsv::test {

namespace {

const std::map<std::string, std::string>& RequiredHeaders() {
  static const std::map<std::string, std::string> kHeaders = {
      {"persons.csv", "person_id,birth_date,sex"},
      {"residences.csv", "person_id,valid_from,valid_to,municipality,postcode4"},
      {"enrolments.csv",
       "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,"
       "international,outsourced_to_vavo,start_date,end_date"},
      {"diplomas.csv", "person_id,date,type,institution"},
      {"registrations.csv", "person_id,register,valid_from,valid_to"},
      {"life_events.csv", "person_id,date,event"},
      {"institutions.csv", "institution,location,name,sector,municipality"},
  };
  return kHeaders;
}

std::string Trim(std::string s) {
  const size_t a = s.find_first_not_of(" \t\r");
  const size_t b = s.find_last_not_of(" \t\r");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// "value   # comment" -> "value".
std::string StripComment(const std::string& s) { return Trim(s.substr(0, s.find('#'))); }

}  // namespace

Result<Scenario> ParseScenario(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return tl::unexpected(text.error());
  Scenario sc;
  sc.path = path;
  std::istringstream in(*text);
  std::string line, section;
  int line_no = 0;
  bool have_year = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("--- ", 0) == 0) {
      section = Trim(line.substr(4));
      if (section == "expect_error") sc.expects_error = true;
      else if (section != "expect") sc.files[section];  // may stay empty
      continue;
    }
    if (section.empty()) {
      const std::string t = Trim(line);
      if (t.empty() || t[0] == '#') continue;
      const size_t colon = t.find(':');
      if (colon == std::string::npos) {
        return MakeError(fmt::format("{}:{}: expected 'year:' or 'age_limit:', found '{}'", path, line_no, t));
      }
      const std::string key = Trim(t.substr(0, colon));
      const std::string value = StripComment(t.substr(colon + 1));
      if (key == "year") { sc.year = std::atoi(value.c_str()); have_year = true; }
      else if (key == "age_limit") sc.age_limit = std::atoi(value.c_str());
      else return MakeError(fmt::format("{}:{}: unknown setting '{}'", path, line_no, key));
      continue;
    }
    if (section == "expect" || section == "expect_error") {
      const std::string t = Trim(line);
      if (t.empty() || t[0] == '#') continue;
      if (section == "expect_error") { sc.expect_error.push_back(t); continue; }
      std::istringstream words(StripComment(t));
      ExpectedPerson e;
      e.line = line_no;
      words >> e.person_id >> e.part;
      std::string check;
      while (words >> check) {
        const size_t eq = check.find('=');
        if (eq == std::string::npos) {
          return MakeError(fmt::format("{}:{}: expected key=value, found '{}'", path, line_no, check));
        }
        e.checks.emplace_back(check.substr(0, eq), check.substr(eq + 1));
      }
      if (e.part.empty()) return MakeError(fmt::format("{}:{}: expected '<person_id> <part>'", path, line_no));
      sc.expect.push_back(std::move(e));
      continue;
    }
    // Comment lines inside a file section are dropped; everything else is file text.
    if (!line.empty() && line[0] == '#') continue;
    if (Trim(line).empty()) continue;
    sc.files[section] += line + "\n";
  }
  if (!have_year) return MakeError(fmt::format("{}: missing 'year:'", path));
  if (!sc.expects_error && sc.expect.empty()) return MakeError(fmt::format("{}: no '--- expect' lines", path));
  return sc;
}

Status WriteScenarioRegistry(const Scenario& sc, const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, header] : RequiredHeaders()) {
    if (!sc.files.count(name)) {
      if (auto st = WriteFileAtomic(dir + "/" + name, header + "\n"); !st) return st;
    }
  }
  for (const auto& [name, content] : sc.files) {
    if (auto st = WriteFileAtomic(dir + "/" + name, content); !st) return st;
  }
  return {};
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) std::abort();
  return tmpl;
}

}  // namespace vsv::test
