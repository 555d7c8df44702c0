/* server_int.h - what the parts of the HTTP server share: the server, a
 * request as the handlers see it, a reply, the endpoints. */
#ifndef FCAT_SERVER_INT_H
#define FCAT_SERVER_INT_H

#include "access_log.h"
#include "generation.h"
#include "metrics.h"
#include "server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct MHD_Daemon;
struct MHD_Connection;

struct server {
	srv_gens gens; /* the store and set cache new requests begin on */
	server_config config;
	struct MHD_Daemon *daemon;
	char failed[41];             /* an applied commit whose reload failed: not retried
	                                by polling (SIGHUP retries) */
	srv_metrics metrics;         /* atomic counters */
	pthread_key_t result_key;    /* one fcat_online_result per thread */
	atomic_uint_fast64_t active; /* requests begun and not completed */
	srv_access_log *access;      /* NULL: no access log */
};

/* A request as a handler sees it: the whole body, who asks, and the
 * generation (store, sets) it began on, held until it completes. */
typedef struct srv_request {
	srv_gen *gen;
	const char *body;
	size_t len;
	const char *principal;     /* NULL: the store's (anonymous) */
	const char *const *groups; /* the groups the token vouches for */
	size_t ngroups;
	srv_line *detail; /* with an access log: members the handler adds to the
	                     request's line (",\"features\":[...]"); else NULL */
} srv_request;

/* What a handler answers. body NULL is an empty body. */
typedef struct srv_reply {
	unsigned status;
	char *body;
	size_t len;
	void (*free_body)(void *); /* free, fcat_free, or NULL for static text */
	const char *content_type;  /* NULL: application/json */
	const char *allow;         /* the Allow header of a 405 */
	bool preflight;            /* a CORS preflight: the Access-Control-Allow-*
	                              headers of the route's method */
} srv_reply;

typedef void (*srv_handler)(srv_reply *out, server *s, const srv_request *req);

typedef struct srv_route {
	const char *path;
	const char *method; /* "GET" also answers HEAD */
	srv_endpoint endpoint;
	srv_handler handle;
} srv_route;

/* routes.c: the route of a path, NULL for an unknown path; whether it
 * takes a method. */
const srv_route *srv_route_find(const char *path);
bool srv_route_allows(const srv_route *route, const char *method);

/* reply.c: an error reply, {"error":"...","status_code":N} like Feast's Go
 * server; the HTTP status of an fcat error code (ENOTFOUND 404, EINVALID
 * and EUSAGE 400, EDENIED 403, anything else 500); an error reply with
 * fcat_error_last() as its message and `status`, or 0 for the code's. */
void srv_reply_error(srv_reply *out, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned srv_status_of(int rc);
void srv_reply_fcat_error(srv_reply *out, int rc, unsigned status);

/* principal.c: who a request acts as, written into buf, and the groups its
 * token vouches for in groups->groups (the caller frees them with
 * fsrv_jwt_claims_free; none without a token). Returns 0, or fills
 * `reject` (401 once tokens are checked) and returns -1. The one place
 * where a verified token's principal plugs in. */
int srv_principal_of(char *buf, size_t size, fsrv_jwt_claims *groups, srv_reply *reject,
                     const server *s, struct MHD_Connection *connection);

/* The handlers: online.c, push.c, routes.c (health, metrics). */
void srv_handle_online(srv_reply *out, server *s, const srv_request *req);
void srv_handle_push(srv_reply *out, server *s, const srv_request *req);
void srv_handle_health(srv_reply *out, server *s, const srv_request *req);
void srv_handle_metrics(srv_reply *out, server *s, const srv_request *req);

#endif
