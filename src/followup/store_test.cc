// The register's tests. Every test of the store runs against both databases: SQLite
// (a temp file) and PostgreSQL when VSV_TEST_PG names a server
// ("postgresql://user:pw@127.0.0.1:port", see tests/postgres/pg_test_env.sh); each
// PostgreSQL test gets a fresh database.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "followup/crypto.h"
#include "followup/schema.h"
#include "followup/store.h"
#include "followup/sync.h"
#include "measure/worklist.h"
#include "registry/loader.h"

extern char** environ;

namespace vsv::followup {
namespace {

namespace fs = std::filesystem;

int64_t At(int y, int m, int d, int hour = 9) { return int64_t{MakeDate(y, m, d)} * 86400 + hour * 3600; }

std::string TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "vsv_followup_XXXXXX").string();
  return std::string(mkdtemp(tmpl.data()));
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// A small registry around 1 October 2024. Region 21 = Amsterdam (0363), 28 = Den
// Haag (0518).
//   p01 MBO-2 leaver 2024-03-31, Amsterdam       -> work list 21
//   p02 MBO-2 leaver 2024-03-31, Den Haag        -> work list 28
//   p03 leaver, Amsterdam; `later`: enrolled again from 2024-11-01
//   p04 leaver, Amsterdam; `later`: MBO-2 diploma 2024-12-01
//   p05 leaver aged 24, Amsterdam                -> only in Doorstroompunt mode (< 27)
//   p06 counted as new vsv'er in 2022-2023, still without SK -> oud-vsv 21
//   p07 leaver, Amsterdam; `later`: moved to Den Haag 2024-12-01
//   p08 still enrolled                           -> nowhere
std::string WriteRegistry(bool later) {
  const std::string dir = TempDir();
  WriteFile(dir + "/persons.csv",
            "person_id,birth_date,sex\np01,2005-05-01,V\np02,2005-06-01,M\np03,2006-01-15,M\np04,2005-09-09,V\n"
            "p05,2000-01-01,M\np06,2003-02-02,V\np07,2006-03-03,M\np08,2007-04-04,V\n");
  std::string res = "person_id,valid_from,valid_to,municipality,postcode4\n";
  for (const char* p : {"p01", "p03", "p04", "p05", "p06", "p08"}) res += fmt::format("{},2000-01-01,,0363,\n", p);
  res += "p02,2000-01-01,,0518,\n";
  res += later ? "p07,2000-01-01,2024-11-30,0363,\np07,2024-12-01,,0518,\n" : "p07,2000-01-01,,0363,\n";
  WriteFile(dir + "/residences.csv", res);
  std::string enr =
      "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,international,"
      "outsourced_to_vavo,start_date,end_date\n";
  for (const char* p : {"p01", "p02", "p03", "p04", "p05", "p07"}) {
    enr += fmt::format("{},01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,2024-03-31\n", p);
  }
  enr += "p06,01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2022-08-01,2023-01-31\n";
  enr += "p08,01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2023-08-01,\n";
  if (later) enr += "p03,01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2024-11-01,\n";
  WriteFile(dir + "/enrolments.csv", enr);
  WriteFile(dir + "/diplomas.csv", std::string("person_id,date,type,institution\n") +
                                       (later ? "p04,2024-12-01,MBO2,01MR\n" : ""));
  WriteFile(dir + "/registrations.csv", "person_id,register,valid_from,valid_to\n");
  WriteFile(dir + "/life_events.csv", "person_id,date,event\n");
  WriteFile(dir + "/institutions.csv", "institution,location,name,sector,municipality\n01MR,00,ROC Test,MBO,0363\n");
  return dir;
}

struct World {
  Reference reference;
  Registry registry;
  std::unique_ptr<ClassificationCache> cache;
};

std::unique_ptr<World> LoadWorld(bool later) {
  auto w = std::make_unique<World>();
  auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
  EXPECT_TRUE(ref.has_value()) << (ref ? "" : ref.error().message);
  w->reference = std::move(*ref);
  const std::string dir = WriteRegistry(later);
  auto reg = LoadRegistryCsv(dir, w->reference, {}, nullptr);
  EXPECT_TRUE(reg.has_value()) << (reg ? "" : reg.error().message);
  w->registry = std::move(*reg);
  fs::remove_all(dir);
  w->cache = std::make_unique<ClassificationCache>(w->registry, w->reference, 1);
  return w;
}

// Reorganisations in the register: q1 lives in Nijmegen (0268), region 14 up to
// school year 2020 and region 40 from 2021 (the split of region 14); q2 lives in
// Beemster (0370), absorbed by Purmerend (0439) on 1 January 2022, in one residence
// period that runs on across that date.
TEST(SyncReorganisationTest, RegionSplitAndMergedMunicipality) {
  const std::string dir = TempDir();
  WriteFile(dir + "/persons.csv", "person_id,birth_date,sex\nq1,2004-05-01,V\nq2,2004-06-01,M\n");
  WriteFile(dir + "/residences.csv",
            "person_id,valid_from,valid_to,municipality,postcode4\nq1,2004-05-01,,0268,\nq2,2004-06-01,,0370,\n");
  WriteFile(dir + "/enrolments.csv",
            "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,international,"
            "outsourced_to_vavo,start_date,end_date\n"
            "q1,01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2019-08-01,2020-03-31\n"
            "q2,01MR,00,MBO,1,25180,2,BOL,1,0,0,0,2020-08-01,2021-06-30\n");
  WriteFile(dir + "/diplomas.csv", "person_id,date,type,institution\n");
  WriteFile(dir + "/registrations.csv", "person_id,register,valid_from,valid_to\n");
  WriteFile(dir + "/life_events.csv", "person_id,date,event\n");
  WriteFile(dir + "/institutions.csv", "institution,location,name,sector,municipality\n01MR,00,ROC Test,MBO,0363\n");
  auto ref = Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
  ASSERT_TRUE(ref.has_value()) << ref.error().message;
  auto reg = LoadRegistryCsv(dir, *ref, {}, nullptr);
  fs::remove_all(dir);
  ASSERT_TRUE(reg.has_value()) << reg.error().message;
  ClassificationCache cache(*reg, *ref, 1);
  auto persons = [](const SyncRequest& r) {
    std::map<std::string, int> out;
    for (const SyncCandidate& c : r.candidates) out[c.person.person_id] = c.person.municipality;
    return out;
  };
  // Region 14 before the split has q1; region 40 after it.
  EXPECT_EQ(persons(BuildSyncRequest(*reg, *ref, cache, {14, MakeDate(2020, 10, 1)}, nullptr)),
            (std::map<std::string, int>{{"q1", 268}}));
  // (A date uses the division of its school year: region 40 from 1 August 2021. q1 is
  // then an oud-vsv'er, counted in 2019-2020.)
  EXPECT_TRUE(persons(BuildSyncRequest(*reg, *ref, cache, {14, MakeDate(2021, 10, 1)}, nullptr)).count("q1") == 0);
  EXPECT_EQ(persons(BuildSyncRequest(*reg, *ref, cache, {40, MakeDate(2021, 10, 1)}, nullptr)),
            (std::map<std::string, int>{{"q1", 268}}));
  // An open case of region 14 is flagged to the new region after the split.
  const PersonIndex q1 = static_cast<PersonIndex>(reg->persons.Find("q1"));
  EXPECT_EQ(FlagOf(*reg, *ref, q1, MakeDate(2020, 10, 1), 14), "");
  EXPECT_EQ(FlagOf(*reg, *ref, q1, MakeDate(2021, 10, 1), 14), "moved:40");
  // Beemster's case shows Purmerend once Beemster is gone.
  EXPECT_EQ(persons(BuildSyncRequest(*reg, *ref, cache, {21, MakeDate(2021, 10, 1)}, nullptr)),
            (std::map<std::string, int>{{"q2", 370}}));
  EXPECT_EQ(persons(BuildSyncRequest(*reg, *ref, cache, {21, MakeDate(2022, 10, 1)}, nullptr)),
            (std::map<std::string, int>{{"q2", 439}}));
  const PersonIndex q2 = static_cast<PersonIndex>(reg->persons.Find("q2"));
  EXPECT_EQ(SnapshotOf(*reg, q2, MakeDate(2022, 10, 1), -1, &*ref).municipality, 439);
  EXPECT_EQ(SnapshotOf(*reg, q2, MakeDate(2022, 10, 1)).municipality, 370);
  EXPECT_EQ(FlagOf(*reg, *ref, q2, MakeDate(2022, 10, 1), 21), "");
}

User Cli() { return CommandLineUser(); }
Context Ctx(const User& u, std::string purpose = "test") { return Context{u, std::move(purpose)}; }

// ---- backends ---------------------------------------------------------------

class Backend {
 public:
  explicit Backend(const std::string& kind) : kind_(kind) {}
  ~Backend() { Drop(); }

  // The target of a fresh, empty register; "" when this backend is not available.
  std::string Create() {
    if (kind_ == "sqlite") {
      dir_ = TempDir();
      return dir_ + "/register.db";
    }
    const char* base = std::getenv("VSV_TEST_PG");
    if (!base || !*base) return "";
    base_ = base;
    static std::atomic<int> n{0};
    db_ = fmt::format("vsv_t{}_{}", getpid(), n++);
    auto admin = OpenSqlConnection(base_ + "/postgres");
    if (!admin) {
      ADD_FAILURE() << admin.error().message;
      return "";
    }
    auto r = (*admin)->Exec(fmt::format("CREATE DATABASE {}", db_), {});
    if (!r) ADD_FAILURE() << r.error().message;
    return base_ + "/" + db_;
  }

