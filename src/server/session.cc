#include "server/session.h"

#include <fmt/format.h>

#include "server/context.h"
#include "server/controllers.h"
#include "server/params.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

ApiResult<void> NeedStore(const ServerContext& ctx) {
  if (!ctx.store) {
    return tl::unexpected(ApiError{503, "no_register",
                                   "this server runs without a register (start vsv serve with --db)"});
  }
  return {};
}

bool SecureRequest(const ServerContext& ctx, const ApiRequest& req) {
  return ctx.tls_proxy || req.http().get_header_value("X-Forwarded-Proto") == "https";
}

std::string SessionCookie(const ServerContext& ctx, const ApiRequest& req, const std::string& value, bool clear) {
  std::string c = fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/", kSessionCookie, value);
  if (clear) c += "; Max-Age=0";
  if (SecureRequest(ctx, req)) c += "; Secure";
  return c;
}

oj UserJson(const followup::User& u) {
  oj j;
  j["name"] = u.name;
  j["role"] = std::string(followup::RoleName(u.role));
  j["region"] = u.region ? oj(*u.region) : oj(nullptr);
  j["school"] = u.school ? oj(*u.school) : oj(nullptr);
  return j;
}

ApiResult<Reply> HandleLogin(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedStore(ctx); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const std::string name = fields.Text("name"), password = fields.Text("password");
  if (fields.error()) return tl::unexpected(*fields.error());
  if (name.empty() || password.empty()) return BadParameter("name and password are required");
  auto s = ctx.store->Login(name, password);
  if (!s) return tl::unexpected(StoreApiError(s.error()));
  Reply reply;
  reply.headers.emplace("Set-Cookie", SessionCookie(ctx, req, s->token, false));
  reply.json["csrf_token"] = s->csrf_token;
  reply.json["user"] = UserJson(s->user);
  reply.json["expires_at"] = s->expires_at;
  return reply;
}

ApiResult<Reply> HandleSession(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  Reply reply;
  reply.json["csrf_token"] = req.principal().csrf_token;
  reply.json["user"] = UserJson(RegisterUser(req.principal()));
  return reply;
}

ApiResult<Reply> HandleLogout(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedStore(ctx); !r) return tl::unexpected(r.error());
  if (auto r = ctx.store->Logout(CookieValue(req.http(), kSessionCookie)); !r) {
    return tl::unexpected(StoreApiError(r.error()));
  }
  Reply reply;
  reply.headers.emplace("Set-Cookie", SessionCookie(ctx, req, "", true));
  reply.json["status"] = "logged-out";
  return reply;
}

ApiResult<Reply> HandlePassword(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedStore(ctx); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const std::string old_pw = fields.Text("old_password"), new_pw = fields.Text("new_password");
  if (fields.error()) return tl::unexpected(*fields.error());
  if (old_pw.empty() || new_pw.empty()) return BadParameter("old_password and new_password are required");
  if (auto r = ctx.store->ChangePassword(CookieValue(req.http(), kSessionCookie), old_pw, new_pw); !r) {
    return tl::unexpected(StoreApiError(r.error()));
  }
  Reply reply;
  reply.json["status"] = "changed";
  return reply;
}

}  // namespace

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    const std::string header = req.get_header_value("Cookie", i);
    size_t pos = 0;
    while (pos < header.size()) {
      size_t end = header.find(';', pos);
      if (end == std::string::npos) end = header.size();
      std::string_view part(header.data() + pos, end - pos);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
        return std::string(part.substr(name.size() + 1));
      }
      pos = end + 1;
    }
  }
  return "";
}

PrincipalResolver SessionResolver(followup::CaseStore& store) {
  return [&store](const httplib::Request& req) -> Principal {
    const std::string token = CookieValue(req, kSessionCookie);
    if (token.empty() || token.size() > 256) return Principal{};
    auto s = store.Authenticate(token);
    if (!s) return Principal{};
    return PrincipalOf(s->user, s->csrf_token);
  };
}

ApiError StoreApiError(const followup::StoreError& e) {
  using followup::Errc;
  switch (e.code) {
    case Errc::kInvalid: return {400, "invalid", e.message};
    case Errc::kNotFound: return {404, "not_found", e.message};
    case Errc::kConflict: return {409, e.reason.empty() ? "conflict" : e.reason, e.message};
    case Errc::kForbidden: return {403, "forbidden", e.message};
    case Errc::kUnauthenticated: return {401, "unauthenticated", e.message};
    case Errc::kLocked: return {423, "locked", e.message};
    case Errc::kStorage: return {503, "storage", e.message};
  }
  return {500, "internal_error", e.message};
}

ApiResult<nlohmann::json> JsonBody(const ApiRequest& req) {
  const std::string& text = req.http().body;
  if (text.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return BadParameter("the request body must be a JSON object");
  return j;
}

ApiResult<void> NeedSession(const ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedStore(ctx); !r) return r;
  if (!req.principal().authenticated()) {
    return tl::unexpected(ApiError{401, "unauthenticated", "log in first: this request needs a session"});
  }
  return {};
}

void RegisterSessionRoutes(ApiServer& api) {
  api.AddRoutes({
      {"/api/v1/login", "Log in: sets the session cookie, returns the CSRF token and the user", {}, false, HandleLogin,
       "Body {\"name\", \"password\"}. Wrong name or password: 401; locked after repeated failures: 423.", false,
       "POST", /*no_session=*/true, "name, password"},
      {"/api/v1/logout", "Log out: ends the session", {}, false, HandleLogout, "", false, "POST", false, ""},
      {"/api/v1/password", "Change the own password (ends the user's other sessions)", {}, false, HandlePassword,
       "", false, "POST", false, "old_password, new_password"},
      {"/api/v1/session", "The logged-in user and the session's CSRF token", {}, false, HandleSession, "", false},
  });
}

}  // namespace vsv::server
