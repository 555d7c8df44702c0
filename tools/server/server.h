/* server.h - fcat serve: Feast's feature-server HTTP API (libmicrohttpd)
 * over the applied catalog, as the CLI starts, reloads and stops it. */
#ifndef FCAT_SERVER_H
#define FCAT_SERVER_H

#include "fcat.h"
#include "jwt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct server_config {
	const char *host;   /* address to listen on: "127.0.0.1", "::1", "0.0.0.0" */
	uint16_t port;      /* 6566, Feast's */
	unsigned threads;   /* worker threads of the pool (each runs epoll) */
	size_t max_body;    /* request body limit in bytes: larger gets 413 */
	unsigned timeout_s; /* an idle or stalled connection is closed after this */
	/* Bearer tokens: when set, every request needs a valid JWT and acts
	 * as its `sub`; else every request acts as `principal` */
	const fsrv_jwt_keys *keys;
	const char *principal;   /* without keys: who requests act as; NULL: anonymous */
	const char *access_log;  /* a file to append a JSON line per request to, or NULL */
	const char *cors_origin; /* Access-Control-Allow-Origin of every reply, and
	                            OPTIONS preflights answered; NULL: no CORS */
} server_config;

typedef struct server server;

/* Starts listening and serving `store` (taken over: the server frees it,
 * also on failure) on a pool of threads, with the access log open when
 * configured. On failure writes what failed, naming the address or the
 * log's path, into err and returns -1. */
int server_start(server **out, fcat_store *store, const server_config *config, char *err,
                 size_t errsize);

/* Reloads: opens the store again (fcat_store_reopen: the version applied
 * now, its policies, fcat.yaml; the online store connection is kept) and
 * serves it, with a fresh set cache, to the requests that begin from now;
 * requests in flight finish on the store they began with, freed after the
 * last of them. With `if_applied_changed`, only when the applied commit is
 * not the one served (and not one whose reload failed before): a cheap
 * read of the ref. Call from one thread at a time. Writes one line for the
 * log into msg ("OLD -> NEW", or why it failed) and returns 1 reloaded,
 * 0 nothing to do (msg ""), -1 failed: the old version serves on. */
int server_reload(server *s, bool if_applied_changed, char *msg, size_t msgsize);

/* Stops gracefully: stops accepting, lets the requests in flight finish
 * (at most `drain_s` seconds), stops the threads, writes the rest of the
 * access log (a warning on stderr counts lines it could not write) and
 * frees everything. NULL is a no-op. */
void server_stop(server *s, unsigned drain_s);

#endif