  void Drop() {
    if (!dir_.empty()) fs::remove_all(dir_);
    dir_.clear();
    if (!db_.empty()) {
      if (auto admin = OpenSqlConnection(base_ + "/postgres")) {
        (void)(*admin)->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db_), {});
      }
      db_.clear();
    }
  }

 private:
  std::string kind_, dir_, base_, db_;
};

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<Backend>(GetParam());
    target_ = backend_->Create();
    if (target_.empty()) GTEST_SKIP() << "VSV_TEST_PG is not set: PostgreSQL tests run via tests/postgres/pg_test_env.sh";
    now_ = At(2024, 10, 1);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    backend_.reset();
  }

  StoreOptions Options() {
    StoreOptions o;
    o.clock = [this] { return now_.load(); };
    o.auth.pwhash_opslimit = 1;  // Argon2id at its minimum cost: tests hash many passwords
    o.auth.pwhash_memlimit = 8192;
    return o;
  }
  void Reopen() {
    store_.reset();
    auto s = CaseStore::Open(target_, Options());
    ASSERT_TRUE(s.has_value()) << s.error().message;
    store_ = std::move(*s);
  }
  void SetToday(int y, int m, int d) { now_ = At(y, m, d); }

  User AddUser(const std::string& name, Role role, std::optional<int> region = std::nullopt,
               std::optional<std::string> school = std::nullopt) {
    if (store_->UserCount() == 0 && role != Role::kAdministrator) {
      EXPECT_TRUE(store_->AddUser(Ctx(Cli()), {"admin", Role::kAdministrator}, "admin-password-1").has_value());
    }
    auto u = store_->AddUser(Ctx(Cli()), {name, role, region, school}, "password-of-" + name);
    EXPECT_TRUE(u.has_value()) << (u ? "" : u.error().message);
    return u.value_or(User{});
  }

  SyncReport Sync(World& w, int region, Date date, bool doorstroompunt = false) {
    auto r = SyncCases(*store_, Ctx(Cli(), "sync"), w.registry, w.reference, *w.cache,
                       {region, date, doorstroompunt, std::nullopt});
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r.value_or(SyncReport{});
  }

  // person id -> case, all cases of the region (open and closed).
  std::map<std::string, Case> CasesOf(const User& u, int region) {
    CaseFilter f;
    f.region = region;
    f.include_closed = true;
    auto list = store_->ListCases(Ctx(u), f);
    EXPECT_TRUE(list.has_value()) << (list ? "" : list.error().message);
    std::map<std::string, Case> out;
    for (const Case& c : list.value_or(std::vector<Case>{})) out[c.person.person_id] = c;
    return out;
  }

  std::unique_ptr<Backend> backend_;
  std::string target_;
  std::atomic<int64_t> now_{0};
  std::unique_ptr<CaseStore> store_;
};

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }
INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"), BackendName);

// ---- the SQL layer -----------------------------------------------------------

// ExecLater may be sent only with the COMMIT (PostgreSQL's pipeline): when it fails,
// the COMMIT fails and nothing of the transaction is stored; statements prepared on
// the way keep working on the same connection.
TEST_P(StoreTest, AFailedHeldBackStatementFailsTheCommitAndStoresNothing) {
  auto c = OpenSqlConnection(target_);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  SqlConnection& db = **c;
  ASSERT_TRUE(db.ExecScript("CREATE TABLE later_t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)").has_value());
  for (int attempt = 0; attempt < 2; ++attempt) {
    Transaction tx(db);
    ASSERT_TRUE(tx.BeginWrite().has_value());
    ASSERT_TRUE(db.Exec("INSERT INTO later_t (k, v) VALUES ($1, $2)", {int64_t{1}, std::string("a")}).has_value());
    // SQLite runs it at once and reports the duplicate here (the caller then does
    // not commit); PostgreSQL sends it with the COMMIT, which fails.
    if (db.ExecLater("INSERT INTO later_t (k, v) VALUES ($1, $2)", {int64_t{1}, std::string("b")})) {
      EXPECT_NE(GetParam(), "sqlite");
      EXPECT_FALSE(tx.Commit().has_value());
    }
  }
  auto n = db.Exec("SELECT count(*) FROM later_t", {});
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(n->rows.at(0).Int(0), 0);
  {
    Transaction tx(db);
    ASSERT_TRUE(tx.BeginWrite().has_value());
    ASSERT_TRUE(db.ExecLater("INSERT INTO later_t (k, v) VALUES ($1, $2)", {int64_t{2}, std::string("c")}).has_value());
    if (db.ExecLater("INSERT INTO later_t (k, v) VALUES ($1, $2)", {int64_t{3}, Null()})) {  // v is NOT NULL
      EXPECT_FALSE(tx.Commit().has_value());
    }
  }
  {
    Transaction tx(db);
    ASSERT_TRUE(tx.BeginWrite().has_value());
    ASSERT_TRUE(db.ExecLater("INSERT INTO later_t (k, v) VALUES ($1, $2)", {int64_t{4}, std::string("d")}).has_value());
    auto r = db.Exec("SELECT v FROM later_t WHERE k = $1", {int64_t{4}});  // sees the held-back insert
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r->rows.size(), 1u);
    EXPECT_EQ(r->rows[0].Text(0), "d");
    ASSERT_TRUE(tx.Commit().has_value());
  }
  auto rows = db.Exec("SELECT k FROM later_t ORDER BY k", {});
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].Int(0), 4);
  EXPECT_TRUE(db.Healthy());
}

// ---- schema -----------------------------------------------------------------

TEST_P(StoreTest, MigratesOnceToTheLatestVersion) {
  EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
  Reopen();  // a second open applies nothing
  auto c = OpenSqlConnection(target_);
  ASSERT_TRUE(c.has_value());
  auto rows = (*c)->Exec("SELECT version FROM schema_version ORDER BY version", {});
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->rows.size(), Migrations().size());
  for (size_t i = 0; i < Migrations().size(); ++i) EXPECT_EQ(rows->rows[i].Int(0), Migrations()[i].version);
  // Integer columns refuse text in both databases (STRICT tables in SQLite).
  auto bad = (*c)->Exec("INSERT INTO region_rules (region, oud_vsv_interval_months, new_leaver_interval_days, "
                        "updated_at) VALUES ($1, $2, $3, $4)",
                        {std::string("abc"), int64_t{3}, int64_t{14}, int64_t{0}});
  EXPECT_FALSE(bad.has_value());
  // A database newer than the program is refused.
  ASSERT_TRUE((*c)->Exec("INSERT INTO schema_version (version, applied_at, description) VALUES ($1, $2, $3)",
                         {int64_t{LatestSchemaVersion() + 1}, int64_t{0}, std::string("future")}));
  store_.reset();
  auto s = CaseStore::Open(target_, Options());
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("newer"), std::string::npos) << s.error().message;
}

TEST(Schema, RendersTheSameLogicalSchemaForBothDialects) {
  const std::string lite = RenderForDialect(Migrations()[0].sql, Dialect::kSqlite);
  const std::string pg = RenderForDialect(Migrations()[0].sql, Dialect::kPostgres);
  EXPECT_NE(lite.find(") STRICT;"), std::string::npos);
  EXPECT_EQ(pg.find("STRICT"), std::string::npos);
  EXPECT_EQ(pg.find('{'), std::string::npos);
  EXPECT_EQ(lite.find('{'), std::string::npos);
  // Same tables in both.
  auto count = [](const std::string& s) {
    size_t n = 0;
    for (size_t p = s.find("CREATE TABLE"); p != std::string::npos; p = s.find("CREATE TABLE", p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(lite), count(pg));
  EXPECT_EQ(count(lite), 8u);
  EXPECT_EQ(count(RenderForDialect(Migrations()[1].sql, Dialect::kSqlite)), 8u);
}

TEST(Sql, RewritesPlaceholdersOutsideQuotesOnly) {
  EXPECT_EQ(RewritePlaceholders("SELECT $1, '$2', $10 FROM t WHERE a = \"$3\""),
            "SELECT ?1, '$2', ?10 FROM t WHERE a = \"$3\"");
}

// ---- sync -------------------------------------------------------------------

TEST_P(StoreTest, SyncCreatesACaseForEveryPersonOnTheWorklistAndEveryOudVsver) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  const SyncReport rep = Sync(*w, 21, MakeDate(2024, 10, 1));
  // The same list `vsv worklist` prints.
  const auto list = ComputeWorklist(w->registry, w->reference,
                                    {21, AddMonths(MakeDate(2024, 10, 1), -12) + 1, MakeDate(2024, 10, 1), 23});
  EXPECT_EQ(rep.created_new_leaver, static_cast<int64_t>(list.size()));
  EXPECT_EQ(rep.created_new_leaver, 4);  // p01 p03 p04 p07
  EXPECT_EQ(rep.created_oud_vsv, 1);     // p06
  EXPECT_EQ(rep.open_cases, 5);
  const auto cases = CasesOf(cw, 21);
  ASSERT_EQ(cases.size(), 5u);
  for (const char* p : {"p01", "p03", "p04", "p07"}) {
    ASSERT_TRUE(cases.count(p)) << p;
    EXPECT_EQ(cases.at(p).kind, CaseKind::kNewLeaver);
    EXPECT_EQ(cases.at(p).episode, "leaver:2024-03-31");
  }
  const Case& p01 = cases.at("p01");
  EXPECT_EQ(p01.status, CaseStatus::kNew);
  EXPECT_EQ(p01.person.birth_date, MakeDate(2005, 5, 1));
  EXPECT_EQ(p01.person.municipality, 363);
  EXPECT_EQ(p01.person.last_school, "01MR");
  EXPECT_EQ(p01.person.last_program, "25180");
  EXPECT_EQ(p01.person.last_level, 2);
  EXPECT_EQ(p01.person.left_on, MakeDate(2024, 3, 31));
  EXPECT_EQ(p01.next_contact, MakeDate(2024, 10, 1));
  ASSERT_TRUE(cases.count("p06"));
  EXPECT_EQ(cases.at("p06").kind, CaseKind::kOudVsv);
  EXPECT_EQ(cases.at("p06").episode, "oud-vsv:2022");
  EXPECT_FALSE(cases.count("p02"));  // region 28
  EXPECT_FALSE(cases.count("p05"));  // 24: above the RMC age limit
  EXPECT_FALSE(cases.count("p08"));  // still enrolled
}

TEST_P(StoreTest, DoorstroompuntModeTakesYoungPeopleUpTo27) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  const SyncReport rep = Sync(*w, 21, MakeDate(2024, 10, 1), /*doorstroompunt=*/true);
  EXPECT_EQ(rep.created_new_leaver, 5);
  EXPECT_TRUE(CasesOf(cw, 21).count("p05"));
}

