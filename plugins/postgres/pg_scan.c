/* pg_scan.c - reading a table or a query through a server-side cursor, a
 * batch of rows per FETCH, so no result is ever held whole in memory. */
#include "pg_offline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLE_NAME           127
#define SQLSTATE_UNDEFINED_TABLE "42P01"

/*
 * The time filter is applied here, after each row's timestamp is
 * converted, as the csv plugin does: it stays exact whatever the column's
 * type (timestamptz, text, epoch seconds).
 */

typedef struct scan {
	const pg_store *st;
	const fcat_scan_request *req;
	fcat_scan_fn fn;
	void *ctx;
	PGconn *conn;
	pg_batch b;
	char *from;
} scan;

/* libpq's message without its trailing newline. */
static const char *conn_message(PGconn *conn)
{
	static _Thread_local char buf[1024];
	snprintf(buf, sizeof buf, "%s", conn ? PQerrorMessage(conn) : "out of memory");
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return buf;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool valid_table(const char *t)
{
	size_t len = strlen(t), dots = 0;
	if (len == 0 || len > MAX_TABLE_NAME || t[0] == '.' || t[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '.')
			dots++;
		else if (!ident_char(t[i]))
			return false;
	}
	return dots <= 1 && !strstr(t, "..");
}

static int check_request(const fcat_scan_request *req, fcat_scan_fn fn)
{
	if (!req || !fn || (req->ncolumns && (!req->columns || !req->types)))
		return pg_host->error(FCAT_EUSAGE, "postgres: scan called without a request or "
		                                   "callback");
	bool table = req->table && *req->table, query = req->query && *req->query;
	if (table == query)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: a source read from the offline store names a "
		                      "table or a query (one of them)%s",
		                      req->path ? ", not a file" : "");
	if (table && !valid_table(req->table))
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: invalid table name '%s': use letters, digits "
		                      "and '_' (and one '.' after a schema)",
		                      req->table);
	if (req->ts_column >= 0) {
		if ((size_t)req->ts_column >= req->ncolumns)
			return pg_host->error(FCAT_EUSAGE,
			                      "postgres: ts_column %d is not a requested column",
			                      req->ts_column);
		fcat_type t = req->types[req->ts_column];
		if (t.scalar != FCAT_TIMESTAMP || t.is_array)
			return pg_host->error(FCAT_EUSAGE,
			                      "postgres: the event timestamp column '%s' must "
			                      "be read as a timestamp",
			                      req->columns[req->ts_column]);
	}
	return 0;
}

/* A growing SQL text. */
typedef struct sql {
	char *p;
	size_t len, cap;
	bool oom;
} sql;

static void put(sql *q, const char *s, size_t n)
{
	if (q->oom)
		return;
	if (q->len + n + 1 > q->cap) {
		size_t cap = q->cap ? q->cap : 256;
		while (cap < q->len + n + 1)
			cap *= 2;
		char *np = realloc(q->p, cap);
		if (!np) {
			q->oom = true;
			return;
		}
		q->p = np;
		q->cap = cap;
	}
	memcpy(q->p + q->len, s, n);
	q->len += n;
	q->p[q->len] = 0;
}

static void puts_(sql *q, const char *s)
{
	put(q, s, strlen(s));
}

/* A quoted identifier: "a""b". */
static void ident(sql *q, const char *s, size_t n)
{
	put(q, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			put(q, "\"", 1);
		put(q, s + i, 1);
	}
	put(q, "\"", 1);
}

/* "\"schema\".\"t\" AS fcat_src" or "(query) AS fcat_src". */
static char *from_clause(const pg_store *st, const fcat_scan_request *req)
{
	sql q = {0};
	if (req->table) {
		const char *dot = strchr(req->table, '.');
		if (dot) {
			ident(&q, req->table, (size_t)(dot - req->table));
			put(&q, ".", 1);
			ident(&q, dot + 1, strlen(dot + 1));
		} else {
			if (st->schema) {
				ident(&q, st->schema, strlen(st->schema));
				put(&q, ".", 1);
			}
			ident(&q, req->table, strlen(req->table));
		}
	} else {
		size_t n = strlen(req->query);
		while (n > 0 && strchr("; \t\r\n", req->query[n - 1]))
			n--;
		put(&q, "(", 1);
		put(&q, req->query, n);
		put(&q, "\n)", 2);
	}
	puts_(&q, " AS fcat_src");
	if (q.oom) {
		free(q.p);
		return NULL;
	}
	return q.p;
}

static const char *what(const scan *s)
{
	return s->req->table ? s->req->table : "the query";
}

/* Runs a command; 0 or an error naming `doing`. */
static int command(scan *s, const char *cmd, const char *doing)
{
	PGresult *r = PQexec(s->conn, cmd);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_host->error(FCAT_EIO, "postgres: %s: %s", doing, conn_message(s->conn));
	PQclear(r);
	return rc;
}

static int connect_db(scan *s)
{
	s->conn = PQconnectdb(s->st->dsn);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK)
		return pg_host->error(FCAT_EIO, "postgres: cannot connect: %s",
		                      conn_message(s->conn));
	return command(s,
	               "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
	               "SET bytea_output = 'hex'; SET extra_float_digits = 1; "
	               "SET IntervalStyle = 'iso_8601'; BEGIN READ ONLY",
	               "setting up the session");
}

