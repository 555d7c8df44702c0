/* pg_join_sql.c - the SQL of the pushed-down point-in-time join, in its two
 * shapes: a lateral index lookup per entity row (a table with the index
 * pg_index.c finds or makes) and a hash join (a query or a view). */
#include "pg_join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Measured on tools/bench/pg_join.sh's data (10,000,000 source rows of
 * 1,000,000 keys, 1,000,000 entity rows, ttl 7 days; PostgreSQL 15, one
 * backend as a cursor runs it: no parallel workers; jit off, work_mem
 * 64MB), the query alone, in psql, aggregated so no rows travel:
 *
 *   lateral   LEFT JOIN LATERAL (... WHERE keys = e.keys AND ts <= e.t
 *             AND ts >= e.lo ORDER BY ts DESC, created DESC NULLS LAST
 *             LIMIT 1) over an index on (keys, ts, created NULLS FIRST):
 *             one index descent per entity row, n log n whatever the
 *             number of rows per key: 15.2 s with shared_buffers 1GB
 *             (16.7 s with the entity rows sorted by keys and time first);
 *             with the default 128MB, which does not hold the table and
 *             its index, 34.9-47.6 s in entity row order but 19.7-20.3 s
 *             sorted by keys and time (then by ordinal again), as
 *             consecutive lookups read neighbouring index pages. We sort.
 *   hash      DISTINCT ON (ordinal) over a hash join on the keys, the time
 *             window as a filter, sorted by (ordinal, ts DESC, created
 *             DESC NULLS LAST): reads the source once but compares every
 *             same-key pair, entity rows x source rows per key: 24.7 s
 *             here, and it grows with the rows per key (11.8 s at 200,000
 *             x 2,000,000 of 20,000 keys).
 *   window    one pass over the UNION ALL of both sides sorted by (keys,
 *             ts, created, kind), a running count of source rows as each
 *             row's group, a self-join on (keys, group) and a fetch of the
 *             winner by ctid: 60.6 s (the sort of 11M rows and the
 *             self-join dominate; PostgreSQL has no IGNORE NULLS to carry
 *             the row itself forward), and that formulation also missed
 *             matches (532,024 of 555,950), which was not chased further.
 *
 * Whole fcat runs (tools/bench/pg_join.sh, medians of 3 on a loaded 2-CPU
 * machine, shared_buffers 128MB): at 10 source rows and 1 entity row a key
 * the two are alike (lateral 28.6 s, hash 26.0 s, in process 52.3 s); at
 * 100 source rows and 10 entity rows a key (2,000,000 x 200,000) the lateral
 * lookup takes 6.2 s, the hash join 13.0 s, in process 9.9 s. So a table
 * gets the lateral lookup, whose cost does not grow with the rows per key,
 * and what cannot be indexed (a query, a view) the hash join, which needs
 * no index.
 *
 * The lateral lookup compares the source's time columns in their own type
 * (timestamptz, timestamp, date, epoch seconds), the entity row's bounds
 * converted to it, so the index on the plain column serves; the
 * conversions are exact: a timestamp or date is the UTC time pg_cell reads,
 * and a date or epoch second is at or before T when it is at or before T's
 * floor, at or after T - ttl when at or after its ceiling. The tie-break
 * orders the columns in their own type too: every conversion keeps the
 * order.
 */

/* The entity row's bound x.`col` (timestamptz) in the type `oid` of the
 * source's time column: for `upper`, the last value at or before it, else
 * the first at or after it. */
static void bound(fcatp_text *q, Oid oid, const char *col, bool upper)
{
	char buf[160];
	switch (oid) {
	case OID_TIMESTAMP: snprintf(buf, sizeof buf, "(x.%s AT TIME ZONE 'UTC')", col); break;
	case OID_DATE:
		snprintf(buf, sizeof buf,
		         upper ? "(x.%s AT TIME ZONE 'UTC')::date"
		               : "((x.%s AT TIME ZONE 'UTC') + interval '1 day' - "
		                 "interval '1 microsecond')::date",
		         col);
		break;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		/* extract gives numeric, exact; -infinity (no lower bound) becomes
		 * the smallest int8 */
		snprintf(buf, sizeof buf,
		         upper ? "floor(extract(epoch FROM x.%s))::int8"
		               : "greatest(ceil(extract(epoch FROM x.%s)), "
		                 "-9223372036854775808)::int8",
		         col);
		break;
	default: snprintf(buf, sizeof buf, "x.%s", col); break; /* timestamptz */
	}
	fcatp_text_puts(q, buf);
}

/* DECLARE fcat_join ... SELECT: the entity row's order (`ord`), whether a
 * row was found (`hit` not null) and the columns w.c0, w.c1, ... */
static void cursor_head(fcatp_text *q, const fcat_pit_request *req, const char *ord,
                        const char *hit)
{
	char buf[64];
	fcatp_text_puts(q, "DECLARE fcat_join NO SCROLL CURSOR FOR SELECT ");
	fcatp_text_puts(q, ord);
	fcatp_text_puts(q, ", ");
	fcatp_text_puts(q, hit);
	fcatp_text_puts(q, " IS NOT NULL");
	for (size_t i = 0; i < req->ncolumns; i++) {
		snprintf(buf, sizeof buf, ", w.c%zu", i);
		fcatp_text_puts(q, buf);
	}
}

