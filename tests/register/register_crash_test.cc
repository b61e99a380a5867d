// Crash safety of the register over HTTP (issue 5): "a test kills the server
// (SIGKILL) during a burst of writes and checks that every acknowledged write is
// there after restart, on both databases".
//
// A real `vsv serve --db` process on a free loopback port; several caseworkers,
// each with a session and CSRF token, record contacts and change agreements on
// their own case and on one case they all share (so 409 conflicts happen too).
// Each write carries a unique key (the contact's client_key and summary, or the new
// agreements text). Every answer 201/200 is an acknowledged write, kept with the
// case version it returned. After a given number of acknowledgements (not after a
// fixed time) the server gets SIGKILL in the middle of the burst — on PostgreSQL
// the database server too (SIGKILL to the postmaster, then restarted). Then `vsv
// serve` starts again on the same database and the test checks over the API:
//   - every acknowledged write is there exactly once; no write answered 409 is;
//     a write sent without an answer (in flight at the kill) is there at most once;
//   - every case's version = its version before the burst + the changes stored,
//     each acknowledged version is at most that and no two acknowledgements of a
//     case got the same version; the agreements are the last stored change;
//   - each stored change has its audit row (same transaction);
//   - sessions (acknowledged at login) survived.
// SQLite here (ctest register.crash.sqlite); PostgreSQL when VSV_TEST_PG names a
// server (register.crash.postgres runs this under tests/postgres/pg_test_env.sh).
// No timing is asserted: the kill point is a count, readiness is the server's
// "listening on" line.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "followup/sql.h"
#include "followup/store.h"
#include "random_registry.h"
#include "scenario.h"

extern char** environ;

namespace vsv {
namespace {

using json = nlohmann::json;
constexpr int kRegion = 21;
constexpr int kWorkers = 8;
// Acknowledged writes before the SIGKILL: enough that every worker is well into its
// burst (each worker's 10-step cycle touches the shared case twice).
constexpr int kKillAfter = 1200;
constexpr const char* kPassword = "correct horse battery";

Date Today() { return static_cast<Date>(std::time(nullptr) / 86400); }

// `vsv serve --db` as a child process. Start() returns "" once the server has printed
// its "listening on" line (the socket is bound and listening), else what went wrong.
class ServeProcess {
 public:
  ~ServeProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }

  std::string Start(const std::string& data, const std::string& db) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return "pipe failed";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    std::vector<std::string> args = {VSV_BINARY, "serve", "--data", data, "--reference",
                                     std::string(VSV_SOURCE_DIR) + "/data/reference", "--db", db, "--port", "0",
                                     "--host", "127.0.0.1", "--no-warm-up", "--quiet", "--http-threads", "16"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, VSV_BINARY, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    if (rc != 0) {
      close(out[0]);
      pid_ = 0;
      return fmt::format("posix_spawn {} failed: {}", VSV_BINARY, rc);
    }
    out_ = out[0];
    // Read stdout until the "listening on" line or the end (the server exited).
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (text.find("listening on http://") == std::string::npos || text.find('\n', text.find("listening on")) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "vsv serve did not report listening within 120 s: " + text;
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[512];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) {
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = 0;
        return fmt::format("vsv serve ended before listening (status {}): {}", status, text);
      }
      text.append(buf, static_cast<size_t>(n));
    }
    const size_t at = text.find("http://127.0.0.1:");
    if (at == std::string::npos) return "unexpected listening line: " + text;
    port_ = std::atoi(text.c_str() + at + std::strlen("http://127.0.0.1:"));
    return port_ > 0 ? "" : "no port in: " + text;
  }

