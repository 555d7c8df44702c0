/* cluster_ops.c - the store's operations on a Redis Cluster: reads and
 * writes through rs_cluster_run (one round trip per node), the write
 * script loaded on every master, metadata on its one key, and drop_view
 * scanning every master. */
#include "cluster.h"
#include "cluster_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many commands per rs_cluster_run of a write. */
#define WRITE_CHUNK 4096

extern const char rs_script[];
extern const size_t rs_script_len;

/* Keys, argument vectors and commands for n single-key commands of argc
 * arguments, in one allocation each. */
typedef struct batch {
	char *keys;
	size_t key_size;
	const char **argv;
	size_t *lens;
	rs_cmd *cmds;
} batch;

static int batch_init(batch *b, size_t n, size_t key_size, int argc)
{
	b->key_size = key_size;
	b->keys = malloc(n * key_size);
	b->argv = malloc(n * (size_t)argc * sizeof *b->argv);
	b->lens = malloc(n * (size_t)argc * sizeof *b->lens);
	b->cmds = calloc(n, sizeof *b->cmds);
	if (b->keys && b->argv && b->lens && b->cmds)
		return 0;
	return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
}

static void batch_free(batch *b)
{
	free(b->keys);
	free(b->argv);
	free(b->lens);
	free(b->cmds);
}

/* Sets command i to `argc` arguments whose key (argument key_at) is the
 * entity key's for the view. */
static void batch_cmd(batch *b, const rs_store *s, size_t i, int argc, const char *const *args,
                      const size_t *lens, int key_at, fcat_bytes key, const char *view,
                      size_t view_len)
{
	char *k = b->keys + i * b->key_size;
	const char **argv = b->argv + i * (size_t)argc;
	size_t *l = b->lens + i * (size_t)argc;
	for (int a = 0; a < argc; a++) {
		argv[a] = args[a];
		l[a] = lens[a];
	}
	l[key_at] = rs_key(k, s, key, view, view_len);
	argv[key_at] = k;
	b->cmds[i].argc = argc;
	b->cmds[i].argv = argv;
	b->cmds[i].lens = l;
	b->cmds[i].slot = rs_key_slot(k, l[key_at]);
}

int rs_cluster_read(rs_store *s, rs_slot *slot, const char *view, const fcat_bytes *keys, size_t n)
{
	size_t view_len = strlen(view), longest = 0;
	for (size_t i = 0; i < n; i++)
		longest = keys[i].len > longest ? keys[i].len : longest;
	batch b;
	int rc = batch_init(&b, n, rs_key_size(s, longest, view_len), 2);
	const char *args[2] = {"GET", NULL};
	const size_t lens[2] = {3, 0};
	for (size_t i = 0; !rc && i < n; i++)
		batch_cmd(&b, s, i, 2, args, lens, 1, keys[i], view, view_len);
	if (!rc)
		rc = rs_cluster_run(s, b.cmds, n, s->read_replicas);
	for (size_t i = 0; !rc && i < n; i++) {
		const redisReply *r = b.cmds[i].reply;
		char what[200];
		snprintf(what, sizeof what, "reading view '%s'", view);
		if (r->type == REDIS_REPLY_ERROR)
			rc = rs_node_reply_check(b.cmds[i].to, r, what);
		else if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)
			rc = rs_host->error(FCAT_EIO,
			                    "redis: GET of a key of view '%s' on cluster node %s"
			                    " answered with reply type %d",
			                    view, rs_node_name(b.cmds[i].to), r->type);
	}
	for (size_t i = 0; i < n && b.cmds; i++) {
		if (rc)
			freeReplyObject(b.cmds[i].reply);
		else
			slot->r[slot->n++] = b.cmds[i].reply;
	}
	batch_free(&b);
	return rc;
}

