/* pg_offline.h - the postgres plugin's store handle, batches and cells. */
#ifndef FCAT_PG_OFFLINE_H
#define FCAT_PG_OFFLINE_H

#include "fcat_plugin.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Results come in text format, a server-side cursor's FETCH at a time, so
 * a table of any size streams in batches of PG_BATCH_ROWS rows. The session
 * runs with TimeZone UTC, DateStyle ISO and bytea_output hex, so the text
 * forms are fixed. How PostgreSQL values become fcat values:
 *
 *   NULL                              null, for every type
 *   int2, int4, int8, numeric         int32 / int64 (range-checked), float32 /
 *                                     float64 (parsed as CSV text: a double,
 *                                     rounded once to float32), timestamp
 *                                     (epoch seconds, as CSV's integer form)
 *   float4, float8                    float32 / float64 (their shortest text,
 *                                     so float4 -> float32 is exact)
 *   bool                              bool
 *   timestamptz, timestamp, date      timestamp (timestamp and date as UTC)
 *   bytea                             bytes
 *   arrays of the above (1-D)         arrays of the matching types
 *   text and every other type         read as CSV text: the string itself,
 *                                     or host->value_parse for other types
 *                                     ("[...]" arrays, RFC 3339, base64)
 *
 * Other combinations (a float for an integer, a bool for a string) are an
 * error naming the table (or "query"), the row (1-based, in scan order)
 * and the column.
 */

#define PG_BATCH_ROWS 4096

extern const fcat_plugin_host *pg_host;

typedef struct pg_store {
	char *dsn;
	char *schema; /* or NULL */
} pg_store;

typedef struct pg_block pg_block;

/* The cells of one FETCH and the memory of values converted from it. */
typedef struct pg_batch {
	fcat_value *cells;
	size_t ncols;
	fcat_value **owned; /* cells to clear with host->value_clear */
	size_t nowned, owned_cap;
	pg_block *blocks, *cur;
} pg_batch;

int pg_batch_init(pg_batch *b, size_t ncols);
void pg_batch_reset(pg_batch *b);
void pg_batch_free(pg_batch *b);

typedef struct pg_where {
	const char *table; /* or NULL for a query */
	int64_t row;       /* 1-based */
	const char *column;
} pg_where;

/* Converts the text `text` (len bytes) of a value of PostgreSQL type `oid`
 * to `type` into cell; NULL text is null. Returns 0 or an error naming w. */
int pg_cell(pg_batch *b, fcat_value *cell, fcat_type type, Oid oid, const char *text, size_t len,
            const pg_where *w);

int pg_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx);

#endif
