/* sqlite_cell.c - SQLite values as typed fcat cells, and the batch that holds them. */
#include "sqlite_offline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE ((size_t)1 << 16)
#define MAX_SHOWN  64 /* bytes of a bad value quoted in a message */

struct sqo_block {
	sqo_block *next;
	size_t cap, used;
	max_align_t data[];
};

int sqo_batch_init(sqo_batch *b, const fcat_plugin_host *host, size_t ncols, size_t rows_cap)
{
	memset(b, 0, sizeof *b);
	b->host = host;
	b->ncols = ncols;
	b->rows_cap = rows_cap;
	b->cells = calloc(rows_cap * ncols + 1, sizeof *b->cells);
	if (!b->cells)
		return host->error(FCAT_ENOMEM, "sqlite: out of memory");
	return 0;
}

void sqo_batch_reset(sqo_batch *b)
{
	for (size_t i = 0; i < b->nowned; i++)
		b->host->value_clear(b->owned[i]);
	b->nowned = 0;
	for (sqo_block *k = b->blocks; k; k = k->next)
		k->used = 0;
	b->cur = b->blocks;
	b->nrows = 0;
}

void sqo_batch_free(sqo_batch *b)
{
	if (b->cells)
		sqo_batch_reset(b);
	while (b->blocks) {
		sqo_block *next = b->blocks->next;
		free(b->blocks);
		b->blocks = next;
	}
	free(b->owned);
	free(b->cells);
	memset(b, 0, sizeof *b);
}

/* A copy of n bytes that lives until the batch is reset. */
static const char *arena_copy(sqo_batch *b, const void *src, size_t n)
{
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (need == 0)
		return "";
	while (b->cur && b->cur->cap - b->cur->used < need && b->cur->next)
		b->cur = b->cur->next;
	if (!b->cur || b->cur->cap - b->cur->used < need) {
		size_t cap = need > BLOCK_SIZE ? need : BLOCK_SIZE;
		sqo_block *k = malloc(sizeof *k + cap);
		if (!k)
			return NULL;
		k->cap = cap;
		k->used = 0;
		/* keep the chain: a new block goes after the current one */
		k->next = b->cur ? b->cur->next : NULL;
		if (b->cur)
			b->cur->next = k;
		else
			b->blocks = k;
		b->cur = k;
	}
	char *p = (char *)b->cur->data + b->cur->used;
	b->cur->used += need;
	memcpy(p, src, n);
	return p;
}

static void type_name(char *buf, size_t size, fcat_type t)
{
	static const char *const names[] = {"invalid", "int32", "int64", "float32",  "float64",
	                                    "string",  "bytes", "bool",  "timestamp"};
	const char *n =
	    (unsigned)t.scalar < sizeof names / sizeof *names ? names[t.scalar] : "invalid";
	if (!t.is_array)
		snprintf(buf, size, "%s", n);
	else if (t.dim)
		snprintf(buf, size, "%s[%u]", n, (unsigned)t.dim);
	else
		snprintf(buf, size, "%s[]", n);
}

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
static int wrong_kind(sqo_batch *b, sqlite3_stmt *st, int col, fcat_type type, int storage,
                      const sqo_where *w, const char *detail)
{
	char tn[48], msg[256];
	type_name(tn, sizeof tn, type);
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
static int parse_text(sqo_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
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
	if (cell->is_null ||
	    (!type.is_array && type.scalar != FCAT_STRING && type.scalar != FCAT_BYTES))
		return 0;
	if (b->nowned == b->owned_cap) {
		size_t cap = b->owned_cap ? b->owned_cap * 2 : 64;
		fcat_value **no = realloc(b->owned, cap * sizeof *no);
		if (!no) {
			b->host->value_clear(cell);
			return where_error(b->host, FCAT_ENOMEM, w, "out of memory");
		}
		b->owned = no;
		b->owned_cap = cap;
	}
	b->owned[b->nowned++] = cell;
	return 0;
}

static int copy_bytes(sqo_batch *b, fcat_value *cell, const void *p, int n, const sqo_where *w)
{
	const char *c = arena_copy(b, p ? p : "", (size_t)n);
	if (!c)
		return where_error(b->host, FCAT_ENOMEM, w, "out of memory");
	cell->u.str = (fcat_bytes){c, (size_t)n};
	cell->is_null = false;
	return 0;
}

static int from_integer(sqo_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
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

int sqo_cell(sqo_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
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
