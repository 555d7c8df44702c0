/* sqlite_cell.c - SQLite values as typed fcat cells of a batch. */
#include "sqlite_offline.h"

#include "plugin_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN 64 /* bytes of a bad value quoted in a message */

static const char *storage_name(int t)
{
	switch (t) {
	case SQLITE_INTEGER: return "INTEGER";
	case SQLITE_FLOAT: return "REAL";
	case SQLITE_TEXT: return "TEXT";
	case SQLITE_BLOB: return "BLOB";
	default: return "NULL";
	}
}

static int where_error(const fcat_plugin_host *host, int code, const sqo_where *w, const char *msg)
{
	if (w->table)
		return host->error(code, "sqlite: %s: table '%s', row %lld, column '%s': %s", w->db,
		                   w->table, (long long)w->row, w->column, msg);
	return host->error(code, "sqlite: %s: query, row %lld, column '%s': %s", w->db,
	                   (long long)w->row, w->column, msg);
}

/* "expected int64, found REAL 1.5" (the value quoted when it is not a blob). */
static int wrong_kind(fcatp_batch *b, sqlite3_stmt *st, int col, fcat_type type, int storage,
                      const sqo_where *w, const char *detail)
{
	char tn[48], msg[256];
	fcatp_type_name(tn, sizeof tn, type);
	if (storage == SQLITE_BLOB) {
		snprintf(msg, sizeof msg, "expected %s, found a BLOB of %d bytes%s%s", tn,
		         sqlite3_column_bytes(st, col), detail ? ": " : "", detail ? detail : "");
	} else {
		const char *text = (const char *)sqlite3_column_text(st, col);
		int len = sqlite3_column_bytes(st, col);
		snprintf(msg, sizeof msg, "expected %s, found %s '%.*s'%s%s%s", tn,
		         storage_name(storage), len > MAX_SHOWN ? MAX_SHOWN : len, text ? text : "",
		         len > MAX_SHOWN ? "..." : "", detail ? ": " : "", detail ? detail : "");
	}
	return where_error(b->host, FCAT_EINVALID, w, msg);
}

/* TEXT read as the CSV plugin reads a cell: through host->value_parse. */
static int parse_text(fcatp_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
                      const sqo_where *w)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	if (!text)
		return where_error(b->host, FCAT_ENOMEM, w, "out of memory");
	int rc = b->host->value_parse(cell, type, text, len);
	if (rc != 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", b->host->error_last());
		return where_error(b->host, rc, w, msg);
	}
	if (fcatp_batch_keep(b, cell, type))
		return where_error(b->host, FCAT_ENOMEM, w, "out of memory");
	return 0;
}

static int copy_bytes(fcatp_batch *b, fcat_value *cell, const void *p, int n, const sqo_where *w)
{
	const char *c = fcatp_batch_copy(b, p ? p : "", (size_t)n);
	if (!c)
		return where_error(b->host, FCAT_ENOMEM, w, "out of memory");
	cell->u.str = (fcat_bytes){c, (size_t)n};
	cell->is_null = false;
	return 0;
}

static int from_integer(fcatp_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
                        const sqo_where *w)
{
	int64_t i = sqlite3_column_int64(st, col);
	switch (type.scalar) {
	case FCAT_INT32:
		if (i < INT32_MIN || i > INT32_MAX)
			return wrong_kind(b, st, col, type, SQLITE_INTEGER, w, "out of range");
		cell->u.i32 = (int32_t)i;
		break;
	case FCAT_INT64: cell->u.i64 = i; break;
	case FCAT_FLOAT32: cell->u.f32 = (float)(double)i; break; /* as CSV: via a double */
	case FCAT_FLOAT64: cell->u.f64 = (double)i; break;
	case FCAT_BOOL:
		if (i != 0 && i != 1)
			return wrong_kind(b, st, col, type, SQLITE_INTEGER, w, "a bool is 0 or 1");
		cell->u.b = i == 1;
		break;
	case FCAT_TIMESTAMP: /* epoch seconds */
		if (i > INT64_MAX / 1000000 || i < INT64_MIN / 1000000)
			return wrong_kind(b, st, col, type, SQLITE_INTEGER, w,
			                  "out of range (epoch seconds)");
		cell->u.ts = i * 1000000;
		break;
	default: return wrong_kind(b, st, col, type, SQLITE_INTEGER, w, NULL);
	}
	cell->is_null = false;
	return 0;
}

int sqo_cell(fcatp_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
             const sqo_where *w)
{
	int storage = sqlite3_column_type(st, col);
	*cell = (fcat_value){.type = type, .is_null = true};
	if (storage == SQLITE_NULL)
		return 0;
	if (type.is_array) {
		if (storage != SQLITE_TEXT)
			return wrong_kind(b, st, col, type, storage, w, NULL);
		return parse_text(b, cell, st, col, type, w);
	}
	switch (storage) {
	case SQLITE_INTEGER: return from_integer(b, cell, st, col, type, w);
	case SQLITE_FLOAT:
		if (type.scalar == FCAT_FLOAT64)
			cell->u.f64 = sqlite3_column_double(st, col);
		else if (type.scalar == FCAT_FLOAT32)
			cell->u.f32 = (float)sqlite3_column_double(st, col);
		else
			return wrong_kind(b, st, col, type, storage, w, NULL);
		cell->is_null = false;
		return 0;
	case SQLITE_BLOB:
		if (type.scalar != FCAT_BYTES)
			return wrong_kind(b, st, col, type, storage, w, NULL);
		return copy_bytes(b, cell, sqlite3_column_blob(st, col),
		                  sqlite3_column_bytes(st, col), w);
	default: break;
	}
	/* TEXT */
	if (type.scalar == FCAT_STRING) {
		const unsigned char *t = sqlite3_column_text(st, col);
		return copy_bytes(b, cell, t, sqlite3_column_bytes(st, col), w);
	}
	if (type.scalar == FCAT_TIMESTAMP) {
		const char *t = (const char *)sqlite3_column_text(st, col);
		size_t len = (size_t)sqlite3_column_bytes(st, col);
		if (b->host->timestamp_parse(&cell->u.ts, t ? t : "", len) != 0) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", b->host->error_last());
			return wrong_kind(b, st, col, type, storage, w, msg);
		}
		cell->is_null = false;
		return 0;
	}
	return parse_text(b, cell, st, col, type, w);
}