TEST_P(StoreTest, SyncTwiceChangesNothingAndNeverTouchesWhatCaseworkersWrote) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  auto before = CasesOf(cw, 21);
  // The caseworker works on p01 and closes p04.
  Case p01 = before.at("p01");
  auto c1 = store_->RecordContact(Ctx(cw), p01.id, p01.version,
                                  {MakeDate(2024, 10, 1), "phone", "young person", "Wants to go back to school",
                                   "intake planned", MakeDate(2024, 10, 15), ""});
  ASSERT_TRUE(c1.has_value()) << c1.error().message;
  CaseUpdate up;
  up.agreements = "Intake at ROC on 15 October";
  up.status = CaseStatus::kInTrajectory;
  auto u1 = store_->UpdateCase(Ctx(cw), p01.id, c1->c.version, up);
  ASSERT_TRUE(u1.has_value()) << u1.error().message;
  const Case& p04 = before.at("p04");
  CaseUpdate close;
  close.status = CaseStatus::kClosed;
  close.closed_reason = "found work";
  ASSERT_TRUE(store_->UpdateCase(Ctx(cw), p04.id, p04.version, close).has_value());
  const auto worked = CasesOf(cw, 21);

  const SyncReport again = Sync(*w, 21, MakeDate(2024, 10, 1));
  EXPECT_EQ(again.created_new_leaver + again.created_oud_vsv, 0);
  EXPECT_EQ(again.already_open, 4);    // p01 p03 p07 p06
  EXPECT_EQ(again.closed_episode, 1);  // p04: closed by the caseworker, not reopened
  EXPECT_EQ(again.refreshed, 0);
  EXPECT_EQ(again.flagged, 0);
  const auto after = CasesOf(cw, 21);
  ASSERT_EQ(after.size(), worked.size());
  for (const auto& [person, c] : worked) {
    const Case& a = after.at(person);
    EXPECT_EQ(a.id, c.id) << person;
    EXPECT_EQ(a.version, c.version) << person;
    EXPECT_EQ(a.status, c.status) << person;
    EXPECT_EQ(a.agreements, c.agreements) << person;
    EXPECT_EQ(a.next_contact, c.next_contact) << person;
    EXPECT_EQ(a.closed_reason, c.closed_reason) << person;
  }
  auto d = store_->GetCase(Ctx(cw), p01.id);
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->contacts.size(), 1u);
  EXPECT_EQ(d->contacts[0].summary, "Wants to go back to school");
  EXPECT_EQ(d->c.agreements, "Intake at ROC on 15 October");
  EXPECT_EQ(d->c.status, CaseStatus::kInTrajectory);
  // A third run on the same data: still nothing new.
  EXPECT_EQ(Sync(*w, 21, MakeDate(2024, 10, 1)).created_new_leaver, 0);
}

TEST_P(StoreTest, SyncFlagsReEnrolmentSkAndMovesWithoutClosingAnything) {
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  {
    auto w = LoadWorld(false);
    Sync(*w, 21, MakeDate(2024, 10, 1));
  }
  SetToday(2025, 1, 15);
  auto later = LoadWorld(true);
  const SyncReport rep = Sync(*later, 21, MakeDate(2025, 1, 15));
  EXPECT_EQ(rep.flagged, 3);
  EXPECT_EQ(rep.refreshed, 2);  // p04: the diploma list; p07: the municipality
  const auto cases = CasesOf(cw, 21);
  EXPECT_EQ(cases.at("p03").registry_flag.flag, "re-enrolled");
  EXPECT_EQ(cases.at("p04").registry_flag.flag, "sk-obtained");
  EXPECT_EQ(cases.at("p04").person.diplomas, "MBO2 2024-12-01");
  EXPECT_EQ(cases.at("p07").registry_flag.flag, "moved:28");
  EXPECT_EQ(cases.at("p01").registry_flag.flag, "");
  for (const auto& [p, c] : cases) {
    EXPECT_TRUE(c.open()) << p;                  // flagged, not closed
    EXPECT_EQ(c.version, 1) << p;                // no caseworker-visible change
    EXPECT_EQ(c.status, CaseStatus::kNew) << p;
  }
  auto d = store_->GetCase(Ctx(cw), cases.at("p03").id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->history.back().event, "registry-flag");
  EXPECT_EQ(d->history.back().new_value, "re-enrolled");
  // p07 moved to Den Haag: region 28's sync sees the open case here and does not duplicate it.
  const SyncReport r28 = Sync(*later, 28, MakeDate(2025, 1, 15));
  EXPECT_EQ(r28.open_elsewhere, 1);
  EXPECT_EQ(r28.created_new_leaver, 1);  // p02 only
}

// ---- handover -------------------------------------------------------------

TEST_P(StoreTest, WarmHandoverMovesTheCaseWithItsHistoryAndBothRegionsSeeIt) {
  auto w = LoadWorld(false);
  const User cw21 = AddUser("cw21", Role::kCaseworker, 21);
  const User cw28 = AddUser("cw28", Role::kCaseworker, 28);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  const Case p07 = CasesOf(cw21, 21).at("p07");
  auto c = store_->RecordContact(Ctx(cw21), p07.id, p07.version,
                                 {MakeDate(2024, 10, 1), "visit", "young person and mother", "Moving to Den Haag",
                                  "", std::nullopt, ""});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  // A caseworker of 28 cannot hand over (or read) region 21's case.
  EXPECT_EQ(store_->HandOver(Ctx(cw28), p07.id, c->c.version, 28, "").error().code, Errc::kForbidden);
  auto h = store_->HandOver(Ctx(cw21), p07.id, c->c.version, 28, "Lives in Den Haag from December");
  ASSERT_TRUE(h.has_value()) << h.error().message;
  EXPECT_EQ(h->region, 28);
  EXPECT_FALSE(h->owner_id.has_value());
  // Region 21 can no longer read the case; region 28 can, with all of its history.
  EXPECT_EQ(store_->GetCase(Ctx(cw21), p07.id).error().code, Errc::kForbidden);
  auto d = store_->GetCase(Ctx(cw28), p07.id);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  ASSERT_EQ(d->contacts.size(), 1u);
  EXPECT_EQ(d->contacts[0].summary, "Moving to Den Haag");
  std::vector<std::string> events;
  for (const auto& e : d->history) events.push_back(e.event);
  EXPECT_EQ(events, (std::vector<std::string>{"created", "contact", "status", "next-contact", "handover-out",
                                              "handover-in"}));
  // Both regions' history shows the handover.
  auto h21 = store_->RegionHistory(Ctx(cw21), 21, 100);
  ASSERT_TRUE(h21.has_value());
  auto out = std::find_if(h21->begin(), h21->end(), [&](const HistoryEntry& e) { return e.event == "handover-out"; });
  ASSERT_NE(out, h21->end());
  EXPECT_EQ(out->case_id, p07.id);
  EXPECT_EQ(out->person_id, "p07");
  EXPECT_EQ(out->new_value, "28");
  EXPECT_EQ(out->detail, "Lives in Den Haag from December");
  auto h28 = store_->RegionHistory(Ctx(cw28), 28, 100);
  ASSERT_TRUE(h28.has_value());
  EXPECT_TRUE(std::any_of(h28->begin(), h28->end(),
                          [&](const HistoryEntry& e) { return e.event == "handover-in" && e.case_id == p07.id; }));
  EXPECT_FALSE(std::any_of(h28->begin(), h28->end(), [&](const HistoryEntry& e) { return e.event == "handover-out"; }));
  // The case is now on region 28's list, not on 21's.
  EXPECT_TRUE(CasesOf(cw28, 28).count("p07"));
  EXPECT_FALSE(CasesOf(cw21, 21).count("p07"));
}

// ---- concurrency ----------------------------------------------------------

TEST_P(StoreTest, TheSecondOfTwoSavesGetsAConflictAndLosesNothing) {
  auto w = LoadWorld(false);
  const User a = AddUser("anna", Role::kCaseworker, 21);
  const User b = AddUser("bram", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  const Case read = CasesOf(a, 21).at("p01");  // both open the case at version 1
  CaseUpdate ua;
  ua.agreements = "Anna: call back Friday";
  auto saved = store_->UpdateCase(Ctx(a), read.id, read.version, ua);
  ASSERT_TRUE(saved.has_value());
  EXPECT_EQ(saved->version, read.version + 1);
  CaseUpdate ub;
  ub.agreements = "Bram: sent letter";
  ub.mbo_verklaring = true;
  auto second = store_->UpdateCase(Ctx(b), read.id, read.version, ub);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Errc::kConflict);
  EXPECT_NE(second.error().message.find("changed by someone else"), std::string::npos);
  ASSERT_NE(second.error().current, nullptr);
  EXPECT_EQ(second.error().current->agreements, "Anna: call back Friday");
  EXPECT_EQ(second.error().current->version, saved->version);
  // Nothing of Bram's change was written ...
  auto now = store_->GetCase(Ctx(a), read.id);
  EXPECT_EQ(now->c.agreements, "Anna: call back Friday");
  EXPECT_FALSE(now->c.mbo_verklaring);
  // ... and he still has his input: applied on the current version it succeeds.
  auto retry = store_->UpdateCase(Ctx(b), read.id, second.error().current->version, ub);
  ASSERT_TRUE(retry.has_value()) << retry.error().message;
  EXPECT_EQ(retry->agreements, "Bram: sent letter");
  EXPECT_TRUE(retry->mbo_verklaring);
  // A contact on a stale version is refused as well, and not stored.
  auto stale = store_->RecordContact(Ctx(a), read.id, saved->version,
                                     {MakeDate(2024, 10, 1), "phone", "young person", "stale", "", std::nullopt, ""});
  EXPECT_EQ(stale.error().code, Errc::kConflict);
  EXPECT_TRUE(store_->GetCase(Ctx(a), read.id)->contacts.empty());
}

TEST_P(StoreTest, ConcurrentWritersWithRetriesLoseNoUpdate) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  const int64_t id = CasesOf(cw, 21).at("p01").id;
  // Each writer reads the case, waits a moment (a caseworker typing), and saves the
  // agreements with its own line appended, or records a contact; on a conflict it
  // reads again and retries. Without the version check lines would be lost.
  constexpr int kThreads = 4, kEach = 15;
  std::atomic<int> conflicts{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string token = fmt::format("[{}-{}]", t, i);
        for (;;) {
          auto d = store_->GetCase(Ctx(cw), id);
          if (!d) { ++failures; break; }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          StoreResult<Case> r = i % 2 == 0
              ? store_->UpdateCase(Ctx(cw), id, d->c.version, {.agreements = d->c.agreements + token})
              : store_->RecordContact(Ctx(cw), id, d->c.version,
                                      {MakeDate(2024, 10, 1), "phone", "young person", token, "", std::nullopt, ""})
                    .map([](const ContactResult& c) { return c.c; });
          if (r) break;
          if (r.error().code != Errc::kConflict) { ++failures; ADD_FAILURE() << r.error().message; break; }
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto d = store_->GetCase(Ctx(cw), id);
  ASSERT_TRUE(d.has_value());
  int agreements = 0, contacts = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      const std::string token = fmt::format("[{}-{}]", t, i);
      if (i % 2 == 0) {
        EXPECT_NE(d->c.agreements.find(token), std::string::npos) << "lost update " << token;
        ++agreements;
      } else {
        EXPECT_EQ(std::count_if(d->contacts.begin(), d->contacts.end(),
                                [&](const Contact& c) { return c.summary == token; }), 1) << token;
        ++contacts;
      }
    }
  }
  EXPECT_EQ(d->contacts.size(), static_cast<size_t>(contacts));
  EXPECT_EQ(d->c.version, 1 + agreements + contacts);  // one version per saved change
  std::printf("[ info ] %d conflicts retried\n", conflicts.load());
}

// ---- contacts, rules ------------------------------------------------------

