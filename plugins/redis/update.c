/* update.c - the update slot (read-modify-write) on one server: WATCH the
 * keys, MGET them, ask the caller's function for each new row, then
 * MULTI/SET.../EXEC; EXEC answers nil when another client wrote a watched
 * key in between, and the whole round runs again on the newer rows. So
 * the call is all or nothing, and no other write falls between a key's
 * read and its write. */
#include "cluster_ops.h"
#include "update.h"

#include <stdlib.h>
#include <string.h>

int rs_val_set(rs_val *v, const char *ptr, size_t len)
{
	rs_val_clear(v);
	if (!ptr)
		return 0;
	if (!(v->ptr = malloc(len ? len : 1)))
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	memcpy(v->ptr, ptr, len);
	v->len = len;
	return 0;
}

void rs_val_clear(rs_val *v)
{
	free(v->ptr);
	v->ptr = NULL;
	v->len = 0;
}

int rs_upd_keys(rs_upd *u, const rs_store *s, const char *view, const fcat_bytes *keys, size_t n)
{
	size_t view_len = strlen(view);
	u->keys = calloc(n, sizeof *u->keys);
	u->klens = calloc(n, sizeof *u->klens);
	if (!u->keys || !u->klens)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t i = 0; i < n; i++) {
		if (keys[i].len && !keys[i].ptr)
			return rs_host->error(FCAT_EINVALID,
			                      "redis: update of view '%s': key %zu"
			                      " has no bytes",
			                      view, i);
		if (!(u->keys[i] = malloc(rs_key_size(s, keys[i].len, view_len))))
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		u->klens[i] = rs_key(u->keys[i], s, keys[i], view, view_len);
	}
	return 0;
}

void rs_upd_keys_free(rs_upd *u, size_t n)
{
	for (size_t i = 0; u->keys && i < n; i++)
		free(u->keys[i]);
	free(u->keys);
	free(u->klens);
}

static bool is_redirect(const redisReply *r)
{
	return r->type == REDIS_REPLY_ERROR &&
	       (!strncmp(r->str, "MOVED ", 6) || !strncmp(r->str, "ASK ", 4));
}

/* WATCH (or MGET) of the keys idx[0..m). */
static redisReply *keys_command(redisContext *c, const char *name, const rs_upd *u,
                                const size_t *idx, size_t m)
{
	const char **argv = malloc((m + 1) * sizeof *argv);
	size_t *lens = malloc((m + 1) * sizeof *lens);
	redisReply *r = NULL;
	if (argv && lens) {
		argv[0] = name;
		lens[0] = strlen(name);
		for (size_t i = 0; i < m; i++) {
			argv[i + 1] = u->keys[idx[i]];
			lens[i + 1] = u->klens[idx[i]];
		}
		r = redisCommandArgv(c, (int)(m + 1), argv, lens);
	} else {
		RS_CONN_POISON(c);
	}
	free(argv);
	free(lens);
	return r;
}

static int lost(redisContext *c, const char *where)
{
	if (c->err == REDIS_ERR_OOM)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	return rs_host->error(FCAT_EIO, "redis: lost the connection to %s: %s", where,
	                      c->errstr[0] ? c->errstr : "connection failed");
}

static void unwatch(redisContext *c)
{
	redisReply *r = redisCommand(c, "UNWATCH");
	if (!r)
		RS_CONN_POISON(c);
	freeReplyObject(r);
}

/* The new rows: fn's answers on the rows of the MGET reply. */
static int new_rows(const rs_upd *u, const redisReply *got, const size_t *idx, size_t m,
                    rs_val *out, size_t *nset)
{
	*nset = 0;
	for (size_t i = 0; i < m; i++) {
		const redisReply *e = got->element[i];
		fcat_bytes old = {NULL, 0}, now = {NULL, 0};
		if (e->type == REDIS_REPLY_STRING)
			old.ptr = e->str, old.len = e->len;
		size_t k = idx[i];
		int rc = 0;
		if (u->seen_old && u->seen_has[k] == (old.ptr != NULL) &&
		    (!old.ptr || (u->seen_old[k].len == old.len &&
		                  !memcmp(u->seen_old[k].ptr, old.ptr, old.len)))) {
			rc = rs_val_set(&out[i], u->seen_new[k].ptr, u->seen_new[k].len);
		} else {
			if ((rc = u->fn(u->ctx, k, old, &now)))
				return rc;
			rc = rs_val_set(&out[i], now.ptr, now.len);
		}
		if (rc)
			return rc;
		*nset += out[i].ptr != NULL;
	}
	return 0;
}

/* MULTI, the SETs, EXEC: 1 when EXEC ran them, 0 when a watched key had
 * changed (nothing written), or an error. */
