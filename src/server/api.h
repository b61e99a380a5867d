// The small framework every controller uses: a route table entry (path, allowed
// query parameters, whether the route serves tables, handler), the request a handler
// sees (validated parameters plus the principal), the reply it returns (JSON and,
// for downloads, a DataTable), and one JSON error shape:
//   {"error":{"code":"bad_parameter","message":"year '20x3': expected ..."}}
// ApiServer turns route tables into httplib routes and does what every route shares:
// the principal, unknown or repeated parameters (400), format=json|csv|xlsx,
// exceptions (500), and a response cache keyed by path, query and principal.
#ifndef VSV_SERVER_API_H_
#define VSV_SERVER_API_H_

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "report/table_writer.h"
#include "server/principal.h"

namespace vsv::server {

struct ServerContext;

struct ApiError {
  int status = 400;
  std::string code;     // bad_parameter, unknown_parameter, not_found, internal_error, ...
  std::string message;  // names the parameter or path and what was expected
};

template <typename T>
using ApiResult = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError> BadParameter(std::string message) {
  return tl::unexpected<ApiError>(ApiError{400, "bad_parameter", std::move(message)});
}
inline tl::unexpected<ApiError> NotFound(std::string message) {
  return tl::unexpected<ApiError>(ApiError{404, "not_found", std::move(message)});
}

// {"error":{"code":..,"message":..}}
nlohmann::ordered_json ErrorJson(const ApiError& error);

enum class Format : uint8_t { kJson, kCsv, kXlsx };

// The query parameters of a request target, sorted by name. A pair is split at its
// first '=' (as browsers and the URL standard do), so `owner=1 OR 1=1` has the value
// "1 OR 1=1"; httplib's own parse keeps the text after the last '=', "1".
using QueryParams = std::multimap<std::string, std::string>;
QueryParams ParseQuery(std::string_view target);

// What a handler sees. Parameters were checked against the route's list already.
class ApiRequest {
 public:
  ApiRequest(const httplib::Request& http, const QueryParams& params, const Principal& principal, Format format)
      : http_(http), params_(params), principal_(principal), format_(format) {}

  const Principal& principal() const { return principal_; }
  // The underlying request: body, headers, cookies (POST/PATCH handlers).
  const httplib::Request& http() const { return http_; }
  Format format() const { return format_; }
  bool Has(const std::string& name) const { return params_.contains(name); }
  // The value of query parameter `name`, or `fallback` when absent.
  std::string Param(const std::string& name, const std::string& fallback = "") const {
    auto it = params_.find(name);
    return it == params_.end() ? fallback : it->second;
  }
  // Capture `i` (0-based) of the path pattern, e.g. the code of /regions/{code}.
  std::string PathParam(size_t i) const {
    return i + 1 < http_.matches.size() ? std::string(http_.matches[i + 1]) : std::string();
  }

 private:
  const httplib::Request& http_;
  const QueryParams& params_;
  const Principal& principal_;
  Format format_;
};

struct Reply {
  nlohmann::ordered_json json;
  // For format=csv|xlsx: builds the table (only called when asked for).
  std::function<DataTable()> table;
  std::string filename;  // download name without extension, e.g. "vsv-telling-2023-2024"
  int status = 200;
  httplib::Headers headers;  // extra response headers (Set-Cookie)
  // When set, sent as is instead of `json` (e.g. the audit log as CSV).
  std::optional<std::string> raw;
  std::string raw_type;
};

using Handler = std::function<ApiResult<Reply>(ServerContext&, const ApiRequest&)>;

struct RouteSpec {
  const char* path;  // OpenAPI form: "/api/v1/regions/{code}" ({name} matches [^/]+)
  const char* summary;
  // Allowed query parameters: "year", or "by:stock_by" when the catalogue entry
  // (params.h) has another name than the parameter.
  std::vector<std::string> params;
  bool tables;                      // also serves format=csv|xlsx
  Handler handler;
  const char* description = "";
  bool cacheable = true;  // false: never served from the response cache (e.g. health)
  // "GET", "POST", "PATCH", "PUT" or "DELETE". Every other method than GET changes
  // state: it needs a session and that session's CSRF token in X-CSRF-Token
  // (401 / 403 otherwise), unless `no_session` (the login itself).
  const char* method = "GET";
  bool no_session = false;
  const char* body = "";  // the JSON body's fields, for the OpenAPI document
};

// "by:stock_by" -> "by" (the query name) and "stock_by" (the catalogue entry).
std::string QueryName(const std::string& spec);
std::string CatalogueName(const std::string& spec);
// The catalogue entry of query parameter `name` on `route` (`name` when not listed).
std::string CatalogueNameOf(const RouteSpec& route, const std::string& name);

// Bounded LRU of rendered responses. Thread-safe.
class ResponseCache {
 public:
  struct Entry {
    std::string body;
    std::string content_type;
    std::string disposition;
  };
  explicit ResponseCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  std::optional<Entry> Get(const std::string& key);
  void Put(const std::string& key, Entry entry);
  size_t size() const;

 private:
  using Item = std::pair<std::string, Entry>;
  mutable std::mutex mutex_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::list<Item> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Item>::iterator> index_;
};

class ApiServer {
 public:
  // `http` and `context` must outlive this object.
  ApiServer(httplib::Server& http, ServerContext& context, PrincipalResolver resolve, size_t cache_bytes);

  // Registers a controller's route table.
  void AddRoutes(const std::vector<RouteSpec>& routes);
  // Every route registered so far, for the OpenAPI document.
  const std::vector<RouteSpec>& routes() const { return routes_; }
  ResponseCache& cache() { return cache_; }

 private:
  void Serve(const RouteSpec& route, const httplib::Request& req, httplib::Response& res);

  httplib::Server& http_;
  ServerContext& context_;
  PrincipalResolver resolve_;
  ResponseCache cache_;
  std::vector<RouteSpec> routes_;
};

// Writes `error` as the JSON error shape with its status.
void SendError(httplib::Response& res, const ApiError& error);

// The headers every response carries (CSP without inline scripts, nosniff, no
// framing, no referrer).
httplib::Headers SecurityHeaders();

}  // namespace vsv::server

#endif  // VSV_SERVER_API_H_
