// The register over HTTP against a real server on 127.0.0.1 (free port) with a
// SQLite register: login (cookie attributes, lockout), logout, password change,
// CSRF on every state change, 401 without a session, and the authorization matrix:
// every /api/v1/cases… route × every role × own/other region (or school), each
// status code written out by hand below (not derived from Authorize, so a change
// of the rules or of the HTTP layer shows up here).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "test_server.h"
#include "cli/common.h"
#include "followup/sql.h"
#include "followup/store.h"
#include "random_registry.h"
#include "registry/loader.h"
#include "scenario.h"
#include "server/server.h"
#include "server/session.h"

namespace vsv {
namespace {

using json = nlohmann::json;
constexpr int kOwn = 21, kOther = 22;
constexpr const char* kPassword = "correct horse battery";

struct Who {
  std::string cookie, csrf;
};

class RegisterApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = test::MakeTempDir("vsv-register-api-");
    test::WriteFiles(test::RandomRegistry(5, 3000), dir_ + "/data");
    auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    ASSERT_TRUE(ref.has_value()) << ref.error().message;
    reference_ = std::make_unique<Reference>(std::move(*ref));
    auto reg = LoadRegistryCsv(dir_ + "/data", *reference_, LoadOptions{2}, nullptr);
    ASSERT_TRUE(reg.has_value()) << reg.error().message;
    registry_ = std::make_unique<Registry>(std::move(*reg));
    cache_ = std::make_unique<ClassificationCache>(*registry_, *reference_, 2);
    context_ = std::make_unique<server::ServerContext>(
        *registry_, *reference_, *cache_,
        [](const std::string& text) { return cli::ParseYears(text, *registry_, *reference_); });
    followup::StoreOptions so;
    so.auth.pwhash_opslimit = 1;  // fast hashes: the test logs in often
    so.auth.pwhash_memlimit = 8u << 20;
    so.auth.max_failed_logins = 3;
    so.pool_size = 1;  // as vsv serve runs SQLite: a nested lease would deadlock here
    // SQLite here; PostgreSQL when VSV_TEST_PG names a server (ctest
    // register.postgres runs this binary under tests/postgres/pg_test_env.sh).
    std::string target = dir_ + "/register.db";
    if (const char* pg = std::getenv("VSV_TEST_PG"); pg && *pg) {
      auto admin = followup::OpenSqlConnection(std::string(pg) + "/postgres");
      ASSERT_TRUE(admin.has_value()) << admin.error().message;
      const std::string db = fmt::format("vsv_register_api_{}", ::getpid());
      auto created = (*admin)->Exec(fmt::format("CREATE DATABASE {}", db), {});
      ASSERT_TRUE(created.has_value()) << created.error().message;
      target = std::string(pg) + "/" + db;
    }
    auto store = followup::CaseStore::Open(target, so);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    store_ = std::move(*store);
    context_->store = store_.get();

    // Users: one per role; regional ones in kOwn; the mentor at school AA01.
    const followup::Context cli{followup::CommandLineUser(), "test setup"};
    auto add = [&](const std::string& name, followup::Role role, std::optional<int> region,
                   std::optional<std::string> school) {
      auto u = store_->AddUser(cli, {name, role, region, school}, kPassword);
      ASSERT_TRUE(u.has_value()) << u.error().message;
    };
    add("admin", followup::Role::kAdministrator, std::nullopt, std::nullopt);
    add("analyst", followup::Role::kNationalAnalyst, std::nullopt, std::nullopt);
    add("coordinator", followup::Role::kRegionalCoordinator, kOwn, std::nullopt);
    add("caseworker", followup::Role::kCaseworker, kOwn, std::nullopt);
    add("mentor", followup::Role::kSchoolMentor, std::nullopt, std::string("AA01"));
    add("victim", followup::Role::kCaseworker, kOwn, std::nullopt);
    add("spare", followup::Role::kCaseworker, kOwn, std::nullopt);

    // Cases: 10 in the own region (school AA01), 10 in the other (school BB02).
    for (int region : {kOwn, kOther}) {
      followup::SyncRequest req;
      req.region = region;
      req.date = Today();
      for (int i = 0; i < 10; ++i) {
        followup::SyncCandidate c;
        c.episode = fmt::format("leaver:{}", FormatDate(Today() - 30));
        c.covered_from = Today() - 30;
        c.person.person_id = fmt::format("P{}-{}", region, i);
        c.person.birth_date = Today() - 19 * 365;
        c.person.last_school = region == kOwn ? "AA01" : "BB02";
        c.person.left_on = Today() - 30;
        req.candidates.push_back(c);
      }
      auto rep = store_->Sync(cli, req);
      ASSERT_TRUE(rep.has_value()) << rep.error().message;
      ASSERT_EQ(rep->created_new_leaver, 10);
    }