static int commit(redisContext *c, const char *where, const rs_upd *u, const size_t *idx, size_t m,
                  const rs_val *rows, size_t nset, bool *exec_sent)
{
	if (redisAppendCommand(c, "MULTI") != REDIS_OK)
		goto oom;
	for (size_t i = 0; i < m; i++) {
		if (!rows[i].ptr)
			continue;
		const char *argv[] = {"SET", u->keys[idx[i]], rows[i].ptr};
		size_t lens[] = {3, u->klens[idx[i]], rows[i].len};
		if (redisAppendCommandArgv(c, 3, argv, lens) != REDIS_OK)
			goto oom;
	}
	if (redisAppendCommand(c, "EXEC") != REDIS_OK)
		goto oom;
	*exec_sent = true;
	int rc = 0;
	for (size_t i = 0; i < nset + 2; i++) {
		redisReply *r;
		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			lost(c, where);
			return rs_host->error(FCAT_EIO,
			                      "redis: update of view '%s': %s; it may or may not"
			                      " have been applied",
			                      u->view, rs_host->error_last());
		}
		if (r->type == REDIS_REPLY_ERROR && !rc)
			rc = rs_host->error(FCAT_EIO, "redis: update of view '%s' on %s: %.*s",
			                    u->view, where, (int)r->len, r->str);
		else if (i == nset + 1 && !rc)
			rc = r->type == REDIS_REPLY_ARRAY ? 1 : 0; /* nil: a key changed */
		freeReplyObject(r);
	}
	return rc;
oom:
	RS_CONN_POISON(c);
	return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
}

/* One attempt: 1 done, 0 again, RS_UPDATE_MOVED, or an error. */
static int attempt(redisContext *c, const char *where, const rs_upd *u, const size_t *idx, size_t m,
                   rs_val *rows, bool *exec_sent)
{
	redisReply *w = keys_command(c, "WATCH", u, idx, m);
	if (!w)
		return lost(c, where);
	int rc = is_redirect(w) ? RS_UPDATE_MOVED : 0;
	if (!rc && w->type == REDIS_REPLY_ERROR)
		rc = rs_host->error(FCAT_EIO, "redis: WATCH for an update of view '%s' on %s: %.*s",
		                    u->view, where, (int)w->len, w->str);
	freeReplyObject(w);
	if (rc)
		return rc;
	redisReply *got = keys_command(c, "MGET", u, idx, m);
	if (!got)
		return lost(c, where);
	size_t nset = 0;
	if (is_redirect(got))
		rc = RS_UPDATE_MOVED;
	else if (got->type != REDIS_REPLY_ARRAY || got->elements != m)
		rc = rs_host->error(FCAT_EIO,
		                    "redis: MGET for an update of view '%s' on %s: %s%.*s", u->view,
		                    where, got->type == REDIS_REPLY_ERROR ? "" : "unexpected reply",
		                    got->type == REDIS_REPLY_ERROR ? (int)got->len : 0,
		                    got->type == REDIS_REPLY_ERROR ? got->str : "");
	else
		rc = new_rows(u, got, idx, m, rows, &nset);
	freeReplyObject(got);
	if (rc || !nset) {
		unwatch(c);
		return rc ? rc : 1;
	}
	return commit(c, where, u, idx, m, rows, nset, exec_sent);
}

int rs_update_on(redisContext *c, const char *where, const rs_upd *u, const size_t *idx, size_t m,
                 bool *exec_sent)
{
	*exec_sent = false;
	rs_val *rows = calloc(m ? m : 1, sizeof *rows);
	if (!rows)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	int rc = 0;
	for (int tries = 0; !rc; tries++) {
		if (tries == RS_UPDATE_TRIES) {
			rc =
			    rs_host->error(FCAT_ETIMEOUT,
			                   "redis: update of view '%s' on %s: other writers changed"
			                   " its keys %d times in a row",
			                   u->view, where, RS_UPDATE_TRIES);
			break;
		}
		rc = attempt(c, where, u, idx, m, rows, exec_sent);
		for (size_t i = 0; i < m; i++)
			rs_val_clear(&rows[i]);
	}
	free(rows);
	return rc == 1 ? 0 : rc;
}

/* Like rs_with_conn, but a connection lost once EXEC was sent is not
 * tried again: the update may have been applied, and fn need not be
 * idempotent. */
static int update_single(rs_store *s, const rs_upd *u, const size_t *idx, size_t n)
{
	for (int again = 0;; again++) {
		redisContext *c;
		bool reused, exec_sent;
		int rc = rs_conn_get(s, &c, &reused);
		if (rc)
			return rc;
		rc = rs_update_on(c, s->url.display, u, idx, n, &exec_sent);
		if (rc == RS_UPDATE_MOVED)
			rc = rs_host->error(FCAT_EIO,
			                    "redis: %s answered MOVED: it is a Redis Cluster; set"
			                    " the cluster setting instead of url",
			                    s->url.display);
		bool retry = rc && c->err && reused && !exec_sent && again == 0;
		rs_conn_put(s, c);
		if (!retry)
			return rc;
	}
}

int rs_update(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_update_fn fn,
              void *ctx)
{
	rs_store *s = store;
	if (n == 0)
		return 0;
	if (!fn)
		return rs_host->error(FCAT_EINVALID,
		                      "redis: update of view '%s' without a function", view);
	if (s->cluster)
		return rs_cluster_update(s, view, keys, n, fn, ctx);
	rs_upd u = {.view = view, .fn = fn, .ctx = ctx};
	size_t *idx = malloc(n * sizeof *idx);
	int rc = idx ? rs_upd_keys(&u, s, view, keys, n)
	             : rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t i = 0; !rc && i < n; i++)
		idx[i] = i;
	if (!rc)
		rc = update_single(s, &u, idx, n);
	rs_upd_keys_free(&u, n);
	free(idx);
	return rc;
}