TEST_P(StoreTest, OudVsversAreContactedAtLeastEveryThreeMonthsOrByTheRegionsRule) {
  auto w = LoadWorld(false);
  const User co = AddUser("co21", Role::kRegionalCoordinator, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  Case p06 = CasesOf(co, 21).at("p06");
  // Without a next date the rule sets it: 3 months after the contact.
  auto c = store_->RecordContact(Ctx(co), p06.id, p06.version,
                                 {MakeDate(2024, 10, 1), "phone", "young person", "Working part-time", "", std::nullopt, ""});
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->c.next_contact, MakeDate(2025, 1, 1));
  // A date beyond the rule is refused.
  CaseUpdate late;
  late.next_contact = MakeDate(2025, 2, 1);
  auto r = store_->UpdateCase(Ctx(co), p06.id, c->c.version, late);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kInvalid);
  EXPECT_NE(r.error().message.find("2025-01-01"), std::string::npos) << r.error().message;
  // The region sets its own rule: every 2 months.
  ASSERT_TRUE(store_->SetRegionRule(Ctx(co), {21, 2, 10}).has_value());
  late.next_contact = MakeDate(2024, 12, 15);
  EXPECT_EQ(store_->UpdateCase(Ctx(co), p06.id, c->c.version, late).error().code, Errc::kInvalid);
  late.next_contact = MakeDate(2024, 11, 30);
  EXPECT_TRUE(store_->UpdateCase(Ctx(co), p06.id, c->c.version, late).has_value());
  // New leavers: the region's days.
  const Case p01 = CasesOf(co, 21).at("p01");
  auto c1 = store_->RecordContact(Ctx(co), p01.id, p01.version,
                                  {MakeDate(2024, 10, 1), "email", "young person", "No answer yet", "", std::nullopt, ""});
  ASSERT_TRUE(c1.has_value());
  EXPECT_EQ(c1->c.next_contact, MakeDate(2024, 10, 11));
  // A caseworker may not change the region's rule.
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  EXPECT_EQ(store_->SetRegionRule(Ctx(cw), {21, 3, 14}).error().code, Errc::kForbidden);
}

TEST_P(StoreTest, ContactsAreValidatedAndRetriedContactsStoredOnce) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  const Case p01 = CasesOf(cw, 21).at("p01");
  NewContact bad{MakeDate(2024, 10, 2), "phone", "young person", "future", "", std::nullopt, ""};
  EXPECT_EQ(store_->RecordContact(Ctx(cw), p01.id, p01.version, bad).error().code, Errc::kInvalid);
  bad.date = MakeDate(2024, 10, 1);
  bad.channel = "pigeon";
  EXPECT_EQ(store_->RecordContact(Ctx(cw), p01.id, p01.version, bad).error().code, Errc::kInvalid);
  NewContact ok{MakeDate(2024, 10, 1), "phone", "young person", "first call", "", std::nullopt, "key-1"};
  auto first = store_->RecordContact(Ctx(cw), p01.id, p01.version, ok);
  ASSERT_TRUE(first.has_value());
  auto retry = store_->RecordContact(Ctx(cw), p01.id, p01.version, ok);  // the same request again
  ASSERT_TRUE(retry.has_value());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->contact_id, first->contact_id);
  EXPECT_EQ(store_->GetCase(Ctx(cw), p01.id)->contacts.size(), 1u);
  // Referrals to partners.
  auto ref = store_->AddReferral(Ctx(cw), p01.id, first->c.version, {Partner::kDebtHelp, MakeDate(2024, 10, 1), "Schulden"});
  ASSERT_TRUE(ref.has_value());
  auto d = store_->GetCase(Ctx(cw), p01.id);
  ASSERT_EQ(d->referrals.size(), 1u);
  EXPECT_EQ(d->referrals[0].partner, Partner::kDebtHelp);
  // Closing needs a reason; a closed case is not changed any more.
  CaseUpdate close;
  close.status = CaseStatus::kClosed;
  EXPECT_EQ(store_->UpdateCase(Ctx(cw), p01.id, ref->version, close).error().code, Errc::kInvalid);
  close.closed_reason = "back in education";
  auto closed = store_->UpdateCase(Ctx(cw), p01.id, ref->version, close);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->closed_on, MakeDate(2024, 10, 1));
  EXPECT_EQ(closed->next_contact, kNoDate);
  EXPECT_EQ(store_->UpdateCase(Ctx(cw), p01.id, closed->version, CaseUpdate{.agreements = "x"}).error().code,
            Errc::kInvalid);
}

// ---- overview ---------------------------------------------------------------

TEST_P(StoreTest, RegionOverviewCountsStatusesDueContactsAndOutcomes) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  auto cases = CasesOf(cw, 21);
  // p01: contacted 1 Oct, next on 10 Oct; p03: in trajectory from 1 Nov; p04: closed 20 Dec.
  auto c = store_->RecordContact(Ctx(cw), cases["p01"].id, 1,
                                 {MakeDate(2024, 10, 1), "phone", "young person", "call", "", MakeDate(2024, 10, 10), ""});
  ASSERT_TRUE(c.has_value());
  SetToday(2024, 11, 1);
  ASSERT_TRUE(store_->UpdateCase(Ctx(cw), cases["p03"].id, 1, {.status = CaseStatus::kInTrajectory}).has_value());
  SetToday(2024, 12, 20);
  ASSERT_TRUE(store_->UpdateCase(Ctx(cw), cases["p04"].id, 1,
                                 {.status = CaseStatus::kClosed, .closed_reason = "working"}).has_value());
  auto c2 = store_->RecordContact(Ctx(cw), cases["p07"].id, 1,
                                  {MakeDate(2024, 12, 20), "visit", "young person", "visit", "", MakeDate(2024, 12, 24), ""});
  ASSERT_TRUE(c2.has_value());
  SetToday(2025, 1, 2);
  auto ov = store_->Overview(Ctx(cw), 21, MakeDate(2025, 1, 2));
  ASSERT_TRUE(ov.has_value()) << ov.error().message;
  EXPECT_EQ(ov->open, 4);
  auto st = [&](CaseStatus s) { return ov->by_status[static_cast<size_t>(s)]; };
  EXPECT_EQ(st(CaseStatus::kNew), 1);           // p06
  EXPECT_EQ(st(CaseStatus::kContacted), 2);     // p01 p07
  EXPECT_EQ(st(CaseStatus::kInTrajectory), 1);  // p03
  EXPECT_EQ(st(CaseStatus::kClosed), 1);        // p04
  // Next contacts: p01 10 Oct, p07 24 Dec (overdue); p03 and p06 1 Oct (overdue).
  EXPECT_EQ(ov->overdue, 4);
  EXPECT_EQ(ov->due, 0);
  ASSERT_EQ(ov->contacts_per_month.size(), 12u);
  EXPECT_EQ(ov->contacts_per_month.front().month, "2024-02");
  EXPECT_EQ(ov->contacts_per_month.back().month, "2025-01");
  EXPECT_EQ(ov->contacts_per_month[8].month, "2024-10");
  EXPECT_EQ(ov->contacts_per_month[8].contacts, 1);
  EXPECT_EQ(ov->contacts_per_month[10].contacts, 1);  // 2024-12
  // After 3 months (1 Jan 2025), all five cases: p01 contacted, p07 contacted,
  // p03 in trajectory, p04 closed, p06 new.
  EXPECT_EQ(ov->after_3.cohort, 5);
  EXPECT_EQ(ov->after_3.by_status[static_cast<size_t>(CaseStatus::kContacted)], 2);
  EXPECT_EQ(ov->after_3.by_status[static_cast<size_t>(CaseStatus::kInTrajectory)], 1);
  EXPECT_EQ(ov->after_3.by_status[static_cast<size_t>(CaseStatus::kClosed)], 1);
  EXPECT_EQ(ov->after_3.by_status[static_cast<size_t>(CaseStatus::kNew)], 1);
  EXPECT_EQ(ov->after_12.cohort, 0);
  // On 2 Oct the outcome at 3 months is not known yet; p01's contact makes it due.
  auto early = store_->Overview(Ctx(cw), 21, MakeDate(2024, 10, 5));
  EXPECT_EQ(early->after_3.cohort, 0);
  // An analyst sees the figures of any region; a mentor none.
  const User an = AddUser("analyst", Role::kNationalAnalyst);
  EXPECT_TRUE(store_->Overview(Ctx(an), 21, MakeDate(2025, 1, 2)).has_value());
  const User mentor = AddUser("mentor", Role::kSchoolMentor, std::nullopt, "01MR");
  EXPECT_EQ(store_->Overview(Ctx(mentor), 21, MakeDate(2025, 1, 2)).error().code, Errc::kForbidden);
}

// ---- retention --------------------------------------------------------------

TEST_P(StoreTest, RetentionPurgesOldClosedCasesWithTheirContactsAndLogsIt) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  SetToday(2019, 3, 1);  // the cases were opened and closed long ago
  Sync(*w, 21, MakeDate(2019, 3, 1));
  // p06 is no oud-vsv'er in 2019 and nobody left yet: make cases from the 2024 list.
  SetToday(2024, 10, 1);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  auto cases = CasesOf(cw, 21);
  SetToday(2019, 5, 1);  // back in time to close two of them "in 2019"
  for (const char* p : {"p01", "p03"}) {
    ASSERT_TRUE(store_->RecordContact(Ctx(cw), cases[p].id, 1,
                                      {MakeDate(2019, 5, 1), "phone", "young person", "x", "", std::nullopt, ""})
                    .has_value());
    ASSERT_TRUE(store_->UpdateCase(Ctx(cw), cases[p].id, 2, {.status = CaseStatus::kClosed, .closed_reason = "old"})
                    .has_value());
  }
  SetToday(2022, 6, 1);
  ASSERT_TRUE(store_->UpdateCase(Ctx(cw), cases["p04"].id, 1, {.status = CaseStatus::kClosed, .closed_reason = "recent"})
                  .has_value());
  SetToday(2024, 10, 1);
  // Only an administrator purges.
  EXPECT_EQ(store_->PurgeClosedCases(Ctx(cw), MakeDate(2024, 10, 1), 5).error().code, Errc::kForbidden);
  auto rep = store_->PurgeClosedCases(Ctx(Cli(), "retention"), MakeDate(2024, 10, 1), 5);
  ASSERT_TRUE(rep.has_value()) << rep.error().message;
  EXPECT_EQ(rep->cutoff, MakeDate(2019, 10, 1));
  EXPECT_EQ(rep->cases, 2);
  EXPECT_EQ(rep->contacts, 2);
  const auto left = CasesOf(cw, 21);
  EXPECT_FALSE(left.count("p01"));
  EXPECT_FALSE(left.count("p03"));
  EXPECT_TRUE(left.count("p04"));  // closed 2022: within 5 years
  EXPECT_TRUE(left.count("p06"));
  EXPECT_EQ(store_->GetCase(Ctx(cw), cases["p01"].id).error().code, Errc::kNotFound);
  // Contacts and history went with the cases.
  auto conn = OpenSqlConnection(target_);
  auto orphans = (*conn)->Exec("SELECT COUNT(*) FROM contacts WHERE case_id IN ($1, $2)", {cases["p01"].id, cases["p03"].id});
  EXPECT_EQ(orphans->rows[0].Int(0), 0);
  auto hist = (*conn)->Exec("SELECT COUNT(*) FROM case_history WHERE case_id IN ($1, $2)", {cases["p01"].id, cases["p03"].id});
  EXPECT_EQ(hist->rows[0].Int(0), 0);
  // The purge is in the audit log: one row per case and a summary.
  auto log = store_->SearchAudit(Ctx(Cli()), {.person_id = std::string("p01")});
  ASSERT_TRUE(log.has_value());
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const AuditEntry& e) {
    return e.action == "purge-case" && e.purpose == "retention";
  }));
  auto all = store_->SearchAudit(Ctx(Cli()), {});
  EXPECT_TRUE(std::any_of(all->begin(), all->end(), [](const AuditEntry& e) {
    return e.action == "purge" && e.detail.find("2 cases, 2 contacts") != std::string::npos;
  }));
}

