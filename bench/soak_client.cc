// The load of bench/soak.sh: caseworkers using `vsv serve` for a long time, one
// thread and one keep-alive connection each, and what they saw, per route kind and
// per minute. Not part of the product: a benchmark client.
//
//   vsv_soak_client --base http://127.0.0.1:PORT --users FILE --seconds 600 --out DIR
//                   [--server-pid PID] [--sample-seconds 5] [--progress] [--run-id ID]
//
// FILE (written by soak.sh), one line each, fields separated by spaces:
//   coordinator NAME REGION
//   caseworker  NAME REGION USER_ID CASE_ID,CASE_ID,...
// every account with the password of $SOAK_PASSWORD.
//
// Set-up (not measured): every account logs in; each region's coordinator assigns
// the listed cases to their caseworker (read the case, PATCH owner_id), as a
// coordinator distributes the work. Then, for --seconds, every caseworker repeats
// what a caseworker does in a morning, back to back (no think time):
//   dashboard  the national count, the count by region and sector, the trend
//   region     the own region's page, its municipalities, its count by sector
//   worklist   the own work list (GET /api/v1/cases?owner=me)
//   case       three cases of that list (the next ones in turn), each read, then
//   contact    a contact recorded on it, with the version just read and a unique
//              client_key (soak-RUN-CLIENT-SEQ)
// Latency is the time of the blocking call, taken by the client around each request
// (closed loop: a slow answer delays that client's next request; no correction).
// A request that times out or loses its connection is an error; a contact is then
// sent again with the same client_key until an answer comes (the register stores a
// key once: 200 duplicate on a retry that had been stored).
//
// Writes to DIR: report.md (also printed), minutes.tsv, rss.tsv, errors.tsv and
// acked.txt (the client_key of every acknowledged contact, one a line). Exit status 0
// when the run completed, 1 when the set-up failed; errors under load are reported,
// not turned into a failure (soak.sh decides).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

enum Kind : uint8_t { kDashboard, kRegion, kWorklist, kCase, kContact, kKindCount };
constexpr const char* kKindNames[kKindCount] = {"dashboard", "region", "worklist", "case", "contact"};

struct Account {
  std::string role, name;
  int region = 0;
  int64_t user_id = 0;
  std::vector<int64_t> cases;
  std::string cookie, csrf;
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string users, out, run_id = "run";
  int seconds = 600;
  int sample_seconds = 5;
  long server_pid = 0;
  bool progress = false;
};

struct Sample {
  uint32_t start_ms;  // since the measured phase began
  uint32_t latency_us;
  uint32_t bytes;
  uint8_t kind;
};

struct ErrorKey {
  int kind;
  std::string what;  // "HTTP 409" or httplib's error name
  bool operator<(const ErrorKey& o) const { return std::tie(kind, what) < std::tie(o.kind, o.what); }
};
struct ErrorInfo {
  int64_t count = 0;
  std::string example;
};

std::atomic<int64_t> g_requests{0}, g_errors{0};

// One caseworker's thread: its connection, its samples and errors, its acked keys.
struct Worker {
  const Options* opt = nullptr;
  Account* account = nullptr;
  int index = 0;
  int year = 0;
  Clock::time_point t0;
  std::vector<Sample> samples;
  std::map<ErrorKey, ErrorInfo> errors;
  std::vector<std::string> acked;
  int64_t seq = 0;
  size_t turn = 0;

  httplib::Headers Headers(bool write) const {
    httplib::Headers h = {{"Cookie", account->cookie}};
    if (write) h.emplace("X-CSRF-Token", account->csrf);
    return h;
  }

  void Error(Kind kind, std::string what, std::string example) {
    ErrorInfo& e = errors[{kind, std::move(what)}];
    if (e.count++ == 0) e.example = example.substr(0, 300);
    g_errors.fetch_add(1, std::memory_order_relaxed);
  }

