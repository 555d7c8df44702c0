/* sqlite_offline.c - SQLite as an offline store: reading a table or a query
 * as typed batches (appending pushed rows is in sqlite_append.c). */
#include "sqlite_offline.h"

#include "sqlite_online.h" /* sq_host */

#include "plugin_path.h"
#include "plugin_names.h"
#include "plugin_scan.h"
#include "plugin_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_PATH "data/offline.db"
#define BATCH_ROWS   4096
#define BLOCK_SIZE   ((size_t)1 << 16) /* of the batch's strings */

/*
 * The time filter is applied here, in C, after each row's timestamp is
 * converted: the column may hold RFC 3339 text with any offset or epoch
 * seconds, which SQL comparisons would not order exactly.
 */

typedef struct scan {
	const fcat_scan_request *req;
	const sqo_store *st;
	fcat_scan_fn fn;
	void *ctx;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	fcatp_batch b;
	char *from; /* "\"t\"" or "(query)" */
} scan;

static void sqo_close(void *store)
{
	sqo_store *s = store;
	if (!s)
		return;
	free(s->path);
	free(s->name);
	free(s);
}

static int sqo_open(void **out, const fcat_plugin_config *config)
{
	*out = NULL;
	const char *p = fcatp_setting_or(config, "path", DEFAULT_PATH);
	sqo_store *s = calloc(1, sizeof *s);
	if (!s)
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	s->name = strdup(p);
	s->path = fcatp_repo_path(config, p);
	if (!s->name || !s->path) {
		sqo_close(s);
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	}
	*out = s;
	return 0;
}

static int check_request(const sqo_store *st, const fcat_scan_request *req, fcat_scan_fn fn)
{
	if (!req || !fn || (req->ncolumns && (!req->columns || !req->types)))
		return sq_host->error(FCAT_EUSAGE, "sqlite: scan called without a request or "
		                                   "callback");
	bool table = req->table && *req->table, query = req->query && *req->query;
	if (table == query)
		return sq_host->error(FCAT_EINVALID,
		                      "sqlite: %s: a source read from the offline store names "
		                      "a table or a query (one of them)%s",
		                      st->name, req->path ? ", not a file" : "");
	if (table && !fcatp_valid_table(req->table, SQO_MAX_TABLE_NAME))
		return sq_host->error(FCAT_EINVALID,
		                      "sqlite: %s: invalid table name '%s': use letters, "
		                      "digits and '_' (and one '.' after a schema)",
		                      st->name, req->table);
	return fcatp_check_ts_column(sq_host, req, "sqlite", "sqlite");
}

/* The FROM clause: the quoted table, or the query in parentheses. */
static char *from_clause(const fcat_scan_request *req)
{
	fcatp_text q = {0};
	if (req->table)
		fcatp_text_table(&q, req->table);
	else
		fcatp_text_subquery(&q, req->query);
	if (q.oom) {
		free(q.p);
		return NULL;
	}
	return q.p;
}

