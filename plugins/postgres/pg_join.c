/* pg_join.c - the point-in-time join pushed down into PostgreSQL: the entity
 * rows go into a temporary table (COPY), one query picks every row's match,
 * and the answers come back through a cursor, a FETCH at a time, in entity
 * row order. */
#include "pg_join.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The query has two shapes (pg_join_sql.c): a lateral index lookup per
 * entity row for a table, over the index pg_index.c finds or creates before
 * the join's transaction begins, and a hash join for a query or a view.
 *
 * The source's query runs read-only, as a scan runs it: the probe of its
 * columns in a transaction of its own begun READ ONLY, the join after SET
 * TRANSACTION READ ONLY, once the entity table is loaded. PostgreSQL lets a
 * transaction turn read-only at any point (only the way back is refused
 * after its first query). Temporary tables stay writable in a
 * read-only transaction, so the entity table is the one thing the query
 * could still change; every other write (a data-modifying CTE, a volatile
 * function that deletes, nextval) fails. Statements that hold the query go
 * through pg_source_exec, which refuses a second statement in the string.
 *
 * The entity table is pg_temp."fcat_entities_<backend pid>_<counter>",
 * always named with its schema: an unqualified name is looked up in pg_temp
 * first, so a fixed name would hide a source table of that name.
 *
 * Keys are compared as fcat compares them, byte for byte: text with
 * COLLATE "C" where the column's collation is nondeterministic (it would
 * make 'U1' equal 'u1'; the hash join always says it). A key the server cannot hold in its encoding
 * (bytes that are not UTF-8, say) fails the COPY: the join is then declined and core, which
 * compares bytes, joins instead.
 *
 * A LEFT JOIN from the entity table answers the rows without a match, and
 * ORDER BY ordinal returns every row in the caller's order.
 *
 * Entity times are written out exactly (microseconds) and the session is in
 * UTC, so a source column is read as pg_cell reads it for a scan:
 * timestamptz as is, timestamp and date as UTC, integers as epoch seconds
 * (the hash join converts the column to timestamptz, the lateral lookup the
 * entity row's bounds to the column's type). A column of any other type (text
 * times, numeric), or keys PostgreSQL would compare otherwise than core
 * does, are declined: core then scans and joins itself.
 */

#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"
#define SQLSTATE_READ_ONLY_TRANSACTION  "25006"
#define SQLSTATE_BAD_ENCODING           "22021" /* character_not_in_repertoire */
#define SQLSTATE_UNTRANSLATABLE         "22P05"
#define COPY_CHUNK                      ((size_t)1 << 20)

static int check_request(const fcat_pit_request *req, fcat_pit_fn fn)
{
	if (!req || !fn || !req->ts_column ||
	    (req->nkeys && (!req->key_columns || !req->key_types)) ||
	    (req->ncolumns && (!req->columns || !req->types)) ||
	    (req->nrows && ((req->nkeys && !req->keys) || !req->times)))
		return pg_host->error(FCAT_EUSAGE, "postgres: pit_join called without a full "
		                                   "request or a callback");
	/* a negative ttl means nothing in fcat_pit_request: not ours to read
	 * (core sends 0 for no lower bound), so core decides */
	return req->ttl < 0 ? FCAT_PIT_DECLINED : 0;
}

/* The entity table's column type for a key of type t read from a source
 * column of type oid, or NULL when PostgreSQL's equality would not be
 * core's (which compares the values read by pg_cell). */
static const char *key_type(fcat_type t, Oid oid)
{
	if (t.is_array)
		return NULL;
	switch (t.scalar) {
	case FCAT_STRING: return oid == OID_TEXT || oid == OID_VARCHAR ? "text" : NULL;
	case FCAT_INT32:
	case FCAT_INT64:
		return oid == OID_INT2 || oid == OID_INT4 || oid == OID_INT8 ? "int8" : NULL;
	case FCAT_BOOL: return oid == OID_BOOL ? "bool" : NULL;
	case FCAT_BYTES: return oid == OID_BYTEA ? "bytea" : NULL;
	default: return NULL;
	}
}

/* The source column `col` (of type oid) as a timestamptz expression, as
 * pg_cell reads it; false when it cannot be. */
