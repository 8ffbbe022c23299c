/* http_server.h: vigied's HTTP listener (libmicrohttpd, epoll with a
 * thread pool, suspend/resume for the event stream). */
#ifndef VIGIE_HTTP_SERVER_H
#define VIGIE_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "server/api.h"

struct http_server;

int http_server_start(struct api_context *api, const char *listen, struct http_server **out,
                      char *error, size_t error_size);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *server);
bool http_server_uses_tls(const struct http_server *server);
void http_server_stop(struct http_server *server);

#endif
