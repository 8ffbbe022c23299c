/* http_routes.h: the table of API v1 routes: method, path pattern with
 * {parameters}, handler, and who may call it. Roles are enforced here,
 * once, for every route. */
#ifndef VIGIE_HTTP_ROUTES_H
#define VIGIE_HTTP_ROUTES_H

#include "server/api.h"

enum route_access {
    ACCESS_PUBLIC,  /* no token */
    ACCESS_READ,    /* any role */
    ACCESS_OPERATE, /* operators and admins; supervisors are refused */
    ACCESS_ADMIN,   /* admins only */
    ACCESS_DEVICE,  /* a device's own token, or an AML form authenticated by its HMAC */
};

struct route {
    const char *method;
    const char *pattern;
    api_handler handler;
    enum route_access access;
};

enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_WRONG_METHOD };

/* Finds the route for METHOD PATH, filling the request's parameters; on
 * ROUTE_WRONG_METHOD, `allow` receives the methods the path accepts. */
enum route_match http_routes_find(struct api_request *request, const struct route **out,
                                  char *allow, size_t allow_size);

#endif
