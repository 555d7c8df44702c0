/* update.h - read-modify-write on one connection (WATCH, MGET, the
 * caller's function, MULTI/SET/EXEC, again while EXEC finds a key
 * changed), shared by one server (update.c) and the cluster's slots
 * (cluster_update.c). */
#ifndef FCAT_REDIS_UPDATE_H
#define FCAT_REDIS_UPDATE_H

#include "redis_store.h"

/* Optimistic attempts before an update gives up (FCAT_ETIMEOUT). */
#define RS_UPDATE_TRIES 1000
/* What rs_update_on returns when the node redirected (MOVED, ASK): the
 * caller routes the keys again. Positive: never an error code. */
#define RS_UPDATE_MOVED 1

/* A row copied out of fn's answer or a reply. */
typedef struct rs_val {
	char *ptr; /* malloc'd; NULL: no row (old) or leave the key (new) */
	size_t len;
} rs_val;

typedef struct rs_upd {
	const char *view;
	fcat_update_fn fn;
	void *ctx;
	char **keys; /* the n key names */
	size_t *klens;
	/* When set (a cluster's first pass): per key, the row fn saw and what
	 * it answered; reused while the stored row is still that one. */
	const rs_val *seen_old, *seen_new;
	const bool *seen_has; /* whether seen_old is a row */
} rs_upd;

/* Updates keys idx[0..m) on c; `where` names the server in messages.
 * 0, an error code, or RS_UPDATE_MOVED (nothing written). *exec_sent
 * tells whether an EXEC went out (a lost connection then leaves the
 * outcome unknown: not to be tried again). */
int rs_update_on(redisContext *c, const char *where, const rs_upd *u, const size_t *idx, size_t m,
                 bool *exec_sent);

/* Copies fn's answer (or a reply) into v, which it frees first. */
int rs_val_set(rs_val *v, const char *ptr, size_t len);
void rs_val_clear(rs_val *v);

/* The n key names of the view (u->keys, u->klens); free with
 * rs_upd_keys_free. */
int rs_upd_keys(rs_upd *u, const rs_store *s, const char *view, const fcat_bytes *keys, size_t n);
void rs_upd_keys_free(rs_upd *u, size_t n);

#endif