static bool time_expr(fcatp_text *q, const char *col, Oid oid)
{
	switch (oid) {
	case OID_TIMESTAMPTZ:
		fcatp_text_puts(q, "fcat_src.");
		fcatp_text_ident(q, col);
		return true;
	case OID_TIMESTAMP:
	case OID_DATE:
		fcatp_text_puts(q, "fcat_src.");
		fcatp_text_ident(q, col);
		fcatp_text_puts(q, "::timestamptz");
		return true;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8: /* epoch seconds: exact in a double below 2^53 */
		fcatp_text_puts(q, "to_timestamp(fcat_src.");
		fcatp_text_ident(q, col);
		fcatp_text_puts(q, ")");
		return true;
	default: return false;
	}
}

/* Checks the columns and decides whether the join can run here: 0, an
 * error, or FCAT_PIT_DECLINED. */
static int plan(join *j)
{
	const fcat_pit_request *req = j->req;
	PGresult *probe;
	int rc = pg_source_probe(&j->src, &probe);
	if (rc)
		return rc;
	int ts = pg_source_column(&j->src, probe, req->ts_column);
	int cr = req->created_column ? pg_source_column(&j->src, probe, req->created_column) : 0;
	rc = ts < 0 ? ts : cr < 0 ? cr : 0;
	for (size_t k = 0; rc == 0 && k < req->nkeys; k++) {
		int c = pg_source_column(&j->src, probe, req->key_columns[k]);
		if (c < 0)
			rc = c;
		else if (!(j->key_sql[k] = key_type(req->key_types[k], PQftype(probe, c))))
			rc = FCAT_PIT_DECLINED;
	}
	for (size_t i = 0; rc == 0 && i < req->ncolumns; i++) {
		int c = pg_source_column(&j->src, probe, req->columns[i]);
		rc = c < 0 ? c : 0;
	}
	if (rc == 0)
		j->ts_oid = PQftype(probe, ts);
	if (rc == 0 && (!time_expr(&j->ts_expr, req->ts_column, PQftype(probe, ts)) ||
	                (req->created_column &&
	                 !time_expr(&j->created_expr, req->created_column, PQftype(probe, cr)))))
		rc = FCAT_PIT_DECLINED;
	PQclear(probe);
	if (rc == 0 && (j->ts_expr.oom || j->created_expr.oom))
		rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	return rc;
}

/* plan(), with the source's query read-only, in a transaction of its own
 * (the index, if it must be made, commits between it and the join's). */
static int plan_read_only(join *j)
{
	int rc = pg_command(&j->src, "BEGIN READ ONLY", "reading the columns");
	if (!rc)
		rc = plan(j);
	if (!rc)
		rc = pg_command(&j->src, "ROLLBACK", "reading the columns");
	return rc;
}

/* ---- the entity rows ------------------------------------------------------- */

static int create_entities(join *j)
{
	static atomic_uint_fast64_t counter;
	snprintf(j->ent, sizeof j->ent, "pg_temp.\"fcat_entities_%d_%" PRIuFAST64 "\"",
	         PQbackendPID(j->src.conn), atomic_fetch_add(&counter, 1));
	fcatp_text q = {0};
	char col[64];
	fcatp_text_puts(&q, "CREATE TEMP TABLE ");
	fcatp_text_puts(&q, j->ent);
	fcatp_text_puts(&q, " (fcat_ord int8, fcat_t timestamptz, fcat_lo timestamptz");
	for (size_t k = 0; k < j->req->nkeys; k++) {
		snprintf(col, sizeof col, ", fcat_k%zu ", k);
		fcatp_text_puts(&q, col);
		fcatp_text_puts(&q, j->key_sql[k]);
	}
	fcatp_text_puts(&q, ") ON COMMIT DROP");
	if (q.oom)
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	PGresult *r = PQexec(j->src.conn, q.p);
	free(q.p);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		/* a role without TEMP, a standby: scanning still works */
		if (state && (!strcmp(state, SQLSTATE_INSUFFICIENT_PRIVILEGE) ||
		              !strcmp(state, SQLSTATE_READ_ONLY_TRANSACTION)))
			rc = FCAT_PIT_DECLINED;
		else
			rc = pg_host->error(FCAT_EIO, "postgres: creating the entity table: %s",
			                    pg_conn_message(j->src.conn));
	}
	PQclear(r);
	return rc;
}

/* Microseconds as "YYYY-MM-DD HH:MM:SS.ffffff+00"; false outside years
 * 1-9999. */
static bool format_time(fcatp_text *q, int64_t us)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	if ((int64_t)t != secs || !gmtime_r(&t, &tm) || tm.tm_year < 1 - 1900 ||
	    tm.tm_year > 9999 - 1900)
		return false;
	char buf[64];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	fcatp_text_puts(q, buf);
	return true;
}

