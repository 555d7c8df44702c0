/* pg_scan.c - reading a table or a query through a server-side cursor, a
 * batch of rows per FETCH, so no result is ever held whole in memory. */
#include "pg_offline.h"

#include "plugin_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The time filter is applied here, after each row's timestamp is
 * converted, as the csv plugin does: it stays exact whatever the column's
 * type (timestamptz, text, epoch seconds).
 */

typedef struct scan {
	pg_source src;
	const fcat_scan_request *req;
	fcat_scan_fn fn;
	void *ctx;
	fcatp_batch b;
} scan;

static int check_request(const fcat_scan_request *req, fcat_scan_fn fn)
{
	if (!req || !fn || (req->ncolumns && (!req->columns || !req->types)))
		return pg_host->error(FCAT_EUSAGE, "postgres: scan called without a request or "
		                                   "callback");
	return fcatp_check_ts_column(pg_host, req, "postgres", "postgres");
}

/* Checks every requested column, then declares the cursor. */
static int declare(scan *s)
{
	const fcat_scan_request *req = s->req;
	PGresult *probe;
	int rc = pg_source_probe(&s->src, &probe);
	for (size_t i = 0; i < req->ncolumns && rc == 0; i++) {
		int j = pg_source_column(&s->src, probe, req->columns[i]);
		rc = j < 0 ? j : 0;
	}
	PQclear(probe);
	fcatp_text q = {0};
	fcatp_text_puts(&q, "DECLARE fcat_cursor NO SCROLL CURSOR FOR SELECT ");
	fcatp_text_idents(&q, req->columns, req->ncolumns);
	if (req->ncolumns == 0)
		fcatp_text_put(&q, "1", 1);
	fcatp_text_puts(&q, " FROM ");
	fcatp_text_puts(&q, s->src.from);
	if (rc == 0 && q.oom)
		rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	if (rc == 0) {
		PGresult *r = pg_source_exec(&s->src, q.p);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_source_error(&s->src, r, "selecting the columns");
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
	pg_where w = {s->src.table, row, NULL, false};
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
				return pg_host->error(FCAT_EINVALID,
				                      "postgres: %s%s%s, row %lld, column '%s': "
				                      "the event timestamp is null (a row needs "
				                      "one to be placed in time)",
				                      s->src.table ? "table '" : "",
				                      s->src.table ? s->src.table : "query",
				                      s->src.table ? "'" : "", (long long)row,
				                      w.column);
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
		PGresult *r = PQexec(s->src.conn, cmd);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			int rc = pg_source_error(&s->src, r, "reading rows");
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
		fcatp_batch_reset(&s->b);
		PQclear(r);
		if (rc != 0 || n < PG_BATCH_ROWS)
			return rc;
	}
}

int pg_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx)
{
	int rc = check_request(req, fn);
	if (rc)
		return rc;
	scan s = {.req = req, .fn = fn, .ctx = ctx};
	rc = pg_batch_init(&s.b, req->ncolumns);
	if (!rc)
		rc = pg_source_open(&s.src, store, req->path, req->table, req->query,
		                    "BEGIN READ ONLY");
	if (!rc)
		rc = declare(&s);
	if (!rc)
		rc = fetch_all(&s);
	if (!rc)
		rc = pg_command(&s.src, "CLOSE fcat_cursor; COMMIT", "ending the scan");
	fcatp_batch_free(&s.b);
	pg_source_close(&s.src);
	return rc;
}
