// Property: no registry the loader accepts makes any route answer 5xx. For each seed
// a random registry (of 1 to 1,500 persons, institution names in any UTF-8: accents,
// emoji, quotes, commas, line breaks) is loaded, a SQLite register is opened, and
// every route gets (1) each of its parameters with every value of the catalogue, of
// the registry and of the hard cases (tests/api_world.cc), alone, as the public and
// as an administrator, and (2) random requests: any route, method, parameters,
// JSON body, user, CSRF token and X-Purpose header. Every answer must be below 500
// and, when it says JSON, parse as JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include <fmt/format.h>

#include "api_world.h"
#include "random_registry.h"
#include "scenario.h"
#include "server/api.h"

namespace vsv {
namespace {

// Institution names a Dutch registry may hold, in UTF-8, quoted as CSV requires.
std::string RandomName(std::mt19937_64& rng) {
  static const std::vector<std::string> kParts = {
      "ROC", "Voorb\xC3\xA9\xC3\xA9ld", "Stedelijk Gymnasium", "'s-Hertogenbosch", "Fri\xC3\xA2n",
      "\xC3\x96zt\xC3\xBCrk", "Caf\xC3\xA9 \"De Kroon\"", "a, b", "twee\nregels", "\xF0\x9F\x8E\x93",
      "\xE2\x82\xAC", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0", ""};
  std::string name;
  for (int k = std::uniform_int_distribution<int>(1, 3)(rng); k > 0; --k) {
    name += kParts[std::uniform_int_distribution<size_t>(0, kParts.size() - 1)(rng)] + " ";
  }
  std::string quoted = "\"";
  for (char ch : name) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

// The registry's institutions.csv with a random name on every row (column 3).
std::string RenameInstitutions(const std::string& csv, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out;
  size_t start = 0;
  for (size_t nl; (nl = csv.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = csv.substr(start, nl - start);
    if (start > 0) {
      const size_t c2 = line.find(',', line.find(',') + 1), c3 = line.find(',', c2 + 1);
      line = line.substr(0, c2 + 1) + RandomName(rng) + line.substr(c3);
    }
    out += line + "\n";
  }
  return out;
}

class ApiPropertyTest : public ::testing::TestWithParam<uint64_t> {
 protected:
  void SetUp() override {
    dir_ = test::MakeTempDir("vsv-api-property-");
    const uint64_t seed = GetParam();
    const int persons[] = {1, 5, 60, 400, 1500};
    auto files = test::RandomRegistry(seed, persons[seed % 5]);
    files["institutions.csv"] = RenameInstitutions(files["institutions.csv"], seed);
    test::WriteFiles(files, dir_ + "/data");
    auto world = test::ApiWorld::Start(dir_ + "/data", dir_, std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(world.has_value()) << world.error().message;
    world_ = std::move(*world);
  }
  void TearDown() override {
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Expect(const test::ApiCall& call) {
    const test::Answer answer = world_->Send(call);
    const std::string problem = test::AnswerProblem(answer);
    EXPECT_EQ(problem, "") << call.Describe();
    ++statuses_[answer.status];
  }

  std::string dir_;
  std::unique_ptr<test::ApiWorld> world_;
  std::map<int, int> statuses_;
};

TEST_P(ApiPropertyTest, NoRouteAnswers5xx) {
  // (1) Every parameter of every GET route with every value, alone.
  test::RandomChoices choose(GetParam());
  int sweep = 0;
  for (const server::RouteSpec& route : world_->routes()) {
    if (std::string_view(route.method) != "GET") continue;
    for (const std::string& spec : route.params) {
      const std::string name = server::QueryName(spec);
      for (const std::string& value : test::CandidateValues(name, server::CatalogueName(spec), world_->words())) {
        for (const char* who : {"", "admin"}) {
          test::ApiCall call;
          call.method = "GET";
          call.who = who;
          call.target = test::FillPath(route, world_->words(), choose) + "?" + name + "=" + test::PercentEncode(value);
          Expect(call);
          ++sweep;
        }
      }
    }
  }
  // (2) Random requests to any route.
  for (int i = 0; i < 1500; ++i) Expect(test::MakeCall(world_->routes(), world_->words(), choose));
  std::string summary;
  for (const auto& [status, n] : statuses_) summary += fmt::format(" {}:{}", status, n);
  RecordProperty("statuses", summary);
  EXPECT_GT(sweep, 100);
  EXPECT_GT(statuses_[200], 100) << summary;  // the requests reach the handlers
  std::cout << "seed " << GetParam() << ": " << sweep << " parameter values, statuses" << summary << "\n";
}

INSTANTIATE_TEST_SUITE_P(Seeds, ApiPropertyTest, ::testing::Values(1, 2, 3, 4, 5, 6, 7, 8));

}  // namespace
}  // namespace vsv
