// vsv serve: the JSON API and the dashboard over HTTP (src/server).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/file_util.h"
#include "measure/classification_cache.h"
#include "followup/store.h"
#include "server/server.h"
#include "server/session.h"

#ifndef VSV_SOURCE_DIR
#define VSV_SOURCE_DIR "."
#endif

namespace vsv::cli {

namespace {

struct ServeOptions {
  InputOptions input;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web;
  int http_threads = 64;
  bool no_warm_up = false;
  bool access_log = false;
  std::string db;          // the register (SQLite file or postgresql://); empty: public only
  bool tls_proxy = false;  // behind a TLS proxy: session cookies are Secure
  int db_pool = 0;         // register connections; 0: 1 for SQLite (one writer), 8 for PostgreSQL
};

// The built dashboard: ./web/dist, else beside the binary (../web/dist, or web/ for
// an installed layout), else the source tree the binary was built from.
std::string DefaultWebDir() {
  namespace fs = std::filesystem;
  if (FileExists("web/dist/index.html")) return "web/dist";
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& p : {exe.parent_path().parent_path() / "web" / "dist", exe.parent_path() / "web"}) {
      if (FileExists((p / "index.html").string())) return p.string();
    }
  }
  return std::string(VSV_SOURCE_DIR) + "/web/dist";
}

int RunServe(const ServeOptions& o) {
  // SIGINT/SIGTERM are taken by a thread that stops the server cleanly; block them
  // before any other thread starts so they all inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto input = LoadInput(o.input);
  if (!input) return Fail(input.error());
  const Registry& reg = (*input)->registry;
  const Reference& ref = (*input)->reference;
  ClassificationCache cache(reg, ref, o.input.threads);
  server::ServerContext context(reg, ref, cache, [&](const std::string& text) { return ParseYears(text, reg, ref); });
  context.data_name = std::filesystem::path(o.input.data).filename().string();
  context.person_count = static_cast<int64_t>(reg.person_count());

  server::ServerOptions options;
  std::unique_ptr<followup::CaseStore> store;
  if (!o.db.empty()) {
    followup::StoreOptions so;
    // SQLite has one writer: with several connections, waiting writers sleep in
    // SQLite's busy handler; one connection queues them in the pool instead.
    const bool postgres = o.db.rfind("postgresql://", 0) == 0 || o.db.rfind("postgres://", 0) == 0;
    so.pool_size = o.db_pool > 0 ? o.db_pool : (postgres ? 8 : 1);
    auto opened = followup::CaseStore::Open(o.db, so);
    if (!opened) return Fail(followup::ToError(opened.error()));
    store = std::move(*opened);
    context.store = store.get();
    options.resolve_principal = server::SessionResolver(*store);
  }
  context.tls_proxy = o.tls_proxy;
  options.host = o.host;
  options.port = o.port;
  options.web_dir = o.web.empty() ? DefaultWebDir() : o.web;
  options.geo_dir = (o.input.reference.empty() ? DefaultReferenceDir() : o.input.reference) + "/geo";
  options.http_threads = o.http_threads;
  options.warm_up = !o.no_warm_up;
  options.access_log = o.access_log;
  server::Server server(context, options);
  auto port = server.Bind();
  if (!port) return Fail(port.error());
  if (!FileExists(options.web_dir + "/index.html") && !o.input.quiet) {
    fmt::print(stderr, "notice: no dashboard in {} (run ./run build); serving the API only\n", options.web_dir);
  }
  fmt::print("vsv: listening on http://{}:{}/\n", o.host, *port);
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  });
  server.Run();
  // Run returned (Stop from the signal thread): wake the waiter if it still waits.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "serve the JSON API and the dashboard over HTTP");
  AddInputOptions(cmd, &o->input);
  cmd->add_option("--host", o->host, "address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "port to listen on (default 8080; 0 = any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--web", o->web, "the built dashboard folder (default: web/dist)");
  cmd->add_option("--http-threads", o->http_threads, "HTTP worker threads (default 64)")->check(CLI::Range(4, 1024));
  cmd->add_flag("--no-warm-up", o->no_warm_up, "do not classify every school year at start");
  cmd->add_flag("--access-log", o->access_log, "one line per request on stderr");
  cmd->add_option("--db", o->db,
                  "the caseworkers' register: a SQLite file or postgresql://… (enables login and /api/v1/cases); "
                  "without it the server is public only");
  cmd->add_option("--db-pool", o->db_pool, "register connections (default: 1 for SQLite, 8 for PostgreSQL)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--tls-proxy", o->tls_proxy, "the server is behind a TLS proxy: session cookies are Secure");
  cmd->callback([o] { Run([&] { return RunServe(*o); }); });
}

}  // namespace vsv::cli