    server::ServerOptions options;
    options.web_dir = "";
    options.http_threads = 8;
    options.warm_up = false;
    options.resolve_principal = server::SessionResolver(*store_);
    server_ = std::make_unique<test::TestServer>();
    const std::string error = server_->Start(*context_, options);
    ASSERT_EQ(error, "");
    port_ = server_->port();
  }

  static void TearDownTestSuite() {
    server_->Stop();
    server_.reset();
    context_.reset();
    store_.reset();
    cache_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Date Today() { return static_cast<Date>(std::time(nullptr) / 86400); }

  static httplib::Result Send(const std::string& method, const std::string& path, const Who* who,
                              const json& body = json::object(), bool csrf = true) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    httplib::Headers h;
    if (who) {
      h.emplace("Cookie", who->cookie);
      if (csrf) h.emplace("X-CSRF-Token", who->csrf);
    }
    if (method == "GET") return client.Get(path, h);
    if (method == "POST") return client.Post(path, h, body.dump(), "application/json");
    if (method == "PATCH") return client.Patch(path, h, body.dump(), "application/json");
    if (method == "PUT") return client.Put(path, h, body.dump(), "application/json");
    return client.Delete(path, h);
  }

  static Who Login(const std::string& name, const std::string& password = kPassword) {
    auto res = Send("POST", "/api/v1/login", nullptr, {{"name", name}, {"password", password}});
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    const std::string set = res->get_header_value("Set-Cookie");
    Who w;
    w.cookie = set.substr(0, set.find(';'));
    w.csrf = json::parse(res->body)["csrf_token"];
    return w;
  }