// ---- authorization ----------------------------------------------------------

// The matrix, written out by hand: rows are actions, columns the roles in the order
// administrator, national-analyst, regional-coordinator, caseworker, school-mentor;
// each cell "own/other" region (or school for mentors): 1 = allowed.
struct MatrixRow {
  Action action;
  const char* cells[kRoleCount];
};
constexpr MatrixRow kMatrix[] = {
    {Action::kViewAggregates, {"11", "11", "10", "10", "00"}},
    {Action::kListCases, {"00", "00", "10", "10", "10"}},
    {Action::kReadCase, {"00", "00", "10", "10", "10"}},
    {Action::kWriteCase, {"00", "00", "10", "10", "00"}},
    {Action::kAssignCase, {"00", "00", "10", "00", "00"}},
    {Action::kHandOverCase, {"00", "00", "10", "10", "00"}},
    {Action::kSyncCases, {"11", "00", "10", "00", "00"}},
    {Action::kSetRegionRule, {"11", "00", "10", "00", "00"}},
    {Action::kManageUsers, {"11", "00", "00", "00", "00"}},
    {Action::kReadAudit, {"11", "00", "00", "00", "00"}},
    {Action::kPurge, {"11", "00", "00", "00", "00"}},
    {Action::kReadProgramme, {"11", "11", "10", "10", "00"}},
    {Action::kWriteProgramme, {"11", "00", "10", "00", "00"}},
};

User UserWithRole(Role r) {
  User u{1, std::string(RoleName(r)), r, std::nullopt, std::nullopt, true};
  if (r == Role::kRegionalCoordinator || r == Role::kCaseworker) u.region = 21;
  if (r == Role::kSchoolMentor) u.school = "01MR";
  return u;
}

TEST(Authorization, EveryActionTimesEveryRoleTimesOwnAndOtherRegion) {
  static_assert(std::size(kMatrix) == kActionCount);
  const Resource own{21, std::string("01MR")}, other{28, std::string("02XX")};
  for (const MatrixRow& row : kMatrix) {
    for (int r = 0; r < kRoleCount; ++r) {
      const User u = UserWithRole(static_cast<Role>(r));
      EXPECT_EQ(Authorize(u, row.action, own), row.cells[r][0] == '1')
          << RoleName(u.role) << " " << ActionName(row.action) << " own";
      EXPECT_EQ(Authorize(u, row.action, other), row.cells[r][1] == '1')
          << RoleName(u.role) << " " << ActionName(row.action) << " other";
      User inactive = u;
      inactive.active = false;
      EXPECT_FALSE(Authorize(inactive, row.action, own));
    }
  }
  // A caseworker of region 21 whose person goes to school elsewhere: the region decides.
  EXPECT_TRUE(Authorize(UserWithRole(Role::kCaseworker), Action::kReadCase, {21, std::string("02XX")}));
  // A mentor of 01MR: the school decides, not the region.
  EXPECT_TRUE(Authorize(UserWithRole(Role::kSchoolMentor), Action::kReadCase, {28, std::string("01MR")}));
  // Nobody with a region sees a resource without one.
  EXPECT_FALSE(Authorize(UserWithRole(Role::kCaseworker), Action::kListCases, {}));
}

// The same matrix through the store: every case action of every role on a case of
// its own and of another region, with the refusals in the audit log.
TEST_P(StoreTest, TheStoreEnforcesTheMatrixForEveryRoleOnOwnAndOtherRegion) {
  auto w = LoadWorld(false);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  Sync(*w, 28, MakeDate(2024, 10, 1));
  const User co21 = AddUser("co21", Role::kRegionalCoordinator, 21);
  const User co28 = AddUser("co28", Role::kRegionalCoordinator, 28);
  const User cw21 = AddUser("cw21", Role::kCaseworker, 21);
  const User cw28 = AddUser("cw28", Role::kCaseworker, 28);
  const User an = AddUser("analyst", Role::kNationalAnalyst);
  const User m_own = AddUser("mentor01mr", Role::kSchoolMentor, std::nullopt, "01MR");
  const User m_other = AddUser("mentor02xx", Role::kSchoolMentor, std::nullopt, "02XX");
  const User admin = Cli();
  const int64_t case21 = CasesOf(co21, 21).at("p01").id;  // last school 01MR
  struct Who {
    const User* user;
    bool read, write, assign, handover, list;
  };
  // Case of region 21 and school 01MR.
  const std::vector<Who> expect = {
      {&admin, false, false, false, false, false}, {&an, false, false, false, false, false},
      {&co21, true, true, true, true, true},       {&co28, false, false, false, false, false},
      {&cw21, true, true, false, true, true},      {&cw28, false, false, false, false, false},
      {&m_own, true, false, false, false, true},   {&m_other, false, false, false, false, false},
  };
  for (const Who& who : expect) {
    const User& u = *who.user;
    SCOPED_TRACE(u.name);
    auto d = store_->GetCase(Ctx(u), case21);
    EXPECT_EQ(d.has_value(), who.read);
    if (!d) {
      EXPECT_EQ(d.error().code, Errc::kForbidden);
    }
    auto current = store_->GetCase(Ctx(co21), case21);
    const int64_t v = current->c.version;
    auto wr = store_->UpdateCase(Ctx(u), case21, v, {.agreements = "by " + u.name});
    EXPECT_EQ(wr.has_value(), who.write) << (wr ? "" : wr.error().message);
    const int64_t v2 = wr ? wr->version : v;
    auto as = store_->UpdateCase(Ctx(u), case21, v2, {.owner_id = std::optional<int64_t>(cw21.id)});
    EXPECT_EQ(as.has_value(), who.assign) << (as ? "" : as.error().message);
    if (as) {
      ASSERT_TRUE(store_->UpdateCase(Ctx(u), case21, as->version, {.owner_id = std::optional<int64_t>()}));
    }
    CaseFilter f;
    f.region = 21;
    auto list = store_->ListCases(Ctx(u), f);
    EXPECT_EQ(list.has_value() && !list->empty(), who.list) << (list ? "" : list.error().message);
  }
  // Handover last, by the one allowed caseworker, after the refusals of the others.
  for (const Who& who : expect) {
    if (who.handover) continue;
    auto cur = store_->GetCase(Ctx(co21), case21);
    EXPECT_EQ(store_->HandOver(Ctx(*who.user), case21, cur->c.version, 28, "").error().code, Errc::kForbidden)
        << who.user->name;
  }
  auto cur = store_->GetCase(Ctx(co21), case21);
  EXPECT_TRUE(store_->HandOver(Ctx(cw21), case21, cur->c.version, 28, "").has_value());
  // Sync, users, audit, purge: administrator (and coordinators for their own region's sync).
  EXPECT_EQ(store_->Sync(Ctx(cw21), {21, MakeDate(2024, 10, 1), {}, nullptr}).error().code, Errc::kForbidden);
  EXPECT_EQ(store_->Sync(Ctx(co28), {21, MakeDate(2024, 10, 1), {}, nullptr}).error().code, Errc::kForbidden);
  EXPECT_TRUE(store_->Sync(Ctx(co21), {21, MakeDate(2024, 10, 1), {}, nullptr}).has_value());
  for (const User* u : {&an, &co21, &cw21, &m_own}) {
    EXPECT_EQ(store_->SearchAudit(Ctx(*u), {}).error().code, Errc::kForbidden) << u->name;
    EXPECT_EQ(store_->AddUser(Ctx(*u), {"x" + u->name, Role::kCaseworker, 21}, "a-long-password").error().code,
              Errc::kForbidden);
    EXPECT_EQ(store_->PurgeClosedCases(Ctx(*u), MakeDate(2024, 10, 1), 5).error().code, Errc::kForbidden);
  }
  // Refusals are logged.
  auto log = store_->SearchAudit(Ctx(admin), {.user = std::string("cw28")});
  ASSERT_TRUE(log.has_value());
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [&](const AuditEntry& e) {
    return e.action == "denied:read-case" && e.person_id == "p01";
  }));
  // Also a work list or region history asked without a region by a user who has none,
  // and an assignment by a caseworker (who may write but not assign): refusals like
  // the others, each one audit row.
  auto denials = [&](const User& u) {
    auto entries = store_->SearchAudit(Ctx(admin), {.user = u.name});
    return std::count_if(entries->begin(), entries->end(),
                         [](const AuditEntry& e) { return e.action.rfind("denied:", 0) == 0; });
  };
  for (const User* u : {&admin, &an}) {
    const auto before = denials(*u);
    EXPECT_EQ(store_->ListCases(Ctx(*u), {}).error().code, Errc::kForbidden) << u->name;
    EXPECT_EQ(store_->RegionHistory(Ctx(*u), std::nullopt, 10).error().code, Errc::kForbidden) << u->name;
    EXPECT_EQ(denials(*u), before + 2) << u->name;
  }
  const int64_t case28 = store_->ListCases(Ctx(co28), {})->front().id;
  auto now28 = store_->GetCase(Ctx(co28), case28);
  const auto before = denials(cw28);
  auto assign = store_->UpdateCase(Ctx(cw28), case28, now28->c.version, {.owner_id = std::optional<int64_t>(cw28.id)});
  ASSERT_FALSE(assign.has_value());
  EXPECT_EQ(assign.error().code, Errc::kForbidden);
  EXPECT_EQ(denials(cw28), before + 1);
}

// ---- users, passwords, sessions -------------------------------------------

