// The register's user accounts over HTTP: /api/v1/users… (administrator). The store
// authorizes and audits; see cases_controller.cc for the conventions.
#include "server/register_http.h"

namespace vsv::server {

namespace register_http {

namespace {

oj UserJson(const followup::User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"role", std::string(followup::RoleName(u.role))},
          {"region", u.region ? oj(*u.region) : oj(nullptr)},
          {"school", u.school ? oj(*u.school) : oj(nullptr)},
          {"active", u.active}};
}

ApiResult<Reply> HandleUsers(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto users = ctx.store->ListUsers(Ctx(req, nullptr, "gebruikersbeheer"));
  if (!users) return Fail(users.error());
  Reply reply;
  oj list = oj::array();
  for (const followup::User& u : *users) list.push_back(UserJson(u));
  reply.json["users"] = std::move(list);
  return reply;
}

ApiResult<Reply> HandleAddUser(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  followup::NewUser nu;
  BodyFields fields(*body);
  nu.name = fields.Text("name");
  const std::string role_text = fields.Text("role"), school = fields.Text("school"), password = fields.Text("password");
  const std::optional<int> region = fields.Region(ctx, "region");
  if (fields.error()) return tl::unexpected(*fields.error());
  auto role = followup::ParseRole(role_text);
  if (!role) return BadParameter(fmt::format("role: {}", role.error().message));
  nu.role = *role;
  if (region) nu.region = *region;
  if (!school.empty()) nu.school = school;
  auto u = ctx.store->AddUser(Ctx(req, &*body, "gebruikersbeheer"), nu, password);
  if (!u) return Fail(u.error());
  Reply reply;
  reply.status = 201;
  reply.json["user"] = UserJson(*u);
  return reply;
}

ApiResult<Reply> HandleUserActive(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const bool active = fields.Flag("active", false);
  if (fields.error() || !fields.Has("active")) return BadParameter("active: true or false is required");
  auto r = ctx.store->SetUserActive(Ctx(req, &*body, "gebruikersbeheer"), req.PathParam(0), active);
  if (!r) return Fail(r.error());
  Reply reply;
  reply.json = {{"name", req.PathParam(0)}, {"active", active}};
  return reply;
}

ApiResult<Reply> HandleUserPassword(ServerContext& ctx, const ApiRequest& req) {
  if (auto r = NeedSession(ctx, req); !r) return tl::unexpected(r.error());
  auto body = JsonBody(req);
  if (!body) return tl::unexpected(body.error());
  BodyFields fields(*body);
  const std::string password = fields.Text("password");
  if (fields.error()) return tl::unexpected(*fields.error());
  auto r = ctx.store->ResetPassword(Ctx(req, &*body, "gebruikersbeheer"), req.PathParam(0), password);
  if (!r) return Fail(r.error());
  Reply reply;
  reply.json = {{"name", req.PathParam(0)}, {"status", "password-reset"}};
  return reply;
}

}  // namespace

void RegisterUserRoutes(ApiServer& api) {
  constexpr bool kNoCache = false;
  api.AddRoutes({
      {"/api/v1/users", "Users of the register (administrator)", {}, false, HandleUsers, "", kNoCache},
      {"/api/v1/users",
       "Add a user (administrator)",
       {},
       false,
       HandleAddUser,
       "",
       kNoCache,
       "POST",
       false,
       "name, role, region, school, password"},
      {"/api/v1/users/{name}/active",
       "Deactivate or activate a user (administrator); deactivation ends their sessions",
       {},
       false,
       HandleUserActive,
       "Deactivating the own account or the last active administrator is a 409 (code own_account / "
       "last_administrator).",
       kNoCache,
       "POST",
       false,
       "active"},
      {"/api/v1/users/{name}/password",
       "Set a user's password and unlock the account (administrator)",
       {},
       false,
       HandleUserPassword,
       "",
       kNoCache,
       "POST",
       false,
       "password"},
  });
}

}  // namespace register_http

}  // namespace vsv::server