/* A key cell in COPY's text format. */
static void copy_key(fcatp_text *q, const fcat_value *v)
{
	char buf[32];
	if (v->is_null) {
		fcatp_text_puts(q, "\\N");
		return;
	}
	switch (v->type.scalar) {
	case FCAT_STRING:
		if (memchr(v->u.str.ptr, 0, v->u.str.len)) {
			fcatp_text_puts(q, "\\N"); /* no text holds a NUL: nothing equals it */
			return;
		}
		for (size_t i = 0; i < v->u.str.len; i++) {
			char c = v->u.str.ptr[i];
			const char *esc = c == '\\'   ? "\\\\"
			                  : c == '\t' ? "\\t"
			                  : c == '\n' ? "\\n"
			                  : c == '\r' ? "\\r"
			                              : NULL;
			if (esc)
				fcatp_text_puts(q, esc);
			else
				fcatp_text_put(q, &c, 1);
		}
		return;
	case FCAT_INT32: snprintf(buf, sizeof buf, "%" PRId32, v->u.i32); break;
	case FCAT_INT64: snprintf(buf, sizeof buf, "%" PRId64, v->u.i64); break;
	case FCAT_BOOL: snprintf(buf, sizeof buf, "%s", v->u.b ? "t" : "f"); break;
	case FCAT_BYTES:
		fcatp_text_puts(q, "\\\\x");
		for (size_t i = 0; i < v->u.str.len; i++) {
			snprintf(buf, sizeof buf, "%02x", (unsigned char)v->u.str.ptr[i]);
			fcatp_text_put(q, buf, 2);
		}
		return;
	default: buf[0] = 0; break; /* key_type admits no other */
	}
	fcatp_text_puts(q, buf);
}

/* One entity row as a COPY line; FCAT_PIT_DECLINED for a time PostgreSQL
 * cannot hold. */
static int copy_row(join *j, fcatp_text *q, size_t r)
{
	const fcat_pit_request *req = j->req;
	char buf[32];
	snprintf(buf, sizeof buf, "%zu\t", r);
	fcatp_text_puts(q, buf);
	int64_t t = req->times[r];
	if (t == INT64_MIN) {
		fcatp_text_puts(q, "\\N\t\\N");
	} else {
		if (!format_time(q, t))
			return FCAT_PIT_DECLINED;
		fcatp_text_put(q, "\t", 1);
		if (req->ttl == 0 || t < INT64_MIN + req->ttl)
			fcatp_text_puts(q, req->ttl ? "-infinity" : "\\N");
		else if (!format_time(q, t - req->ttl))
			fcatp_text_puts(q, "-infinity"); /* before year 1: no bound here */
	}
	for (size_t k = 0; k < req->nkeys; k++) {
		fcatp_text_put(q, "\t", 1);
		copy_key(q, &req->keys[r * req->nkeys + k]);
	}
	fcatp_text_put(q, "\n", 1);
	return 0;
}

static int copy_error(join *j)
{
	return pg_host->error(FCAT_EIO, "postgres: loading the entity rows: %s",
	                      pg_conn_message(j->src.conn));
}

static int load_entities(join *j)
{
	char cmd[320];
	snprintf(cmd, sizeof cmd, "COPY %s FROM STDIN", j->ent);
	PGresult *r = PQexec(j->src.conn, cmd);
	bool copying = PQresultStatus(r) == PGRES_COPY_IN;
	PQclear(r);
	if (!copying)
		return copy_error(j);
	fcatp_text q = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j->req->nrows; i++) {
		rc = copy_row(j, &q, i);
		if (rc == 0 && q.oom)
			rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
		if (rc == 0 && (q.len >= COPY_CHUNK || i + 1 == j->req->nrows)) {
			if (PQputCopyData(j->src.conn, q.p, (int)q.len) != 1)
				rc = copy_error(j);
			q.len = 0;
		}
	}
	free(q.p);
	if (PQputCopyEnd(j->src.conn, rc ? "declined" : NULL) != 1 && rc == 0)
		rc = copy_error(j);
	while ((r = PQgetResult(j->src.conn))) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		/* a key the server's encoding cannot hold equals no value of the
		 * source; core, which compares bytes, decides */
		if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = state && (!strcmp(state, SQLSTATE_BAD_ENCODING) ||
			               !strcmp(state, SQLSTATE_UNTRANSLATABLE))
			         ? FCAT_PIT_DECLINED
			         : copy_error(j);
		PQclear(r);
	}
	if (rc)
		return rc;
	/* the planner's statistics (temporary tables are never
	 * auto-analyzed); the sorts' memory (the store's work_mem); no JIT,
	 * whose compiling costs more than the per-row work it would speed;
	 * then nothing but the entity table may change */
	snprintf(cmd, sizeof cmd,
	         "ANALYZE %s; SET LOCAL jit = off; SET LOCAL work_mem = '%s'; "
	         "SET TRANSACTION READ ONLY",
	         j->ent, j->src.st->work_mem);
	return pg_command(&j->src, cmd, "analyzing the entity rows");
}

