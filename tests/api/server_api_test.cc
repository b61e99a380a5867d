// The HTTP API against a real server on 127.0.0.1 (a free port, started and stopped
// by the test) over a random registry: every endpoint, every error path, the
// security headers, suppression for the public, CSV and XLSX downloads (the XLSX is
// opened and read back with Python's zipfile), and /api/v1/count byte for byte
// against `vsv count --format json`.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "test_server.h"
#include "cli/common.h"
#include "random_registry.h"
#include "registry/loader.h"
#include "report/count_report.h"
#include "report/suppression.h"
#include "scenario.h"
#include "server/server.h"

namespace vsv {
namespace {

using json = nlohmann::ordered_json;

// Runs a command, returns its stdout.
std::string Capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = test::MakeTempDir("vsv-api-");
    test::WriteFiles(test::RandomRegistry(11, 6000), data_dir_);
    auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    reference_ = std::make_unique<Reference>(std::move(*ref));
    auto reg = LoadRegistryCsv(data_dir_, *reference_, LoadOptions{2}, nullptr);
    ASSERT_TRUE(reg.has_value()) << reg.error().message;
    registry_ = std::make_unique<Registry>(std::move(*reg));
    cache_ = std::make_unique<ClassificationCache>(*registry_, *reference_, 2);
    context_ = std::make_unique<server::ServerContext>(
        *registry_, *reference_, *cache_,
        [](const std::string& text) { return cli::ParseYears(text, *registry_, *reference_); });
    context_->data_name = "random-11";
    server::ServerOptions options;
    options.web_dir = "";  // API only
    options.geo_dir = std::string(VSV_SOURCE_DIR) + "/data/reference/geo";
    options.http_threads = 8;
    options.warm_up = true;
    // Test-only resolver: the role named in X-Test-Role, public otherwise. The real
    // server has no such header; issue 5 resolves sessions instead.
    options.resolve_principal = [](const httplib::Request& req) {
      server::Principal p;
      if (auto role = server::ParseRole(req.get_header_value("X-Test-Role"))) p.role = *role;
      return p;
    };
    server_ = std::make_unique<test::TestServer>();
    const std::string error = server_->Start(*context_, options);
    ASSERT_EQ(error, "");
    port_ = server_->port();
  }

  static void TearDownTestSuite() {
    server_->Stop();
    server_.reset();
    context_.reset();
    cache_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  static httplib::Result Get(const std::string& path, const std::string& role = "") {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    httplib::Headers headers;
    if (!role.empty()) headers.emplace("X-Test-Role", role);
    return client.Get(path, headers);
  }

  static json GetJson(const std::string& path, int status = 200, const std::string& role = "") {
    auto res = Get(path, role);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, status) << path << "\n" << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8") << path;
    return json::parse(res->body, nullptr, false);
  }

  // The error shape, with a message that names `word`.
  static void ExpectError(const std::string& path, int status, const std::string& code, const std::string& word) {
    const json j = GetJson(path, status);
    ASSERT_TRUE(j.contains("error")) << path;
    EXPECT_EQ(j["error"].size(), 2u) << path;
    EXPECT_EQ(j["error"]["code"], code) << path;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(word), std::string::npos)
        << path << ": " << j["error"]["message"];
  }

  static std::string Cli(const std::string& args) {
    return Capture(fmt::format("{} count --data {} --quiet {}", VSV_BINARY, data_dir_, args));
  }

  static int Last() { return context_->years.last; }

  static std::string data_dir_;
  static std::unique_ptr<Reference> reference_;
  static std::unique_ptr<Registry> registry_;
  static std::unique_ptr<ClassificationCache> cache_;
  static std::unique_ptr<server::ServerContext> context_;
  static std::unique_ptr<test::TestServer> server_;
  static int port_;
};
std::string ApiTest::data_dir_;
std::unique_ptr<Reference> ApiTest::reference_;
std::unique_ptr<Registry> ApiTest::registry_;
std::unique_ptr<ClassificationCache> ApiTest::cache_;
std::unique_ptr<server::ServerContext> ApiTest::context_;
std::unique_ptr<test::TestServer> ApiTest::server_;
int ApiTest::port_ = 0;