TEST(Passwords, Argon2idWithLibsodiumsInteractiveLimitsByDefault) {
  const AuthPolicy policy;
  auto h = HashPassword("correct horse battery staple", policy.pwhash_opslimit, policy.pwhash_memlimit);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(VerifyPassword(*h, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse battery stapl"));
  auto h2 = HashPassword("correct horse battery staple", policy.pwhash_opslimit, policy.pwhash_memlimit);
  EXPECT_NE(*h, *h2);  // salted
  const std::string t1 = RandomToken(), t2 = RandomToken();
  EXPECT_EQ(t1.size(), 64u);
  EXPECT_NE(t1, t2);
  EXPECT_EQ(TokenHash(t1).size(), 64u);
  EXPECT_NE(TokenHash(t1), t1);
}

TEST_P(StoreTest, FirstUserMustBeAnAdministratorAndRolesNeedTheirScope) {
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"cw", Role::kCaseworker, 21}, "long-enough-pw").error().code, Errc::kInvalid);
  EXPECT_TRUE(store_->AddUser(Ctx(Cli()), {"admin", Role::kAdministrator}, "long-enough-pw").has_value());
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"cw", Role::kCaseworker}, "long-enough-pw").error().code, Errc::kInvalid);
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"m", Role::kSchoolMentor}, "long-enough-pw").error().code, Errc::kInvalid);
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"cw", Role::kCaseworker, 21}, "short").error().code, Errc::kInvalid);
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"Bad Name", Role::kCaseworker, 21}, "long-enough-pw").error().code,
            Errc::kInvalid);
  EXPECT_TRUE(store_->AddUser(Ctx(Cli()), {"cw", Role::kCaseworker, 21}, "long-enough-pw").has_value());
  EXPECT_EQ(store_->AddUser(Ctx(Cli()), {"cw", Role::kCaseworker, 21}, "long-enough-pw").error().code, Errc::kInvalid);
  EXPECT_EQ(store_->UserCount(), 2);
}

TEST_P(StoreTest, LoginLockoutSessionsExpiryLogoutAndPasswordChange) {
  AddUser("cw21", Role::kCaseworker, 21);
  // Only the hash of a password is stored.
  auto conn = OpenSqlConnection(target_);
  auto stored = (*conn)->Exec("SELECT password_hash FROM users WHERE name = $1", {std::string("cw21")});
  EXPECT_EQ(stored->rows[0].Text(0).rfind("$argon2id$", 0), 0u);
  // A wrong password and an unknown user fail alike.
  EXPECT_EQ(store_->Login("cw21", "wrong").error().message, store_->Login("nobody", "wrong").error().message);
  auto s = store_->Login("cw21", "password-of-cw21");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->user.role, Role::kCaseworker);
  EXPECT_EQ(s->user.region, 21);
  // The database holds the token's hash, never the token.
  auto tokens = (*conn)->Exec("SELECT token_hash FROM sessions", {});
  ASSERT_EQ(tokens->rows.size(), 1u);
  EXPECT_EQ(tokens->rows[0].Text(0), TokenHash(s->token));
  auto a = store_->Authenticate(s->token);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->csrf_token, s->csrf_token);
  EXPECT_TRUE(a->token.empty());
  // Idle for 29 minutes: still valid; then 31 minutes: expired.
  now_ += 29 * 60;
  EXPECT_TRUE(store_->Authenticate(s->token).has_value());
  now_ += 31 * 60;
  EXPECT_EQ(store_->Authenticate(s->token).error().code, Errc::kUnauthenticated);
  // Absolute expiry after 12 hours even when used every 20 minutes.
  auto s2 = store_->Login("cw21", "password-of-cw21");
  for (int i = 0; i < 35; ++i) {
    now_ += 20 * 60;
    ASSERT_TRUE(store_->Authenticate(s2->token).has_value()) << i;
  }
  now_ += 20 * 60;  // 12 h in
  EXPECT_EQ(store_->Authenticate(s2->token).error().code, Errc::kUnauthenticated);
  // Logout ends the session.
  auto s3 = store_->Login("cw21", "password-of-cw21");
  ASSERT_TRUE(store_->Logout(s3->token).has_value());
  EXPECT_EQ(store_->Authenticate(s3->token).error().code, Errc::kUnauthenticated);
  // Five failures in a row lock the account, even for the right password.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(store_->Login("cw21", "wrong").error().code, Errc::kUnauthenticated);
  EXPECT_EQ(store_->Login("cw21", "wrong").error().code, Errc::kLocked);
  EXPECT_EQ(store_->Login("cw21", "password-of-cw21").error().code, Errc::kLocked);
  now_ += 15 * 60 + 1;  // the lock ends
  auto s4 = store_->Login("cw21", "password-of-cw21");
  ASSERT_TRUE(s4.has_value()) << s4.error().message;
  // A success resets the count: four more failures do not lock.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(store_->Login("cw21", "wrong").error().code, Errc::kUnauthenticated);
  auto s5 = store_->Login("cw21", "password-of-cw21");
  ASSERT_TRUE(s5.has_value());
  // Password change: needs the old password; ends the user's other sessions.
  EXPECT_EQ(store_->ChangePassword(s5->token, "wrong", "a-new-long-password").error().code, Errc::kUnauthenticated);
  EXPECT_EQ(store_->ChangePassword(s5->token, "password-of-cw21", "short").error().code, Errc::kInvalid);
  ASSERT_TRUE(store_->ChangePassword(s5->token, "password-of-cw21", "a-new-long-password").has_value());
  EXPECT_TRUE(store_->Authenticate(s5->token).has_value());
  EXPECT_EQ(store_->Authenticate(s4->token).error().code, Errc::kUnauthenticated);
  EXPECT_EQ(store_->Login("cw21", "password-of-cw21").error().code, Errc::kUnauthenticated);
  EXPECT_TRUE(store_->Login("cw21", "a-new-long-password").has_value());
  // A deactivated user's sessions end and it cannot log in.
  ASSERT_TRUE(store_->SetUserActive(Ctx(Cli()), "cw21", false).has_value());
  EXPECT_EQ(store_->Authenticate(s5->token).error().code, Errc::kUnauthenticated);
  EXPECT_FALSE(store_->Login("cw21", "a-new-long-password").has_value());
  // Logins are in the audit log.
  auto log = store_->SearchAudit(Ctx(Cli()), {.user = std::string("cw21")});
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const AuditEntry& e) { return e.action == "login"; }));
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const AuditEntry& e) { return e.action == "login-failed"; }));
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const AuditEntry& e) { return e.action == "password-change"; }));
}

// Someone must always be able to manage users: the last active administrator and
// the acting user's own account cannot be deactivated (the command line included,
// which acts through the same call), and each refusal is audited.
TEST_P(StoreTest, NobodyDeactivatesTheLastAdministratorOrTheOwnAccount) {
  const User admin = AddUser("admin", Role::kAdministrator);
  auto active = [&](const std::string& name) {
    auto users = store_->ListUsers(Ctx(Cli()));
    EXPECT_TRUE(users.has_value());
    for (const User& u : users.value_or(std::vector<User>{})) {
      if (u.name == name) return u.active;
    }
    ADD_FAILURE() << "no user " << name;
    return false;
  };
  // The refusals of deactivations written by `user`: the detail of each.
  auto refusals = [&](const std::string& user) {
    std::vector<std::string> out;
    auto log = store_->SearchAudit(Ctx(Cli()), {.user = user});
    EXPECT_TRUE(log.has_value());
    for (const AuditEntry& e : log.value_or(std::vector<AuditEntry>{})) {
      if (e.action == "denied:deactivate-user") out.push_back(e.detail);
    }
    return out;
  };

  // The only administrator, from the command line: refused, still active, logs in.
  auto last = store_->SetUserActive(Ctx(Cli()), "admin", false);
  ASSERT_FALSE(last.has_value());
  EXPECT_EQ(last.error().code, Errc::kConflict);
  EXPECT_EQ(last.error().reason, "last_administrator");
  EXPECT_NE(last.error().message.find("last active administrator"), std::string::npos) << last.error().message;
  EXPECT_TRUE(active("admin"));
  EXPECT_TRUE(store_->Login("admin", "password-of-admin").has_value());
  EXPECT_EQ(refusals(Cli().name), std::vector<std::string>{"admin: last_administrator"});
  // ... and by the administrator itself: the last-administrator rule speaks first.
  auto self_last = store_->SetUserActive(Ctx(admin), "admin", false);
  ASSERT_FALSE(self_last.has_value());
  EXPECT_EQ(self_last.error().reason, "last_administrator");

  // With a second administrator: the own account is still refused.
  const User second = AddUser("second", Role::kAdministrator);
  auto own = store_->SetUserActive(Ctx(admin), "admin", false);
  ASSERT_FALSE(own.has_value());
  EXPECT_EQ(own.error().code, Errc::kConflict);
  EXPECT_EQ(own.error().reason, "own_account");
  EXPECT_TRUE(active("admin"));
  EXPECT_EQ(refusals("admin"), (std::vector<std::string>{"admin: last_administrator", "admin: own_account"}));

  // One administrator deactivating another is allowed; its sessions end.
  auto s = store_->Login("second", "password-of-second");
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(store_->SetUserActive(Ctx(admin), "second", false).has_value());
  EXPECT_FALSE(active("second"));
  EXPECT_EQ(store_->Authenticate(s->token).error().code, Errc::kUnauthenticated);
  // Now admin is the last one again; an inactive administrator does not count.
  EXPECT_EQ(store_->SetUserActive(Ctx(Cli()), "admin", false).error().reason, "last_administrator");
  // Deactivating an inactive administrator, other users, and any activation: as before.
  EXPECT_TRUE(store_->SetUserActive(Ctx(admin), "second", false).has_value());
  AddUser("cw21", Role::kCaseworker, 21);
  EXPECT_TRUE(store_->SetUserActive(Ctx(admin), "cw21", false).has_value());
  EXPECT_TRUE(store_->SetUserActive(Ctx(admin), "second", true).has_value());
  // Two active administrators: the command line may deactivate one of them.
  EXPECT_TRUE(store_->SetUserActive(Ctx(Cli()), "admin", false).has_value());
  EXPECT_EQ(store_->SetUserActive(Ctx(Cli()), "second", false).error().reason, "last_administrator");
  EXPECT_TRUE(active("second"));
  EXPECT_EQ(store_->SetUserActive(Ctx(Cli()), "nobody", false).error().code, Errc::kNotFound);
  EXPECT_EQ(refusals(Cli().name).size(), 3u);
  EXPECT_EQ(refusals("admin").size(), 2u);
}