  // Sends `sig` and waits for the process; returns its wait status.
  int Signal(int sig) {
    int status = 0;
    if (pid_ > 0) {
      kill(pid_, sig);
      waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    if (out_ >= 0) close(out_);
    out_ = -1;
    return status;
  }

  int port() const { return port_; }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  int port_ = 0;
};

struct Session {
  std::string cookie, csrf;
};

httplib::Headers Headers(const Session& s) { return {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}; }

std::string Login(int port, const std::string& name, Session* out) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  auto res = client.Post("/api/v1/login", json({{"name", name}, {"password", kPassword}}).dump(), "application/json");
  if (!res) return fmt::format("login {}: {}", name, httplib::to_string(res.error()));
  if (res->status != 200) return fmt::format("login {}: {} {}", name, res->status, res->body);
  const std::string set = res->get_header_value("Set-Cookie");
  out->cookie = set.substr(0, set.find(';'));
  out->csrf = json::parse(res->body)["csrf_token"];
  return "";
}

// One write of the burst, by its unique key.
struct Write {
  std::string key;
  int64_t case_id = 0;
  bool contact = false;     // a contact (POST …/contacts), else an agreements change (PATCH)
  int64_t contact_id = 0;   // acknowledged contacts
  int64_t version = 0;      // the case version the acknowledgement returned
};

struct WorkerLog {
  std::vector<Write> acked;             // 201 (contact) / 200 (change): must be stored exactly once
  std::vector<std::string> refused;     // 409: must not be stored
  std::vector<std::string> unanswered;  // sent, no answer (the kill): stored at most once
  std::vector<std::string> errors;      // anything else: the test fails
};

// The burst's shared state: acknowledgements so far, live workers, the kill.
struct Burst {
  std::mutex mu;
  std::condition_variable cv;
  int acked = 0;
  int live = 0;
  std::atomic<bool> killed{false};
};

void Worker(int port, int w, const Session& session, int64_t own_case, int64_t own_version, int64_t shared_case,
            int64_t shared_version, Burst& burst, WorkerLog& log) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_read_timeout(60, 0);
  const httplib::Headers headers = Headers(session);
  for (int seq = 1;; ++seq) {
    const int step = seq % 10;
    const bool shared = step >= 8;
    const bool contact = step < 6 || step == 8;
    const int64_t id = shared ? shared_case : own_case;
    int64_t& version = shared ? shared_version : own_version;
    const std::string key = fmt::format("crash-{}-{}", w, seq);
    json body = {{"version", version}};
    if (contact) {
      body["channel"] = "phone";
      body["with_whom"] = "jongere";
      body["summary"] = key;
      body["client_key"] = key;
    } else {
      body["agreements"] = key;
    }
    httplib::Result res =
        contact ? client.Post(fmt::format("/api/v1/cases/{}/contacts", id), headers, body.dump(), "application/json")
                : client.Patch(fmt::format("/api/v1/cases/{}", id), headers, body.dump(), "application/json");
    if (!res) {
      log.unanswered.push_back(key);
      if (!burst.killed) log.errors.push_back(fmt::format("{}: no answer before the kill: {}", key, httplib::to_string(res.error())));
      break;
    }
    const json j = json::parse(res->body, nullptr, false);
    if (res->status == (contact ? 201 : 200) && j.contains("case")) {
      if (contact && j.value("duplicate", true)) {
        log.errors.push_back(fmt::format("{}: a new key answered as a duplicate: {}", key, res->body));
        break;
      }
      version = j["case"]["version"].get<int64_t>();
      log.acked.push_back({key, id, contact, contact ? j["contact_id"].get<int64_t>() : 0, version});
      std::lock_guard lock(burst.mu);
      ++burst.acked;
      burst.cv.notify_all();
    } else if (res->status == 409 && j.contains("current")) {
      version = j["current"]["version"].get<int64_t>();
      log.refused.push_back(key);
    } else {
      log.errors.push_back(fmt::format("{}: HTTP {} {}", key, res->status, res->body.substr(0, 300)));
      break;
    }
  }
  std::lock_guard lock(burst.mu);
  --burst.live;
  burst.cv.notify_all();
}

// What is stored of one case after the restart (read over the API).
struct StoredCase {
  int64_t version = 0;
  std::string agreements;
  std::map<std::string, std::vector<int64_t>> contacts;  // summary -> contact ids
  std::map<std::string, int> agreement_changes;          // new agreements -> history entries
  std::string last_agreements_change;                    // the newest agreements entry
};

class RegisterCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::MakeTempDir("vsv-register-crash-");
    test::WriteFiles(test::RandomRegistry(11, 300), dir_ + "/data");
    target_ = dir_ + "/register.db";
    if (const char* pg = std::getenv("VSV_TEST_PG"); pg && *pg) {
      auto admin = followup::OpenSqlConnection(std::string(pg) + "/postgres");
      ASSERT_TRUE(admin.has_value()) << admin.error().message;
      db_name_ = fmt::format("vsv_register_crash_{}", ::getpid());
      auto created = (*admin)->Exec(fmt::format("CREATE DATABASE {}", db_name_), {});
      ASSERT_TRUE(created.has_value()) << created.error().message;
      target_ = std::string(pg) + "/" + db_name_;
    }
  }

  void TearDown() override {
    if (!db_name_.empty()) {
      // Best effort: pg_test_env.sh removes the whole cluster anyway.
      if (auto admin = followup::OpenSqlConnection(std::string(std::getenv("VSV_TEST_PG")) + "/postgres")) {
        (void)(*admin)->Exec(fmt::format("DROP DATABASE IF EXISTS {}", db_name_), {});
      }
    }
    std::filesystem::remove_all(dir_);
  }

  bool postgres() const { return !db_name_.empty(); }

  std::string dir_, target_, db_name_;
};