/* Checks the answers of a write; lists the commands that found no script. */
static int write_replies(batch *b, size_t m, const char *view, size_t *noscript, size_t *nns)
{
	int rc = 0;
	char what[200];
	snprintf(what, sizeof what, "writing view '%s'", view);
	for (size_t i = 0; i < m; i++) {
		redisReply *r = b->cmds[i].reply;
		if (noscript && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8))
			noscript[(*nns)++] = i;
		else if (!rc && r->type == REDIS_REPLY_ERROR)
			rc = rs_node_reply_check(b->cmds[i].to, r, what);
		else if (!rc && r->type != REDIS_REPLY_INTEGER)
			rc = rs_host->error(FCAT_EIO,
			                    "redis: %s on cluster node %s: unexpected reply"
			                    " type %d",
			                    what, rs_node_name(b->cmds[i].to), r->type);
		freeReplyObject(r);
		b->cmds[i].reply = NULL;
	}
	return rc;
}

/* Writes rows[0..m): EVALSHA; then EVAL (which also loads the script on
 * that node) for those whose node did not have it: a new master after a
 * failover, or a restarted one. */
static int write_chunk(rs_store *s, batch *b, size_t *noscript, const char *view, size_t view_len,
                       const fcat_online_row *rows, size_t m)
{
	const char *args[5] = {"EVALSHA", s->sha, "1", NULL, NULL};
	size_t lens[5] = {7, 40, 1, 0, 0};
	for (size_t i = 0; i < m; i++) {
		args[4] = rows[i].row.ptr;
		lens[4] = rows[i].row.len;
		batch_cmd(b, s, i, 5, args, lens, 3, rows[i].key, view, view_len);
	}
	size_t nns = 0;
	int rc = rs_cluster_run(s, b->cmds, m, false);
	if (!rc)
		rc = write_replies(b, m, view, noscript, &nns);
	if (rc || !nns)
		return rc;
	args[0] = "EVAL", args[1] = rs_script;
	lens[0] = 4, lens[1] = rs_script_len;
	for (size_t j = 0; j < nns; j++) {
		const fcat_online_row *row = &rows[noscript[j]];
		args[4] = row->row.ptr;
		lens[4] = row->row.len;
		batch_cmd(b, s, j, 5, args, lens, 3, row->key, view, view_len);
	}
	rc = rs_cluster_run(s, b->cmds, nns, false);
	return rc ? rc : write_replies(b, nns, view, NULL, NULL);
}

int rs_cluster_write(rs_store *s, const char *view, const fcat_online_row *rows, size_t n,
                     size_t longest)
{
	size_t view_len = strlen(view), chunk = n < WRITE_CHUNK ? n : WRITE_CHUNK;
	batch b;
	size_t *noscript = malloc(chunk * sizeof *noscript);
	int rc = batch_init(&b, chunk, rs_key_size(s, longest, view_len), 5);
	if (!rc && !noscript)
		rc = rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	for (size_t done = 0; !rc && done < n; done += chunk) {
		size_t m = n - done < chunk ? n - done : chunk;
		rc = write_chunk(s, &b, noscript, view, view_len, rows + done, m);
	}
	free(noscript);
	batch_free(&b);
	return rc;
}

/* Runs one command on the node of its (only) key; *out is its reply. */
static int one_command(rs_store *s, int argc, const char **argv, redisReply **out, const char *what)
{
	size_t lens[8];
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	rs_cmd cmd = {argc, argv, lens, rs_key_slot(argv[1], lens[1]), NULL, NULL, false};
	int rc = rs_cluster_run(s, &cmd, 1, false);
	if (!rc && (rc = rs_node_reply_check(cmd.to, cmd.reply, what))) {
		freeReplyObject(cmd.reply);
		cmd.reply = NULL;
	}
	*out = cmd.reply;
	return rc;
}

/* The metadata hash is one key, so one slot: every node agrees where. */
int rs_cluster_meta_get(rs_store *s, const char *hash, const char *key, redisReply **out)
{
	const char *argv[] = {"HGET", hash, key};
	return one_command(s, 3, argv, out, "HGET of the metadata");
}