// Two administrators deactivating each other at the same moment: one of them wins,
// the other is refused as the last administrator; never both (PostgreSQL runs
// these transactions concurrently under READ COMMITTED).
TEST_P(StoreTest, TwoAdministratorsDeactivatingEachOtherAtOnceLeaveOne) {
  const User a = AddUser("admin-a", Role::kAdministrator);
  const User b = AddUser("admin-b", Role::kAdministrator);
  auto active_admins = [&] {
    int n = 0;
    for (const User& u : store_->ListUsers(Ctx(Cli())).value_or(std::vector<User>{})) n += u.active;
    return n;
  };
  constexpr int kRounds = 25;
  int a_won = 0, b_won = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> ready{0};
    StoreResult<void> ra, rb;
    auto run = [&](const User& who, const char* other, StoreResult<void>& out) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      out = store_->SetUserActive(Ctx(who), other, false);
    };
    std::thread ta(run, std::cref(a), "admin-b", std::ref(ra));
    std::thread tb(run, std::cref(b), "admin-a", std::ref(rb));
    ta.join();
    tb.join();
    ASSERT_NE(ra.has_value(), rb.has_value())
        << "round " << round << ": " << (ra ? "ok" : ra.error().message) << " / " << (rb ? "ok" : rb.error().message);
    const StoreError& refused = ra ? rb.error() : ra.error();
    EXPECT_EQ(refused.code, Errc::kConflict) << refused.message;
    EXPECT_EQ(refused.reason, "last_administrator") << refused.message;
    EXPECT_EQ(active_admins(), 1) << "round " << round;
    (ra ? a_won : b_won)++;
    ASSERT_TRUE(store_->SetUserActive(Ctx(Cli()), ra ? "admin-b" : "admin-a", true).has_value());
  }
  std::printf("[ info ] admin-a won %d, admin-b won %d of %d rounds\n", a_won, b_won, kRounds);
}

// ---- audit ------------------------------------------------------------------

TEST_P(StoreTest, EveryReadAndWriteOfAPersonIsAuditedWithWhoWhenWhatAndWhy) {
  auto w = LoadWorld(false);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  const Case p01 = CasesOf(cw, 21).at("p01");
  now_ += 60;
  ASSERT_TRUE(store_->GetCase(Ctx(cw, "prepare call"), p01.id).has_value());
  ASSERT_TRUE(store_->RecordContact(Ctx(cw, "record call"), p01.id, p01.version,
                                    {MakeDate(2024, 10, 1), "phone", "young person", "s", "", std::nullopt, ""}));
  EXPECT_EQ(store_->GetCase(Ctx(cw, ""), p01.id).error().code, Errc::kInvalid);  // no purpose, no access
  auto log = store_->SearchAudit(Ctx(Cli(), "check"), {.person_id = std::string("p01")});
  ASSERT_TRUE(log.has_value());
  std::vector<std::string> actions;
  for (const auto& e : *log) actions.push_back(e.action + "/" + e.user + "/" + e.purpose);
  EXPECT_EQ(actions, (std::vector<std::string>{"create-case/" + Cli().name + "/sync", "list-cases/cw21/test",
                                               "read-case/cw21/prepare call", "record-contact/cw21/record call"}));
  EXPECT_EQ((*log)[2].case_id, p01.id);
  EXPECT_EQ((*log)[2].at, At(2024, 10, 1) + 60);
  EXPECT_EQ((*log)[2].region, 21);
  // Time window: [from, to).
  auto window = store_->SearchAudit(Ctx(Cli()), {.person_id = std::string("p01"), .from = At(2024, 10, 1) + 30,
                                                 .to = At(2024, 10, 1) + 120});
  ASSERT_EQ(window->size(), 3u);
  EXPECT_EQ((*window)[0].action, "read-case");
  EXPECT_EQ((*window)[1].action, "record-contact");
  EXPECT_EQ((*window)[2].action, "read-audit");  // the search above, about p01
  // A limit keeps the most recent rows, oldest first.
  // (Since the contact: the two searches above, each logged as a read about p01.)
  auto recent = store_->SearchAudit(Ctx(Cli()), {.person_id = std::string("p01"), .limit = 3});
  ASSERT_EQ(recent->size(), 3u);
  EXPECT_EQ((*recent)[0].action, "record-contact");
  EXPECT_EQ((*recent)[1].action, "read-audit");
  EXPECT_EQ((*recent)[2].action, "read-audit");
  EXPECT_LT((*recent)[1].id, (*recent)[2].id);
  // CSV export with a header and quoting.
  const std::string csv = AuditCsv(*log);
  EXPECT_EQ(csv.rfind("id,at,user_id,user,role,action,person_id,case_id,region,purpose,detail\n", 0), 0u);
  EXPECT_NE(csv.find(",read-case,p01,"), std::string::npos);
  EXPECT_NE(csv.find("2024-10-01T09:01:00Z"), std::string::npos);
  EXPECT_NE(AuditCsv({AuditEntry{.detail = "a,\"b\""}}).find(",\"a,\"\"b\"\"\"\n"), std::string::npos);
  // The search itself is logged.
  auto again = store_->SearchAudit(Ctx(Cli()), {.user = Cli().name});
  EXPECT_TRUE(std::any_of(again->begin(), again->end(), [](const AuditEntry& e) { return e.action == "read-audit"; }));
}

// ---- crash safety -----------------------------------------------------------

// One open case of region 21 for the crash writer.
void PrepareCrashCase(CaseStore& store) {
  SyncRequest req{21, MakeDate(2024, 10, 1), {}, nullptr};
  SyncCandidate cand;
  cand.episode = "leaver:2024-06-30";
  cand.person.person_id = "crash-person";
  cand.person.birth_date = MakeDate(2006, 1, 1);
  req.candidates.push_back(cand);
  ASSERT_TRUE(store.Sync(Ctx(Cli()), req).has_value());
}

struct Burst {
  std::vector<std::pair<int64_t, std::string>> acked;  // contact id, client key
  int status = 0;                                      // of the writer (waitpid)
};

// Starts followup_crash_writer on `target`, reads its acks until `kill_after`, runs
// `kill` (which stops the writer or its database), then reads what is left in the
// pipe: every ack printed before the kill counts as acknowledged.
Burst RunBurst(const std::string& target, size_t kill_after, const std::function<void(pid_t)>& kill) {
  Burst b;
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  std::string exe = VSV_CRASH_WRITER, arg_db = target;
  char* argv[] = {exe.data(), arg_db.data(), nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  FILE* in = fdopen(out[0], "r");
  char line[256];
  auto take = [&] {
    long long n = 0, id = 0;
    if (std::sscanf(line, "ack %lld %lld", &n, &id) == 2) b.acked.push_back({id, fmt::format("crash-{}", n)});
  };
  while (b.acked.size() < kill_after && std::fgets(line, sizeof line, in)) take();
  const size_t before_kill = b.acked.size();
  kill(pid);
  while (std::fgets(line, sizeof line, in)) take();
  fclose(in);
  waitpid(pid, &b.status, 0);
  EXPECT_GE(before_kill, kill_after) << "the writer stopped before the kill";
  return b;
}

// Every acknowledged contact is stored, with its key; at most the one write in flight
// committed unacknowledged; the case's version agrees with its contacts.
void CheckBurst(CaseStore& store, const Burst& b) {
  const User cw{0, "checker", Role::kCaseworker, 21, std::nullopt, true};
  auto list = store.ListCases(Ctx(cw), {});
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  auto d = store.GetCase(Ctx(cw), list->at(0).id);
  ASSERT_TRUE(d.has_value());
  std::map<int64_t, std::string> stored;
  for (const Contact& c : d->contacts) stored[c.id] = c.client_key;
  for (const auto& [id, key] : b.acked) {
    ASSERT_TRUE(stored.count(id)) << "acknowledged contact " << id << " is missing";
    EXPECT_EQ(stored[id], key);
  }
  EXPECT_LE(stored.size(), b.acked.size() + 1);
  EXPECT_EQ(d->c.version, 1 + static_cast<int64_t>(stored.size()));
  std::printf("[ info ] %zu acknowledged writes, %zu stored\n", b.acked.size(), stored.size());
}

// A writer process records contacts as fast as it can and prints "ack <n> <id>" after
// each commit; it is killed with SIGKILL in the middle of the burst (for SQLite the
// writer is the database engine). Every acknowledged contact must be there
// afterwards, with no half-written change, and the database must be intact.
TEST_P(StoreTest, EveryAcknowledgedWriteSurvivesAKilledWriter) {
  AddUser("cw21", Role::kCaseworker, 21);
  PrepareCrashCase(*store_);
  store_.reset();  // the writer is another process
  const Burst b = RunBurst(target_, 300, [](pid_t pid) { kill(pid, SIGKILL); });
  ASSERT_TRUE(WIFSIGNALED(b.status)) << "the writer ended before it was killed";
  EXPECT_EQ(WTERMSIG(b.status), SIGKILL);
  Reopen();
  CheckBurst(*store_, b);
  if (GetParam() == "sqlite") {
    auto c = OpenSqlConnection(target_);
    auto check = (*c)->Exec("PRAGMA integrity_check", {});
    EXPECT_EQ(check->rows.at(0).Text(0), "ok");
  }
}

// PostgreSQL: the server itself is killed (SIGKILL to the postmaster) during the
// burst and started again; crash recovery must bring back every acknowledged write.
// Runs in followup.postgres (needs VSV_TEST_PG_DATA and VSV_TEST_PG_RESTART).
TEST(PostgresOnly, EveryAcknowledgedWriteSurvivesASigkilledServer) {
  const char* data = std::getenv("VSV_TEST_PG_DATA");
  const char* restart = std::getenv("VSV_TEST_PG_RESTART");
  if (!data || !restart) GTEST_SKIP() << "runs under tests/postgres/pg_test_env.sh";
  Backend backend("postgres");
  const std::string target = backend.Create();
  ASSERT_FALSE(target.empty());
  {
    auto s = CaseStore::Open(target);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    PrepareCrashCase(**s);
  }
  pid_t postmaster = 0;
  const Burst b = RunBurst(target, 300, [&](pid_t) {
    std::ifstream pidfile(std::string(data) + "/postmaster.pid");
    pidfile >> postmaster;
    ASSERT_GT(postmaster, 0);
    ASSERT_EQ(kill(postmaster, SIGKILL), 0);
  });
  // The writer lost its server: it fails on its own, it was not killed.
  EXPECT_TRUE(WIFEXITED(b.status));
  ASSERT_EQ(std::system(restart), 0) << "PostgreSQL did not start again";
  auto s = CaseStore::Open(target);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  CheckBurst(**s, b);
  s->reset();
}


// ---- the regional programme (issue 16) ---------------------------------------

NewMeasure SampleMeasure(int region, const std::string& title) {
  NewMeasure m;
  m.region = region;
  m.topic = ProgrammeTopic::kMboVerklaring;
  m.title = title;
  m.target_group = "Leavers without a diploma";
  m.activities = "Exit interview, mbo-verklaring, warm handover";
  m.partners = "ROC, RMC";
  m.planned_participants = 40;
  m.expected_effect = "Every leaver leaves with an mbo-verklaring";
  m.expected_prevented = 5;
  m.budget = {{2026, 12000}, {2027, 15000}};
  return m;
}

int64_t CountRows(const std::string& target, const std::string& table) {
  auto c = OpenSqlConnection(target);
  if (!c) return -1;
  auto r = (*c)->Exec("SELECT COUNT(*) FROM " + table, {});
  return r ? r->rows.at(0).Int(0) : -1;
}

TEST_P(StoreTest, ProgrammeIsWrittenByTheRegionsCoordinatorAndReadByAnalysts) {
  const User co = AddUser("co21", Role::kRegionalCoordinator, 21);
  const User co22 = AddUser("co22", Role::kRegionalCoordinator, 22);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  const User an = AddUser("analyst", Role::kNationalAnalyst);
  auto empty = store_->GetProgramme(Ctx(an), 21);
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(empty->missing_topics.size(), 5u);  // a topic without an agreement is shown as missing
  auto a = store_->AddAgreement(Ctx(co), 21, ProgrammeTopic::kMboVerklaring, "Every leaver gets one");
  ASSERT_TRUE(a.has_value()) << a.error().message;
  auto m = store_->AddMeasure(Ctx(co), SampleMeasure(21, "Exit desk"));
  ASSERT_TRUE(m.has_value()) << m.error().message;
  ASSERT_EQ(m->years.size(), 2u);
  EXPECT_EQ(m->years[0].budget, 12000);
  auto s = store_->SetSpending(Ctx(co), m->id, 2026, 2, 7000);  // C trajectory guidance
  ASSERT_TRUE(s.has_value()) << s.error().message;
  s = store_->SetSpending(Ctx(co), m->id, 2026, 0, 1000);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  s = store_->SetSpending(Ctx(co), m->id, 2026, 2, 6500);  // replaces the earlier amount
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->years[0].spent[2], 6500);
  EXPECT_EQ(s->years[0].spent_total, 7500);
  auto p = store_->GetProgramme(Ctx(an), 21);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->missing_topics, (std::vector<std::string>{"support", "vo-mbo", "up-to-27", "work-without-sk"}));
  ASSERT_EQ(p->topics[0].measures.size(), 1u);
  EXPECT_EQ(p->topics[0].measures[0].m.title, "Exit desk");
  EXPECT_TRUE(store_->GetProgramme(Ctx(cw), 21).has_value());
  // Refusals: another region's coordinator, a caseworker, an analyst write nothing.
  for (const User* u : {&co22, &cw, &an}) {
    auto r = store_->AddAgreement(Ctx(*u), 21, ProgrammeTopic::kSupport, "x");
    ASSERT_FALSE(r.has_value()) << u->name;
    EXPECT_EQ(r.error().code, Errc::kForbidden);
    auto sp = store_->SetSpending(Ctx(*u), m->id, 2026, 1, 5);
    ASSERT_FALSE(sp.has_value());
    EXPECT_EQ(sp.error().code, Errc::kForbidden);
  }
  EXPECT_EQ(store_->GetProgramme(Ctx(co22), 21).error().code, Errc::kForbidden);
  EXPECT_EQ(CountRows(target_, "programme_agreements"), 1);
  auto audit = store_->SearchAudit(Ctx(Cli()), {});
  ASSERT_TRUE(audit.has_value());
  int writes = 0, denied = 0;
  for (const AuditEntry& e : *audit) {
    writes += e.action.rfind("programme:", 0) == 0;
    denied += e.action == "denied:write-programme";
  }
  EXPECT_EQ(writes, 5);  // agreement, measure, three spending entries
  EXPECT_EQ(denied, 6);
}