TEST_F(RegisterCrashTest, EveryAcknowledgedWriteSurvivesASigkilledServer) {
  // The register: users (cheap hashes: login is not what is tested) and one case per
  // worker plus a shared one, from a sync of region 21.
  std::vector<int64_t> case_ids;
  std::map<int64_t, int64_t> initial_version;
  {
    followup::StoreOptions so;
    so.auth.pwhash_opslimit = 1;
    so.auth.pwhash_memlimit = 8u << 20;
    auto store = followup::CaseStore::Open(target_, so);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    const followup::Context cli{followup::CommandLineUser(), "test setup"};
    auto add = [&](const std::string& name, followup::Role role, std::optional<int> region) {
      auto u = (*store)->AddUser(cli, {name, role, region, std::nullopt}, kPassword);
      ASSERT_TRUE(u.has_value()) << u.error().message;
    };
    add("admin", followup::Role::kAdministrator, std::nullopt);
    add("coordinator", followup::Role::kRegionalCoordinator, kRegion);
    for (int w = 0; w < kWorkers; ++w) add(fmt::format("cw{}", w), followup::Role::kCaseworker, kRegion);
    followup::SyncRequest req;
    req.region = kRegion;
    req.date = Today();
    for (int i = 0; i <= kWorkers; ++i) {
      followup::SyncCandidate c;
      c.episode = fmt::format("leaver:{}", FormatDate(Today() - 30));
      c.covered_from = Today() - 30;
      c.person.person_id = fmt::format("CRASH-{}", i);
      c.person.birth_date = Today() - 19 * 365;
      c.person.last_school = "AA01";
      c.person.left_on = Today() - 30;
      req.candidates.push_back(c);
    }
    auto rep = (*store)->Sync(cli, req);
    ASSERT_TRUE(rep.has_value()) << rep.error().message;
    ASSERT_EQ(rep->created_new_leaver, kWorkers + 1);
    followup::User coordinator{0, "setup", followup::Role::kRegionalCoordinator, kRegion, std::nullopt, true};
    auto cases = (*store)->ListCases({coordinator, "test setup"}, {});
    ASSERT_TRUE(cases.has_value()) << cases.error().message;
    ASSERT_EQ(cases->size(), static_cast<size_t>(kWorkers + 1));
    for (const followup::Case& c : *cases) {
      case_ids.push_back(c.id);
      initial_version[c.id] = c.version;
    }
    std::sort(case_ids.begin(), case_ids.end());
  }  // the server is another process: close the register here
  const int64_t shared_case = case_ids.back();

  ServeProcess server;
  ASSERT_EQ(server.Start(dir_ + "/data", target_), "");
  std::vector<Session> sessions(kWorkers);
  for (int w = 0; w < kWorkers; ++w) ASSERT_EQ(Login(server.port(), fmt::format("cw{}", w), &sessions[w]), "");

  // The burst; SIGKILL after kKillAfter acknowledgements.
  Burst burst;
  burst.live = kWorkers;
  std::vector<WorkerLog> logs(kWorkers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back(Worker, server.port(), w, std::cref(sessions[w]), case_ids[w], initial_version[case_ids[w]],
                         shared_case, initial_version[shared_case], std::ref(burst), std::ref(logs[w]));
  }
  int acked_at_kill = 0;
  {
    std::unique_lock lock(burst.mu);
    // A generous guard against a hung server, not a timing assertion.
    burst.cv.wait_for(lock, std::chrono::seconds(300), [&] { return burst.acked >= kKillAfter || burst.live == 0; });
    acked_at_kill = burst.acked;
    burst.killed = true;
  }
  const int status = server.Signal(SIGKILL);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "vsv serve ended before the kill: " << status;
  if (postgres()) {
    // The database server goes down with it, and comes back through crash recovery.
    const char* data = std::getenv("VSV_TEST_PG_DATA");
    const char* restart = std::getenv("VSV_TEST_PG_RESTART");
    if (data && restart) {
      pid_t postmaster = 0;
      std::ifstream(std::string(data) + "/postmaster.pid") >> postmaster;
      ASSERT_GT(postmaster, 0);
      ASSERT_EQ(kill(postmaster, SIGKILL), 0);
      ASSERT_EQ(std::system(restart), 0) << "PostgreSQL did not start again";
    } else {
      std::printf("[ info ] VSV_TEST_PG_DATA/VSV_TEST_PG_RESTART unset: PostgreSQL itself is not killed\n");
    }
  }
  for (std::thread& t : threads) t.join();
  ASSERT_GE(acked_at_kill, kKillAfter) << "the burst stopped before the kill";

  std::vector<Write> acked;
  std::set<std::string> refused, unanswered;
  int conflicts = 0;
  for (const WorkerLog& log : logs) {
    for (const std::string& e : log.errors) ADD_FAILURE() << e;
    acked.insert(acked.end(), log.acked.begin(), log.acked.end());
    refused.insert(log.refused.begin(), log.refused.end());
    unanswered.insert(log.unanswered.begin(), log.unanswered.end());
    conflicts += static_cast<int>(log.refused.size());
    EXPECT_LE(log.unanswered.size(), 1u) << "one request in flight per worker";
  }

  // Restart on the same database.
  ServeProcess again;
  ASSERT_EQ(again.Start(dir_ + "/data", target_), "");
  const int port = again.port();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  {
    // The sessions were acknowledged at login: they survived too.
    auto me = client.Get("/api/v1/session", Headers(sessions[0]));
    ASSERT_TRUE(me);
    EXPECT_EQ(me->status, 200) << me->body;
  }
  Session coordinator, admin;
  ASSERT_EQ(Login(port, "coordinator", &coordinator), "");
  ASSERT_EQ(Login(port, "admin", &admin), "");

  std::map<int64_t, StoredCase> stored;
  for (int64_t id : case_ids) {
    auto res = client.Get(fmt::format("/api/v1/cases/{}", id), Headers(coordinator));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const json j = json::parse(res->body);
    StoredCase& s = stored[id];
    s.version = j["case"]["version"];
    s.agreements = j["case"]["agreements"];
    for (const json& c : j["contacts"]) s.contacts[c["summary"].get<std::string>()].push_back(c["id"].get<int64_t>());
    for (const json& h : j["history"]) {  // oldest first
      if (h["event"] != "agreements") continue;
      const std::string value = h["new"].is_string() ? h["new"].get<std::string>() : "";
      ++s.agreement_changes[value];
      s.last_agreements_change = value;
    }
  }

  // Every acknowledged write is stored exactly once, with the id it was given.
  std::map<int64_t, std::set<int64_t>> acked_versions;
  for (const Write& a : acked) {
    const StoredCase& s = stored[a.case_id];
    if (a.contact) {
      auto it = s.contacts.find(a.key);
      ASSERT_TRUE(it != s.contacts.end()) << "acknowledged contact " << a.key << " (id " << a.contact_id
                                          << ") is missing after the restart";
      EXPECT_EQ(it->second, std::vector<int64_t>{a.contact_id}) << a.key << " stored more than once or under another id";
    } else {
      auto it = s.agreement_changes.find(a.key);
      ASSERT_TRUE(it != s.agreement_changes.end()) << "acknowledged change " << a.key << " is missing after the restart";
      EXPECT_EQ(it->second, 1) << a.key << " stored more than once";
    }
    EXPECT_LE(a.version, s.version) << a.key << ": acknowledged version above the stored one";
    EXPECT_TRUE(acked_versions[a.case_id].insert(a.version).second)
        << a.key << ": two acknowledgements of case " << a.case_id << " with version " << a.version;
  }

  // Nothing refused is stored, nothing unsent is stored, nothing is stored twice; the
  // versions add up and each change has its audit row.
  auto audit = client.Get("/api/v1/audit", Headers(admin));
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200);
  std::map<int64_t, std::map<std::string, int>> audited;  // case -> action -> rows
  const json audit_json = json::parse(audit->body);
  for (const json& e : audit_json["entries"]) {
    if (e["case_id"].is_number_integer()) ++audited[e["case_id"].get<int64_t>()][e["action"].get<std::string>()];
  }
  std::set<std::string> acked_keys;
  for (const Write& a : acked) acked_keys.insert(a.key);
  int stored_unacked = 0;
  for (int64_t id : case_ids) {
    const StoredCase& s = stored[id];
    int contacts = 0, changes = 0;
    auto check = [&](const std::string& key, size_t copies) {
      EXPECT_EQ(copies, 1u) << key << " stored " << copies << " times";
      EXPECT_FALSE(refused.count(key)) << key << " was refused (409) but is stored";
      if (!acked_keys.count(key)) {
        EXPECT_TRUE(unanswered.count(key)) << key << " is stored but was never acknowledged nor in flight";
        ++stored_unacked;
      }
    };
    for (const auto& [key, ids] : s.contacts) check(key, ids.size()), contacts += static_cast<int>(ids.size());
    for (const auto& [key, n] : s.agreement_changes) check(key, static_cast<size_t>(n)), changes += n;
    EXPECT_EQ(s.version, initial_version[id] + contacts + changes)
        << "case " << id << ": version " << s.version << " after " << contacts << " contacts and " << changes
        << " changes from version " << initial_version[id];
    EXPECT_EQ(s.agreements, s.last_agreements_change) << "case " << id;
    EXPECT_EQ(audited[id]["record-contact"], contacts) << "case " << id << ": contacts without (or with extra) audit rows";
    EXPECT_EQ(audited[id]["update-case"], changes) << "case " << id << ": changes without (or with extra) audit rows";
  }
  EXPECT_LE(stored_unacked, kWorkers);
  std::printf("[ info ] %s: %zu acknowledged writes (%d when killed), %d refused with 409, %zu in flight at the kill, "
              "%d of those stored\n",
              postgres() ? "postgres" : "sqlite", acked.size(), acked_at_kill, conflicts, unanswered.size(),
              stored_unacked);

  const int stop = again.Signal(SIGTERM);
  EXPECT_TRUE(WIFEXITED(stop) && WEXITSTATUS(stop) == 0) << "vsv serve did not stop cleanly: " << stop;
  if (!postgres()) {
    auto c = followup::OpenSqlConnection(target_);
    ASSERT_TRUE(c.has_value()) << c.error().message;
    auto check = (*c)->Exec("PRAGMA integrity_check", {});
    ASSERT_TRUE(check.has_value()) << check.error().message;
    EXPECT_EQ(check->rows.at(0).Text(0), "ok");
  }
}

}  // namespace
}  // namespace vsv