// Every count cell of a (public) table is either >= 5 or a mark.
void ExpectNoSmallNumbers(const json& j, const std::string& where) {
  std::function<void(const json&, const std::string&)> walk = [&](const json& v, const std::string& key) {
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) walk(it.value(), it.key());
    } else if (v.is_array()) {
      for (const auto& e : v) walk(e, key);
    } else if (v.is_number_integer() && key.size() <= 16 &&
               (key == "A" || key == "X" || key == "count" || key[0] == 'B' || key[0] == 'C' || key[0] == 'D')) {
      EXPECT_GE(v.get<int64_t>(), 5) << where << " field " << key;
    }
  };
  walk(j, "");
}

TEST_F(ApiTest, YearsAreCountable) { ASSERT_LE(context_->years.first, context_->years.last); }

TEST_F(ApiTest, CountIsTheCliJsonForAnAnalystAndSuppressedForThePublic) {
  const std::string y = std::to_string(Last());
  for (const auto& [query, cli] : std::vector<std::pair<std::string, std::string>>{
           {"year=" + y, "--year " + y},
           {"year=" + y + "&by=region,sector", "--year " + y + " --by region,sector"},
           {"year=" + y + "&by=sector&region=21", "--year " + y + " --by sector --region 21"},
           {"year=" + y + "&age_limit=27&by=category", "--year " + y + " --age-limit 27 --by category"},
           {fmt::format("year={}-{}&by=sex", Last() - 2, Last()), fmt::format("--year {}-{} --by sex", Last() - 2, Last())},
           {"year=all", "--year all"}}) {
    const std::string expected = Cli(cli + " --format json");
    ASSERT_FALSE(expected.empty()) << cli;
    auto res = Get("/api/v1/count?" + query, "national_analyst");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body + "\n", expected) << query;  // byte for byte
    // The public gets the same JSON through the suppression, nothing else.
    json want = json::parse(expected);
    if (want.is_array()) {
      for (auto& t : want) SuppressCountTableJson(t, context_->suppression);
    } else {
      SuppressCountTableJson(want, context_->suppression);
    }
    const json got = GetJson("/api/v1/count?" + query);
    EXPECT_EQ(got, want) << query;
    ExpectNoSmallNumbers(got, query);
  }
}

