#include "server/api.h"

#include <algorithm>
#include <exception>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "core/utf8.h"
#include "followup/crypto.h"
#include "server/params.h"

namespace vsv::server {

nlohmann::ordered_json ErrorJson(const ApiError& error) {
  nlohmann::ordered_json j;
  j["error"]["code"] = error.code;
  j["error"]["message"] = error.message;
  return j;
}

void SendError(httplib::Response& res, const ApiError& error) {
  res.status = error.status;
  // A message may echo a path that is not UTF-8 (the 404 of any path): replaced, not thrown.
  res.set_content(ErrorJson(error).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json; charset=utf-8");
  res.set_header("Cache-Control", "no-store");
}

httplib::Headers SecurityHeaders() {
  return {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "geolocation=(), camera=(), microphone=(), payment=()"},
  };
}

std::optional<ResponseCache::Entry> ResponseCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void ResponseCache::Put(const std::string& key, Entry entry) {
  const size_t size = key.size() + entry.body.size();
  if (size > max_bytes_ / 4) return;  // one huge table must not flush everything else
  std::lock_guard<std::mutex> lock(mutex_);
  if (index_.count(key)) return;
  lru_.emplace_front(key, std::move(entry));
  index_[key] = lru_.begin();
  bytes_ += size;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    const Item& last = lru_.back();
    bytes_ -= last.first.size() + last.second.body.size();
    index_.erase(last.first);
    lru_.pop_back();
  }
}

size_t ResponseCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

namespace {

// "/api/v1/regions/{code}" -> "/api/v1/regions/([^/]+)"
std::string PathRegex(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      out += "([^/]+)";
    } else if (std::string_view("\\^$.|?*+()[]").find(path[i]) != std::string_view::npos) {
      out += '\\';
      out += path[i];
    } else {
      out += path[i];
    }
  }
  return out;
}

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr const char* kCsvType = "text/csv; charset=utf-8";
constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a '%' that
// does not start an escape stays as it is.
std::string DecodeQueryPart(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 && HexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The first part of the request a handler reads as text (path, query parameters,
// the X-Purpose header) that is not UTF-8, as a 400 that shows the byte.
std::optional<ApiError> NotUtf8(const httplib::Request& req, const QueryParams& params) {
  auto check = [](std::string_view what, std::string_view text) -> std::optional<ApiError> {
    const size_t bad = FirstInvalidUtf8(text);
    if (bad == std::string_view::npos) return std::nullopt;
    return ApiError{400, "bad_parameter",
                    fmt::format("{}: {} at byte {} is not valid UTF-8", what, DescribeInvalidByte(text, bad), bad)};
  };
  if (auto e = check("path", req.path)) return e;
  for (const auto& [name, value] : params) {
    if (auto e = check("parameter name", name)) return e;
    if (auto e = check(fmt::format("parameter '{}'", name), value)) return e;
  }
  return check("header X-Purpose", req.get_header_value("X-Purpose"));
}

}  // namespace

QueryParams ParseQuery(std::string_view target) {
  QueryParams params;
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    params.emplace(DecodeQueryPart(pair.substr(0, eq)),
                   eq == std::string_view::npos ? std::string() : DecodeQueryPart(pair.substr(eq + 1)));
  }
  return params;
}

std::string QueryName(const std::string& spec) { return spec.substr(0, spec.find(':')); }
std::string CatalogueName(const std::string& spec) {
  const size_t colon = spec.find(':');
  return colon == std::string::npos ? spec : spec.substr(colon + 1);
}

std::string CatalogueNameOf(const RouteSpec& route, const std::string& name) {
  for (const std::string& p : route.params) {
    if (QueryName(p) == name) return CatalogueName(p);
  }
  return name;
}

ApiServer::ApiServer(httplib::Server& http, ServerContext& context, PrincipalResolver resolve, size_t cache_bytes)
    : http_(http), context_(context), resolve_(std::move(resolve)), cache_(cache_bytes) {}

void ApiServer::AddRoutes(const std::vector<RouteSpec>& routes) {
  for (const RouteSpec& r : routes) routes_.push_back(r);
  // Routes are served from routes_ by index: the vector may grow, so capture the index.
  const size_t first = routes_.size() - routes.size();
  for (size_t i = first; i < routes_.size(); ++i) {
    const std::string method = routes_[i].method;
    auto serve = [this, i](const httplib::Request& req, httplib::Response& res) { Serve(routes_[i], req, res); };
    const std::string pattern = PathRegex(routes_[i].path);
    if (method == "GET") http_.Get(pattern, serve);
    else if (method == "POST") http_.Post(pattern, serve);
    else if (method == "PATCH") http_.Patch(pattern, serve);
    else if (method == "PUT") http_.Put(pattern, serve);
    else if (method == "DELETE") http_.Delete(pattern, serve);
    else throw std::logic_error(fmt::format("route {}: unknown method {}", routes_[i].path, method));
  }
}

