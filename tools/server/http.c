/* http.c - the libmicrohttpd glue: a pool of threads each running epoll,
 * the body collected up to the limit, the route's handler called once the
 * body is whole, its reply sent, counted and logged (the access log), CORS
 * when configured; each request holds the generation it began on until it
 * completes; start and graceful stop. */
#include "server_int.h"

#include <microhttpd.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One request on a connection, from its headers to its completion. */
typedef struct conn_req {
	srv_gen *gen; /* a reference, dropped at completion */
	uint64_t start_us;
	const srv_route *route;
	char *body;
	size_t len, cap;
	bool too_large; /* the body passed the limit: the rest is discarded */
	bool answered;  /* a reply is queued */
} conn_req;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* What the access log needs of a request beside its reply. */
typedef struct req_info {
	const char *method, *url;
	const char *principal; /* NULL: not known (refused before, or not asked) */
	const srv_line *detail;
} req_info;

/* The CORS headers: the allowed origin on every reply, and a preflight's
 * methods and headers. */
static void add_cors(struct MHD_Response *resp, const server *s, const conn_req *r,
                     const srv_reply *rep)
{
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", s->config.cors_origin);
	if (strcmp(s->config.cors_origin, "*") != 0)
		MHD_add_response_header(resp, "Vary", "Origin");
	if (!rep->preflight)
		return;
	MHD_add_response_header(resp, "Access-Control-Allow-Methods",
	                        !strcmp(r->route->method, "GET") ? "GET, HEAD, OPTIONS"
	                                                         : "POST, OPTIONS");
	MHD_add_response_header(resp, "Access-Control-Allow-Headers",
	                        "Authorization, Content-Type");
	MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
}

/* Sends the reply, counts and logs it, and releases its body. */
static enum MHD_Result send_reply(server *s, struct MHD_Connection *c, conn_req *r, srv_reply *rep,
                                  const req_info *info)
{
	r->answered = true;
	struct MHD_Response *resp;
	if (!rep->body)
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	else if (!rep->free_body)
		resp = MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer_with_free_callback(rep->len, rep->body,
		                                                          rep->free_body);
	if (!resp) {
		if (rep->free_body)
			rep->free_body(rep->body);
		return MHD_NO;
	}
	if (rep->body)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        rep->content_type ? rep->content_type : "application/json");
	if (rep->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (s->config.cors_origin)
		add_cors(resp, s, r, rep);
	enum MHD_Result ok = MHD_queue_response(c, rep->status, resp);
	MHD_destroy_response(resp);
	uint64_t took = now_us() - r->start_us;
	srv_metrics_record(&s->metrics, r->route ? r->route->endpoint : SRV_EP_OTHER, rep->status,
	                   took);
	if (s->access) {
		srv_access a = {.principal = info->principal,
		                .method = info->method,
		                .path = info->url,
		                .status = rep->status,
		                .latency_us = took,
		                .detail = info->detail ? info->detail->p : NULL,
		                .detail_len = info->detail ? info->detail->len : 0};
		srv_access_log_record(s->access, &a);
	}
	return ok;
}

/* Checks what the headers tell: the path, the method, a Content-Length
 * over the limit. Fills rep and returns true to answer at once. */
static bool refuse_early(srv_reply *rep, server *s, struct MHD_Connection *c, conn_req *r,
                         const char *url, const char *method)
{
	if (!r->route) {
		srv_reply_error(rep, 404,
		                "no endpoint %s (fcat serves POST /get-online-features, "
		                "POST /push, GET /health, GET /metrics)",
		                url);
		return true;
	}
	if (s->config.cors_origin && !strcmp(method, "OPTIONS")) {
		*rep = (srv_reply){.status = 204, .preflight = true};
		return true;
	}
	if (!srv_route_allows(r->route, method)) {
		srv_reply_error(rep, 405, "%s takes %s, not %s", r->route->path, r->route->method,
		                method);
		rep->allow = !strcmp(r->route->method, "GET") ? "GET, HEAD" : r->route->method;
		return true;
	}
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > s->config.max_body) {
		srv_reply_error(rep, 413, "%s: the body of %s bytes is over the limit of %zu bytes",
		                r->route->path, cl, s->config.max_body);
		return true;
	}
	return false;
}