/* The source's columns named c0, c1, ..., each after a comma. */
static void source_columns(fcatp_text *q, const fcat_pit_request *req)
{
	char buf[32];
	for (size_t i = 0; i < req->ncolumns; i++) {
		fcatp_text_puts(q, ", fcat_src.");
		fcatp_text_ident(q, req->columns[i]);
		snprintf(buf, sizeof buf, " AS c%zu", i);
		fcatp_text_puts(q, buf);
	}
}

static void lateral(join *j, fcatp_text *q)
{
	const fcat_pit_request *req = j->req;
	char buf[96];
	cursor_head(q, req, "x.fcat_ord", "w.fcat_hit");
	/* the entity rows in the index's order, so that consecutive lookups
	 * read neighbouring index pages */
	fcatp_text_puts(q, "\nFROM (SELECT * FROM ");
	fcatp_text_puts(q, j->ent);
	fcatp_text_puts(q, " ORDER BY ");
	for (size_t k = 0; k < req->nkeys; k++) {
		snprintf(buf, sizeof buf, "fcat_k%zu%s, ", k, j->key_c[k] ? " COLLATE \"C\"" : "");
		fcatp_text_puts(q, buf);
	}
	fcatp_text_puts(q, "fcat_t) AS x LEFT JOIN LATERAL (\n  SELECT TRUE AS fcat_hit");
	source_columns(q, req);
	fcatp_text_puts(q, "\n  FROM ");
	fcatp_text_puts(q, j->src.from);
	fcatp_text_puts(q, "\n  WHERE ");
	for (size_t k = 0; k < req->nkeys; k++) {
		fcatp_text_puts(q, "fcat_src.");
		fcatp_text_ident(q, req->key_columns[k]);
		const char *c = j->key_c[k] ? " COLLATE \"C\"" : "";
		snprintf(buf, sizeof buf, "%s = x.fcat_k%zu%s AND ", c, k, c);
		fcatp_text_puts(q, buf);
	}
	fcatp_text_puts(q, "fcat_src.");
	fcatp_text_ident(q, req->ts_column);
	fcatp_text_puts(q, " <= ");
	bound(q, j->ts_oid, "fcat_t", true);
	if (req->ttl > 0) {
		fcatp_text_puts(q, " AND fcat_src.");
		fcatp_text_ident(q, req->ts_column);
		fcatp_text_puts(q, " >= ");
		bound(q, j->ts_oid, "fcat_lo", false);
	}
	fcatp_text_puts(q, "\n  ORDER BY fcat_src.");
	fcatp_text_ident(q, req->ts_column);
	fcatp_text_puts(q, " DESC");
	if (req->created_column) {
		fcatp_text_puts(q, ", fcat_src.");
		fcatp_text_ident(q, req->created_column);
		fcatp_text_puts(q, " DESC NULLS LAST");
	}
	fcatp_text_puts(q, "\n  LIMIT 1) AS w ON TRUE\nORDER BY x.fcat_ord");
}

static void hash(join *j, fcatp_text *q)
{
	const fcat_pit_request *req = j->req;
	char buf[64];
	cursor_head(q, req, "e.fcat_ord", "w.fcat_ord");
	fcatp_text_puts(q, "\nFROM ");
	fcatp_text_puts(q, j->ent);
	fcatp_text_puts(q, " AS e LEFT JOIN (\n"
	                   "  SELECT DISTINCT ON (x.fcat_ord) x.fcat_ord");
	source_columns(q, req);
	fcatp_text_puts(q, "\n  FROM ");
	fcatp_text_puts(q, j->ent);
	fcatp_text_puts(q, " AS x JOIN ");
	fcatp_text_puts(q, j->src.from);
	fcatp_text_puts(q, "\n  ON ");
	for (size_t k = 0; k < req->nkeys; k++) {
		fcatp_text_puts(q, k ? " AND fcat_src." : "fcat_src.");
		fcatp_text_ident(q, req->key_columns[k]);
		/* bytes, whatever the column's collation */
		bool text = !strcmp(j->key_sql[k], "text");
		snprintf(buf, sizeof buf, "%s = x.fcat_k%zu%s", text ? " COLLATE \"C\"" : "", k,
		         text ? " COLLATE \"C\"" : "");
		fcatp_text_puts(q, buf);
	}
	if (req->nkeys == 0)
		fcatp_text_puts(q, "TRUE");
	fcatp_text_puts(q, "\n  WHERE ");
	fcatp_text_puts(q, j->ts_expr.p);
	fcatp_text_puts(q, " <= x.fcat_t");
	if (req->ttl > 0) {
		fcatp_text_puts(q, " AND ");
		fcatp_text_puts(q, j->ts_expr.p);
		fcatp_text_puts(q, " >= x.fcat_lo");
	}
	fcatp_text_puts(q, "\n  ORDER BY x.fcat_ord, ");
	fcatp_text_puts(q, j->ts_expr.p);
	fcatp_text_puts(q, " DESC");
	if (req->created_column) {
		fcatp_text_puts(q, ", ");
		fcatp_text_puts(q, j->created_expr.p);
		fcatp_text_puts(q, " DESC NULLS LAST");
	}
	fcatp_text_puts(q, "\n) AS w ON w.fcat_ord = e.fcat_ord\nORDER BY e.fcat_ord");
}

int pg_join_declare(join *j)
{
	fcatp_text q = {0};
	if (j->lateral)
		lateral(j, &q);
	else
		hash(j, &q);
	if (q.oom) {
		free(q.p);
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	}
	PGresult *r = pg_source_exec(&j->src, q.p);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_source_error(&j->src, r, "joining the entity rows");
	PQclear(r);
	free(q.p);
	return rc;
}