void ApiServer::Serve(const RouteSpec& route, const httplib::Request& req, httplib::Response& res) {
  try {
    const Principal principal = resolve_(req);
    // State changes: a session, and the CSRF token of that session (double submit:
    // the page got the token from the login or /api/v1/session, a cross-site form
    // cannot read or send it).
    if (std::string_view(route.method) != "GET" && !route.no_session) {
      if (!principal.authenticated()) {
        SendError(res, {401, "unauthenticated", "log in first: this request needs a session"});
        return;
      }
      const std::string sent = req.get_header_value("X-CSRF-Token");
      if (sent.empty() || !followup::SameSecret(sent, principal.csrf_token)) {
        SendError(res, {403, "csrf", "missing or wrong X-CSRF-Token header: reload the page and try again"});
        return;
      }
    }
    // Text that is not UTF-8 cannot be echoed in a JSON message or stored.
    const QueryParams params = ParseQuery(req.target);
    if (auto bad = NotUtf8(req, params)) {
      SendError(res, *bad);
      return;
    }
    // Unknown and repeated parameters, integers; the format.
    std::set<std::string> seen;
    for (const auto& param : params) {
      const std::string& name = param.first;  // not a structured binding: the lambda captures it
      const std::string& value = param.second;
      const bool allowed = std::any_of(route.params.begin(), route.params.end(),
                                       [&](const std::string& p) { return QueryName(p) == name; }) ||
                           (route.tables && name == "format");
      if (!allowed) {
        std::vector<std::string> names;
        for (const std::string& p : route.params) names.push_back(QueryName(p));
        if (route.tables) names.push_back("format");
        SendError(res, {400, "unknown_parameter",
                        fmt::format("unknown parameter '{}'; {} takes {}", name, route.path,
                                    names.empty() ? "no parameters" : fmt::format("{}", fmt::join(names, ", ")))});
        return;
      }
      if (!seen.insert(name).second) {
        SendError(res, {400, "bad_parameter", fmt::format("parameter '{}' is given more than once", name)});
        return;
      }
      if (auto bad = CheckIntegerParam(name, CatalogueNameOf(route, name), value)) {
        SendError(res, *bad);
        return;
      }
    }
    Format format = Format::kJson;
    if (auto it = params.find("format"); it != params.end()) {
      const std::string& f = it->second;
      if (f == "csv") format = Format::kCsv;
      else if (f == "xlsx") format = Format::kXlsx;
      else if (f != "json") {
        SendError(res, {400, "bad_parameter", fmt::format("format '{}': expected json, csv or xlsx", f)});
        return;
      }
    }
    // The cache key: the path, the parameters in a fixed order, and the principal.
    std::string key = req.path + '?';
    // Sorted by name (multimap); a value's length first, so no value can pose as two pairs.
    for (const auto& [name, value] : params) key += fmt::format("{}={}:{}&", name, value.size(), value);
    key += '#' + principal.CacheKey();
    res.set_header("Cache-Control", route.cacheable ? "no-cache" : "no-store");
    if (auto hit = route.cacheable ? cache_.Get(key) : std::nullopt) {
      if (!hit->disposition.empty()) res.set_header("Content-Disposition", hit->disposition);
      res.set_content(std::move(hit->body), hit->content_type);
      return;
    }
    const ApiRequest request(req, params, principal, format);
    ApiResult<Reply> reply = route.handler(context_, request);
    if (!reply) {
      SendError(res, reply.error());
      return;
    }
    for (const auto& [name, value] : reply->headers) res.set_header(name, value);
    if (reply->raw) {
      res.status = reply->status;
      if (!reply->filename.empty()) {
        res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", reply->filename));
      }
      res.set_content(std::move(*reply->raw), reply->raw_type);
      return;
    }
    if (format == Format::kJson) res.status = reply->status;
    ResponseCache::Entry entry;
    if (format == Format::kJson) {
      entry.body = reply->json.dump();
      entry.content_type = kJsonType;
    } else {
      if (!reply->table) {
        SendError(res, {400, "bad_parameter", fmt::format("format: {} has no table form", route.path)});
        return;
      }
      const DataTable table = reply->table();
      const std::string stem = reply->filename.empty() ? "vsv" : reply->filename;
      if (format == Format::kCsv) {
        entry.body = TableCsv(table);
        entry.content_type = kCsvType;
        entry.disposition = fmt::format("attachment; filename=\"{}.csv\"", stem);
      } else {
        auto bytes = TableXlsx(table);
        if (!bytes) {
          SendError(res, {500, "internal_error", bytes.error().message});
          return;
        }
        entry.body = std::move(*bytes);
        entry.content_type = kXlsxType;
        entry.disposition = fmt::format("attachment; filename=\"{}.xlsx\"", stem);
      }
    }
    if (route.cacheable) cache_.Put(key, entry);
    if (!entry.disposition.empty()) res.set_header("Content-Disposition", entry.disposition);
    res.set_content(std::move(entry.body), entry.content_type);
  } catch (const std::exception& e) {
    SendError(res, {500, "internal_error", fmt::format("internal error: {}", e.what())});
  }
}

}  // namespace vsv::server