  static followup::User ProbeUser(int region) {
    followup::User u;
    u.id = 0;
    u.name = "probe";
    u.role = followup::Role::kRegionalCoordinator;
    u.region = region;
    return u;
  }
  // The id and version of the open case of `region` with the lowest id (read as
  // the region's coordinator).
  static std::pair<int64_t, int64_t> CaseOf(int region) {
    followup::CaseFilter f;
    f.region = region;
    auto cases = store_->ListCases({ProbeUser(region), "test"}, f);
    EXPECT_TRUE(cases.has_value() && !cases->empty());
    if (!cases || cases->empty()) return {0, 0};
    const auto it = std::min_element(cases->begin(), cases->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return {it->id, it->version};
  }
  // The refusals (audit actions denied:…) logged for `user`, oldest first.
  static std::vector<followup::AuditEntry> Denials(const std::string& user) {
    followup::AuditQuery q;
    q.user = user;
    auto entries = store_->SearchAudit({followup::CommandLineUser(), "test"}, q);
    EXPECT_TRUE(entries.has_value());
    std::vector<followup::AuditEntry> out;
    if (!entries) return out;
    for (followup::AuditEntry& e : *entries) {
      if (e.action.rfind("denied:", 0) == 0) out.push_back(std::move(e));
    }
    return out;
  }
  static int64_t VersionOf(int64_t id, int region) {
    auto d = store_->GetCase({ProbeUser(region), "test"}, id);
    EXPECT_TRUE(d.has_value());
    return d ? d->c.version : 0;
  }

  static inline std::string dir_;
  static inline std::unique_ptr<Reference> reference_;
  static inline std::unique_ptr<Registry> registry_;
  static inline std::unique_ptr<ClassificationCache> cache_;
  static inline std::unique_ptr<server::ServerContext> context_;
  static inline std::unique_ptr<followup::CaseStore> store_;
  static inline std::unique_ptr<test::TestServer> server_;
  static inline int port_ = 0;
};

std::string Next(int days) { return FormatDate(static_cast<Date>(std::time(nullptr) / 86400) + days); }

// One request of the matrix: method, path, body; {own} / {other} are filled in.
struct Probe {
  std::string name, method, path;
  json body;
};

TEST_F(RegisterApiTest, AuthorizationMatrix) {
  const std::vector<std::string> roles = {"admin", "analyst", "coordinator", "caseworker", "mentor"};
  // Expected status per route for: own region (or school), other region.
  // handover is sent with a stale version: 409 = authorized (nothing moves), 403 = not.
  const std::map<std::string, std::map<std::string, std::pair<int, int>>> expected = {
      {"list", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                {"caseworker", {200, 403}}, {"mentor", {200, 200}}}},
      {"get", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
               {"caseworker", {200, 403}}, {"mentor", {200, 403}}}},
      {"patch", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                 {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"assign", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                  {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"contact", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {201, 403}},
                   {"caseworker", {201, 403}}, {"mentor", {403, 403}}}},
      {"referral", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                    {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"handover", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {409, 403}},
                    {"caseworker", {409, 403}}, {"mentor", {403, 403}}}},
      {"overview", {{"admin", {200, 200}}, {"analyst", {200, 200}}, {"coordinator", {200, 403}},
                    {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"history", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                   {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"sync", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"users", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                 {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"add-user", {{"admin", {201, 201}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                    {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"rule", {{"admin", {200, 200}}, {"analyst", {200, 200}}, {"coordinator", {200, 403}},
                {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"set-rule", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                    {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"purge", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                 {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"user-active", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                       {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"user-password", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                         {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"audit", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                 {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"audit-csv", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {403, 403}},
                     {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      // The regional programme and the effect report (issue 16).
      {"programme", {{"admin", {200, 200}}, {"analyst", {200, 200}}, {"coordinator", {200, 403}},
                     {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"add-agreement", {{"admin", {201, 201}}, {"analyst", {403, 403}}, {"coordinator", {201, 403}},
                         {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"add-measure", {{"admin", {201, 201}}, {"analyst", {403, 403}}, {"coordinator", {201, 403}},
                       {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"spending", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                    {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"target", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                  {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      {"text", {{"admin", {200, 200}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                {"caseworker", {403, 403}}, {"mentor", {403, 403}}}},
      // Linking twice is a 409: the caseworker (after the coordinator) is authorized.
      {"link-measure", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {201, 403}},
                        {"caseworker", {409, 403}}, {"mentor", {403, 403}}}},
      {"destination", {{"admin", {403, 403}}, {"analyst", {403, 403}}, {"coordinator", {200, 403}},
                       {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
      {"effect-report", {{"admin", {200, 200}}, {"analyst", {200, 200}}, {"coordinator", {200, 403}},
                         {"caseworker", {200, 403}}, {"mentor", {403, 403}}}},
  };
  // One measure per region, for the spending and link probes.
  std::map<int, int64_t> measure_of;
  for (int region : {kOwn, kOther}) {
    followup::NewMeasure m;
    m.region = region;
    m.topic = followup::ProgrammeTopic::kSupport;
    m.title = "Matrix";
    m.target_group = m.activities = m.partners = m.expected_effect = "x";
    auto made = store_->AddMeasure({followup::CommandLineUser(), "test"}, m);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    measure_of[region] = made->id;
  }
  int measure_n = 0;
  // Person-level routes without a region: the user's own region; a user without one
  // (administrator, analyst) is refused like for another region — and that refusal
  // is audited too (denied:list-cases, no region), checked through the audit API.
  const std::map<std::string, std::map<std::string, int>> no_region = {
      {"/api/v1/cases", {{"admin", 403}, {"analyst", 403}, {"coordinator", 200}, {"caseworker", 200}, {"mentor", 200}}},
      {"/api/v1/cases/history",
       {{"admin", 403}, {"analyst", 403}, {"coordinator", 200}, {"caseworker", 200}, {"mentor", 403}}},
  };
  const Who auditor = Login("admin");
  int checked = 0;
  int user_n = 0;
  for (const std::string& role : roles) {
    const Who who = Login(role);
    for (const auto& [path, want] : no_region) {
      auto denied_before = Send("GET", "/api/v1/audit?user=" + role, &auditor);
      ASSERT_TRUE(denied_before && denied_before->status == 200);
      auto res = Send("GET", path, &who);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, want.at(role)) << role << " " << path << " without a region: " << res->body.substr(0, 300);
      auto after = Send("GET", "/api/v1/audit?user=" + role, &auditor);
      ASSERT_TRUE(after && after->status == 200);
      auto denials = [](const std::string& body) {
        json out = json::array();
        const json all = json::parse(body);
        for (const json& e : all["entries"]) {
          if (e["action"].get<std::string>().rfind("denied:", 0) == 0) out.push_back(e);
        }
        return out;
      };
      const json was = denials(denied_before->body), now = denials(after->body);
      if (res->status == 403) {
        EXPECT_EQ(now.size(), was.size() + 1) << role << " " << path << ": the refusal is not in the audit log";
        if (now.size() == was.size() + 1) {
          const json& e = now.back();
          EXPECT_EQ(e["action"], "denied:list-cases") << e.dump();
          EXPECT_TRUE(e["region"].is_null()) << e.dump();
          EXPECT_TRUE(e["person_id"].get<std::string>().empty()) << e.dump();
          EXPECT_EQ(e["purpose"], "begeleiding") << e.dump();
        }
      } else {
        EXPECT_EQ(now.size(), was.size()) << role << " " << path << ": an allowed request logged as a refusal";
      }
    }
    for (int scope = 0; scope < 2; ++scope) {
      const int region = scope == 0 ? kOwn : kOther;
      auto [id, version] = CaseOf(region);
      const std::string c = fmt::format("/api/v1/cases/{}", id);
      const std::vector<Probe> probes = {
          {"list", "GET", fmt::format("/api/v1/cases?region={}", region), {}},
          {"get", "GET", c, {}},
          {"patch", "PATCH", c, {{"version", version}, {"next_contact", Next(5)}}},
          {"assign", "PATCH", c, {{"version", version}, {"owner_id", "me"}}},
          {"contact", "POST", c + "/contacts", {{"version", version}, {"channel", "phone"}, {"with_whom", "jongere"}, {"summary", "gebeld"}}},
          {"referral", "POST", c + "/referrals", {{"version", version}, {"partner", "uwv"}, {"note", "werk"}}},
          {"handover", "POST", c + "/handover", {{"version", version - 1 + 1000}, {"to_region", 23}}},
          {"overview", "GET", fmt::format("/api/v1/cases/overview?region={}", region), {}},
          {"history", "GET", fmt::format("/api/v1/cases/history?region={}", region), {}},
          {"sync", "POST", "/api/v1/cases/sync", {{"region", region}}},
          {"users", "GET", "/api/v1/users", {}},
          {"add-user", "POST", "/api/v1/users",
           {{"name", fmt::format("new{}", user_n++)}, {"role", "caseworker"}, {"region", kOwn}, {"password", kPassword}}},
          {"rule", "GET", fmt::format("/api/v1/cases/rule?region={}", region), {}},
          {"set-rule", "PUT", "/api/v1/cases/rule",
           {{"region", region}, {"oud_vsv_interval_months", 3}, {"new_leaver_interval_days", 14}}},
          {"purge", "POST", "/api/v1/cases/purge", {{"retention_years", 5}}},
          {"user-active", "POST", "/api/v1/users/spare/active", {{"active", true}}},
          {"user-password", "POST", "/api/v1/users/spare/password", {{"password", kPassword}}},
          {"audit", "GET", "/api/v1/audit", {}},
          {"audit-csv", "GET", "/api/v1/audit?format=csv", {}},
          {"programme", "GET", fmt::format("/api/v1/programme?region={}", region), {}},
          {"add-agreement", "POST", "/api/v1/programme/agreements",
           {{"region", region}, {"topic", "support"}, {"text", "afspraak"}}},
          {"add-measure", "POST", "/api/v1/programme/measures",
           {{"region", region}, {"topic", "vo-mbo"}, {"title", fmt::format("m{}", measure_n++)},
            {"target_group", "vso"}, {"activities", "a"}, {"partners", "p"}, {"planned_participants", 3},
            {"expected_effect", "e"}, {"budget", {{{"year", 2026}, {"euros", 100}}}}}},
          {"spending", "PUT", fmt::format("/api/v1/programme/measures/{}/spending", measure_of[region]),
           {{"year", 2026}, {"category", "C"}, {"euros", 10}}},
          {"target", "PUT", "/api/v1/programme/targets", {{"region", region}, {"year", 2026}, {"max_new_vsv", 9}}},
          {"text", "PUT", "/api/v1/programme/texts",
           {{"region", region}, {"year", 2026}, {"section", "bottlenecks"}, {"text", "weinig"}}},
          {"link-measure", "POST", c + "/measures", {{"measure_id", measure_of[region]}}},
          {"destination", "PUT", c + "/destination", {{"destination", "other"}}},
          {"effect-report", "GET", fmt::format("/api/v1/effect-report?region={}&year=2024", region), {}},
      };
      for (const Probe& p : probes) {
        // Versions move with every successful write: re-read before each write.
        json body = p.body;
        if (body.contains("version") && p.name != "handover") body["version"] = VersionOf(id, region);
        const size_t denied_before = Denials(role).size();
        auto res = Send(p.method, p.path, &who, body);
        ASSERT_TRUE(res) << p.name;
        const auto& want = expected.at(p.name).at(role);
        EXPECT_EQ(res->status, scope == 0 ? want.first : want.second)
            << role << " " << p.name << " " << (scope == 0 ? "own" : "other") << ": " << res->body.substr(0, 300);
        // Every refusal (403) is in the audit log, one row, and nothing else is.
        const std::vector<followup::AuditEntry> denied = Denials(role);
        EXPECT_EQ(denied.size(), denied_before + (res->status == 403 ? 1 : 0))
            << role << " " << p.name << " " << (scope == 0 ? "own" : "other") << " answered " << res->status
            << ": refusals in the audit log " << denied_before << " -> " << denied.size();
        EXPECT_FALSE(res->get_header_value("Content-Security-Policy").empty()) << p.name;
        if (res->status >= 400 && res->status != 409) {
          const json e = json::parse(res->body, nullptr, false);
          EXPECT_TRUE(e.contains("error") && e["error"].contains("code")) << p.name << ": " << res->body;
        }
        // Without a session: 401, whatever the role would be allowed.
        auto anon = Send(p.method, p.path, nullptr, body);
        ASSERT_TRUE(anon);
        EXPECT_EQ(anon->status, 401) << "no session: " << p.name << ": " << anon->body;
        // State changes without the CSRF token: 403 csrf, nothing done.
        if (p.method != "GET") {
          auto no_csrf = Send(p.method, p.path, &who, body, /*csrf=*/false);
          ASSERT_TRUE(no_csrf);
          EXPECT_EQ(no_csrf->status, 403) << "no csrf: " << p.name;
          EXPECT_EQ(json::parse(no_csrf->body, nullptr, false)["error"]["code"], "csrf") << no_csrf->body;
          Who forged = who;
          forged.csrf = std::string(64, 'a');
          auto bad = Send(p.method, p.path, &forged, body);
          ASSERT_TRUE(bad);
          EXPECT_EQ(bad->status, 403) << "wrong csrf: " << p.name;
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 5 * 2 * 28);  // 19 register routes, 9 of the programme
}

TEST_F(RegisterApiTest, LoginCookieLogoutAndLockout) {
  auto res = Send("POST", "/api/v1/login", nullptr, {{"name", "caseworker"}, {"password", kPassword}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string set = res->get_header_value("Set-Cookie");
  EXPECT_EQ(set.rfind("vsv_session=", 0), 0u) << set;
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("Path=/"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos) << "plain http: no Secure";
  const json j = json::parse(res->body);
  EXPECT_EQ(j["user"]["role"], "caseworker");
  EXPECT_EQ(j["user"]["region"], kOwn);
  EXPECT_EQ(j["csrf_token"].get<std::string>().size(), 64u);
  {
    httplib::Client client("127.0.0.1", port_);
    auto tls = client.Post("/api/v1/login", {{"X-Forwarded-Proto", "https"}},
                           json({{"name", "caseworker"}, {"password", kPassword}}).dump(), "application/json");
    ASSERT_TRUE(tls);
    EXPECT_NE(tls->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
  }
  Who who;
  who.cookie = set.substr(0, set.find(';'));
  who.csrf = j["csrf_token"];
  auto me = Send("GET", "/api/v1/session", &who);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(json::parse(me->body)["csrf_token"], who.csrf);
  auto out = Send("POST", "/api/v1/logout", &who);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto after = Send("GET", "/api/v1/cases", &who);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << "the session ended with the logout";

  // Wrong passwords: 401 twice, the third (the policy's maximum) locks the account
  // (423), and then even the right password is refused with 423.
  for (int i = 0; i < 2; ++i) {
    auto bad = Send("POST", "/api/v1/login", nullptr, {{"name", "victim"}, {"password", "wrong wrong wrong"}});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 401) << bad->body;
  }
  auto third = Send("POST", "/api/v1/login", nullptr, {{"name", "victim"}, {"password", "wrong wrong wrong"}});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 423) << third->body;
  auto locked = Send("POST", "/api/v1/login", nullptr, {{"name", "victim"}, {"password", kPassword}});
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 423) << locked->body;
  auto unknown = Send("POST", "/api/v1/login", nullptr, {{"name", "nobody"}, {"password", kPassword}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
}

TEST_F(RegisterApiTest, ALimitThatIsNotAPositiveWholeNumberIsRefusedAndNamed) {
  const Who caseworker = Login("caseworker");
  const Who admin = Login("admin");
  for (const char* bad : {"abc", "0", "-3", "5x"}) {
    for (auto [who, path] : {std::pair{&caseworker, "/api/v1/cases?limit="}, std::pair{&caseworker, "/api/v1/cases/history?limit="},
                             std::pair{&admin, "/api/v1/audit?limit="}}) {
      auto res = Send("GET", std::string(path) + bad, who);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 400) << path << bad << " " << res->body;
      EXPECT_NE(res->body.find(std::string("limit '") + bad + "'"), std::string::npos) << res->body;
    }
  }
  auto ok = Send("GET", "/api/v1/audit?limit=2", &admin);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

// One strict parser for every whole number: a query value or a body field that does
// not parse as exactly what is expected is a 400 naming it, never "the part that did".
TEST_F(RegisterApiTest, ValuesThatDoNotParseExactlyAreRefusedAndNamed) {
  const Who caseworker = Login("caseworker");
  const Who admin = Login("admin");
  for (const char* owner : {"1%20OR%201=1", "1x", "+1", "0x1", "1.0", "99999999999999999999"}) {
    auto res = Send("GET", std::string("/api/v1/cases?owner=") + owner, &caseworker);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << owner << " " << res->body;
    EXPECT_NE(res->body.find("owner '"), std::string::npos) << res->body;
  }
  const json bad_bodies[] = {
      {{"region", kOwn}, {"date", Next(0)}, {"doorstroompunt", "x"}},
      {{"region", 4294967317LL}, {"date", Next(0)}},
      {{"region", "21 OR 1=1"}, {"date", Next(0)}},
      {{"region", 21.5}, {"date", Next(0)}},
      {{"region", kOwn}, {"date", 20240101}},
  };
  for (const json& body : bad_bodies) {
    auto res = Send("POST", "/api/v1/cases/sync", &admin, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body.dump() << " " << res->body;
    EXPECT_EQ(json::parse(res->body)["error"]["code"], "bad_parameter") << res->body;
  }
  auto [id, version] = CaseOf(kOwn);
  auto res = Send("POST", fmt::format("/api/v1/cases/{}/contacts", id), &caseworker,
                  {{"version", std::to_string(version)}, {"channel", "visit"}, {"summary", "x"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << "a version as text is not a version: " << res->body;
}

TEST_F(RegisterApiTest, PasswordChange) {
  const Who a = Login("coordinator");
  const Who b = Login("coordinator");
  auto short_pw = Send("POST", "/api/v1/password", &a, {{"old_password", kPassword}, {"new_password", "short"}});
  ASSERT_TRUE(short_pw);
  EXPECT_EQ(short_pw->status, 400);
  auto wrong_old = Send("POST", "/api/v1/password", &a, {{"old_password", "not it at all"}, {"new_password", "another long passphrase"}});
  ASSERT_TRUE(wrong_old);
  EXPECT_EQ(wrong_old->status, 401);
  auto ok = Send("POST", "/api/v1/password", &a, {{"old_password", kPassword}, {"new_password", "another long passphrase"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto other_session = Send("GET", "/api/v1/cases", &b);
  ASSERT_TRUE(other_session);
  EXPECT_EQ(other_session->status, 401) << "the other session ends";
  Login("coordinator", "another long passphrase");
  auto back = Send("POST", "/api/v1/password", &a, {{"old_password", "another long passphrase"}, {"new_password", kPassword}});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200);
}

TEST_F(RegisterApiTest, DeactivationEndsTheSessionsAndAResetUnlocks) {
  const Who spare = Login("spare");
  const Who admin = Login("admin");
  auto off = Send("POST", "/api/v1/users/spare/active", &admin, {{"active", false}});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200) << off->body;
  auto gone = Send("GET", "/api/v1/cases", &spare);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 401);
  auto refused = Send("POST", "/api/v1/login", nullptr, {{"name", "spare"}, {"password", kPassword}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto on = Send("POST", "/api/v1/users/spare/active", &admin, {{"active", true}});
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 200);
  auto reset = Send("POST", "/api/v1/users/spare/password", &admin, {{"password", "a brand new passphrase"}});
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200) << reset->body;
  Login("spare", "a brand new passphrase");
  Send("POST", "/api/v1/users/spare/password", &admin, {{"password", kPassword}});
}

// Someone must always be able to manage users: an administrator cannot deactivate
// the own account, nor the last active administrator (409, audited as
// denied:deactivate-user); deactivating another administrator is allowed.
TEST_F(RegisterApiTest, AdministratorsCannotDeactivateThemselvesOrTheLastAdministrator) {
  const Who admin = Login("admin");
  auto active = [&](const std::string& name) {
    auto res = Send("GET", "/api/v1/users", &admin);
    EXPECT_TRUE(res && res->status == 200);
    if (!res || res->status != 200) return false;
    const json users = json::parse(res->body);
    for (const json& u : users["users"]) {
      if (u["name"] == name) return u["active"].get<bool>();
    }
    ADD_FAILURE() << "no user " << name;
    return false;
  };
  auto refusals = [&] {
    std::vector<std::string> out;
    for (const followup::AuditEntry& e : Denials("admin")) {
      if (e.action == "denied:deactivate-user") out.push_back(e.detail);
    }
    return out;
  };
  auto expect_refused = [&](const httplib::Result& res, const std::string& code, const std::string& words) {
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 409) << res->body;
    const json j = json::parse(res->body, nullptr, false);
    const json error = j.is_object() ? j.value("error", json::object()) : json::object();
    EXPECT_EQ(error.value("code", ""), code) << res->body;
    EXPECT_NE(error.value("message", "").find(words), std::string::npos) << res->body;
  };
  const size_t before = refusals().size();
  auto added = Send("POST", "/api/v1/users", &admin,
                    {{"name", "admin2"}, {"role", "administrator"}, {"password", kPassword}});
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;

  // The own account, with another administrator active: refused, still logged in.
  expect_refused(Send("POST", "/api/v1/users/admin/active", &admin, {{"active", false}}), "own_account",
                 "your own account");
  EXPECT_TRUE(active("admin"));
  std::vector<std::string> got = refusals();
  ASSERT_EQ(got.size(), before + 1);
  EXPECT_EQ(got.back(), "admin: own_account");

  // Another administrator: allowed; that administrator's session ends. No refusal logged.
  const Who second = Login("admin2");
  auto off = Send("POST", "/api/v1/users/admin2/active", &admin, {{"active", false}});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 200) << off->body;
  EXPECT_FALSE(active("admin2"));
  auto gone = Send("GET", "/api/v1/users", &second);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 401);
  EXPECT_EQ(refusals().size(), before + 1);

  // Now admin is the last active administrator: refused as such.
  expect_refused(Send("POST", "/api/v1/users/admin/active", &admin, {{"active", false}}), "last_administrator",
                 "last active administrator");
  EXPECT_TRUE(active("admin"));
  got = refusals();
  ASSERT_EQ(got.size(), before + 2);
  EXPECT_EQ(got.back(), "admin: last_administrator");
  // `vsv users deactivate` calls the same store function as the command-line user.
  auto cli = store_->SetUserActive({followup::CommandLineUser(), "test"}, "admin", false);
  ASSERT_FALSE(cli.has_value());
  EXPECT_EQ(cli.error().reason, "last_administrator");
  EXPECT_TRUE(active("admin"));

  auto on = Send("POST", "/api/v1/users/admin2/active", &admin, {{"active", true}});
  ASSERT_TRUE(on);
  EXPECT_EQ(on->status, 200) << on->body;
}

TEST_F(RegisterApiTest, StaleVersionIsAConflictWithTheCurrentCase) {
  const Who w = Login("caseworker");
  auto [id, version] = CaseOf(kOwn);
  const std::string path = fmt::format("/api/v1/cases/{}", id);
  auto first = Send("PATCH", path, &w, {{"version", version}, {"agreements", "first"}});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body)["case"]["version"], version + 1);
  auto second = Send("PATCH", path, &w, {{"version", version}, {"agreements", "second"}});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 409);
  const json j = json::parse(second->body);
  EXPECT_EQ(j["error"]["code"], "conflict");
  EXPECT_EQ(j["current"]["agreements"], "first");
  EXPECT_EQ(j["current"]["version"], version + 1);
}

TEST_F(RegisterApiTest, ContactIsAuditedWithThePurposeAndRetriesAreStoredOnce) {
  const Who w = Login("caseworker");
  auto [id, version] = CaseOf(kOwn);
  const std::string path = fmt::format("/api/v1/cases/{}/contacts", id);
  const json body = {{"version", version}, {"channel", "visit"}, {"with_whom", "jongere en ouder"}, {"summary", "huisbezoek"},
                     {"client_key", fmt::format("k-{}", id)}, {"purpose", "trajectbegeleiding"}};
  auto r1 = Send("POST", path, &w, body);
  ASSERT_TRUE(r1);
  ASSERT_EQ(r1->status, 201) << r1->body;
  auto r2 = Send("POST", path, &w, body);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_TRUE(json::parse(r2->body)["duplicate"].get<bool>());
  auto detail = Send("GET", fmt::format("/api/v1/cases/{}", id), &w);
  ASSERT_TRUE(detail);
  int visits = 0;
  const json detail_json = json::parse(detail->body);
  for (const json& c : detail_json["contacts"]) visits += c["summary"] == "huisbezoek";
  EXPECT_EQ(visits, 1);

  const Who admin = Login("admin");
  auto audit = Send("GET", fmt::format("/api/v1/audit?user=caseworker"), &admin);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200);
  bool found = false;
  const json audit_json = json::parse(audit->body);
  for (const json& e : audit_json["entries"]) {
    found |= e["purpose"] == "trajectbegeleiding" && e["case_id"] == id;
  }
  EXPECT_TRUE(found) << "the contact is in the audit log with its purpose";
  auto csv = Send("GET", "/api/v1/audit?format=csv&user=caseworker", &admin);
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv->body.find("trajectbegeleiding"), std::string::npos);
}

TEST_F(RegisterApiTest, HandoverMovesTheCaseAndBothRegionsSeeIt) {
  const Who w = Login("caseworker");
  auto [id, version] = CaseOf(kOwn);
  auto r = Send("POST", fmt::format("/api/v1/cases/{}/handover", id), &w,
                {{"version", version}, {"to_region", kOther}, {"note", "verhuisd"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["case"]["region"], kOther);
  auto now = Send("GET", fmt::format("/api/v1/cases/{}", id), &w);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, 403) << "the case is no longer ours";
  auto hist = Send("GET", "/api/v1/cases/history", &w);
  ASSERT_TRUE(hist);
  bool out = false;
  const json hist_json = json::parse(hist->body);
  for (const json& h : hist_json["history"]) out |= h["event"] == "handover-out" && h["case_id"] == id;
  EXPECT_TRUE(out) << hist->body.substr(0, 2000);
}

TEST_F(RegisterApiTest, AggregatesUnsuppressedOnlyForRolesThatMayViewThem) {
  auto meta = [&](const Who* who) {
    auto r = Send("GET", "/api/v1/meta", who);
    EXPECT_TRUE(r && r->status == 200);
    return json::parse(r->body);
  };
  EXPECT_TRUE(meta(nullptr)["suppression"]["applies"].get<bool>());
  const Who analyst = Login("analyst");
  EXPECT_FALSE(meta(&analyst)["suppression"]["applies"].get<bool>());
  EXPECT_EQ(meta(&analyst)["role"], "national_analyst");
  const Who cw = Login("caseworker");
  EXPECT_TRUE(meta(&cw)["suppression"]["applies"].get<bool>());
  auto cases = Send("GET", "/api/v1/cases", &analyst);
  ASSERT_TRUE(cases);
  EXPECT_EQ(cases->status, 403) << "the analyst sees no persons";
}

TEST_F(RegisterApiTest, OpenApiDocumentsTheRegister) {
  auto r = Send("GET", "/api/openapi.json", nullptr);
  ASSERT_TRUE(r);
  const json doc = json::parse(r->body);
  for (const char* p : {"/api/v1/login", "/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/cases/{id}/contacts",
                        "/api/v1/cases/{id}/handover", "/api/v1/cases/overview", "/api/v1/audit", "/api/v1/users"}) {
    EXPECT_TRUE(doc["paths"].contains(p)) << p;
  }
  EXPECT_TRUE(doc["paths"]["/api/v1/cases/{id}"].contains("patch"));
  EXPECT_TRUE(doc["paths"]["/api/v1/cases/{id}"].contains("get"));
  EXPECT_TRUE(doc["paths"]["/api/v1/users"].contains("post"));
}

}  // namespace
}  // namespace vsv