  // One request; returns the response when it came with the expected status.
  std::optional<httplib::Response> Call(httplib::Client& cli, Kind kind, const std::string& method,
                                        const std::string& path, const std::string& body, int expect,
                                        bool* transport_error = nullptr) {
    const auto start = Clock::now();
    httplib::Result r = method == "GET" ? cli.Get(path.c_str(), Headers(false))
                                        : cli.Post(path.c_str(), Headers(true), body, "application/json");
    const auto end = Clock::now();
    samples.push_back({static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(start - t0).count()),
                       static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(end - start).count()),
                       r ? static_cast<uint32_t>(r->body.size()) : 0u, kind});
    g_requests.fetch_add(1, std::memory_order_relaxed);
    if (transport_error) *transport_error = !r;
    if (!r) {
      Error(kind, httplib::to_string(r.error()), method + " " + path);
      return std::nullopt;
    }
    // A retried contact that had been stored answers 200 duplicate: acknowledged too.
    const bool ok = r->status == expect || (kind == kContact && r->status == 200 && r->body.find("\"duplicate\":true") != std::string::npos);
    if (!ok) {
      Error(kind, fmt::format("HTTP {}", r->status), method + " " + path + " -> " + r->body);
      return std::nullopt;
    }
    return r.value();
  }

  void Run(Clock::time_point deadline) {
    httplib::Client cli(opt->host, opt->port);
    cli.set_keep_alive(true);
    cli.set_connection_timeout(10, 0);
    cli.set_read_timeout(30, 0);
    cli.set_write_timeout(30, 0);
    const int r = account->region;
    const std::vector<std::pair<Kind, std::string>> reads = {
        {kDashboard, fmt::format("/api/v1/count?year={}", year)},
        {kDashboard, fmt::format("/api/v1/count?year={}&by=region,sector", year)},
        {kDashboard, "/api/v1/trend?age_limit=22"},
        {kRegion, fmt::format("/api/v1/regions/{:02d}?year={}&age_limit=22", r, year)},
        {kRegion, fmt::format("/api/v1/municipalities?region={:02d}&year={}", r, year)},
        {kRegion, fmt::format("/api/v1/count?year={}&by=sector&region={:02d}", year, r)},
    };
    const std::string list_path = fmt::format("/api/v1/cases?owner=me&limit={}", account->cases.size() + 10);
    while (Clock::now() < deadline) {
      for (const auto& [kind, path] : reads) Call(cli, kind, "GET", path, "", 200);
      if (Clock::now() >= deadline) break;
      auto list = Call(cli, kWorklist, "GET", list_path, "", 200);
      std::vector<int64_t> ids;
      if (list) {
        try {
          const json body = json::parse(list->body);  // named: a range-for over a temporary's member dangles
          for (const json& c : body.at("cases")) ids.push_back(c.at("id").get<int64_t>());
        } catch (const std::exception& e) {
          Error(kWorklist, "bad JSON", e.what());
        }
      }
      if (ids.empty()) continue;
      // The list comes in order of urgency, which the contacts themselves change;
      // take the cases in turn by id, so each gets the same share of the contacts.
      std::sort(ids.begin(), ids.end());
      for (int j = 0; j < 3 && Clock::now() < deadline; ++j) {
        const int64_t id = ids[turn++ % ids.size()];
        auto c = Call(cli, kCase, "GET", fmt::format("/api/v1/cases/{}", id), "", 200);
        if (!c) continue;
        int64_t version = 0;
        try {
          version = json::parse(c->body).at("case").at("version").get<int64_t>();
        } catch (const std::exception& e) {
          Error(kCase, "bad JSON", e.what());
          continue;
        }
        const std::string key = fmt::format("soak-{}-{:03d}-{:09d}", opt->run_id, index, ++seq);
        const std::string body = fmt::format(
            R"({{"version":{},"channel":"phone","with_whom":"jongere","summary":"gebeld over school of werk","client_key":"{}"}})",
            version, key);
        // Until an answer comes: a lost answer may hide a stored contact, which the
        // same key then reports as a duplicate.
        for (int attempt = 0; attempt < 5; ++attempt) {
          bool lost = false;
          auto w = Call(cli, kContact, "POST", fmt::format("/api/v1/cases/{}/contacts", id), body, 201, &lost);
          if (w) acked.push_back(key);
          if (!lost) break;
        }
      }
    }
  }
};

std::optional<long> ReadStatusKb(const std::string& text, const char* field) {
  const size_t at = text.find(field);
  if (at == std::string::npos) return std::nullopt;
  return std::strtol(text.c_str() + at + std::strlen(field), nullptr, 10);
}