TEST_F(ApiTest, EveryEndpointAnswersWithJsonAndSecurityHeaders) {
  const std::string y = std::to_string(Last());
  const std::string brin = registry_->institutions.brin.front();
  for (const std::string& path : std::vector<std::string>{
           "/api/v1/count", "/api/v1/count?year=" + y + "&by=municipality&municipality=0363",
           "/api/v1/count?year=" + y + "&school=" + brin + "&by=category,pathway",
           "/api/v1/count?year=" + y + "&sector=MBO&category=MBO-2",
           "/api/v1/trend", "/api/v1/trend?from=" + std::to_string(Last() - 1) + "&to=" + y + "&by=sector",
           "/api/v1/regions", "/api/v1/regions?year=" + y + "&sector=VO", "/api/v1/regions/21",
           "/api/v1/municipalities", "/api/v1/municipalities?region=21", "/api/v1/schools?region=21",
           "/api/v1/schools?municipality=0363&sector=MBO", "/api/v1/schools/" + brin,
           "/api/v1/stock?kind=oud-vsv&date=" + y + "-10-01&by=region",
           "/api/v1/stock?kind=jzs-23-27&date=" + y + "-10-01",
           "/api/v1/stock?kind=vulnerable&date=" + y + "-10-01&by=municipality",
           "/api/v1/meta", "/api/v1/health", "/api/openapi.json"}) {
    auto res = Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << "\n" << res->body;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << path;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    const json j = json::parse(res->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << path;
    if (path.find("meta") == std::string::npos && path.find("openapi") == std::string::npos) {
      ExpectNoSmallNumbers(j, path);
    }
  }
  // Error responses and static files carry the headers too.
  for (const std::string path : {"/api/v1/nope", "/", "/geo/rmc_regios.csv", "/api/v1/count?bad=1"}) {
    auto res = Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_FALSE(res->get_header_value("Content-Security-Policy").empty()) << path;
  }
}

TEST_F(ApiTest, TrendHasEveryYearAndTheNationalTargets) {
  const json j = GetJson("/api/v1/trend?by=sector");
  ASSERT_EQ(j["years"].size(), static_cast<size_t>(context_->years.last - context_->years.first + 1));
  bool has_2024 = false;
  for (const auto& t : j["targets"]) {
    if (t["year"] == 2024) {
      has_2024 = true;
      EXPECT_EQ(t["school_year"], "2023-2024");
      EXPECT_EQ(t["max_new_vsv"], 20000);
    }
  }
  EXPECT_TRUE(has_2024);
  for (const auto& y : j["years"]) {
    // Each year is the count of that year (the same code path as /count).
    const std::string year = y["school_year"].get<std::string>().substr(0, 4);
    json count = GetJson("/api/v1/count?by=sector&year=" + year);
    json copy = y;
    copy.erase("target");
    EXPECT_EQ(copy, count) << year;
    const auto target = reference_->TargetFor(std::stoi(year) + 1);
    EXPECT_EQ(y["target"], target ? json(*target) : json(nullptr));
  }
}

TEST_F(ApiTest, RegionsMunicipalitiesAndSchoolsAddUpToTheCount) {
  const std::string y = std::to_string(Last());
  const json regions = GetJson("/api/v1/regions?year=" + y, 200, "national_analyst");
  const json count = GetJson("/api/v1/count?by=region&year=" + y, 200, "national_analyst");
  EXPECT_EQ(regions["total"], count["total"]);
  int64_t x = 0;
  for (const auto& r : regions["regions"]) x += r["X"].get<int64_t>();
  EXPECT_EQ(x, count["total"]["X"].get<int64_t>());
  const json region = GetJson("/api/v1/regions/21?year=" + y, 200, "national_analyst");
  EXPECT_EQ(region["name"], "Agglomeratie Amsterdam");
  EXPECT_EQ(region["total"], GetJson("/api/v1/count?region=21&year=" + y, 200, "national_analyst")["total"]);
  int64_t a = 0;
  for (const auto& m : region["municipalities"]) a += m["A"].get<int64_t>();
  EXPECT_EQ(a, region["total"]["A"].get<int64_t>());
  const json munis = GetJson("/api/v1/municipalities?region=21&year=" + y, 200, "national_analyst");
  EXPECT_EQ(munis["municipalities"].size(), region["municipalities"].size());
  // A school's page is its count.
  const json schools = GetJson("/api/v1/schools?region=21&year=" + y, 200, "national_analyst");
  ASSERT_FALSE(schools["schools"].empty());
  const std::string brin = schools["schools"][0]["brin"];
  const json school = GetJson("/api/v1/schools/" + brin + "?year=" + y, 200, "national_analyst");
  EXPECT_EQ(school["total"], GetJson("/api/v1/count?school=" + brin + "&year=" + y, 200, "national_analyst")["total"]);
  EXPECT_EQ(schools["schools"][0]["region"], "21");
}

TEST_F(ApiTest, PublicTablesAreSuppressedAndTheAnalystsAreNot) {
  const std::string y = std::to_string(Last());
  const json pub = GetJson("/api/v1/count?by=municipality,sector&year=" + y);
  const json analyst = GetJson("/api/v1/count?by=municipality,sector&year=" + y, 200, "national_analyst");
  int small = 0, hidden = 0;
  for (size_t g = 0; g < pub["groups"].size(); ++g) {
    for (auto it = pub["groups"][g].begin(); it != pub["groups"][g].end(); ++it) {
      if (it.key() == "key") continue;
      const json& raw = analyst["groups"][g][it.key()];
      if (it.value() == "<5") {
        ++small;
        EXPECT_LT(raw.get<int64_t>(), 5);
      } else if (it.value() == "x") {
        ++hidden;
        if (it.key() != "pct") { EXPECT_GE(raw.get<int64_t>(), 5); }
      } else {
        EXPECT_EQ(it.value(), raw) << it.key();
      }
    }
  }
  EXPECT_GT(small, 0);
  EXPECT_GT(hidden, 0);  // secondary suppression happened
  const json meta = GetJson("/api/v1/meta");
  EXPECT_EQ(meta["role"], "public");
  EXPECT_EQ(meta["suppression"]["applies"], true);
  EXPECT_EQ(GetJson("/api/v1/meta", 200, "national_analyst")["suppression"]["applies"], false);
}

TEST_F(ApiTest, ErrorsHaveOneShapeAndNameTheParameter) {
  const std::string y = std::to_string(Last());
  ExpectError("/api/v1/count?yaer=2023", 400, "unknown_parameter", "yaer");
  ExpectError("/api/v1/count?year=20x3", 400, "bad_parameter", "year");
  ExpectError("/api/v1/count?year=" + y + "%20OR%201=1", 400, "bad_parameter", y + " OR 1=1");
  ExpectError("/api/v1/count?year=" + y + "=1", 400, "bad_parameter", y + "=1");
  ExpectError("/api/v1/count?year=1990", 400, "bad_parameter", "1990");
  ExpectError("/api/v1/count?year=2023-2015", 400, "bad_parameter", "year");
  ExpectError("/api/v1/count?age_limit=23", 400, "bad_parameter", "age_limit");
  ExpectError("/api/v1/count?age_limit=abc", 400, "bad_parameter", "age_limit");
  ExpectError("/api/v1/count?by=region,foo", 400, "bad_parameter", "foo");
  ExpectError("/api/v1/count?by=region,region", 400, "bad_parameter", "region");
  ExpectError("/api/v1/count?region=1", 400, "bad_parameter", "region");
  ExpectError("/api/v1/count?region=77", 400, "bad_parameter", "region");
  ExpectError("/api/v1/count?municipality=363", 400, "bad_parameter", "municipality");
  ExpectError("/api/v1/count?municipality=9999", 400, "bad_parameter", "municipality");
  ExpectError("/api/v1/count?school=ZZZZ", 400, "bad_parameter", "school");
  ExpectError("/api/v1/count?sector=HO", 400, "bad_parameter", "sector");
  ExpectError("/api/v1/count?category=MBO-5", 400, "bad_parameter", "category");
  ExpectError("/api/v1/count?format=pdf", 400, "bad_parameter", "format");
  ExpectError("/api/v1/count?year=2023&year=2022", 400, "bad_parameter", "year");
  ExpectError("/api/v1/trend?from=" + y + "&to=" + std::to_string(Last() - 1), 400, "bad_parameter", "from");
  ExpectError("/api/v1/trend?from=12", 400, "bad_parameter", "from");
  ExpectError("/api/v1/trend?to=2999", 400, "bad_parameter", "to");
  ExpectError("/api/v1/trend?year=2023", 400, "unknown_parameter", "year");
  ExpectError("/api/v1/regions?region=21", 400, "unknown_parameter", "region");
  ExpectError("/api/v1/regions/99", 404, "not_found", "99");
  ExpectError("/api/v1/regions/abc", 404, "not_found", "abc");
  ExpectError("/api/v1/municipalities?region=xx", 400, "bad_parameter", "region");
  ExpectError("/api/v1/schools", 400, "bad_parameter", "region");
  ExpectError("/api/v1/schools?region=21&sector=PRO", 400, "bad_parameter", "sector");
  ExpectError("/api/v1/schools/NOPE", 404, "not_found", "NOPE");
  ExpectError("/api/v1/stock", 400, "bad_parameter", "kind");
  ExpectError("/api/v1/stock?kind=old", 400, "bad_parameter", "kind");
  ExpectError("/api/v1/stock?kind=oud-vsv", 400, "bad_parameter", "date");
  ExpectError("/api/v1/stock?kind=oud-vsv&date=2023-02-30", 400, "bad_parameter", "date");
  ExpectError("/api/v1/stock?kind=oud-vsv&date=1999-10-01", 400, "bad_parameter", "date");
  ExpectError("/api/v1/stock?kind=oud-vsv&date=" + y + "-10-01&by=school", 400, "bad_parameter", "by");
  ExpectError("/api/v1/stock?kind=oud-vsv&date=" + y + "-10-01&age_limit=22", 400, "bad_parameter", "age_limit");
  ExpectError("/api/v1/count?boundaries=20x5", 400, "bad_parameter", "boundaries");
  ExpectError("/api/v1/count?boundaries=2011", 400, "bad_parameter", "2011");
  ExpectError("/api/v1/count?boundaries=2026", 400, "bad_parameter", "2012-2025");
  ExpectError("/api/v1/count?boundaries=+2025", 400, "bad_parameter", "boundaries");
  ExpectError("/api/v1/regions?boundaries=", 400, "bad_parameter", "boundaries");
  ExpectError("/api/v1/stock?kind=oud-vsv&date=" + y + "-10-01&boundaries=99999", 400, "bad_parameter", "boundaries");
  ExpectError("/api/v1/meta?x=1", 400, "unknown_parameter", "x");
  ExpectError("/api/v1/meta?format=csv", 400, "unknown_parameter", "format");
  ExpectError("/api/v1/nope", 404, "not_found", "/api/v1/nope");
  // Only GET.
  httplib::Client client("127.0.0.1", port_);
  auto res = client.Post("/api/v1/count", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "method_not_allowed");
}

TEST(ParseQuery, SplitsAtTheFirstEqualsSignAndDecodes) {
  const server::QueryParams p = server::ParseQuery("/api/v1/cases?owner=1%20OR%201=1&q=a+b%3D&&flag&bad=%zz%4");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p.find("owner")->second, "1 OR 1=1");
  EXPECT_EQ(p.find("q")->second, "a b=");
  EXPECT_EQ(p.find("flag")->second, "");
  EXPECT_EQ(p.find("bad")->second, "%zz%4");
  EXPECT_TRUE(server::ParseQuery("/api/v1/count").empty());
  EXPECT_EQ(server::ParseQuery("/x?a=1#b=2").size(), 1u);
}

