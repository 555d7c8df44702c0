/* sqlite_append.c - SQLite as an offline store: appending pushed rows to a
 * table in one transaction, each value stored as sqo_cell reads it back. */
#include "sqlite_offline.h"

#include "sqlite_online.h" /* sq_host */

#include "plugin_names.h"
#include "plugin_text.h"

#include <stdlib.h>
#include <string.h>

/* INSERT INTO "t" ("a", "b") VALUES (?, ?) */
static char *insert_sql(const fcat_append_request *req)
{
	fcatp_text q = {0};
	fcatp_text_puts(&q, "INSERT INTO ");
	fcatp_text_table(&q, req->table);
	fcatp_text_puts(&q, " (");
	fcatp_text_idents(&q, req->columns, req->ncolumns);
	fcatp_text_puts(&q, ") VALUES (");
	for (size_t i = 0; i < req->ncolumns; i++)
		fcatp_text_puts(&q, i ? ", ?" : "?");
	fcatp_text_puts(&q, ")");
	if (q.oom) {
		free(q.p);
		return NULL;
	}
	return q.p;
}

static int bind(sqlite3_stmt *st, int at, const fcat_value *v, const char *text)
{
	if (v->is_null)
		return sqlite3_bind_null(st, at);
	if (v->type.is_array || v->type.scalar == FCAT_TIMESTAMP)
		return sqlite3_bind_text(st, at, text ? text : "", -1, SQLITE_STATIC);
	switch (v->type.scalar) {
	case FCAT_INT32: return sqlite3_bind_int64(st, at, v->u.i32);
	case FCAT_INT64: return sqlite3_bind_int64(st, at, v->u.i64);
	case FCAT_FLOAT32: return sqlite3_bind_double(st, at, (double)v->u.f32);
	case FCAT_FLOAT64: return sqlite3_bind_double(st, at, v->u.f64);
	case FCAT_BOOL: return sqlite3_bind_int(st, at, v->u.b ? 1 : 0);
	case FCAT_STRING:
		return sqlite3_bind_text(st, at, v->u.str.ptr ? v->u.str.ptr : "",
		                         (int)v->u.str.len, SQLITE_STATIC);
	case FCAT_BYTES:
		return sqlite3_bind_blob(st, at, v->u.str.ptr ? v->u.str.ptr : "",
		                         (int)v->u.str.len, SQLITE_STATIC);
	default: return SQLITE_MISUSE;
	}
}

/* The message of a failed statement: a missing table or column named. */
static int sql_error(const sqo_store *st, sqlite3 *db, const char *table, int64_t row)
{
	const char *msg = sqlite3_errmsg(db);
	if (strncmp(msg, "no such table", 13) == 0)
		return sq_host->error(FCAT_ENOTFOUND, "sqlite: %s: no table '%s' to append to",
		                      st->name, table);
	if (strstr(msg, "has no column named"))
		return sq_host->error(FCAT_EINVALID, "sqlite: %s: %s", st->name, msg);
	if (row > 0)
		return sq_host->error(FCAT_EIO, "sqlite: %s: appending row %lld to table '%s': %s",
		                      st->name, (long long)row, table, msg);
	return sq_host->error(FCAT_EIO, "sqlite: %s: appending to table '%s': %s", st->name, table,
	                      msg);
}

static int insert_rows(const sqo_store *st, sqlite3 *db, sqlite3_stmt *ins,
                       const fcat_append_request *req)
{
	for (size_t r = 0; r < req->nrows; r++) {
		sqlite3_reset(ins);
		for (size_t c = 0; c < req->ncolumns; c++) {
			size_t i = r * req->ncolumns + c;
			if (bind(ins, (int)c + 1, &req->cells[i],
			         req->texts ? req->texts[i] : NULL))
				return sql_error(st, db, req->table, (int64_t)r + 1);
		}
		if (sqlite3_step(ins) != SQLITE_DONE)
			return sql_error(st, db, req->table, (int64_t)r + 1);
	}
	return 0;
}

int sqo_append(void *store, const fcat_append_request *req)
{
	const sqo_store *st = store;
	if (!req || (req->nrows && !req->cells) || (req->ncolumns && !req->columns))
		return sq_host->error(FCAT_EUSAGE, "sqlite: append called without a request");
	if (!req->table || !*req->table)
		return sq_host->error(FCAT_EINVALID,
		                      "sqlite: %s: rows are appended to a table, and the source "
		                      "names %s",
		                      st->name, req->path ? "a file" : "a query");
	if (!fcatp_valid_table(req->table, SQO_MAX_TABLE_NAME))
		return sq_host->error(FCAT_EINVALID, "sqlite: %s: invalid table name '%s'",
		                      st->name, req->table);
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(st->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		int rc = sq_host->error(FCAT_EIO, "sqlite: cannot open the offline store %s: %s",
		                        st->name, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db, 10000);
	char *sql = insert_sql(req);
	sqlite3_stmt *ins = NULL;
	int rc = sql ? 0 : sq_host->error(FCAT_ENOMEM, "sqlite: out of memory");
	if (rc == 0 && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_error(st, db, req->table, 0);
	bool open_tx = rc == 0;
	if (rc == 0 && sqlite3_prepare_v2(db, sql, -1, &ins, NULL) != SQLITE_OK)
		rc = sql_error(st, db, req->table, 0);
	if (rc == 0)
		rc = insert_rows(st, db, ins, req);
	sqlite3_finalize(ins);
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_error(st, db, req->table, 0);
	if (rc && open_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	free(sql);
	return rc;
}