TEST_P(StoreTest, BadProgrammeInputIsRefusedWithAMessageAndNothingSaved) {
  const User co = AddUser("co21", Role::kRegionalCoordinator, 21);
  struct Bad {
    std::function<void(NewMeasure&)> edit;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {[](NewMeasure& m) { m.title = ""; }, "title is required"},
      {[](NewMeasure& m) { m.planned_participants = -1; }, "planned_participants -1"},
      {[](NewMeasure& m) { m.budget.push_back({2026, 1}); }, "budget year 2026 is given twice"},
      {[](NewMeasure& m) { m.budget[0].year = 1999; }, "year 1999"},
      {[](NewMeasure& m) { m.budget[0].euros = -5; }, "budget 2026 -5"},
      {[](NewMeasure& m) { m.region = 0; }, "region 0"},
      {[](NewMeasure& m) { m.expected_effect = ""; }, "expected_effect is required"},
  };
  for (const Bad& b : bad) {
    NewMeasure m = SampleMeasure(21, "Exit desk");
    b.edit(m);
    auto r = store_->AddMeasure(Ctx(co), m);
    ASSERT_FALSE(r.has_value()) << b.says;
    EXPECT_EQ(r.error().code, Errc::kInvalid) << b.says;
    EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(store_->AddAgreement(Ctx(co), 21, ProgrammeTopic::kSupport, "").error().code, Errc::kInvalid);
  EXPECT_EQ(store_->SetReportText(Ctx(co), 21, 2024, 9, "x").error().code, Errc::kInvalid);
  EXPECT_EQ(CountRows(target_, "programme_measures"), 0);
  EXPECT_EQ(CountRows(target_, "programme_budget"), 0);
  EXPECT_EQ(CountRows(target_, "programme_agreements"), 0);
  auto m = store_->AddMeasure(Ctx(co), SampleMeasure(21, "Exit desk"));
  ASSERT_TRUE(m.has_value());
  auto dup = store_->AddMeasure(Ctx(co), SampleMeasure(21, "Exit desk"));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  EXPECT_EQ(store_->SetSpending(Ctx(co), m->id, 2026, 8, 1).error().code, Errc::kInvalid);
  EXPECT_EQ(store_->SetSpending(Ctx(co), m->id, 2026, 1, -1).error().code, Errc::kInvalid);
  EXPECT_EQ(store_->SetSpending(Ctx(co), 999, 2026, 1, 1).error().code, Errc::kNotFound);
  EXPECT_EQ(CountRows(target_, "programme_measures"), 1);
  EXPECT_EQ(CountRows(target_, "programme_spending"), 0);
}

TEST_P(StoreTest, EffectFiguresCountLinkedCasesContactsAndDestinations) {
  auto w = LoadWorld(false);
  const User co = AddUser("co21", Role::kRegionalCoordinator, 21);
  const User cw = AddUser("cw21", Role::kCaseworker, 21);
  const User an = AddUser("analyst", Role::kNationalAnalyst);
  Sync(*w, 21, MakeDate(2024, 10, 1));
  auto cases = CasesOf(cw, 21);
  auto m = store_->AddMeasure(Ctx(co), SampleMeasure(21, "Exit desk"));
  ASSERT_TRUE(m.has_value());
  // p01: phoned on the day it was opened; p03: met after 50 days (an intake, > 6 weeks).
  Case p01 = cases.at("p01");
  auto c1 = store_->RecordContact(Ctx(cw), p01.id, p01.version,
                                  {MakeDate(2024, 10, 1), "phone", "young person", "call", "ok",
                                   MakeDate(2024, 10, 15), ""});
  ASSERT_TRUE(c1.has_value()) << c1.error().message;
  CaseUpdate up;
  up.status = CaseStatus::kInTrajectory;
  ASSERT_TRUE(store_->UpdateCase(Ctx(cw), p01.id, c1->c.version, up).has_value());
  SetToday(2024, 11, 20);
  Case p03 = cases.at("p03");
  auto c3 = store_->RecordContact(Ctx(cw), p03.id, p03.version,
                                  {MakeDate(2024, 11, 20), "meeting", "young person", "intake", "ok",
                                   MakeDate(2024, 12, 1), ""});
  ASSERT_TRUE(c3.has_value()) << c3.error().message;
  ASSERT_TRUE(store_->LinkCaseToMeasure(Ctx(cw), p01.id, m->id, MakeDate(2024, 10, 2)).has_value());
  ASSERT_TRUE(store_->LinkCaseToMeasure(Ctx(cw), p03.id, m->id, MakeDate(2024, 11, 20)).has_value());
  EXPECT_EQ(store_->LinkCaseToMeasure(Ctx(cw), p03.id, m->id, MakeDate(2024, 11, 20)).error().code,
            Errc::kConflict);
  ASSERT_TRUE(store_->SetCaseDestination(Ctx(cw), p01.id, Destination::kWorkLearning, MakeDate(2024, 11, 1))
                  .has_value());
  ASSERT_TRUE(store_->SetCaseDestination(Ctx(cw), p01.id, Destination::kFullTimeEducation, MakeDate(2024, 11, 2))
                  .has_value());  // replaces
  ASSERT_TRUE(store_->SetReportText(Ctx(co), 21, 2024, 0, "Good cooperation with the ROC").has_value());
  ASSERT_TRUE(store_->SetRegionTarget(Ctx(co), 21, 2024, 300).has_value());
  ASSERT_TRUE(store_->SetRegionTarget(Ctx(co), 21, 2024, 280).has_value());
  EXPECT_EQ(store_->SetRegionTarget(Ctx(co), 21, 2024, -1).error().code, Errc::kInvalid);
  // Mentors and other regions may not link or record a destination.
  const User co22 = AddUser("co22", Role::kRegionalCoordinator, 22);
  EXPECT_EQ(store_->SetCaseDestination(Ctx(co22), p03.id, Destination::kOther, MakeDate(2024, 11, 2)).error().code,
            Errc::kForbidden);
  auto f = store_->EffectFigures(Ctx(an), 21, 2024);
  ASSERT_TRUE(f.has_value()) << f.error().message;
  EXPECT_EQ(f->first_approached, 2);
  EXPECT_EQ(f->intakes, 1);
  EXPECT_EQ(f->weeks_to_first_contact, (std::array<int64_t, 3>{1, 0, 1}));
  EXPECT_EQ(f->trajectories_started, 1);
  EXPECT_EQ(f->trajectories_ended, 1);
  EXPECT_EQ(f->destinations[static_cast<size_t>(Destination::kFullTimeEducation)], 1);
  EXPECT_EQ(f->destinations[static_cast<size_t>(Destination::kWorkLearning)], 0);
  EXPECT_EQ(f->leavers, 4);  // p01 p03 p04 p07
  int64_t oud = 0;
  for (int64_t n : f->oud_vsv_new) oud += n;
  EXPECT_EQ(oud, 1);  // p06
  EXPECT_EQ(f->empty_texts, (std::vector<std::string>{"bottlenecks", "success-factors", "looking-back",
                                                       "good-practices"}));
  auto p = store_->GetProgramme(Ctx(an), 21);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->targets.size(), 1u);
  EXPECT_EQ(p->targets.at(0).max_new_vsv, 280);
  const Measure& pm = p->topics[0].measures.at(0);
  int64_t in2024 = 0;
  for (const MeasureYear& y : pm.years) in2024 += y.year == 2024 ? y.participants : 0;
  EXPECT_EQ(in2024, 2);  // counted from the links, not typed
  // A region with no cases has figures of zero, not an error.
  auto none = store_->EffectFigures(Ctx(an), 40, 2024);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->first_approached, 0);
  EXPECT_EQ(none->empty_texts.size(), 5u);
}

}  // namespace
}  // namespace vsv::followup
