/* server.h - fcat serve: Feast's feature-server HTTP API (libmicrohttpd)
 * over one open store, as the CLI starts and stops it. */
#ifndef FCAT_SERVER_H
#define FCAT_SERVER_H

#include "fcat.h"
#include "jwt.h"

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
	const char *principal; /* without keys: who requests act as; NULL: anonymous */
} server_config;

typedef struct server server;

/* Starts listening and serving `store` (borrowed: it must outlive the
 * server) on a pool of threads. On failure writes what failed, naming the
 * address, into err and returns -1. */
int server_start(server **out, fcat_store *store, const server_config *config, char *err,
                 size_t errsize);

/* Stops gracefully: stops accepting, lets the requests in flight finish
 * (at most `drain_s` seconds), stops the threads and frees everything. NULL
 * is a no-op. */
void server_stop(server *s, unsigned drain_s);

#endif