bool HasMunicipality(const json& region, const std::string& code) {
  for (const auto& m : region["municipalities"]) {
    if (m["code"] == code) return true;
  }
  return false;
}

// Each year on its own division (39 regions up to 2020, 40 from 2021, a note where a
// region's area changed), or every year on one year's map: the national figure is
// the same either way.
TEST_F(ApiTest, RegionsOfEachYearAndOnOneYearsMap) {
  for (int y = context_->years.first; y <= Last(); ++y) {
    const std::string year = std::to_string(y);
    const json own = GetJson("/api/v1/count?by=region&year=" + year, 200, "national_analyst");
    const json on2025 = GetJson("/api/v1/count?by=region&boundaries=2025&year=" + year, 200, "national_analyst");
    EXPECT_EQ(own["total"], on2025["total"]) << y;
    EXPECT_EQ(on2025["boundaries"], "2025-2026");
    EXPECT_FALSE(own.contains("boundaries"));
    const json regions = GetJson("/api/v1/regions?year=" + year, 200, "national_analyst");
    const json regions2025 = GetJson("/api/v1/regions?boundaries=2025&year=" + year, 200, "national_analyst");
    auto named = [](const json& rows) {
      size_t n = 0;
      for (const auto& r : rows["regions"]) n += r["code"].is_string() ? 1 : 0;
      return n;
    };
    EXPECT_EQ(named(regions), y >= 2021 ? 40u : 39u) << y;
    EXPECT_EQ(named(regions2025), 40u) << y;
    EXPECT_EQ(regions2025["total"], regions["total"]) << y;
    const json r14 = GetJson("/api/v1/regions/14?year=" + year, 200, "national_analyst");
    EXPECT_EQ(HasMunicipality(r14, "0268"), y <= 2020) << y;  // Nijmegen
    EXPECT_EQ(r14["name"], y <= 2020 ? "Arnhem/Nijmegen" : "Arnhem");
    const json r14on2025 = GetJson("/api/v1/regions/14?boundaries=2025&year=" + year, 200, "national_analyst");
    EXPECT_FALSE(HasMunicipality(r14on2025, "0268")) << y;
    EXPECT_FALSE(r14on2025.contains("area_changes"));
    if (y == 2021) {
      ASSERT_TRUE(regions.contains("area_changes"));
      std::set<std::string> changed;
      for (const auto& c : regions["area_changes"]) changed.insert(c["region"].get<std::string>());
      EXPECT_TRUE(changed.count("14") && changed.count("40"));
      ASSERT_TRUE(r14.contains("area_changes"));
      EXPECT_NE(r14["area_changes"][0]["note"].get<std::string>().find("0268 Nijmegen"), std::string::npos);
    }
    if (y == 2020) {
      EXPECT_FALSE(regions.contains("area_changes"));
    }
  }
  // The trend of region 14 notes the year its area changed.
  const json trend = GetJson("/api/v1/trend?region=14", 200, "national_analyst");
  for (const auto& t : trend["years"]) {
    EXPECT_EQ(t.contains("area_changes"), t["school_year"] == "2021-2022") << t["school_year"];
  }
}

