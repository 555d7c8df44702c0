/* cluster_run.c - runs single-key commands on a Redis Cluster: grouped by
 * the node of their slot, pipelined (every node written to before any is
 * read, so one call costs one round trip per node), following MOVED and
 * ASK redirections. */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct group {
	rs_node *node;
	redisContext *c;
	bool reused, failed;
} group;

typedef struct run {
	rs_store *s;
	rs_cmd *cmds;
	size_t *pending, npending; /* indexes into cmds */
	size_t *next, nnext;
	size_t *gof; /* the group of each pending command, by position */
	group *groups;
	size_t ngroups;
	bool moved, tryagain, retried;
} run;

/* "MOVED 3999 127.0.0.1:6381": the node it names. */
static int redirect_target(run *x, const redisReply *r, size_t skip, rs_node **out)
{
	const char *p = r->str + skip, *end = r->str + r->len;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p >= end || *p != ' ')
		return -1;
	const char *addr = ++p, *colon = NULL;
	for (; p < end; p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == addr || colon + 1 == end || end - colon > 6)
		return -1;
	int port = 0;
	for (const char *q = colon + 1; q < end; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		port = port * 10 + (*q - '0');
	}
	if (port < 1 || port > 65535)
		return -1;
	return rs_cluster_node(x->s, addr, (size_t)(colon - addr), port, out);
}

static size_t group_of(run *x, rs_node *node)
{
	for (size_t g = 0; g < x->ngroups; g++)
		if (x->groups[g].node == node)
			return g;
	x->groups[x->ngroups].node = node;
	x->groups[x->ngroups].c = NULL;
	x->groups[x->ngroups].failed = false;
	return x->ngroups++;
}

/* Routes and groups the pending commands, and writes each group's. */
static int send_round(run *x, bool replicas)
{
	x->ngroups = 0;
	for (size_t k = 0; k < x->npending; k++) {
		rs_cmd *cmd = &x->cmds[x->pending[k]];
		if (!cmd->to) {
			int rc = rs_cluster_route(x->s, cmd->slot, replicas, &cmd->to);
			if (rc)
				return rc;
		}
		x->gof[k] = group_of(x, cmd->to);
	}
	for (size_t g = 0; g < x->ngroups; g++) {
		group *gr = &x->groups[g];
		int rc = rs_node_get(x->s, gr->node, &gr->c, &gr->reused);
		if (rc)
			return rc;
		for (size_t k = 0; k < x->npending; k++) {
			rs_cmd *cmd = &x->cmds[x->pending[k]];
			if (x->gof[k] != g)
				continue;
			if ((cmd->asking && redisAppendCommand(gr->c, "ASKING") != REDIS_OK) ||
			    redisAppendCommandArgv(gr->c, cmd->argc, cmd->argv, cmd->lens) !=
			        REDIS_OK) {
				RS_CONN_POISON(gr->c);
				return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
			}
		}
		int done = 0;
		while (!done)
			if (redisBufferWrite(gr->c, &done) != REDIS_OK) {
				gr->failed = true;
				break;
			}
	}
	return 0;
}

/* Reads one command's answer; keeps it or notes where it goes next. */
static int take_reply(run *x, rs_cmd *cmd, size_t idx, redisReply *r)
{
	bool moved = r->type == REDIS_REPLY_ERROR && r->len > 6 && !memcmp(r->str, "MOVED ", 6);
	bool ask = r->type == REDIS_REPLY_ERROR && r->len > 4 && !memcmp(r->str, "ASK ", 4);
	bool again = r->type == REDIS_REPLY_ERROR && r->len >= 8 && !memcmp(r->str, "TRYAGAIN", 8);
	if (!moved && !ask && !again) {
		cmd->reply = r;
		return 0;
	}
	rs_node *to = NULL;
	int rc = 0;
	if ((moved || ask) && redirect_target(x, r, moved ? 6 : 4, &to))
		rc = rs_host->error(FCAT_EIO, "redis: cluster node %s answered '%.*s'",
		                    rs_node_name(cmd->to), (int)r->len, r->str);
	freeReplyObject(r);
	if (rc)
		return rc;
	if (moved || ask)
		rs_cluster_count(x->s, ask);
	x->moved |= moved;
	x->tryagain |= again;
	cmd->to = to; /* NULL after TRYAGAIN: routed again */
	cmd->asking = ask;
	x->next[x->nnext++] = idx;
	return 0;
}