/* ---- the answers ---------------------------------------------------------- */

/* Converts one FETCH and hands it on. */
static int answer(join *j, PGresult *r, size_t *next)
{
	const fcat_pit_request *req = j->req;
	int n = PQntuples(r), rc = 0;
	pg_where w = {j->src.table, 0, NULL, true};
	size_t first = *next;
	for (int i = 0; i < n && rc == 0; i++, (*next)++) {
		char *end = NULL;
		unsigned long long ord = strtoull(PQgetvalue(r, i, 0), &end, 10);
		if (!end || *end || ord != *next)
			return pg_host->error(FCAT_EIO,
			                      "postgres: joining %s: entity row %zu came back as "
			                      "'%s'",
			                      pg_source_what(&j->src), *next + 1,
			                      PQgetvalue(r, i, 0));
		j->matched[i] = PQgetvalue(r, i, 1)[0] == 't';
		w.row = (int64_t)ord + 1;
		for (size_t c = 0; c < req->ncolumns && rc == 0; c++) {
			int f = (int)c + 2;
			w.column = req->columns[c];
			const char *text =
			    j->matched[i] && !PQgetisnull(r, i, f) ? PQgetvalue(r, i, f) : NULL;
			rc = pg_cell(&j->b, &j->b.cells[(size_t)i * req->ncolumns + c],
			             req->types[c], PQftype(r, f), text,
			             (size_t)PQgetlength(r, i, f), &w);
		}
	}
	if (rc == 0 && n)
		rc = j->fn(j->ctx, first, j->b.cells, j->matched, (size_t)n);
	fcatp_batch_reset(&j->b);
	return rc;
}

static int fetch_all(join *j)
{
	char cmd[64];
	size_t next = 0;
	snprintf(cmd, sizeof cmd, "FETCH FORWARD %d FROM fcat_join", PG_BATCH_ROWS);
	for (;;) {
		PGresult *r = PQexec(j->src.conn, cmd);
		int rc = PQresultStatus(r) == PGRES_TUPLES_OK
		             ? answer(j, r, &next)
		             : pg_source_error(&j->src, r, "reading the joined rows");
		int n = PQntuples(r);
		PQclear(r);
		if (rc != 0)
			return rc;
		if (n < PG_BATCH_ROWS)
			break;
	}
	if (next != j->req->nrows)
		return pg_host->error(FCAT_EIO,
		                      "postgres: joining %s: %zu of %zu entity rows came back",
		                      pg_source_what(&j->src), next, j->req->nrows);
	return 0;
}

int pg_join(void *store, const fcat_pit_request *req, fcat_pit_fn fn, void *ctx)
{
	int rc = check_request(req, fn);
	if (rc || req->nrows == 0)
		return rc;
	join j = {.req = req, .fn = fn, .ctx = ctx};
	j.key_sql = calloc(req->nkeys + 1, sizeof *j.key_sql);
	j.key_c = calloc(req->nkeys + 1, sizeof *j.key_c);
	j.matched = calloc(PG_BATCH_ROWS, sizeof *j.matched);
	if (!j.key_sql || !j.key_c || !j.matched)
		rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	if (!rc)
		rc = pg_batch_init(&j.b, req->ncolumns);
	if (!rc)
		rc = pg_source_open(&j.src, store, req->path, req->table, req->query, NULL);
	if (!rc)
		rc = plan_read_only(&j);
	if (!rc)
		rc = pg_join_index(&j);
	if (!rc)
		rc = pg_command(&j.src, "BEGIN", "starting a transaction");
	if (!rc)
		rc = create_entities(&j);
	if (!rc)
		rc = load_entities(&j);
	if (!rc)
		rc = pg_join_declare(&j);
	if (!rc)
		rc = fetch_all(&j);
	/* the entity table goes with the transaction */
	if (!rc)
		rc = pg_command(&j.src, "CLOSE fcat_join; ROLLBACK", "ending the join");
	fcatp_batch_free(&j.b);
	pg_source_close(&j.src);
	free(j.ts_expr.p);
	free(j.created_expr.p);
	free(j.key_sql);
	free(j.key_c);
	free(j.matched);
	return rc;
}
