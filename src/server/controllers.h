// Every controller registers its route table on the ApiServer. To add one: write
// src/server/<name>_controller.cc with a `kRoutes` table at the top and thin handlers
// that call measure/report, declare its Register function here, and call it in
// server.cc (BuildServer). See src/server/README.md.
#ifndef VSV_SERVER_CONTROLLERS_H_
#define VSV_SERVER_CONTROLLERS_H_

#include "server/api.h"

namespace vsv::server {

// GET /api/v1/count, /api/v1/trend
void RegisterCountRoutes(ApiServer& api);
// GET /api/v1/regions, /api/v1/regions/{code}, /api/v1/municipalities,
// /api/v1/schools, /api/v1/schools/{brin}
void RegisterAreaRoutes(ApiServer& api);
// GET /api/v1/stock
void RegisterStockRoutes(ApiServer& api);
// POST /api/v1/login, /api/v1/logout, /api/v1/password; GET /api/v1/session (session.cc)
void RegisterSessionRoutes(ApiServer& api);
// /api/v1/cases…, /api/v1/users, /api/v1/audit: the register (cases_controller.cc)
void RegisterCasesRoutes(ApiServer& api);
// /api/v1/programme…, /api/v1/effect-report, /api/v1/cases/{id}/measures|destination
// (programme_controller.cc)
void RegisterProgrammeRoutes(ApiServer& api);
// GET /api/v1/meta, /api/v1/health, /api/openapi.json (register last: it documents
// the routes registered before it)
void RegisterMetaRoutes(ApiServer& api);

}  // namespace vsv::server

#endif  // VSV_SERVER_CONTROLLERS_H_
