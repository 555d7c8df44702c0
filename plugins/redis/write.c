/* write.c - writes: one EVALSHA of a newer-wins script per row, pipelined.
 * Each script runs atomically, so every key holds its old row or its new
 * one, whole. Redis runs Lua 5.1: the header's int64s are compared as a
 * signed high and an unsigned low 32-bit half (exact in Lua numbers). */
#include "cluster_ops.h"
#include "redis_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char rs_script[] =
    "local old = redis.call('GET', KEYS[1])\n"
    "if old and #old >= 24 then\n"
    "	local new = ARGV[1]\n"
    "	for at = 9, 17, 8 do\n" /* event ts, then created ts */
    "		local nl, nh = struct.unpack('<I4i4', new, at)\n"
    "		local ol, oh = struct.unpack('<I4i4', old, at)\n"
    "		if nh ~= oh then\n"
    "			if nh < oh then return 0 end\n"
    "			break\n"
    "		end\n"
    "		if nl ~= ol then\n"
    "			if nl < ol then return 0 end\n"
    "			break\n"
    "		end\n"
    /* same times: only another version replaces */
    "		if at == 17 and #old >= 56 and\n"
    "		   string.sub(new, 25, 56) == string.sub(old, 25, 56) then\n"
    "			return 0\n"
    "		end\n"
    "	end\n"
    "end\n"
    "redis.call('SET', KEYS[1], ARGV[1])\n"
    "return 1\n";
const size_t rs_script_len = sizeof rs_script - 1;

int rs_script_load(rs_store *s, redisContext *c)
{
	redisReply *r = redisCommand(c, "SCRIPT LOAD %s", rs_script);
	if (!r)
		return rs_conn_error(s, c, "lost the connection to");
	int rc = rs_reply_check(s, r, "SCRIPT LOAD");
	if (!rc && (r->type != REDIS_REPLY_STRING || r->len != 40))
		rc = rs_host->error(FCAT_EIO, "redis: SCRIPT LOAD on %s: unexpected reply",
		                    s->url.display);
	if (!rc)
		memcpy(s->sha, r->str, 41);
	freeReplyObject(r);
	return rc;
}

typedef struct write_ctx {
	const char *view;
	size_t view_len;
	const fcat_online_row *rows;
	size_t n;
	char *kbuf;
} write_ctx;

/* Sends rows[idx[0..m)] (rows[base..base+m) when idx is NULL) by EVALSHA,
 * or by EVAL with the script's text; notes which ones found no script. */
static int send_rows(rs_store *s, redisContext *c, write_ctx *x, size_t base, size_t m,
                     const size_t *idx, bool eval, size_t *noscript, size_t *nnoscript)
{
	const char *argv[5] = {"EVALSHA", s->sha, "1", x->kbuf, NULL};
	size_t lens[5] = {7, 40, 1, 0, 0};
	if (eval) {
		argv[0] = "EVAL", argv[1] = rs_script;
		lens[0] = 4, lens[1] = rs_script_len;
	}
	for (size_t i = 0; i < m; i++) {
		const fcat_online_row *row = &x->rows[idx ? idx[i] : base + i];
		lens[3] = rs_key(x->kbuf, s, row->key, x->view, x->view_len);
		argv[4] = row->row.ptr;
		lens[4] = row->row.len;
		if (redisAppendCommandArgv(c, 5, argv, lens) != REDIS_OK) {
			RS_CONN_POISON(c);
			return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
		}
	}
	int rc = 0;
	char what[256];
	snprintf(what, sizeof what, "writing view '%s'", x->view);
	for (size_t i = 0; i < m; i++) {
		redisReply *r;
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			return rs_conn_error(s, c, "lost the connection to");
		if (!eval && r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8))
			noscript[(*nnoscript)++] = base + i;
		else if (!rc)
			rc = rs_reply_check(s, r, what);
		if (!rc && r->type != REDIS_REPLY_INTEGER && r->type != REDIS_REPLY_ERROR)
			rc = rs_host->error(FCAT_EIO,
			                    "redis: %s on %s: unexpected reply"
			                    " type %d",
			                    what, s->url.display, r->type);
		freeReplyObject(r);
	}
	return rc;
}

static int write_on(rs_store *s, redisContext *c, void *arg)
{
	write_ctx *x = arg;
	size_t noscript[RS_PIPELINE];
	for (size_t done = 0; done < x->n;) {
		size_t m = x->n - done < RS_PIPELINE ? x->n - done : RS_PIPELINE, nns = 0;
		int rc = send_rows(s, c, x, done, m, NULL, false, noscript, &nns);
		/* The script cache was flushed (or the server restarted):
		 * EVAL sends the text, and caches it for the next EVALSHA. */
		if (!rc && nns)
			rc = send_rows(s, c, x, 0, nns, noscript, true, NULL, NULL);
		if (rc)
			return rc;
		done += m;
	}
	return 0;
}

int rs_write(void *store, const char *view, const fcat_online_row *rows, size_t n)
{
	rs_store *s = store;
	size_t longest = 0;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].row.len < FCAT_ROW_HEADER_SIZE || !rows[i].row.ptr)
			return rs_host->error(FCAT_EINVALID,
			                      "redis: row %zu of view '%s' has %zu"
			                      " bytes, less than the %d-byte row header",
			                      i, view, rows[i].row.len, FCAT_ROW_HEADER_SIZE);
		longest = rows[i].key.len > longest ? rows[i].key.len : longest;
	}
	if (n == 0)
		return 0;
	if (s->cluster)
		return rs_cluster_write(s, view, rows, n, longest);
	write_ctx x = {view, strlen(view), rows, n, NULL};
	if (!(x.kbuf = malloc(rs_key_size(s, longest, x.view_len))))
		return rs_host->error(FCAT_ENOMEM, "redis: out of memory");
	int rc = rs_with_conn(s, write_on, &x);
	free(x.kbuf);
	return rc;
}
