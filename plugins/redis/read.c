/* read.c - reads: one pipelined GET per key, answered in one round trip
 * (per RS_PIPELINE keys). The replies are kept in the thread's slot and
 * handed out without a copy. */
#include "cluster_ops.h"
#include "redis_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct read_ctx {
	const char *view;
	size_t view_len;
	const fcat_bytes *keys;
	size_t n;
	char *kbuf;
	rs_slot *slot;
} read_ctx;

static int read_on(rs_store *s, redisContext *c, void *arg)
{
	read_ctx *x = arg;
	const char *argv[2] = {"GET", x->kbuf};
	size_t lens[2] = {3, 0};
	rs_slot_release(x->slot);
	for (size_t done = 0; done < x->n;) {
		size_t m = x->n - done < RS_PIPELINE ? x->n - done : RS_PIPELINE;
		for (size_t i = 0; i < m; i++) {
			lens[1] = rs_key(x->kbuf, s, x->keys[done + i], x->view, x->view_len);
			if (redisAppendCommandArgv(c, 2, argv, lens) != REDIS_OK) {
				RS_CONN_POISON(c);
				return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
			}
		}
		for (size_t i = 0; i < m; i++) {
			void *r;
			if (redisGetReply(c, &r) != REDIS_OK)
				return rs_conn_error(s, c, "lost the connection to");
			x->slot->r[x->slot->n++] = r;
		}
		done += m;
	}
	return 0;
}

static int fill(rs_store *s, const rs_slot *slot, const char *view, fcat_bytes *out)
{
	for (size_t i = 0; i < slot->n; i++) {
		const redisReply *r = slot->r[i];
		out[i].ptr = NULL;
		out[i].len = 0;
		if (r->type == REDIS_REPLY_STRING) {
			out[i].ptr = r->str;
			out[i].len = r->len;
		} else if (r->type == REDIS_REPLY_ERROR) {
			char what[256];
			snprintf(what, sizeof what, "reading view '%s'", view);
			return rs_reply_check(s, r, what);
		} else if (r->type != REDIS_REPLY_NIL) {
			return rs_host->error(FCAT_EIO,
			                      "redis: GET of a key of view '%s' on %s"
			                      " answered with reply type %d",
			                      view, s->url.display, r->type);
		}
	}
	return 0;
}

int rs_read(void *store, const char *view, const fcat_bytes *keys, size_t n, fcat_bytes *out)
{
	rs_store *s = store;
	rs_slot *slot = rs_slot_get(s);
	if (!slot)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	if (n == 0)
		return 0;
	int rc = rs_slot_reserve(slot, n);
	if (rc)
		return rc;
	if (s->cluster) {
		rc = rs_cluster_read(s, slot, view, keys, n);
		if (!rc)
			rc = fill(s, slot, view, out);
		if (rc)
			rs_slot_release(slot);
		return rc;
	}
	read_ctx x = {view, strlen(view), keys, n, NULL, slot};
	size_t longest = 0;
	for (size_t i = 0; i < n; i++)
		longest = keys[i].len > longest ? keys[i].len : longest;
	size_t size = rs_key_size(s, longest, x.view_len);
	char stack[512];
	x.kbuf = size <= sizeof stack ? stack : malloc(size);
	if (!x.kbuf)
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	rc = rs_with_conn(s, read_on, &x);
	if (x.kbuf != stack)
		free(x.kbuf);
	if (!rc)
		rc = fill(s, slot, view, out);
	if (rc)
		rs_slot_release(slot);
	return rc;
}
