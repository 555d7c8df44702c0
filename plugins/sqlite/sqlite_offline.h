/* sqlite_offline.h - SQLite as an offline store: typed scans of tables and
 * queries, and appends of pushed rows to tables. */
#ifndef FCAT_SQLITE_OFFLINE_H
#define FCAT_SQLITE_OFFLINE_H

#include "fcat_plugin.h"
#include "plugin_batch.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How SQLite values become fcat values (the CSV plugin's text rules where a
 * value is TEXT, so a table loaded from a CSV file reads the same):
 *
 *   NULL                          null, for every type
 *   int32, int64                  INTEGER (range-checked); TEXT as CSV text
 *   float32, float64              REAL, INTEGER (as a double, then rounded
 *                                 once to float32); TEXT as CSV text
 *   bool                          INTEGER 0 or 1; TEXT as CSV text
 *   timestamp                     TEXT: RFC 3339 or epoch seconds
 *                                 (host->timestamp_parse); INTEGER: epoch
 *                                 seconds, as CSV's integer form
 *   string                        TEXT
 *   bytes                         BLOB as is; TEXT as base64 (as CSV)
 *   arrays                        TEXT "[...]" (host->value_parse)
 *
 * Anything else is an error naming the database, the table (or "query"),
 * the row (1-based, in scan order) and the column.
 */

#define SQO_MAX_TABLE_NAME 255

/* The offline store's handle. */
typedef struct sqo_store {
	char *path; /* the file */
	char *name; /* as configured, for messages */
} sqo_store;

/* Where a cell is, for messages. */
typedef struct sqo_where {
	const char *db;    /* the database path as configured */
	const char *table; /* or NULL for a query */
	int64_t row;       /* 1-based */
	const char *column;
} sqo_where;

/* Converts column `col` of the statement's current row into `cell`.
 * Returns 0, or an error (set, naming `where`). */
int sqo_cell(fcatp_batch *b, fcat_value *cell, sqlite3_stmt *st, int col, fcat_type type,
             const sqo_where *where);

/* fcat_offline_ops.append: inserts the rows into request->table in one
 * transaction (BEGIN IMMEDIATE ... COMMIT), stored as scans read them back:
 * integers and bools as INTEGER, floats as REAL, strings as TEXT, bytes as
 * BLOB, timestamps and arrays as their text (RFC 3339 with microseconds,
 * "[...]"). */
int sqo_append(void *store, const fcat_append_request *request);

/* fcat_offline_ops of the sqlite plugin. */
extern const fcat_offline_ops sq_offline;

#endif