static int query_error(scan *s, PGresult *r, const char *doing)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (s->req->table && state && strcmp(state, SQLSTATE_UNDEFINED_TABLE) == 0)
		return pg_host->error(
		    FCAT_ENOTFOUND, "postgres: no table '%s'%s%s%s", s->req->table,
		    s->st->schema && !strchr(s->req->table, '.') ? " in schema '" : "",
		    s->st->schema && !strchr(s->req->table, '.') ? s->st->schema : "",
		    s->st->schema && !strchr(s->req->table, '.') ? "'" : "");
	return pg_host->error(FCAT_EINVALID, "postgres: %s of %s%s%s: %s", doing,
	                      s->req->table ? "table '" : "", what(s), s->req->table ? "'" : "",
	                      conn_message(s->conn));
}

static int missing_column(scan *s, PGresult *probe, const char *column)
{
	char list[2048];
	size_t len = 0;
	list[0] = 0;
	for (int j = 0; j < PQnfields(probe) && len < sizeof list; j++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "",
		                        PQfname(probe, j));
	if (s->req->table)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: no column '%s' in table '%s' (columns: %s)",
		                      column, s->req->table, list);
	return pg_host->error(FCAT_EINVALID,
	                      "postgres: no column '%s' in the query's results (columns: %s)",
	                      column, list);
}

/* Checks every requested column, then declares the cursor. */
static int declare(scan *s)
{
	const fcat_scan_request *req = s->req;
	sql q = {0};
	puts_(&q, "SELECT * FROM ");
	puts_(&q, s->from);
	puts_(&q, " LIMIT 0");
	if (q.oom)
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	PGresult *probe = PQexec(s->conn, q.p);
	int rc = 0;
	if (PQresultStatus(probe) != PGRES_TUPLES_OK)
		rc = query_error(s, probe, "reading the columns");
	for (size_t i = 0; i < req->ncolumns && rc == 0; i++) {
		int j = 0;
		while (j < PQnfields(probe) && strcmp(PQfname(probe, j), req->columns[i]) != 0)
			j++;
		if (j == PQnfields(probe))
			rc = missing_column(s, probe, req->columns[i]);
	}
	PQclear(probe);
	q.len = 0;
	puts_(&q, "DECLARE fcat_cursor NO SCROLL CURSOR FOR SELECT ");
	for (size_t i = 0; i < req->ncolumns; i++) {
		if (i)
			put(&q, ", ", 2);
		ident(&q, req->columns[i], strlen(req->columns[i]));
	}
	if (req->ncolumns == 0)
		put(&q, "1", 1);
	puts_(&q, " FROM ");
	puts_(&q, s->from);
	if (rc == 0 && q.oom)
		rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	if (rc == 0) {
		PGresult *r = PQexec(s->conn, q.p);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = query_error(s, r, "selecting the columns");
		PQclear(r);
	}
	free(q.p);
	return rc;
}

/* Converts row i of a FETCH into the batch at `out`: 0 kept, 1 filtered out,
 * or an error. */
static int convert_row(scan *s, PGresult *r, int i, fcat_value *cells, int64_t row)
{
	const fcat_scan_request *req = s->req;
	pg_where w = {req->table, row, NULL};
	int ts = req->ts_column, rc;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t c = 0; c < req->ncolumns; c++) {
			/* the event time first: a filtered row costs one cell */
			if ((pass == 0) != ((int)c == ts))
				continue;
			w.column = req->columns[c];
			const char *text =
			    PQgetisnull(r, i, (int)c) ? NULL : PQgetvalue(r, i, (int)c);
			rc = pg_cell(&s->b, &cells[c], req->types[c], PQftype(r, (int)c), text,
			             (size_t)PQgetlength(r, i, (int)c), &w);
			if (rc)
				return rc;
			if ((int)c != ts)
				continue;
			if (cells[c].is_null)
				return pg_host->error(
				    FCAT_EINVALID,
				    "postgres: %s%s%s, row %lld, column '%s': "
				    "the event timestamp is null (a row needs "
				    "one to be placed in time)",
				    req->table ? "table '" : "", req->table ? req->table : "query",
				    req->table ? "'" : "", (long long)row, w.column);
			if (cells[c].u.ts < req->start || cells[c].u.ts >= req->end)
				return 1;
		}
	}
	return 0;
}

static int fetch_all(scan *s)
{
	char cmd[64];
	int64_t row = 0;
	snprintf(cmd, sizeof cmd, "FETCH FORWARD %d FROM fcat_cursor", PG_BATCH_ROWS);
	for (;;) {
		PGresult *r = PQexec(s->conn, cmd);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			int rc = query_error(s, r, "reading rows");
			PQclear(r);
			return rc;
		}
		int n = PQntuples(r), rc = 0;
		size_t kept = 0;
		for (int i = 0; i < n && rc >= 0; i++) {
			rc = convert_row(s, r, i, s->b.cells + kept * s->req->ncolumns, ++row);
			if (rc == 0)
				kept++;
		}
		if (rc >= 0 && kept)
			rc = s->fn(s->ctx, s->b.cells, kept);
		else if (rc > 0)
			rc = 0;
		pg_batch_reset(&s->b);
		PQclear(r);
		if (rc != 0 || n < PG_BATCH_ROWS)
			return rc;
	}
}

int pg_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx)
{
	const pg_store *st = store;
	int rc = check_request(req, fn);
	if (rc)
		return rc;
	scan s = {.st = st, .req = req, .fn = fn, .ctx = ctx};
	s.from = from_clause(st, req);
	rc = s.from ? 0 : pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	if (!rc)
		rc = pg_batch_init(&s.b, req->ncolumns);
	if (!rc)
		rc = connect_db(&s);
	if (!rc)
		rc = declare(&s);
	if (!rc)
		rc = fetch_all(&s);
	if (!rc)
		rc = command(&s, "CLOSE fcat_cursor; COMMIT", "ending the scan");
	pg_batch_free(&s.b);
	PQfinish(s.conn);
	free(s.from);
	return rc;
}