struct RssSample {
  double t;  // seconds since the measured phase began
  long rss_kb, anon_kb, file_kb;
};

std::optional<RssSample> SampleRss(long pid, double t) {
  std::ifstream f(fmt::format("/proc/{}/status", pid));
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  auto rss = ReadStatusKb(s, "VmRSS:"), anon = ReadStatusKb(s, "RssAnon:"), file = ReadStatusKb(s, "RssFile:");
  if (!rss) return std::nullopt;
  return RssSample{t, *rss, anon.value_or(0), file.value_or(0)};
}

// Least-squares slope of y over t (per minute), samples with t >= from.
double SlopePerMinute(const std::vector<RssSample>& s, double from, long RssSample::*field) {
  double n = 0, st = 0, sy = 0, stt = 0, sty = 0;
  for (const RssSample& r : s) {
    if (r.t < from) continue;
    const double t = r.t / 60.0, y = (r.*field) / 1024.0;
    n += 1; st += t; sy += y; stt += t * t; sty += t * y;
  }
  const double d = n * stt - st * st;
  return n < 2 || d == 0 ? 0.0 : (n * sty - st * sy) / d;
}

double Percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return NAN;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(std::ceil(p / 100.0 * v.size())) - (p > 0 ? 1 : 0));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k] / 1000.0;
}

std::string Ms(double ms) {
  if (std::isnan(ms)) return "–";
  return ms < 10 ? fmt::format("{:.2f}", ms) : ms < 100 ? fmt::format("{:.1f}", ms) : fmt::format("{:.0f}", ms);
}

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

bool Login(const Options& opt, Account& a, const std::string& password, std::string* why) {
  httplib::Client cli(opt.host, opt.port);
  cli.set_read_timeout(60, 0);
  const json body = {{"name", a.name}, {"password", password}};
  auto r = cli.Post("/api/v1/login", body.dump(), "application/json");
  if (!r || r->status != 200) {
    *why = r ? fmt::format("HTTP {} {}", r->status, r->body) : httplib::to_string(r.error());
    return false;
  }
  const std::string cookie = r->get_header_value("Set-Cookie");
  a.cookie = cookie.substr(0, cookie.find(';'));
  a.csrf = json::parse(r->body).at("csrf_token").get<std::string>();
  return true;
}

// The coordinator gives each caseworker of the region their cases.
bool Assign(const Options& opt, const Account& coordinator, const std::vector<Account*>& workers, std::string* why) {
  httplib::Client cli(opt.host, opt.port);
  cli.set_keep_alive(true);
  cli.set_read_timeout(60, 0);
  const httplib::Headers h = {{"Cookie", coordinator.cookie}, {"X-CSRF-Token", coordinator.csrf}};
  for (const Account* w : workers) {
    for (int64_t id : w->cases) {
      const std::string path = fmt::format("/api/v1/cases/{}", id);
      auto g = cli.Get(path.c_str(), h);
      if (!g || g->status != 200) {
        *why = fmt::format("GET {}: {}", path, g ? fmt::format("HTTP {} {}", g->status, g->body) : httplib::to_string(g.error()));
        return false;
      }
      const int64_t version = json::parse(g->body).at("case").at("version").get<int64_t>();
      const json body = {{"version", version}, {"owner_id", w->user_id}, {"purpose", "werkverdeling"}};
      auto p = cli.Patch(path.c_str(), h, body.dump(), "application/json");
      if (!p || p->status != 200) {
        *why = fmt::format("PATCH {}: {}", path, p ? fmt::format("HTTP {} {}", p->status, p->body) : httplib::to_string(p.error()));
        return false;
      }
    }
  }
  return true;
}

