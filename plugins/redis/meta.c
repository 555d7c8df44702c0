/* meta.c - store metadata in the hash "<prefix>:__meta", and dropping a
 * view's keys (SCAN MATCH, then UNLINK in batches). */
#include "cluster_ops.h"
#include "redis_store.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct meta_ctx {
	const char *hash, *key, *value;
	char *buf;
	size_t size;
} meta_ctx;

static int copy_value(rs_store *s, meta_ctx *x, const redisReply *r)
{
	if (r->type == REDIS_REPLY_NIL)
		return rs_host->error(FCAT_ENOTFOUND, "redis: no metadata '%s' in %s", x->key,
		                      s->url.display);
	if (r->type != REDIS_REPLY_STRING)
		return rs_host->error(FCAT_EIO, "redis: metadata '%s' in %s: unexpected reply",
		                      x->key, s->url.display);
	if (r->len >= x->size || r->len > INT_MAX)
		return rs_host->error(FCAT_EINVALID,
		                      "redis: metadata '%s' has %zu bytes, more"
		                      " than the buffer of %zu holds",
		                      x->key, (size_t)r->len, x->size);
	memcpy(x->buf, r->str, r->len);
	x->buf[r->len] = '\0';
	return (int)r->len;
}

static int get_on(rs_store *s, redisContext *c, void *arg)
{
	meta_ctx *x = arg;
	const char *argv[] = {"HGET", x->hash, x->key};
	redisReply *r = redisCommandArgv(c, 3, argv, NULL);
	if (!r)
		return rs_conn_error(s, c, "lost the connection to");
	int rc = rs_reply_check(s, r, "HGET of the metadata");
	if (!rc)
		rc = copy_value(s, x, r);
	freeReplyObject(r);
	return rc;
}

static int set_on(rs_store *s, redisContext *c, void *arg)
{
	meta_ctx *x = arg;
	const char *argv[] = {"HSET", x->hash, x->key, x->value};
	redisReply *r = redisCommandArgv(c, 4, argv, NULL);
	if (!r)
		return rs_conn_error(s, c, "lost the connection to");
	int rc = rs_reply_check(s, r, "HSET of the metadata");
	freeReplyObject(r);
	return rc;
}

static int meta_run(rs_store *s, rs_conn_fn fn, meta_ctx *x)
{
	char *hash = rs_meta_key(s);
	if (!hash)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	x->hash = hash;
	int rc;
	if (!s->cluster) {
		rc = rs_with_conn(s, fn, x);
	} else if (x->value) {
		rc = rs_cluster_meta_set(s, hash, x->key, x->value);
	} else {
		redisReply *r;
		rc = rs_cluster_meta_get(s, hash, x->key, &r);
		if (!rc)
			rc = copy_value(s, x, r);
		freeReplyObject(r);
	}
	free(hash);
	return rc;
}

int rs_meta_get(void *store, const char *key, char *buf, size_t size)
{
	meta_ctx x = {NULL, key, NULL, buf, size};
	return meta_run(store, get_on, &x);
}

int rs_meta_set(void *store, const char *key, const char *value)
{
	meta_ctx x = {NULL, key, value, NULL, 0};
	return meta_run(store, set_on, &x);
}

/* Unlinks the keys of one SCAN page that belong to the view. */
static int unlink_page(rs_store *s, redisContext *c, const redisReply *keys, const char *view)
{
	const char **argv = malloc((keys->elements + 1) * sizeof *argv);
	size_t *lens = malloc((keys->elements + 1) * sizeof *lens);
	int argc = 1, rc = 0;
	if (!argv || !lens) {
		rc = rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		goto out;
	}
	argv[0] = "UNLINK";
	lens[0] = 6;
	for (size_t i = 0; i < keys->elements; i++) {
		const redisReply *k = keys->element[i];
		if (k->type == REDIS_REPLY_STRING && rs_key_is_view(s, k->str, k->len, view)) {
			argv[argc] = k->str;
			lens[argc++] = k->len;
		}
	}
	if (argc > 1) {
		redisReply *r = redisCommandArgv(c, argc, argv, lens);
		if (!r) {
			rc = rs_conn_error(s, c, "lost the connection to");
			goto out;
		}
		rc = rs_reply_check(s, r, "UNLINK");
		freeReplyObject(r);
	}
out:
	free(argv);
	free(lens);
	return rc;
}

typedef struct drop_ctx {
	const char *view;
	char *pattern;
} drop_ctx;

static int drop_on(rs_store *s, redisContext *c, void *arg)
{
	drop_ctx *x = arg;
	char cursor[32] = "0";
	do {
		const char *argv[] = {"SCAN", cursor, "MATCH", x->pattern, "COUNT", "1000"};
		redisReply *r = redisCommandArgv(c, 6, argv, NULL);
		if (!r)
			return rs_conn_error(s, c, "lost the connection to");
		int rc = rs_reply_check(s, r, "SCAN");
		if (!rc && (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		            r->element[0]->type != REDIS_REPLY_STRING ||
		            r->element[0]->len >= sizeof cursor ||
		            r->element[1]->type != REDIS_REPLY_ARRAY))
			rc = rs_host->error(FCAT_EIO, "redis: SCAN on %s: unexpected reply",
			                    s->url.display);
		if (!rc) {
			memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
			rc = unlink_page(s, c, r->element[1], x->view);
		}
		freeReplyObject(r);
		if (rc)
			return rc;
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

int rs_drop_view(void *store, const char *view)
{
	rs_store *s = store;
	drop_ctx x = {view, rs_view_pattern(s, view)};
	if (!x.pattern)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	int rc =
	    s->cluster ? rs_cluster_drop_view(s, view, x.pattern) : rs_with_conn(s, drop_on, &x);
	free(x.pattern);
	return rc;
}