int rs_cluster_meta_set(rs_store *s, const char *hash, const char *key, const char *value)
{
	const char *argv[] = {"HSET", hash, key, value};
	redisReply *r;
	int rc = one_command(s, 4, argv, &r, "HSET of the metadata");
	freeReplyObject(r);
	return rc;
}

/* Loads the write script on every master (each node has its own cache). */
int rs_cluster_scripts(rs_store *s)
{
	rs_node **masters;
	size_t n;
	int rc = rs_cluster_masters(s, &masters, &n);
	if (rc)
		return rc;
	if (!n)
		rc = rs_host->error(FCAT_EIO, "redis: the cluster has no master serving a slot");
	for (size_t i = 0; !rc && i < n; i++) {
		redisContext *c;
		bool reused;
		if ((rc = rs_node_get(s, masters[i], &c, &reused)))
			break;
		redisReply *r = redisCommand(c, "SCRIPT LOAD %s", rs_script);
		if (!r)
			rc = rs_node_error(masters[i], c, "lost the connection to");
		else if (!(rc = rs_node_reply_check(masters[i], r, "SCRIPT LOAD")) &&
		         (r->type != REDIS_REPLY_STRING || r->len != 40))
			rc = rs_host->error(FCAT_EIO, "redis: SCRIPT LOAD on %s: unexpected reply",
			                    rs_node_name(masters[i]));
		if (!rc)
			memcpy(s->sha, r->str, 41);
		freeReplyObject(r);
		rs_node_put(s, masters[i], c);
	}
	free(masters);
	return rc;
}

/* Unlinks the keys of one SCAN page that belong to the view: one UNLINK
 * per key (keys of a page lie in many slots), pipelined. */
static int unlink_page(rs_store *s, rs_node *node, redisContext *c, const redisReply *keys,
                       const char *view)
{
	size_t sent = 0;
	for (size_t i = 0; i < keys->elements; i++) {
		const redisReply *k = keys->element[i];
		if (k->type != REDIS_REPLY_STRING || !rs_key_is_view(s, k->str, k->len, view))
			continue;
		const char *argv[] = {"UNLINK", k->str};
		size_t lens[] = {6, k->len};
		if (redisAppendCommandArgv(c, 2, argv, lens) != REDIS_OK) {
			RS_CONN_POISON(c);
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		}
		sent++;
	}
	int rc = 0;
	for (size_t i = 0; i < sent; i++) {
		redisReply *r;
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			return rs_node_error(node, c, "lost the connection to");
		if (!rc)
			rc = rs_node_reply_check(node, r, "UNLINK");
		freeReplyObject(r);
	}
	return rc;
}

static int drop_on(rs_store *s, rs_node *node, const char *pattern, const char *view)
{
	redisContext *c;
	bool reused;
	int rc = rs_node_get(s, node, &c, &reused);
	if (rc)
		return rc;
	char cursor[32] = "0";
	do {
		const char *argv[] = {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
		redisReply *r = redisCommandArgv(c, 6, argv, NULL);
		if (!r) {
			rc = rs_node_error(node, c, "lost the connection to");
			break;
		}
		rc = rs_node_reply_check(node, r, "SCAN");
		if (!rc && (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		            r->element[0]->type != REDIS_REPLY_STRING ||
		            r->element[0]->len >= sizeof cursor ||
		            r->element[1]->type != REDIS_REPLY_ARRAY))
			rc = rs_host->error(FCAT_EIO,
			                    "redis: SCAN on cluster node %s: unexpected reply",
			                    rs_node_name(node));
		if (!rc) {
			memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
			rc = unlink_page(s, node, c, r->element[1], view);
		}
		freeReplyObject(r);
	} while (!rc && strcmp(cursor, "0") != 0);
	if (rc)
		RS_CONN_POISON(c);
	rs_node_put(s, node, c);
	return rc;
}

int rs_cluster_drop_view(rs_store *s, const char *view, const char *pattern)
{
	rs_node **masters;
	size_t n;
	int rc = rs_cluster_masters(s, &masters, &n);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = drop_on(s, masters[i], pattern, view);
	free(masters);
	return rc;
}
