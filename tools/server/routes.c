/* routes.c - the server's endpoints by path and method, and the two that
 * answer without the library's help: GET /health and GET /metrics. */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

static const srv_route routes[] = {
    {"/get-online-features", "POST", SRV_EP_ONLINE, srv_handle_online},
    {"/push", "POST", SRV_EP_PUSH, srv_handle_push},
    {"/health", "GET", SRV_EP_HEALTH, srv_handle_health},
    {"/metrics", "GET", SRV_EP_METRICS, srv_handle_metrics},
};

const srv_route *srv_route_find(const char *path)
{
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
		if (!strcmp(routes[i].path, path))
			return &routes[i];
	return NULL;
}

bool srv_route_allows(const srv_route *route, const char *method)
{
	return !strcmp(route->method, method) ||
	       (!strcmp(route->method, "GET") && !strcmp(method, "HEAD"));
}

/* 200 with an empty body, as Feast's Python server answers. */
void srv_handle_health(srv_reply *out, server *s, const srv_request *req)
{
	(void)s;
	(void)req;
	*out = (srv_reply){.status = 200};
}

void srv_handle_metrics(srv_reply *out, server *s, const srv_request *req)
{
	(void)req;
	char *text;
	size_t len;
	if (srv_metrics_render(&text, &len, &s->metrics) != 0) {
		srv_reply_error(out, 500, "/metrics: out of memory");
		return;
	}
	*out = (srv_reply){.status = 200,
	                   .body = text,
	                   .len = len,
	                   .free_body = free,
	                   .content_type = "text/plain; version=0.0.4; charset=utf-8"};
}