TEST_F(ApiTest, CsvDownloadHasDutchHeadingsAndTheSameFigures) {
  const std::string y = std::to_string(Last());
  auto res = Get("/api/v1/count?year=" + y + "&by=region&format=csv");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(res->get_header_value("Content-Disposition").find(".csv\""), std::string::npos);
  const json j = GetJson("/api/v1/count?year=" + y + "&by=region");
  std::vector<std::string> lines;
  for (size_t pos = 0, next; pos < res->body.size(); pos = next + 2) {
    next = res->body.find("\r\n", pos);
    lines.push_back(res->body.substr(pos, next - pos));
  }
  ASSERT_EQ(lines.size(), j["groups"].size() + 2);  // header, groups, total
  EXPECT_EQ(lines[0].rfind("schooljaar,RMC-regio,regionaam,startpopulatie (A),", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("nieuwe vsv'ers (X),vsv-percentage"), std::string::npos);
  EXPECT_EQ(lines.back().rfind(j["school_year"].get<std::string>() + ",totaal,", 0), 0u) << lines.back();
  // No cell starts with a formula character.
  for (const std::string& line : lines) {
    for (char c : {'=', '+', '@'}) EXPECT_EQ(line.find(std::string(",") + c), std::string::npos) << line;
  }
  // Every endpoint with tables serves CSV.
  for (const std::string& path : std::vector<std::string>{"/api/v1/trend?format=csv", "/api/v1/regions?format=csv", "/api/v1/regions/21?format=csv",
                                  "/api/v1/municipalities?format=csv", "/api/v1/schools?region=21&format=csv",
                                  "/api/v1/stock?kind=vulnerable&date=" + y + "-10-01&format=csv"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << r->body;
    EXPECT_GT(r->body.size(), 20u) << path;
  }
}

TEST_F(ApiTest, XlsxDownloadOpensAndReadsBack) {
  const std::string y = std::to_string(Last());
  auto res = Get("/api/v1/regions?year=" + y + "&format=xlsx");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const std::string path = data_dir_ + "/regions.xlsx";
  std::ofstream(path, std::ios::binary) << res->body;
  const std::string out = Capture(fmt::format("/usr/bin/python3 {}/tests/api/read_xlsx.py {}", VSV_SOURCE_DIR, path));
  const json sheet = json::parse(out, nullptr, false);
  ASSERT_FALSE(sheet.is_discarded()) << out;
  EXPECT_EQ(sheet["sheets"], json::array({"tabel", "toelichting"}));
  const json& rows = sheet["rows"];
  const json regions = GetJson("/api/v1/regions?year=" + y);
  ASSERT_EQ(rows.size(), regions["regions"].size() + 1);
  EXPECT_EQ(rows[0][0], "rang (1 = laagste vsv-percentage)");
  EXPECT_EQ(rows[0][1], "RMC-regio");
  EXPECT_EQ(rows[0][2], "regionaam");
  // Row order and every figure as in the JSON; suppressed cells as text.
  const json& first = regions["regions"][0];
  EXPECT_EQ(rows[1][1], first["code"]);
  EXPECT_EQ(rows[1][2], first["name"]);
  const size_t a_col = 4, x_col = a_col + 18, pct_col = a_col + 19;
  EXPECT_EQ(rows[0][a_col], "startpopulatie (A)");
  EXPECT_EQ(rows[0][x_col], "nieuwe vsv'ers (X)");
  EXPECT_EQ(rows[0][pct_col], "vsv-percentage");
  for (size_t r = 0; r < regions["regions"].size(); ++r) {
    const json& want = regions["regions"][r];
    EXPECT_EQ(rows[r + 1][a_col], want["A"]) << r;
    EXPECT_EQ(rows[r + 1][x_col], want["X"]) << r;
    if (want["pct"].is_number()) {
      EXPECT_NEAR(rows[r + 1][pct_col].get<double>(), want["pct"].get<double>() / 100.0, 1e-9) << r;
      EXPECT_EQ(sheet["formats"][fmt::format("{}{}", static_cast<char>('A' + pct_col), r + 2)], "0.00%");
    } else {
      EXPECT_EQ(rows[r + 1][pct_col], want["pct"]) << r;
    }
  }
  // Counts carry a thousands format (shown as 29.163 by a Dutch Excel).
  for (size_t r = 0; r < regions["regions"].size(); ++r) {
    if (!regions["regions"][r]["A"].is_number()) continue;
    EXPECT_EQ(sheet["formats"][fmt::format("E{}", r + 2)], "#,##0") << r;
    break;
  }
}

TEST_F(ApiTest, OpenApiDocumentsEveryRoute) {
  const json doc = GetJson("/api/openapi.json");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const char* path : {"/api/v1/count", "/api/v1/trend", "/api/v1/regions", "/api/v1/regions/{code}",
                           "/api/v1/municipalities", "/api/v1/schools", "/api/v1/schools/{brin}", "/api/v1/stock",
                           "/api/v1/meta", "/api/v1/health", "/api/openapi.json"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
  bool year_documented = false;
  for (const auto& p : doc["paths"]["/api/v1/count"]["get"]["parameters"]) {
    if (p["name"] == "year") year_documented = !p["description"].get<std::string>().empty();
  }
  EXPECT_TRUE(year_documented);
}

}  // namespace
}  // namespace vsv