static int receive_round(run *x)
{
	for (size_t g = 0; g < x->ngroups; g++) {
		group *gr = &x->groups[g];
		for (size_t k = 0; k < x->npending && !gr->failed; k++) {
			rs_cmd *cmd = &x->cmds[x->pending[k]];
			void *r = NULL;
			if (x->gof[k] != g)
				continue;
			if (cmd->asking) { /* ASKING's +OK */
				if (redisGetReply(gr->c, &r) != REDIS_OK) {
					gr->failed = true;
					break;
				}
				freeReplyObject(r);
			}
			if (redisGetReply(gr->c, &r) != REDIS_OK) {
				gr->failed = true;
				break;
			}
			int rc = take_reply(x, cmd, x->pending[k], r);
			if (rc)
				return rc;
		}
		if (!gr->failed)
			continue;
		/* A pooled connection may have gone stale: its commands go once
		 * more, on a fresh one. Every command here may be repeated. */
		if (gr->reused && !x->retried) {
			for (size_t k = 0; k < x->npending; k++) {
				rs_cmd *cmd = &x->cmds[x->pending[k]];
				if (x->gof[k] == g && !cmd->reply) {
					bool listed = false;
					for (size_t j = 0; j < x->nnext; j++)
						listed |= x->next[j] == x->pending[k];
					if (!listed)
						x->next[x->nnext++] = x->pending[k];
				}
			}
			continue;
		}
		return rs_node_error(gr->node, gr->c, "lost the connection to");
	}
	for (size_t g = 0; g < x->ngroups; g++)
		x->retried |= x->groups[g].failed;
	return 0;
}

static void put_all(run *x)
{
	for (size_t g = 0; g < x->ngroups; g++) {
		group *gr = &x->groups[g];
		if (gr->c && gr->failed) {
			RS_CONN_POISON(gr->c);
			rs_node_drop_idle(gr->node); /* likely as stale */
		}
		rs_node_put(x->s, gr->node, gr->c);
		gr->c = NULL;
	}
}

static int rounds(run *x, bool replicas)
{
	for (int round = 0;; round++) {
		x->nnext = 0;
		x->moved = x->tryagain = false;
		int rc = send_round(x, replicas);
		if (!rc)
			rc = receive_round(x);
		/* Unread answers stay in a connection's buffer: drop it. */
		if (rc)
			for (size_t g = 0; g < x->ngroups; g++)
				x->groups[g].failed = true;
		put_all(x);
		if (rc) {
			/* Maybe a failover: the next call sees the new map. */
			char why[512];
			snprintf(why, sizeof why, "%s", rs_host->error_last());
			rs_cluster_refresh(x->s);
			return rs_host->error(rc, "%s", why);
		}
		if (x->moved && (rc = rs_cluster_refresh(x->s)))
			return rc;
		if (!x->nnext)
			return 0;
		if (round + 1 >= RS_REDIRECTS)
			return rs_host->error(FCAT_EIO,
			                      "redis: slot %u of the cluster is still moving"
			                      " after %d redirections; try again",
			                      x->cmds[x->next[0]].slot, RS_REDIRECTS);
		if (x->tryagain)
			nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
		size_t *t = x->pending;
		x->pending = x->next;
		x->next = t;
		x->npending = x->nnext;
	}
}

int rs_cluster_run(rs_store *s, rs_cmd *cmds, size_t n, bool replicas)
{
	run x = {.s = s, .cmds = cmds, .npending = n};
	x.pending = malloc((n ? n : 1) * sizeof *x.pending);
	x.next = malloc((n ? n : 1) * sizeof *x.next);
	x.gof = malloc((n ? n : 1) * sizeof *x.gof);
	x.groups = malloc((n ? n : 1) * sizeof *x.groups);
	int rc = 0;
	if (!x.pending || !x.next || !x.gof || !x.groups)
		rc = rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t i = 0; i < n; i++) {
		x.pending[i] = i;
		cmds[i].reply = NULL;
		cmds[i].to = NULL;
		cmds[i].asking = false;
	}
	if (!rc && n)
		rc = rounds(&x, replicas);
	for (size_t i = 0; rc && i < n; i++) {
		freeReplyObject(cmds[i].reply);
		cmds[i].reply = NULL;
	}
	free(x.pending);
	free(x.next);
	free(x.gof);
	free(x.groups);
	return rc;
}
