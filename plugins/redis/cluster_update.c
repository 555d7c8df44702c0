/* cluster_update.c - the update slot on a Redis Cluster. A transaction
 * cannot span slots there, so keys go by slot: WATCH/MGET/MULTI/EXEC on the
 * slot's master (update.c's rs_update_on), each slot all or nothing. So that
 * an error of the caller's function still writes nothing, a first pass
 * reads every key (pipelined) and asks the function for every new row
 * before any slot is written; a slot whose rows changed since asks it
 * again. */
#include "cluster.h"
#include "cluster_ops.h"
#include "update.h"

#include <stdlib.h>
#include <string.h>

typedef struct by_slot {
	unsigned slot;
	size_t idx;
} by_slot;

static int cmp_slot(const void *a, const void *b)
{
	const by_slot *x = a, *y = b;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

typedef struct first_pass {
	rs_val *old, *now;
	bool *has;
} first_pass;

static void first_pass_free(first_pass *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f->old)
			rs_val_clear(&f->old[i]);
		if (f->now)
			rs_val_clear(&f->now[i]);
	}
	free(f->old);
	free(f->now);
	free(f->has);
}

/* Reads every key and asks fn for each new row. */
static int ask_all(rs_store *s, rs_upd *u, size_t n, first_pass *f)
{
	const char *argv[2] = {"GET", NULL};
	f->old = calloc(n, sizeof *f->old);
	f->now = calloc(n, sizeof *f->now);
	f->has = calloc(n, sizeof *f->has);
	rs_cmd *cmds = calloc(n, sizeof *cmds);
	const char **argvs = malloc(2 * n * sizeof *argvs);
	size_t *lens = malloc(2 * n * sizeof *lens);
	int rc = 0;
	if (!f->old || !f->now || !f->has || !cmds || !argvs || !lens)
		rc = rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		argvs[2 * i] = argv[0];
		argvs[2 * i + 1] = u->keys[i];
		lens[2 * i] = 3;
		lens[2 * i + 1] = u->klens[i];
		cmds[i].argc = 2;
		cmds[i].argv = &argvs[2 * i];
		cmds[i].lens = &lens[2 * i];
		cmds[i].slot = rs_key_slot(u->keys[i], u->klens[i]);
	}
	if (!rc)
		rc = rs_cluster_run(s, cmds, n, false);
	for (size_t i = 0; !rc && i < n; i++) {
		const redisReply *r = cmds[i].reply;
		fcat_bytes old = {NULL, 0}, now = {NULL, 0};
		if (r->type == REDIS_REPLY_ERROR)
			rc = rs_node_reply_check(cmds[i].to, r, "GET for an update");
		else if (r->type == REDIS_REPLY_STRING)
			old.ptr = r->str, old.len = r->len;
		if (!rc)
			rc = rs_val_set(&f->old[i], old.ptr, old.len);
		f->has[i] = old.ptr != NULL;
		if (!rc)
			rc = u->fn(u->ctx, i, old, &now);
		if (!rc)
			rc = rs_val_set(&f->now[i], now.ptr, now.len);
	}
	for (size_t i = 0; cmds && i < n; i++)
		freeReplyObject(cmds[i].reply);
	free(cmds);
	free(argvs);
	free(lens);
	return rc;
}

/* Updates the keys of one slot on its master. */
static int update_slot(rs_store *s, const rs_upd *u, unsigned slot, const size_t *idx, size_t m)
{
	bool retried = false;
	for (int round = 0; round < RS_REDIRECTS; round++) {
		rs_node *node;
		redisContext *c;
		bool reused, exec_sent;
		int rc = rs_cluster_master(s, slot, &node);
		if (!rc)
			rc = rs_node_get(s, node, &c, &reused);
		if (rc)
			return rc;
		rc = rs_update_on(c, rs_node_name(node), u, idx, m, &exec_sent);
		bool retry = rc < 0 && c->err && reused && !exec_sent && !retried;
		rs_node_put(s, node, c);
		if (rc == RS_UPDATE_MOVED) {
			rs_cluster_count(s, false);
			if ((rc = rs_cluster_refresh(s)))
				return rc;
			continue;
		}
		if (!retry)
			return rc;
		retried = true;
		rs_node_drop_idle(node);
	}
	return rs_host->error(FCAT_EIO,
	                      "redis: slot %u of the cluster is still moving after %d"
	                      " redirections; try again",
	                      slot, RS_REDIRECTS);
}

int rs_cluster_update(rs_store *s, const char *view, const fcat_bytes *keys, size_t n,
                      fcat_update_fn fn, void *ctx)
{
	rs_upd u = {.view = view, .fn = fn, .ctx = ctx};
	first_pass f = {NULL, NULL, NULL};
	by_slot *order = malloc(n * sizeof *order);
	size_t *idx = malloc(n * sizeof *idx);
	int rc = order && idx ? rs_upd_keys(&u, s, view, keys, n)
	                      : rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		order[i].slot = rs_key_slot(u.keys[i], u.klens[i]);
		order[i].idx = i;
	}
	if (!rc)
		qsort(order, n, sizeof *order, cmp_slot);
	if (!rc && order[0].slot != order[n - 1].slot && !(rc = ask_all(s, &u, n, &f))) {
		u.seen_old = f.old;
		u.seen_new = f.now;
		u.seen_has = f.has;
	}
	for (size_t at = 0; !rc && at < n;) {
		size_t m = 0;
		while (at + m < n && order[at + m].slot == order[at].slot) {
			idx[m] = order[at + m].idx;
			m++;
		}
		rc = update_slot(s, &u, order[at].slot, idx, m);
		at += m;
	}
	first_pass_free(&f, f.old ? n : 0);
	rs_upd_keys_free(&u, n);
	free(order);
	free(idx);
	return rc;
}