static int connect_db(scan *s)
{
	struct stat sb;
	if (stat(s->st->path, &sb) != 0)
		return sq_host->error(errno == ENOENT ? FCAT_ENOTFOUND : FCAT_EIO,
		                      "sqlite: cannot open the offline store %s: %s", s->st->name,
		                      strerror(errno));
	int rc = sqlite3_open_v2(s->st->path, &s->db, SQLITE_OPEN_READONLY, NULL);
	if (rc) {
		int code =
		    sq_host->error(FCAT_EIO, "sqlite: cannot open the offline store %s: %s",
		                   s->st->name, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		return code;
	}
	sqlite3_busy_timeout(s->db, 10000);
	return 0;
}

static const char *what(const scan *s)
{
	return s->req->table ? s->req->table : "query";
}

static int prepare_error(scan *s, const char *sql_what)
{
	const char *msg = sqlite3_errmsg(s->db);
	if (s->req->table && strncmp(msg, "no such table", 13) == 0)
		return sq_host->error(FCAT_ENOTFOUND, "sqlite: %s: no table '%s'", s->st->name,
		                      s->req->table);
	if (s->req->table)
		return sq_host->error(FCAT_EINVALID, "sqlite: %s: %s of table '%s': %s",
		                      s->st->name, sql_what, s->req->table, msg);
	return sq_host->error(FCAT_EINVALID, "sqlite: %s: %s of the query: %s", s->st->name,
	                      sql_what, msg);
}

static int missing_column(scan *s, sqlite3_stmt *probe, const char *column)
{
	char list[2048];
	size_t len = 0;
	list[0] = 0;
	int n = sqlite3_column_count(probe);
	for (int j = 0; j < n && len < sizeof list; j++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "",
		                        sqlite3_column_name(probe, j));
	if (s->req->table)
		return sq_host->error(FCAT_EINVALID,
		                      "sqlite: %s: no column '%s' in table '%s' (columns: %s)",
		                      s->st->name, column, s->req->table, list);
	return sq_host->error(FCAT_EINVALID,
	                      "sqlite: %s: no column '%s' in the query's results (columns: %s)",
	                      s->st->name, column, list);
}

/* Checks that every requested column exists, then prepares the SELECT. */
static int prepare(scan *s)
{
	const fcat_scan_request *req = s->req;
	fcatp_text q = {0};
	sqlite3_stmt *probe = NULL;
	int rc = 0;
	fcatp_text_puts(&q, "SELECT * FROM ");
	fcatp_text_puts(&q, s->from);
	if (q.oom)
		return sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	if (sqlite3_prepare_v2(s->db, q.p, -1, &probe, NULL) != SQLITE_OK) {
		free(q.p);
		return prepare_error(s, "reading the columns");
	}
	int n = sqlite3_column_count(probe);
	for (size_t i = 0; i < req->ncolumns && rc == 0; i++) {
		int j = 0;
		while (j < n && strcmp(sqlite3_column_name(probe, j), req->columns[i]) != 0)
			j++;
		if (j == n)
			rc = missing_column(s, probe, req->columns[i]);
	}
	sqlite3_finalize(probe);
	q.len = 0;
	fcatp_text_puts(&q, "SELECT ");
	fcatp_text_idents(&q, req->columns, req->ncolumns);
	if (req->ncolumns == 0)
		fcatp_text_put(&q, "1", 1);
	fcatp_text_puts(&q, " FROM ");
	fcatp_text_puts(&q, s->from);
	if (rc == 0 && q.oom)
		rc = sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	if (rc == 0 && sqlite3_prepare_v2(s->db, q.p, -1, &s->stmt, NULL) != SQLITE_OK)
		rc = prepare_error(s, "selecting the columns");
	free(q.p);
	return rc;
}

static int flush(scan *s)
{
	return fcatp_batch_flush(&s->b, s->fn, s->ctx);
}

/* Converts the current row into the batch: 0 kept, 1 filtered out, or an error. */
static int convert_row(scan *s, int64_t row)
{
	const fcat_scan_request *req = s->req;
	fcat_value *cells = s->b.cells + s->b.nrows * req->ncolumns;
	sqo_where w = {s->st->name, req->table, row, NULL};
	int ts = req->ts_column, rc;
	if (ts >= 0) {
		w.column = req->columns[ts];
		rc = sqo_cell(&s->b, &cells[ts], s->stmt, ts, req->types[ts], &w);
		if (rc)
			return rc;
		if (cells[ts].is_null)
			return sq_host->error(FCAT_EINVALID,
			                      "sqlite: %s: %s%s%s, row %lld, column '%s': the "
			                      "event timestamp is null (a row needs one to be "
			                      "placed in time)",
			                      s->st->name, req->table ? "table '" : "", what(s),
			                      req->table ? "'" : "", (long long)row, w.column);
		if (cells[ts].u.ts < req->start || cells[ts].u.ts >= req->end)
			return 1;
	}
	for (size_t i = 0; i < req->ncolumns; i++) {
		if ((int)i == ts)
			continue;
		w.column = req->columns[i];
		rc = sqo_cell(&s->b, &cells[i], s->stmt, (int)i, req->types[i], &w);
		if (rc)
			return rc;
	}
	s->b.nrows++;
	return 0;
}

static int scan_rows(scan *s)
{
	int64_t row = 0;
	for (;;) {
		int rc = sqlite3_step(s->stmt);
		if (rc == SQLITE_DONE)
			return flush(s);
		if (rc != SQLITE_ROW)
			return sq_host->error(rc == SQLITE_NOMEM ? FCAT_ENOMEM : FCAT_EIO,
			                      "sqlite: %s: reading %s%s%s: %s", s->st->name,
			                      s->req->table ? "table '" : "", what(s),
			                      s->req->table ? "'" : "", sqlite3_errmsg(s->db));
		rc = convert_row(s, ++row);
		if (rc < 0)
			return rc;
		if (s->b.nrows == s->b.rows_cap && (rc = flush(s)) != 0)
			return rc;
	}
}

static int sqo_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx)
{
	const sqo_store *st = store;
	int rc = check_request(st, req, fn);
	if (rc)
		return rc;
	scan s = {.req = req, .st = st, .fn = fn, .ctx = ctx};
	s.from = from_clause(req);
	rc = s.from ? 0 : sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	if (!rc)
		rc = connect_db(&s);
	if (!rc)
		rc = prepare(&s);
	if (!rc)
		rc = fcatp_batch_init(&s.b, sq_host, req->ncolumns, BATCH_ROWS, BLOCK_SIZE,
		                      "sqlite: ");
	if (!rc)
		rc = scan_rows(&s);
	fcatp_batch_free(&s.b);
	sqlite3_finalize(s.stmt);
	sqlite3_close(s.db);
	free(s.from);
	return rc;
}

const fcat_offline_ops sq_offline = {
    .size = FCAT_OPS_SIZE(fcat_offline_ops),
    .open = sqo_open,
    .close = sqo_close,
    .scan = sqo_scan,
    .append = sqo_append,
};