int Usage() {
  std::cerr << "usage: vsv_soak_client --base http://127.0.0.1:PORT --users FILE --seconds N --out DIR "
               "[--server-pid PID] [--sample-seconds 5] [--progress] [--run-id ID]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--base") {
      const std::string base = next();
      const size_t colon = base.rfind(':');
      if (base.rfind("http://", 0) != 0 || colon < 7) return Usage();
      opt.host = base.substr(7, colon - 7);
      opt.port = std::atoi(base.c_str() + colon + 1);
    } else if (a == "--users") opt.users = next();
    else if (a == "--seconds") opt.seconds = std::atoi(next().c_str());
    else if (a == "--out") opt.out = next();
    else if (a == "--server-pid") opt.server_pid = std::atol(next().c_str());
    else if (a == "--sample-seconds") opt.sample_seconds = std::max(1, std::atoi(next().c_str()));
    else if (a == "--run-id") opt.run_id = next();
    else if (a == "--progress") opt.progress = true;
    else return Usage();
  }
  if (opt.port <= 0 || opt.users.empty() || opt.out.empty() || opt.seconds <= 0) return Usage();
  const char* pw = std::getenv("SOAK_PASSWORD");
  if (!pw) { std::cerr << "SOAK_PASSWORD is not set\n"; return 2; }
  const std::string password = pw;

  std::vector<Account> accounts;
  {
    std::ifstream f(opt.users);
    std::string line;
    while (std::getline(f, line)) {
      std::istringstream ls(line);
      Account a;
      ls >> a.role >> a.name >> a.region;
      if (a.role.empty()) continue;
      if (a.role == "caseworker") {
        std::string ids;
        ls >> a.user_id >> ids;
        for (size_t p = 0; p < ids.size();) {
          size_t q = ids.find(',', p);
          if (q == std::string::npos) q = ids.size();
          a.cases.push_back(std::stoll(ids.substr(p, q - p)));
          p = q + 1;
        }
        if (a.cases.empty()) { std::cerr << "caseworker " << a.name << " has no cases\n"; return 1; }
      }
      accounts.push_back(std::move(a));
    }
  }

  // Set-up: log in (Argon2id per login: on all threads at once), assign the cases.
  std::string failure;
  std::mutex failure_mu;
  {
    std::vector<std::jthread> t;
    std::atomic<size_t> next{0};
    for (int k = 0; k < 4; ++k) {
      t.emplace_back([&] {
        for (size_t i; (i = next++) < accounts.size();) {
          std::string why;
          if (!Login(opt, accounts[i], password, &why)) {
            std::lock_guard l(failure_mu);
            failure = fmt::format("login {}: {}", accounts[i].name, why);
          }
        }
      });
    }
  }
  if (!failure.empty()) { std::cerr << "soak set-up: " << failure << "\n"; return 1; }
  {
    std::vector<std::jthread> t;
    for (const Account& c : accounts) {
      if (c.role != "coordinator") continue;
      std::vector<Account*> mine;
      for (Account& w : accounts) if (w.role == "caseworker" && w.region == c.region) mine.push_back(&w);
      t.emplace_back([&, mine, coordinator = &c] {
        std::string why;
        if (!Assign(opt, *coordinator, mine, &why)) {
          std::lock_guard l(failure_mu);
          failure = fmt::format("assign in region {}: {}", coordinator->region, why);
        }
      });
    }
  }
  if (!failure.empty()) { std::cerr << "soak set-up: " << failure << "\n"; return 1; }
  int year = 0;
  {
    httplib::Client cli(opt.host, opt.port);
    auto m = cli.Get("/api/v1/meta");
    if (!m || m->status != 200) { std::cerr << "soak set-up: GET /api/v1/meta failed\n"; return 1; }
    // The dashboard's default: the last countable school year.
    const size_t at = m->body.find("\"last\":");
    if (at != std::string::npos) year = std::atoi(m->body.c_str() + at + 7);
    if (year == 0) { std::cerr << "soak set-up: no last school year in /api/v1/meta\n"; return 1; }
  }

  std::vector<Worker> workers;
  for (Account& a : accounts) {
    if (a.role != "caseworker") continue;
    Worker w;
    w.opt = &opt;
    w.account = &a;
    w.index = static_cast<int>(workers.size()) + 1;
    w.year = year;
    w.samples.reserve(static_cast<size_t>(opt.seconds) * 100);
    workers.push_back(std::move(w));
  }

  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::seconds(opt.seconds);
  std::vector<RssSample> rss;
  std::atomic<bool> running{true};
  auto since = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  if (opt.server_pid) if (auto s = SampleRss(opt.server_pid, 0)) rss.push_back(*s);
  std::jthread sampler([&] {
    int64_t last_requests = 0;
    auto last = Clock::now();
    for (int tick = 1; running; ++tick) {
      // Sleep in small steps to stop promptly.
      const auto wake = t0 + std::chrono::seconds(tick * opt.sample_seconds);
      while (running && Clock::now() < wake) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!running) break;
      std::optional<RssSample> s;
      if (opt.server_pid) s = SampleRss(opt.server_pid, since());
      if (s) rss.push_back(*s);
      if (opt.progress) {
        const auto now = Clock::now();
        const int64_t req = g_requests.load();
        const double rate = (req - last_requests) / std::chrono::duration<double>(now - last).count();
        last_requests = req;
        last = now;
        std::fprintf(stderr, "\r[soak] %4.0f/%d s  %s requests  %.0f req/s  errors %lld  server RSS %s MB   ",
                     since(), opt.seconds, Thousands(req).c_str(), rate, static_cast<long long>(g_errors.load()),
                     s ? std::to_string(s->rss_kb / 1024).c_str() : "?");
        std::fflush(stderr);
      }
    }
  });
  {
    std::vector<std::jthread> threads;
    for (Worker& w : workers) {
      w.t0 = t0;
      threads.emplace_back([&w, deadline] { w.Run(deadline); });
    }
  }
  const double duration = since();
  running = false;
  sampler.join();
  if (opt.server_pid) if (auto s = SampleRss(opt.server_pid, duration)) rss.push_back(*s);
  if (opt.progress) std::fprintf(stderr, "\n");

  // Merge.
  // Buckets of the configured run (a request started before the deadline may end
  // after it; it counts in the last minute).
  const int minutes = (opt.seconds + 59) / 60;
  std::vector<std::vector<std::vector<uint32_t>>> lat(minutes + 1, std::vector<std::vector<uint32_t>>(kKindCount));
  std::vector<std::vector<uint32_t>> all(kKindCount);
  std::vector<std::vector<double>> bytes(minutes + 1, std::vector<double>(kKindCount, 0));
  std::map<ErrorKey, ErrorInfo> errors;
  std::vector<std::string> acked;
  uint32_t max_us[kKindCount] = {};
  for (Worker& w : workers) {
    for (const Sample& s : w.samples) {
      const int m = std::min<int>(minutes - 1, static_cast<int>(s.start_ms / 60000));
      lat[m][s.kind].push_back(s.latency_us);
      all[s.kind].push_back(s.latency_us);
      bytes[m][s.kind] += s.bytes;
      max_us[s.kind] = std::max(max_us[s.kind], s.latency_us);
    }
    for (auto& [k, e] : w.errors) {
      ErrorInfo& t = errors[k];
      if (t.count == 0) t.example = e.example;
      t.count += e.count;
    }
    acked.insert(acked.end(), w.acked.begin(), w.acked.end());
    std::vector<Sample>().swap(w.samples);
  }
  int64_t total = 0, total_errors = 0;
  for (auto& v : all) total += static_cast<int64_t>(v.size());
  for (auto& [k, e] : errors) total_errors += e.count;

  std::ofstream(opt.out + "/acked.txt") << [&] {
    std::string s;
    for (const std::string& k : acked) s += k + "\n";
    return s;
  }();
  std::ofstream mt(opt.out + "/minutes.tsv");
  mt << "minute\tkind\trequests\treq_per_s\tp50_ms\tp99_ms\tmean_bytes\n";
  std::ostringstream md;
  md << fmt::format("{} caseworkers for {:.0f} s ({} min), one connection each, back to back; {} requests, "
                    "{:.0f} req/s overall; {} contacts acknowledged.\n\n",
                    workers.size(), duration, minutes, Thousands(total), total / duration, Thousands(acked.size()));
  md << "| route kind | requests | req/s | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (int k = 0; k < kKindCount; ++k) {
    const double n = static_cast<double>(all[k].size());
    const double p50 = Percentile(all[k], 50), p90 = Percentile(all[k], 90), p99 = Percentile(all[k], 99);
    md << fmt::format("| {} | {} | {:.0f} | {} | {} | {} | {} |\n", kKindNames[k], Thousands(static_cast<int64_t>(n)),
                      n / duration, Ms(p50), Ms(p90), Ms(p99), Ms(max_us[k] / 1000.0));
  }
  md << "\nPer minute (by the minute a request started): requests/s, then p50 / p99 in ms per route kind; "
        "server RSS at the minute's end.\n\n";
  md << "| minute | req/s | contacts/s |";
  for (int k = 0; k < kKindCount; ++k) md << " " << kKindNames[k] << " |";
  md << " RSS MB |\n|---:|---:|---:|";
  for (int k = 0; k < kKindCount; ++k) md << "---:|";
  md << "---:|\n";
  for (int m = 0; m < minutes; ++m) {
    const double len = std::min(60.0, opt.seconds - m * 60.0);
    size_t n = 0;
    for (int k = 0; k < kKindCount; ++k) n += lat[m][k].size();
    md << fmt::format("| {} | {:.0f} | {:.0f} |", m + 1, n / len, lat[m][kContact].size() / len);
    for (int k = 0; k < kKindCount; ++k) {
      const size_t c = lat[m][k].size();
      const double p50 = Percentile(lat[m][k], 50), p99 = Percentile(lat[m][k], 99);
      md << " " << Ms(p50) << " / " << Ms(p99) << " |";
      mt << fmt::format("{}\t{}\t{}\t{:.1f}\t{:.3f}\t{:.3f}\t{:.0f}\n", m + 1, kKindNames[k], c, c / len, p50, p99,
                        c ? bytes[m][k] / c : 0.0);
    }
    std::string at = "?";
    for (const RssSample& s : rss) if (s.t <= (m + 1) * 60.0 + 0.5) at = std::to_string(s.rss_kb / 1024);
    md << " " << at << " |\n";
  }
  md << "\nMean answer size per route kind, first → last minute (bytes): ";
  for (int k = 0; k < kKindCount; ++k) {
    auto mean = [&](int m) { return lat[m][k].empty() ? 0.0 : bytes[m][k] / lat[m][k].size(); };
    md << fmt::format("{}{} {:.0f} → {:.0f}", k ? "; " : "", kKindNames[k], mean(0), mean(minutes - 1));
  }
  md << ".\n";

  std::ofstream rt(opt.out + "/rss.tsv");
  rt << "t_s\trss_kb\tanon_kb\tfile_kb\n";
  for (const RssSample& s : rss) rt << fmt::format("{:.1f}\t{}\t{}\t{}\n", s.t, s.rss_kb, s.anon_kb, s.file_kb);
  if (!rss.empty()) {
    const RssSample &a = rss.front(), &b = rss.back();
    long peak = 0;
    for (const RssSample& s : rss) peak = std::max(peak, s.rss_kb);
    md << fmt::format(
        "\nServer RSS ({} samples, every {} s): start {} MB (anonymous {}, file-backed {}), end {} MB (anonymous {}, "
        "file-backed {}), peak {} MB; slope over the second half (least squares, t ≥ {:.0f} s): RSS {:+.2f} MB/min, "
        "anonymous {:+.2f} MB/min.\n",
        rss.size(), opt.sample_seconds, a.rss_kb / 1024, a.anon_kb / 1024, a.file_kb / 1024, b.rss_kb / 1024,
        b.anon_kb / 1024, b.file_kb / 1024, peak / 1024, duration / 2,
        SlopePerMinute(rss, duration / 2, &RssSample::rss_kb), SlopePerMinute(rss, duration / 2, &RssSample::anon_kb));
  }
  std::ofstream et(opt.out + "/errors.tsv");
  et << "kind\twhat\tcount\texample\n";
  md << fmt::format("\nErrors (every answer other than 200, 201 for a contact, or 200 duplicate for a retried "
                    "contact; and every request without an answer): {}.\n", total_errors);
  if (!errors.empty()) {
    md << "\n| route kind | what | count | first example |\n|---|---|---:|---|\n";
    for (const auto& [k, e] : errors) {
      std::string ex = e.example;
      std::replace(ex.begin(), ex.end(), '|', '/');
      std::replace(ex.begin(), ex.end(), '\n', ' ');
      md << fmt::format("| {} | {} | {} | `{}` |\n", kKindNames[k.kind], k.what, e.count, ex);
      et << fmt::format("{}\t{}\t{}\t{}\n", kKindNames[k.kind], k.what, e.count, ex);
    }
  }
  std::ofstream(opt.out + "/report.md") << md.str();
  std::cout << md.str();
  std::cout << fmt::format("SOAK requests={} errors={} acked={} seconds={:.1f}\n", total, total_errors, acked.size(),
                           duration);
  return 0;
}
