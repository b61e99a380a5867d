#include "server/server.h"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "core/file_util.h"
#include "server/controllers.h"

namespace vsv::server {

namespace {

bool IsApiPath(const std::string& path) { return path.rfind("/api/", 0) == 0 || path == "/api"; }

}  // namespace

Server::Server(ServerContext& context, ServerOptions options) : context_(context), options_(std::move(options)) {
  const int threads = std::max(4, options_.http_threads);
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // httplib writes headers and body in separate sends: without TCP_NODELAY, Nagle
  // and delayed ACKs add 40 ms to every response.
  http_.set_tcp_nodelay(true);
  http_.set_keep_alive_max_count(1000);
  http_.set_keep_alive_timeout(5);
  http_.set_payload_max_length(64 * 1024);
  http_.set_default_headers(SecurityHeaders());

  api_ = std::make_unique<ApiServer>(http_, context_, options_.resolve_principal, options_.response_cache_bytes);
  RegisterCountRoutes(*api_);
  RegisterAreaRoutes(*api_);
  RegisterStockRoutes(*api_);
  RegisterSessionRoutes(*api_);
  RegisterCasesRoutes(*api_);
  RegisterProgrammeRoutes(*api_);
  RegisterMetaRoutes(*api_);  // last: its OpenAPI document lists the routes before it

  // Static files: the map's boundaries under /geo/, the dashboard under /.
  http_.set_file_extension_and_mimetype_mapping("topojson", "application/json; charset=utf-8");
  http_.set_file_extension_and_mimetype_mapping("geojson", "application/geo+json");
  // httplib brotli-compresses text/* and exact "application/json" bodies on every
  // request (quality 11: ~2 s for the chart bundle); with a charset parameter these
  // types are served as they are, which on loopback or a LAN is much faster.
  http_.set_file_extension_and_mimetype_mapping("js", "application/javascript; charset=utf-8");
  http_.set_file_extension_and_mimetype_mapping("mjs", "application/javascript; charset=utf-8");
  if (!options_.geo_dir.empty() && IsDirectory(options_.geo_dir)) http_.set_mount_point("/geo/", options_.geo_dir);
  const bool have_web = !options_.web_dir.empty() && FileExists(options_.web_dir + "/index.html");
  if (have_web) {
    http_.set_mount_point("/", options_.web_dir);
    // Hashed bundles never change; the page itself is always revalidated.
    http_.set_file_request_handler([](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Cache-Control",
                     req.path.rfind("/assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
    });
  } else {
    http_.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          "vsv: the dashboard is not built (run ./run build, or pass --web DIR). The API is at /api/v1/ "
          "and described at /api/openapi.json.\n",
          "text/plain; charset=utf-8");
    });
  }

  http_.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) -> httplib::Server::HandlerResponse {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // a handler's own error
    if (res.status == 404 && req.method != "GET" && req.method != "HEAD" && IsApiPath(req.path)) {
      SendError(res, {405, "method_not_allowed", fmt::format("{} {}: no such route for this method", req.method, req.path)});
    } else if (res.status == 404) {
      SendError(res, {404, "not_found", fmt::format("no such path: {}", req.path)});
    } else {
      SendError(res, {res.status, "http_error", fmt::format("HTTP {}", res.status)});
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    SendError(res, {500, "internal_error", "internal error: " + what});
  });
  if (options_.access_log) {
    http_.set_logger([](const httplib::Request& req, const httplib::Response& res) {
      fmt::print(stderr, "{} {} {} {}\n", req.method, req.path, res.status, res.body.size());
    });
  }
}

Server::~Server() {
  Stop();
  if (warm_thread_.joinable()) warm_thread_.join();
}

Result<int> Server::Bind() {
  if (options_.port == 0) {
    const int port = http_.bind_to_any_port(options_.host);
    if (port <= 0) return MakeError(fmt::format("cannot listen on {} (any port)", options_.host));
    port_ = port;
    return port;
  }
  if (!http_.bind_to_port(options_.host, options_.port)) {
    return MakeError(fmt::format("cannot listen on {}:{} (in use, or not allowed)", options_.host, options_.port));
  }
  port_ = options_.port;
  return options_.port;
}

void Server::Run() {
  if (options_.warm_up && !warm_thread_.joinable()) warm_thread_ = std::thread([this] { WarmUp(); });
  http_.listen_after_bind();
}

void Server::Stop() {
  stopping_ = true;
  if (http_.is_running()) http_.stop();
}

void Server::WarmUp() {
  const YearRange years = context_.years;
  auto classify = [&](int age) {
    for (int y = years.last; y >= years.first && !stopping_; --y) {
      context_.cache.Get(y, age);
      if (age == kNationalAgeLimit) ++context_.warm_years;
    }
  };
  classify(kNationalAgeLimit);
  // The dashboard's landing requests, through the server itself, into the cache.
  if (!stopping_ && port_ > 0 && !options_.warm_paths.empty()) {
    httplib::Client self(options_.host == "0.0.0.0" ? "127.0.0.1" : options_.host, port_);
    self.set_read_timeout(300, 0);
    for (const std::string& path : options_.warm_paths) {
      if (stopping_) break;
      self.Get(path);
    }
  }
  for (int age : context_.age_limits) {
    if (age != kNationalAgeLimit) classify(age);
  }
  context_.warm_done = !stopping_;
}

}  // namespace vsv::server
