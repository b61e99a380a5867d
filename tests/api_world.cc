#include "api_world.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "core/utf8.h"
#include "followup/store.h"
#include "measure/classification_cache.h"
#include "registry/loader.h"
#include "server/params.h"
#include "server/server.h"
#include "server/session.h"
#include "test_server.h"

namespace vsv::test {

namespace {

using json = nlohmann::json;
constexpr const char* kPassword = "correct horse battery";

// Values that break parsers: numbers with text, overflow, SQL, dates that do not
// exist, encodings, a text longer than any limit, bytes that are not UTF-8.
const std::vector<std::string>& HardCases() {
  static const std::vector<std::string> kCases = {
      "", "0", "-1", "1", "07", "+1", " 1", "1 ", "1x", "0x10", "1e3", "1.5", "99999999999999999999",
      "-9223372036854775808", "1 OR 1=1", "1; DROP TABLE cases", "' OR ''='", "%", "%00", "\\", "/",
      "..", "../../etc/passwd", "2023-02-30", "2023-13-01", "9999-12-31", "0000-01-01", "2023", "2012-2030",
      "2030-2012", "all", "ALL", "null", "true", "[]", "{}", "ROC Voorb\xC3\xA9\xC3\xA9ld", "\xF0\x9F\x8E\x93",
      "caf\xE9", "\xC3", "\xED\xA0\x80", std::string(3, '\0'), std::string(300, 'x'),
      [] { std::string s; for (int i = 0; i < 120; ++i) s += "\xC3\xA9"; return s; }()};
  return kCases;
}

const std::vector<std::string>& Statuses() {
  static const std::vector<std::string> kStatuses = {
      "new", "contacted", "in-trajectory", "back-in-education", "working", "working-and-learning", "care",
      "not-reachable", "moved-out-of-region", "closed"};
  return kStatuses;
}

const std::string& PickOf(const std::vector<std::string>& v, Choices& c) {
  static const std::string kEmpty;
  return v.empty() ? kEmpty : v[c.Pick(v.size())];
}

// The values that mean something for a parameter or body field of this name.
std::vector<std::string> Meaningful(const std::string& name, const Vocabulary& w) {
  if (name == "year" || name == "from" || name == "to") return w.years;
  if (name == "region" || name == "case_region" || name == "code") return w.regions;
  if (name == "municipality") return w.municipalities;
  if (name == "school" || name == "brin") return w.brins;
  if (name == "id") return w.case_ids;
  if (name == "date" || name == "audit_from" || name == "audit_to" || name == "next_contact") return w.dates;
  if (name == "audit_person") return w.person_ids;
  if (name == "audit_user" || name == "name") return w.user_names;
  if (name == "case_status" || name == "status") return Statuses();
  if (name == "owner") return {"me", "none", "1", "2", "3"};
  return {};
}

// The catalogue's own values for a parameter: its enum and example.
std::vector<std::string> CatalogueValues(const std::string& catalogue_name) {
  std::vector<std::string> out;
  const server::ParamSpec* spec = server::FindParam(catalogue_name);
  if (!spec) return out;
  auto text = [](const nlohmann::ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  if (spec->schema.contains("enum")) {
    for (const auto& v : spec->schema["enum"]) out.push_back(text(v));
  }
  if (spec->schema.contains("example")) out.push_back(text(spec->schema["example"]));
  if (spec->schema.contains("default")) out.push_back(text(spec->schema["default"]));
  return out;
}

std::string ValueFor(const std::string& name, const std::string& catalogue_name, const Vocabulary& w, Choices& c) {
  switch (c.Pick(8)) {
    case 0: return PickOf(HardCases(), c);
    case 1: return c.Bytes(24);
    case 2: case 3: {
      const auto values = CatalogueValues(catalogue_name);
      if (!values.empty()) return PickOf(values, c);
      [[fallthrough]];
    }
    default: {
      const auto values = Meaningful(name, w);
      if (!values.empty()) return PickOf(values, c);
      return PickOf(HardCases(), c);
    }
  }
}

// JSON text is UTF-8: the hard cases that are not stay out of JSON bodies.
std::string ValidHardCase(Choices& c) {
  const std::string& s = PickOf(HardCases(), c);
  return IsValidUtf8(s) ? s : std::string("x");
}

json JsonValueFor(const std::string& field, const Vocabulary& w, Choices& c) {
  switch (c.Pick(10)) {
    case 0: return nullptr;
    case 1: return c.Pick(2) == 1;
    case 2: return static_cast<int64_t>(c.Pick(7)) - 1;
    case 3: return c.Pick(2) ? json(9223372036854775807LL) : json(1.5);
    case 4: return json::array({ValidHardCase(c)});
    case 5: return json::object({{"x", 1}});
    case 6: return ValidHardCase(c);
    default: {
      if (field == "version" || field == "owner_id" || field == "oud_vsv_interval_months" ||
          field == "new_leaver_interval_days") {
        return static_cast<int64_t>(c.Pick(6));
      }
      if (field == "region") return c.Pick(2) ? json(std::stoi(PickOf(w.regions, c))) : json(PickOf(w.regions, c));
      if (field == "active" || field == "doorstroompunt" || field == "mbo_verklaring") return c.Pick(2) == 1;
      if (field == "password" || field == "old_password" || field == "new_password") {
        return c.Pick(2) ? std::string(kPassword) : std::string("short");
      }
      if (field == "role") {
        return PickOf({"administrator", "national-analyst", "regional-coordinator", "caseworker", "school-mentor"}, c);
      }
      if (field == "partner") return PickOf({"youth-care", "debt-help", "income-support", "uwv", "school"}, c);
      const auto values = Meaningful(field, w);
      if (!values.empty()) return PickOf(values, c);
      return c.Pick(2) ? std::string("Gesprek op school; afspraak gemaakt \xE2\x80\x93 \xC3\xA9\xC3\xA9n keer")
                       : std::string(5000, 'a');
    }
  }
}

std::vector<std::string> BodyFields(const server::RouteSpec& route) {
  std::vector<std::string> out;
  std::string_view text = route.body;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view f = text.substr(0, comma);
    while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
    if (!f.empty()) out.emplace_back(f);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace


std::string PercentEncode(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

std::string FillPath(const server::RouteSpec& route, const Vocabulary& w, Choices& c) {
  std::string out;
  const std::string path = route.path;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '{') { out += path[i]; continue; }
    const size_t end = path.find('}', i);
    const std::string name = path.substr(i + 1, end - i - 1);
    const auto values = Meaningful(name, w);
    const std::string value = !values.empty() && c.Pick(4) != 0 ? PickOf(values, c) : ValueFor(name, name, w, c);
    out += value.empty() ? "x" : PercentEncode(value);
    i = end;
  }
  return out;
}

std::vector<std::string> CandidateValues(const std::string& name, const std::string& catalogue_name,
                                         const Vocabulary& words) {
  std::vector<std::string> out = HardCases();
  for (const std::string& v : CatalogueValues(catalogue_name)) out.push_back(v);
  for (const std::string& v : Meaningful(name, words)) out.push_back(v);
  return out;
}

std::string RandomChoices::Bytes(size_t max) {
  std::string out(Pick(max + 1), '\0');
  const bool printable = Pick(2) == 0;
  for (char& ch : out) ch = static_cast<char>(printable ? 32 + Pick(95) : Pick(256));
  return out;
}

std::string ApiCall::Describe() const {
  std::string headers_text;
  for (const auto& [k, v] : headers) headers_text += fmt::format(" {}: {:?}", k, v);
  return fmt::format("{} {} as '{}'{}{} body {:?}", method, target, who, csrf ? "" : " without CSRF token",
                     headers_text, body.substr(0, 300));
}

ApiCall MakeCall(const std::vector<server::RouteSpec>& routes, const Vocabulary& w, Choices& c) {
  const server::RouteSpec& route = routes[c.Pick(routes.size())];
  ApiCall call;
  call.method = c.Pick(20) == 0 ? PickOf({"GET", "POST", "PATCH", "PUT", "DELETE"}, c) : std::string(route.method);
  call.target = c.Pick(30) == 0 ? "/api/v1/" + PercentEncode(c.Bytes(16)) : FillPath(route, w, c);
  std::vector<std::string> query;
  for (const std::string& spec : route.params) {
    if (c.Pick(2) == 0) continue;
    const std::string name = server::QueryName(spec);
    query.push_back(name + "=" + PercentEncode(ValueFor(name, server::CatalogueName(spec), w, c)));
  }
  if (route.tables && c.Pick(3) == 0) query.push_back("format=" + PickOf({"json", "csv", "xlsx", "pdf"}, c));
  if (c.Pick(15) == 0) query.push_back(PercentEncode(c.Bytes(8)) + "=" + PercentEncode(c.Bytes(8)));  // unknown
  if (c.Pick(15) == 0 && !query.empty()) query.push_back(query.front());                         // repeated
  if (!query.empty()) call.target += "?" + fmt::format("{}", fmt::join(query, "&"));
  if (call.method != "GET") {
    if (c.Pick(12) == 0) {
      call.body = c.Bytes(64);
    } else {
      json body = json::object();
      for (const std::string& field : BodyFields(route)) {
        if (c.Pick(4) != 0) body[field] = JsonValueFor(field, w, c);
      }
      if (c.Pick(10) == 0) body["purpose"] = JsonValueFor("purpose", w, c);
      call.body = c.Pick(15) == 0 ? json::array({body}).dump() : body.dump();
    }
  }
  const auto& users = ApiWorld::UserNames();
  call.who = c.Pick(users.size() + 1) == 0 ? "" : users[c.Pick(users.size())];
  call.csrf = c.Pick(10) != 0;
  if (c.Pick(6) == 0) call.headers["X-Purpose"] = c.Pick(2) ? PickOf(HardCases(), c) : c.Bytes(32);
  return call;
}

std::string AnswerProblem(const Answer& a) {
  if (a.status == 0) return "no answer";
  if (a.status >= 500) return fmt::format("HTTP {}: {}", a.status, a.body.substr(0, 500));
  if (a.content_type.rfind("application/json", 0) == 0 && !json::accept(a.body)) {
    return fmt::format("HTTP {} with a body that is not JSON: {:?}", a.status, a.body.substr(0, 300));
  }
  return "";
}

// ---------------------------------------------------------------------------

struct ApiWorld::Parts {
  std::string work_dir;
  std::unique_ptr<Reference> reference;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<ClassificationCache> cache;
  std::unique_ptr<server::ServerContext> context;
  std::unique_ptr<followup::CaseStore> store;
  std::unique_ptr<TestServer> server;
  std::unique_ptr<httplib::Client> client;
  struct Login { std::string cookie, csrf; };
  std::map<std::string, Login> sessions;

  httplib::Result Request(const std::string& method, const std::string& target, const httplib::Headers& h,
                          const std::string& body) {
    const char* type = "application/json";
    if (method == "GET") return client->Get(target, h);
    if (method == "POST") return client->Post(target, h, body, type);
    if (method == "PATCH") return client->Patch(target, h, body, type);
    if (method == "PUT") return client->Put(target, h, body, type);
    return client->Delete(target, h, body, type);
  }

  void LogIn(const std::string& name) {
    auto res = Request("POST", "/api/v1/login", {}, json{{"name", name}, {"password", kPassword}}.dump());
    if (!res || res->status != 200) return;
    const std::string set = res->get_header_value("Set-Cookie");
    sessions[name] = {set.substr(0, set.find(';')), json::parse(res->body).value("csrf_token", "")};
  }
};

const std::vector<std::string>& ApiWorld::UserNames() {
  static const std::vector<std::string> kNames = {"admin", "analyst", "coordinator", "caseworker", "mentor"};
  return kNames;
}

ApiWorld::ApiWorld(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ApiWorld::~ApiWorld() {
  if (parts_->server) parts_->server->Stop();
}

const std::vector<server::RouteSpec>& ApiWorld::routes() const { return parts_->server->server().api().routes(); }

Result<std::unique_ptr<ApiWorld>> ApiWorld::Start(const std::string& data_dir, const std::string& work_dir,
                                                  const std::string& reference_dir) {
  auto p = std::make_unique<Parts>();
  p->work_dir = work_dir;
  auto ref = Reference::Load(reference_dir);
  if (!ref) return tl::unexpected(ref.error());
  p->reference = std::make_unique<Reference>(std::move(*ref));
  auto reg = LoadRegistryCsv(data_dir, *p->reference, LoadOptions{2}, nullptr);
  if (!reg) return tl::unexpected(reg.error());
  p->registry = std::make_unique<Registry>(std::move(*reg));
  p->cache = std::make_unique<ClassificationCache>(*p->registry, *p->reference, 2);
  const Registry* registry = p->registry.get();
  const Reference* reference = p->reference.get();
  p->context = std::make_unique<server::ServerContext>(
      *p->registry, *p->reference, *p->cache,
      [registry, reference](const std::string& text) { return cli::ParseYears(text, *registry, *reference); });

  followup::StoreOptions so;
  so.auth.pwhash_opslimit = 1;  // fast hashes: logins are frequent here
  so.auth.pwhash_memlimit = 8u << 20;
  so.pool_size = 1;  // as vsv serve runs SQLite
  auto store = followup::CaseStore::Open(work_dir + "/register.db", so);
  if (!store) return MakeError(store.error().message);
  p->store = std::move(*store);
  p->context->store = p->store.get();

  Vocabulary w;
  for (const RegionInfo& r : p->reference->regions()) w.regions.push_back(fmt::format("{:02d}", r.code));
  for (size_t i = 0; i < p->registry->institutions.brin.size(); ++i) w.brins.push_back(p->registry->institutions.brin[i]);
  for (int y = p->context->years.first; y <= p->context->years.last; ++y) w.years.push_back(std::to_string(y));
  for (int y = p->context->years.first; y <= p->context->years.last + 1; ++y) {
    w.dates.push_back(FormatDate(Teldatum(y)));
    w.dates.push_back(FormatDate(MakeDate(y, 2, 28)));
  }
  w.user_names = UserNames();
  for (PersonIndex i = 0; i < std::min<size_t>(p->registry->person_count(), 40); ++i) {
    w.person_ids.emplace_back(p->registry->persons.Id(i));
  }
  std::vector<int> municipalities;
  for (Municipality m : p->registry->institutions.municipality) municipalities.push_back(static_cast<int>(m));
  std::sort(municipalities.begin(), municipalities.end());
  municipalities.erase(std::unique(municipalities.begin(), municipalities.end()), municipalities.end());
  for (int m : municipalities) w.municipalities.push_back(fmt::format("{:04d}", m));

  // Users, one per role, in the region of the first school; cases for the first persons.
  const followup::Context setup{followup::CommandLineUser(), "test setup"};
  const int own = w.regions.empty() ? 21 : std::stoi(w.regions[std::min<size_t>(20, w.regions.size() - 1)]);
  const std::string school = w.brins.empty() ? "AA01" : w.brins.front();
  const std::vector<followup::NewUser> users = {
      {"admin", followup::Role::kAdministrator, std::nullopt, std::nullopt},
      {"analyst", followup::Role::kNationalAnalyst, std::nullopt, std::nullopt},
      {"coordinator", followup::Role::kRegionalCoordinator, own, std::nullopt},
      {"caseworker", followup::Role::kCaseworker, own, std::nullopt},
      {"mentor", followup::Role::kSchoolMentor, std::nullopt, school}};
  for (const auto& u : users) {
    if (auto added = p->store->AddUser(setup, u, kPassword); !added) return MakeError(added.error().message);
  }
  const Date today = static_cast<Date>(std::time(nullptr) / 86400);
  followup::SyncRequest sync;
  sync.region = own;
  sync.date = today;
  for (const std::string& id : w.person_ids) {
    followup::SyncCandidate c;
    c.episode = fmt::format("leaver:{}", FormatDate(today - 30));
    c.covered_from = today - 30;
    c.person.person_id = id;
    c.person.birth_date = today - 19 * 365;
    c.person.last_school = school;
    c.person.left_on = today - 30;
    sync.candidates.push_back(c);
  }
  auto synced = p->store->Sync(setup, sync);
  if (!synced) return MakeError(synced.error().message);
  for (int64_t id = 1; id <= static_cast<int64_t>(sync.candidates.size()) + 2; ++id) w.case_ids.push_back(std::to_string(id));

  server::ServerOptions options;
  options.web_dir = "";
  options.geo_dir = reference_dir + "/geo";
  options.http_threads = 4;
  options.warm_up = false;
  options.resolve_principal = server::SessionResolver(*p->store);
  p->server = std::make_unique<TestServer>();
  if (std::string error = p->server->Start(*p->context, options); !error.empty()) return MakeError(error);
  p->client = std::make_unique<httplib::Client>("127.0.0.1", p->server->port());
  p->client->set_keep_alive(true);
  p->client->set_tcp_nodelay(true);  // requests with a body go out in two sends
  p->client->set_url_encode(false);  // targets are encoded by MakeCall, byte for byte
  p->client->set_read_timeout(120, 0);
  for (const std::string& name : UserNames()) p->LogIn(name);

  auto world = std::unique_ptr<ApiWorld>(new ApiWorld(std::move(p)));
  world->words_ = std::move(w);
  return world;
}

Answer ApiWorld::Send(const ApiCall& call) {
  httplib::Headers h(call.headers.begin(), call.headers.end());
  auto session = parts_->sessions.find(call.who);
  if (session != parts_->sessions.end()) {
    h.emplace("Cookie", session->second.cookie);
    if (call.csrf) h.emplace("X-CSRF-Token", session->second.csrf);
  }
  auto res = parts_->Request(call.method, call.target, h, call.body);
  Answer a;
  if (!res) return a;
  a.status = res->status;
  a.content_type = res->get_header_value("Content-Type");
  a.body = res->body;
  // A call may have ended the session (logout, a password change, a deactivation):
  // log in again, so later calls keep reaching the handlers behind the session check.
  if (a.status == 401 && session != parts_->sessions.end()) parts_->LogIn(call.who);
  return a;
}

}  // namespace vsv::test
