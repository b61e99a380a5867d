// vsv effect-report end to end (issue 16): a small synthetic registry, a register
// synced for region 21 with a programme recorded through `vsv programme`, then the
// report in JSON, PDF and XLSX. Every figure of the JSON is read back from the PDF
// (pdftotext, poppler-utils) and from the XLSX (tests/api/read_xlsx.py); the count's
// figures equal `vsv count`'s; a region without cases renders; bad programme input is
// refused with a message and nothing is saved.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Ran {
  int code = -1;
  std::string out;
};

Ran Shell(const std::string& cmd) {
  Ran r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

Ran Vsv(const std::string& args) { return Shell(std::string(VSV_BINARY) + " " + args); }

class EffectReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(fs::temp_directory_path() / fmt::format("vsv-effect-{}", getpid()));
    fs::create_directories(*dir_);
    const std::string& d = *dir_;
    auto must = [](const Ran& r) { ASSERT_EQ(r.code, 0) << r.out; };
    must(Vsv(fmt::format("synth --scale 0.01 --seed 11 --out {}/data", d)));
    must(Vsv(fmt::format("cases sync --db {0}/reg.db --data {0}/data --region 21 --date 2024-10-01 -q", d)));
    const std::string db = "--db " + d + "/reg.db";
    must(Vsv(fmt::format("programme agreement {} --region 21 --topic mbo-verklaring --text 'Ieder een verklaring'", db)));
    must(Vsv(fmt::format("programme measure {} --region 21 --topic vo-mbo --title Overstapcoach "
                         "--target-group 'Vso-leerlingen' --activities Coaching --partners 'VSO, ROC' "
                         "--planned-participants 30 --expected-effect 'Minder uitval' --expected-prevented 4 "
                         "--budget 2024=25000 --budget 2025=26000",
                         db)));
    must(Vsv(fmt::format("programme spend {} --measure 1 --year 2024 --category C --euros 12345", db)));
    must(Vsv(fmt::format("programme spend {} --measure 1 --year 2024 --category A --euros 1000", db)));
    must(Vsv(fmt::format("programme target {} --region 21 --year 2024 --max-new-vsv 250", db)));
    must(Vsv(fmt::format("programme text {} --region 21 --year 2024 --section cooperation --text 'Samen sterk'", db)));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string Args(int region) {
    return fmt::format("effect-report --data {0}/data --db {0}/reg.db --region {1} --year 2024 -q", *dir_, region);
  }
  static json Report(int region) {
    const Ran r = Vsv(Args(region) + " --format json");
    EXPECT_EQ(r.code, 0) << r.out;
    return json::parse(r.out, nullptr, false);
  }
  static std::string* dir_;
};
std::string* EffectReportTest::dir_ = nullptr;

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \f"), b = s.find_last_not_of(" \f");  // \f: a new page
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

TEST_F(EffectReportTest, CountFiguresEqualVsvCount) {
  const json rep = Report(21);
  ASSERT_FALSE(rep.is_discarded());
  std::map<std::string, json> v;
  for (const json& f : rep["figures"]) v[f["key"]] = f["value"];
  const Ran region = Vsv(fmt::format("count --data {}/data --year 2023 --region 21 --format json -q", *dir_));
  const Ran nat = Vsv(fmt::format("count --data {}/data --year 2023 --format json -q", *dir_));
  ASSERT_EQ(region.code, 0) << region.out;
  const json r = json::parse(region.out)["total"], n = json::parse(nat.out)["total"];
  EXPECT_EQ(v["count.new_vsv"], r["X"]);
  EXPECT_EQ(v["count.participants"].get<int64_t>(), r["A"].get<int64_t>() - r["B"].get<int64_t>());
  EXPECT_EQ(v["count.pct"].get<int64_t>(), std::llround(r["pct"].get<double>() * 100));
  EXPECT_EQ(v["count.national_new_vsv"], n["X"]);
  EXPECT_EQ(v["count.region_target"], 250);
  EXPECT_EQ(v["count.national_target"], 20000);  // data/reference/targets.csv, 2024
  EXPECT_EQ(v["measure.1.spent"], 13345);
  EXPECT_EQ(v["measure.1.spent.C"], 12345);
  EXPECT_EQ(v["measure.1.budget"], 25000);
  EXPECT_EQ(v["measure.1.participants"], 0);
  EXPECT_GT(v["mbo.leavers"].get<int64_t>(), 0);
  EXPECT_EQ(rep["missing_topics"], json({"support", "vo-mbo", "up-to-27", "work-without-sk"}));
  EXPECT_EQ(rep["texts"]["cooperation"], "Samen sterk");
  EXPECT_EQ(rep["empty_texts"].size(), 4u);
}

