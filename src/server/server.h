// The HTTP server of `vsv serve`: the JSON API (controllers.h), the dashboard's
// static files, the boundary files of the map, security headers on every response,
// and a warm-up that classifies every school year in the background.
#ifndef VSV_SERVER_SERVER_H_
#define VSV_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "core/result.h"
#include "server/api.h"
#include "server/context.h"
#include "server/principal.h"

namespace vsv::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (Bind returns it)
  std::string web_dir;              // the built dashboard (index.html); missing: API only
  std::string geo_dir;              // boundary files, served at /geo/; missing: none
  int http_threads = 64;            // one per open keep-alive connection
  size_t response_cache_bytes = size_t{256} << 20;
  bool warm_up = true;              // classify every school year at start, newest first
  // After the warm-up, these paths are requested once so the dashboard's first view
  // is served from the response cache (its landing page's API calls).
  std::vector<std::string> warm_paths = {
      "/api/v1/meta", "/api/v1/trend?age_limit=22", "/api/v1/trend?age_limit=22&by=sector",
      "/api/v1/regions?age_limit=22", "/api/v1/trend?age_limit=22&by=region"};
  bool access_log = false;          // one line per request on stderr
  PrincipalResolver resolve_principal = PublicPrincipal;  // issue 5: sessions
};

class Server {
 public:
  // `context` must outlive the server. Registers every controller.
  Server(ServerContext& context, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port; returns the port bound (useful with port 0).
  Result<int> Bind();
  // Serves until Stop(); call after Bind(). Starts the warm-up when asked for.
  void Run();
  // Thread-safe; Run() returns soon after.
  void Stop();
  bool running() const { return http_.is_running(); }

  httplib::Server& http() { return http_; }
  ApiServer& api() { return *api_; }

 private:
  void WarmUp();

  ServerContext& context_;
  ServerOptions options_;
  httplib::Server http_;
  std::unique_ptr<ApiServer> api_;
  std::thread warm_thread_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace vsv::server

#endif  // VSV_SERVER_SERVER_H_
