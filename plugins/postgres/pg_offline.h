/* pg_offline.h - the postgres plugin's store handle, batches and cells. */
#ifndef FCAT_PG_OFFLINE_H
#define FCAT_PG_OFFLINE_H

#include "fcat_plugin.h"
#include "plugin_batch.h"
#include "plugin_text.h"

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

/* The join's work_mem unless the store's settings say (work_mem): the lateral
 * lookup sorts the entity rows by keys, then its answers by ordinal, each
 * sort in memory up to this and on disk beyond (1,000,000 entity rows: 20.0 s
 * at 256MB, 21.9 s at PostgreSQL's default 4MB). */
#define PG_JOIN_WORK_MEM "64MB"

/* Type OIDs (pg_type.dat); stable across PostgreSQL versions. */
enum {
	OID_TEXT = 25,
	OID_VARCHAR = 1043,
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
	OID_DATE = 1082,
	OID_TIMESTAMP = 1114,
	OID_TIMESTAMPTZ = 1184,
	OID_BOOL_ARR = 1000,
	OID_BYTEA_ARR = 1001,
	OID_INT2_ARR = 1005,
	OID_INT4_ARR = 1007,
	OID_TEXT_ARR = 1009,
	OID_BPCHAR_ARR = 1014,
	OID_VARCHAR_ARR = 1015,
	OID_INT8_ARR = 1016,
	OID_FLOAT4_ARR = 1021,
	OID_FLOAT8_ARR = 1022,
	OID_TIMESTAMP_ARR = 1115,
	OID_DATE_ARR = 1182,
	OID_TIMESTAMPTZ_ARR = 1185,
	OID_NUMERIC_ARR = 1231,
};

extern const fcat_plugin_host *pg_host;

typedef struct pg_store {
	char *dsn;
	char *schema;        /* or NULL */
	bool create_indexes; /* the join may create the index it needs */
	char work_mem[24];   /* the join's work_mem: digits and a unit */
} pg_store;

/* The cells of one FETCH (PG_BATCH_ROWS rows) are an fcatp_batch, made by
 * pg_batch_init; values converted from the text live in it. */
int pg_batch_init(fcatp_batch *b, size_t ncols);

typedef struct pg_where {
	const char *table; /* or NULL for a query */
	int64_t row;       /* 1-based */
	const char *column;
	bool entity_row; /* `row` is the entity row of a join, not a source row */
} pg_where;

/* Converts the text `text` (len bytes) of a value of PostgreSQL type `oid`
 * to `type` into cell; NULL text is null. Returns 0 or an error naming w. */
int pg_cell(fcatp_batch *b, fcat_value *cell, fcat_type type, Oid oid, const char *text, size_t len,
            const pg_where *w);

/* A source being read: its table (or query), its session and the text
 * that selects it, "\"schema\".\"t\" AS fcat_src" or "(query) AS fcat_src". */
typedef struct pg_source {
	const pg_store *st;
	const char *table, *query; /* one of them */
	PGconn *conn;
	char *from;
	char *table_sql; /* "schema"."t" or "t"; NULL for a query */
} pg_source;

/* Checks the table or query (path set is an error naming the file source),
 * connects, sets the session (UTC, ISO dates, hex bytea) and runs `begin`
 * (none when NULL: statements then commit each on its own). */
int pg_source_open(pg_source *s, const pg_store *st, const char *path, const char *table,
                   const char *query, const char *begin);
void pg_source_close(pg_source *s);
/* The table's name, or "the query". */
const char *pg_source_what(const pg_source *s);
/* Runs a command; 0 or an FCAT_EIO error naming `doing`. */
int pg_command(pg_source *s, const char *cmd, const char *doing);
/* Runs one statement that holds the source's FROM text (PQexecParams, which
 * refuses several statements in one string, so the catalog's query cannot
 * smuggle in a second one). Every such statement goes through here. */
PGresult *pg_source_exec(pg_source *s, const char *sql);
/* An error for a failed statement: no such table, or what failed and why. */
int pg_source_error(pg_source *s, PGresult *r, const char *doing);
/* The source's columns and types, no rows (SELECT * ... LIMIT 0). */
int pg_source_probe(pg_source *s, PGresult **out);
/* The index of `column` in the probe, or an error naming it, the table (or
 * query) and the columns there are. */
int pg_source_column(const pg_source *s, const PGresult *probe, const char *column);
/* libpq's last message without its trailing newline. */
const char *pg_conn_message(PGconn *conn);

int pg_scan(void *store, const fcat_scan_request *req, fcat_scan_fn fn, void *ctx);
int pg_join(void *store, const fcat_pit_request *req, fcat_pit_fn fn, void *ctx);

#endif
