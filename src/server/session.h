// Login over HTTP: the session cookie, the resolver that turns it into a Principal,
// and the routes POST /api/v1/login, /api/v1/logout, /api/v1/password and
// GET /api/v1/session. Passwords, lockout, expiry and CSRF tokens are followup's
// (CaseStore::Login/Authenticate/Logout/ChangePassword); nothing is decided here.
#ifndef VSV_SERVER_SESSION_H_
#define VSV_SERVER_SESSION_H_

#include <string>

#include "followup/store.h"
#include "server/api.h"
#include "server/principal.h"

namespace vsv::server {

inline constexpr const char* kSessionCookie = "vsv_session";

// The value of cookie `name` in the request's Cookie header(s), or "".
std::string CookieValue(const httplib::Request& req, const std::string& name);

// Reads the session cookie and asks `store` who it belongs to (refreshing its idle
// timer). No cookie, or an unknown or expired session: the public principal.
// `store` must outlive the resolver.
PrincipalResolver SessionResolver(followup::CaseStore& store);

// A store error as the API's error shape: invalid 400, unauthenticated 401,
// forbidden 403, not-found 404, conflict 409 (with the current case in the reply's
// "current", see cases_controller.cc; a refusal by a rule of the register has the
// rule as code: own_account, last_administrator), locked 423, storage 503.
ApiError StoreApiError(const followup::StoreError& e);

// The JSON body of a POST/PATCH; a 400 when it is not a JSON object.
ApiResult<nlohmann::json> JsonBody(const ApiRequest& req);

// 503 when the server runs without --db; 401 without a session.
ApiResult<void> NeedSession(const ServerContext& ctx, const ApiRequest& req);

}  // namespace vsv::server

#endif  // VSV_SERVER_SESSION_H_