TEST_F(EffectReportTest, EveryFigureOfThePdfAndTheXlsxEqualsTheJson) {
  const json rep = Report(21);
  const std::string pdf = *dir_ + "/r.pdf", xlsx = *dir_ + "/r.xlsx";
  ASSERT_EQ(Vsv(Args(21) + " --out " + pdf).code, 0);
  ASSERT_EQ(Vsv(Args(21) + " --format xlsx --out " + xlsx).code, 0);
  const Ran text = Shell("pdftotext -layout " + pdf + " -");
  if (text.code == 127) GTEST_SKIP() << "pdftotext (poppler-utils) is not installed";
  ASSERT_EQ(text.code, 0) << text.out;
  std::vector<std::string> lines;
  std::istringstream in(text.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  int found = 0;
  for (const json& f : rep["figures"]) {
    const std::string label = f["label_nl"], value = f["text"];
    bool ok = false;
    for (const std::string& l : lines) {
      const std::string t = Trim(l);
      if (t.size() <= value.size() || t.compare(t.size() - value.size(), value.size(), value) != 0) continue;
      const std::string prefix = Trim(t.substr(0, t.size() - value.size()));
      if (!prefix.empty() && label.rfind(prefix, 0) == 0 && prefix.size() >= std::min<size_t>(label.size(), 20)) {
        ok = true;
        break;
      }
    }
    EXPECT_TRUE(ok) << f["key"] << ": '" << label << "' with " << value << " not in the PDF";
    found += ok;
  }
  EXPECT_EQ(found, static_cast<int>(rep["figures"].size()));
  EXPECT_NE(text.out.find("Samen sterk"), std::string::npos);
  EXPECT_NE(text.out.find("(nog leeg)"), std::string::npos);
  const Ran sheet = Shell(fmt::format("/usr/bin/python3 {}/tests/api/read_xlsx.py {}", VSV_SOURCE_DIR, xlsx));
  ASSERT_EQ(sheet.code, 0) << sheet.out;
  const json rows = json::parse(sheet.out)["rows"];
  std::map<std::string, json> cells;
  for (size_t i = 1; i < rows.size(); ++i) cells[rows[i][1].get<std::string>()] = rows[i][3];
  for (const json& f : rep["figures"]) {
    ASSERT_TRUE(cells.count(f["key"])) << f["key"];
    const json& c = cells[f["key"]];
    if (f["value"].is_null()) {
      EXPECT_EQ(c, "–") << f["key"];
    } else {
      EXPECT_EQ(c.is_string() ? json(std::stoll(c.get<std::string>())) : json(c.get<int64_t>()), f["value"])
          << f["key"];
    }
  }
}

TEST_F(EffectReportTest, ARegionWithoutCasesRendersInEveryFormat) {
  const json rep = Report(40);
  ASSERT_FALSE(rep.is_discarded());
  for (const json& f : rep["figures"]) {
    if (f["key"].get<std::string>().rfind("3", 0) == 0) EXPECT_EQ(f["value"], 0) << f["key"];
  }
  EXPECT_EQ(rep["missing_topics"].size(), 5u);
  EXPECT_EQ(Vsv(Args(40) + " --out " + *dir_ + "/e.pdf").code, 0);
  EXPECT_EQ(Vsv(Args(40) + " --format xlsx --out " + *dir_ + "/e.xlsx").code, 0);
  EXPECT_GT(fs::file_size(*dir_ + "/e.pdf"), 1000u);
}

TEST_F(EffectReportTest, BadProgrammeInputIsRefusedWithAMessageAndNothingSaved) {
  const std::string db = "--db " + *dir_ + "/reg.db";
  const Ran before = Vsv(fmt::format("programme show {} --region 21 --format json", db));
  ASSERT_EQ(before.code, 0) << before.out;
  struct Bad {
    std::string args, says;
  };
  const std::vector<Bad> bad = {
      {"agreement --region 21 --topic housing --text x", "unknown programme topic 'housing'"},
      {"agreement --region 21 --topic support --text ''", "text is required"},
      {"measure --region 21 --topic support --title T --target-group g --activities a --partners p "
       "--planned-participants -3 --expected-effect e",
       "planned_participants -3"},
      {"measure --region 21 --topic support --title T --target-group g --activities a --partners p "
       "--planned-participants 3 --expected-effect e --budget 2024=abc",
       "expected YEAR=EUROS"},
      {"spend --measure 1 --year 2024 --category Z --euros 5", "unknown spending category 'Z'"},
      {"spend --measure 1 --year 2024 --category B --euros -5", "spent -5"},
      {"spend --measure 99 --year 2024 --category B --euros 5", "measure 99 does not exist"},
      {"target --region 21 --year 1990 --max-new-vsv 5", "year 1990"},
      {"text --region 21 --year 2024 --section summary --text x", "unknown report text 'summary'"},
  };
  for (const Bad& b : bad) {
    const Ran r = Vsv(fmt::format("programme {} {}", b.args.substr(0, b.args.find(' ')), db) +
                      b.args.substr(b.args.find(' ')));
    EXPECT_NE(r.code, 0) << b.args;
    EXPECT_NE(r.out.find(b.says), std::string::npos) << b.args << ": " << r.out;
  }
  const Ran after = Vsv(fmt::format("programme show {} --region 21 --format json", db));
  EXPECT_EQ(after.out, before.out);
}

}  // namespace