/* Appends upload data, up to the limit; past it, marks the request. */
static int append_body(conn_req *r, const char *data, size_t n, size_t max)
{
	if (r->too_large || r->len + n > max) {
		r->too_large = true;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + n + 1)
			cap *= 2;
		char *b = realloc(r->body, cap);
		if (!b)
			return -1;
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)version;
	server *s = cls;
	conn_req *r = *con_cls;
	srv_reply rep;
	req_info info = {.method = method, .url = url};
	if (!r) { /* the headers are in */
		if (!(r = calloc(1, sizeof *r)))
			return MHD_NO;
		r->start_us = now_us();
		r->route = srv_route_find(url);
		r->gen = srv_gens_acquire(&s->gens);
		*con_cls = r;
		atomic_fetch_add(&s->active, 1);
		if (refuse_early(&rep, s, c, r, url, method))
			return send_reply(s, c, r, &rep, &info);
		return MHD_YES;
	}
	if (r->answered) { /* refused early: drop the body */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (append_body(r, upload, *upload_size, s->config.max_body) != 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_large) {
		srv_reply_error(&rep, 413, "%s: the body is over the limit of %zu bytes",
		                r->route->path, s->config.max_body);
		return send_reply(s, c, r, &rep, &info);
	}
	/* data needs a caller; /health and /metrics answer anyone (probes) */
	char principal[FSRV_JWT_MAX_NAME + 1] = "";
	fsrv_jwt_claims groups = {0};
	bool data = r->route->endpoint == SRV_EP_ONLINE || r->route->endpoint == SRV_EP_PUSH;
	if (data && srv_principal_of(principal, sizeof principal, &groups, &rep, s, c) != 0)
		return send_reply(s, c, r, &rep, &info);
	if (data)
		info.principal = principal[0] ? principal : "anonymous";
	char detail_buf[3072];
	srv_line detail = {.p = detail_buf, .cap = sizeof detail_buf};
	srv_request req = {.gen = r->gen,
	                   .body = r->body ? r->body : "",
	                   .len = r->len,
	                   .principal = principal[0] ? principal : NULL,
	                   .groups = (const char *const *)groups.groups,
	                   .ngroups = groups.ngroups,
	                   .detail = s->access ? &detail : NULL};
	r->route->handle(&rep, s, &req);
	fsrv_jwt_claims_free(&groups);
	info.detail = detail.full ? NULL : &detail;
	return send_reply(s, c, r, &rep, &info);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)c;
	(void)toe;
	server *s = cls;
	conn_req *r = *con_cls;
	if (!r)
		return;
	srv_gen_release(r->gen); /* the last request of a replaced one frees it */
	free(r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
}

static void free_result(void *res)
{
	fcat_online_result_free(res);
}

static void server_free(server *s)
{
	if (!s)
		return;
	srv_gens_destroy(&s->gens);
	pthread_key_delete(s->result_key);
	srv_access_stats st;
	const char *path = s->access ? srv_access_log_path(s->access) : NULL;
	char *saved = path ? strdup(path) : NULL;
	srv_access_log_close(s->access, &st);
	if (st.dropped || st.failed)
		fprintf(stderr,
		        "fcat serve: warning: access log %s: %llu lines dropped (the queue was "
		        "full), %llu not written%s%s%s\n",
		        saved ? saved : "", (unsigned long long)st.dropped,
		        (unsigned long long)st.failed, st.last_errno ? " (last error: " : "",
		        st.last_errno ? strerror(st.last_errno) : "", st.last_errno ? ")" : "");
	free(saved);
	free(s);
}

int server_start(server **out, fcat_store *store, const server_config *cfg, char *err,
                 size_t errsize)
{
	*out = NULL;
	char port[16];
	snprintf(port, sizeof port, "%u", cfg->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
	                *ai;
	int gai = getaddrinfo(cfg->host, port, &hints, &ai);
	if (gai != 0) {
		snprintf(err, errsize, "--host %s: %s", cfg->host, gai_strerror(gai));
		fcat_store_free(store);
		return -1;
	}
	server *s = calloc(1, sizeof *s);
	srv_gen *first = NULL;
	if (!s || srv_gen_new(&first, store) != 0 ||
	    pthread_key_create(&s->result_key, free_result) != 0) {
		srv_gen_release(first);
		free(s);
		freeaddrinfo(ai);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	srv_gens_init(&s->gens, first);
	s->config = *cfg;
	if (cfg->access_log && srv_access_log_open(&s->access, cfg->access_log, err, errsize)) {
		freeaddrinfo(ai);
		server_free(s);
		return -1;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	errno = 0;
	s->daemon =
	    MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
	                     ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	int e = errno;
	freeaddrinfo(ai);
	if (!s->daemon) {
		snprintf(err, errsize, "cannot listen on %s port %u%s%s", cfg->host, cfg->port,
		         e ? ": " : "", e ? strerror(e) : "");
		server_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void server_stop(server *s, unsigned drain_s)
{
	if (!s)
		return;
	MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
	uint64_t deadline = now_us() + (uint64_t)drain_s * 1000000u;
	while (atomic_load(&s->active) > 0 && now_us() < deadline) {
		struct timespec pause = {0, 5 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	MHD_stop_daemon(s->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	server_free(s);
}
