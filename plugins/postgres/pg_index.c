/* pg_index.c - the index the pushed-down join's lookup needs on a table
 * source: (join keys, event time, created time). It finds one that serves,
 * creates it when the store's create_indexes allows (the default), or says
 * which statement to run. */
#include "pg_join.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The lateral lookup (pg_join_sql.c) asks, per entity row, for the last
 * source row of its keys at or before its time: with a btree index whose
 * leading columns are the keys (any order) then the event time, that is
 * one descent of the index, and the join is n log n. Without one, each
 * lookup would read the whole table, so:
 *
 *   - a table (or partitioned table, or materialized view) without such
 *     an index gets one: CREATE INDEX IF NOT EXISTS fcat_pit_<table>_<hash>
 *     ON table (keys, ts, created NULLS FIRST), committed before the join
 *     (the created time NULLS FIRST so a backward scan gives the order of
 *     the tie-break, null created smallest). Building it takes a lock that
 *     holds back writes to the table (not reads) while it runs, once.
 *   - with create_indexes: false, or when the role may not create it (it
 *     does not own the table, a standby), the join fails with an error that
 *     names the table, the columns and the statement to run; pushdown: false
 *     joins in fcat instead.
 *   - a query or a view cannot be indexed: it is joined by the hash join,
 *     whose cost grows with the pairs of same-key rows (pg_join_sql.c).
 *
 * A key column of a nondeterministic collation is compared (and indexed)
 * with COLLATE "C", so keys compare as bytes; any other column compares
 * with its own collation, whose equality is already bytewise, so an index
 * its owner made on the plain column serves.
 */

#define OID_C_COLLATION 950 /* pg_collation.dat: "C" */
#define NAME_MAX_PG     63

/* Catalog facts of one column the index needs. */
typedef struct need {
	const char *name;
	long attnum;
	long collation; /* what the join compares it with */
	bool found;
} need;

static PGresult *catalog(join *j, const char *sql)
{
	const char *param = j->src.table_sql;
	return PQexecParams(j->src.conn, sql, 1, NULL, &param, NULL, NULL, 0);
}

static int catalog_error(join *j, PGresult *r)
{
	return pg_source_error(&j->src, r, "reading the indexes");
}

/* Fills the keys' and the event time's attnums and the collations the join
 * compares them with, and j->key_c; *table is false for a relation that
 * cannot be indexed (a view, a foreign table). Returns 0 or an error. */
static int read_columns(join *j, need *n, size_t nn, bool *table)
{
	PGresult *r = catalog(j, "SELECT c.relkind, a.attname, a.attnum, a.attcollation,\n"
	                         "  COALESCE(co.collisdeterministic, true)\n"
	                         "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid\n"
	                         "  AND a.attnum > 0 AND NOT a.attisdropped\n"
	                         "LEFT JOIN pg_collation co ON co.oid = a.attcollation\n"
	                         "WHERE c.oid = $1::regclass");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = catalog_error(j, r);
		PQclear(r);
		return rc;
	}
	*table = PQntuples(r) > 0 && strchr("rpm", PQgetvalue(r, 0, 0)[0]);
	for (int i = 0; i < PQntuples(r); i++)
		for (size_t k = 0; k < nn; k++)
			if (!strcmp(PQgetvalue(r, i, 1), n[k].name)) {
				bool det = PQgetvalue(r, i, 4)[0] == 't';
				n[k].found = true;
				n[k].attnum = strtol(PQgetvalue(r, i, 2), NULL, 10);
				n[k].collation =
				    det ? strtol(PQgetvalue(r, i, 3), NULL, 10) : OID_C_COLLATION;
				if (k < j->req->nkeys)
					j->key_c[k] = !det;
			}
	PQclear(r);
	return 0;
}

/* Whether the index with columns `keys` and collations `colls` (as
 * int2vector and oidvector text: numbers separated by spaces), `nkeyatts`
 * of them key columns, leads with the join keys in any order, then the
 * event time, each compared with the collation the join uses. */
static bool serves(const need *n, size_t nkeys, const char *keys, const char *colls, long nkeyatts)
{
	if ((long)nkeys + 1 > nkeyatts)
		return false;
	bool used[64] = {false};
	char *kp = (char *)keys, *cp = (char *)colls;
	for (size_t p = 0; p <= nkeys; p++) {
		long att = strtol(kp, &kp, 10), coll = strtol(cp, &cp, 10);
		size_t k = p < nkeys ? 0 : nkeys, end = p < nkeys ? nkeys : nkeys + 1;
		for (; k < end; k++)
			if (!used[k] && n[k].attnum == att && n[k].collation == coll)
				break;
		if (k == end)
			return false;
		used[k] = true;
	}
	return true;
}

static int find_index(join *j, const need *n, bool *found)
{
	PGresult *r = catalog(j, "SELECT i.indkey::text, i.indcollation::text, i.indnkeyatts\n"
	                         "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid\n"
	                         "JOIN pg_am am ON am.oid = ic.relam\n"
	                         "WHERE i.indrelid = $1::regclass AND i.indisvalid\n"
	                         "  AND i.indpred IS NULL AND am.amname = 'btree'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = catalog_error(j, r);
		PQclear(r);
		return rc;
	}
	*found = false;
	for (int i = 0; i < PQntuples(r) && !*found; i++)
		*found = serves(n, j->req->nkeys, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		                strtol(PQgetvalue(r, i, 2), NULL, 10));
	PQclear(r);
	return 0;
}

/* CREATE INDEX [IF NOT EXISTS] fcat_pit_<table>_<hash of the columns> ON
 * table (keys, ts, created NULLS FIRST), and the columns as "a, b, c". */
static void statement(join *j, fcatp_text *sql, fcatp_text *cols, bool if_not_exists)
{
	const fcat_pit_request *req = j->req;
	const char *names[66];
	size_t nn = 0;
	for (size_t k = 0; k < req->nkeys; k++)
		names[nn++] = req->key_columns[k];
	names[nn++] = req->ts_column;
	if (req->created_column)
		names[nn++] = req->created_column;
	uint32_t h = 2166136261u; /* FNV-1a over the names, each with its NUL */
	for (size_t i = 0; i < nn; i++)
		for (const char *p = names[i];; p++) {
			h = (h ^ (unsigned char)*p) * 16777619u;
			if (!*p)
				break;
		}
	const char *base = strrchr(j->src.table, '.');
	base = base ? base + 1 : j->src.table;
	char name[NAME_MAX_PG + 1];
	snprintf(name, sizeof name, "fcat_pit_%.45s_%08" PRIx32, base, h);
	fcatp_text_puts(sql, if_not_exists ? "CREATE INDEX IF NOT EXISTS " : "CREATE INDEX ");
	fcatp_text_ident(sql, name);
	fcatp_text_puts(sql, " ON ");
	fcatp_text_puts(sql, j->src.table_sql);
	fcatp_text_puts(sql, " (");
	for (size_t i = 0; i < nn; i++) {
		fcatp_text_puts(sql, i ? ", " : "");
		fcatp_text_ident(sql, names[i]);
		if (i < req->nkeys && j->key_c[i])
			fcatp_text_puts(sql, " COLLATE \"C\"");
		if (i == req->nkeys + 1)
			fcatp_text_puts(sql, " NULLS FIRST");
		fcatp_text_puts(cols, i ? ", " : "");
		fcatp_text_puts(cols, names[i]);
	}
	fcatp_text_puts(sql, ")");
}

static int create_index(join *j, const need *n)
{
	fcatp_text sql = {0}, cols = {0}, plain = {0}, ignored = {0};
	statement(j, &sql, &cols, true);
	statement(j, &plain, &ignored, false);
	free(ignored.p);
	int rc = 0;
	if (sql.oom || cols.oom || plain.oom) {
		rc = pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	} else if (!j->src.st->create_indexes) {
		rc = pg_host->error(
		    FCAT_EINVALID,
		    "postgres: table '%s' has no index on (%s) for the point-in-time "
		    "join, and create_indexes is false: run %s; (or set "
		    "create_indexes: true and fcat creates it, or pushdown: false "
		    "and fcat joins in process)",
		    j->src.table, cols.p, plain.p);
	} else {
		PGresult *r = PQexec(j->src.conn, sql.p);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			char why[1024];
			snprintf(why, sizeof why, "%s", pg_conn_message(j->src.conn));
			/* another process may have made it meanwhile */
			bool found = false;
			rc = find_index(j, n, &found);
			if (rc == 0 && !found)
				rc = pg_host->error(
				    FCAT_EINVALID,
				    "postgres: table '%s' has no index on (%s) for the "
				    "point-in-time join, and creating it failed: %s; run "
				    "%s as the table's owner (or set pushdown: false and "
				    "fcat joins in process)",
				    j->src.table, cols.p, why, plain.p);
		}
		PQclear(r);
	}
	free(sql.p);
	free(cols.p);
	free(plain.p);
	return rc;
}

int pg_join_index(join *j)
{
	const fcat_pit_request *req = j->req;
	j->lateral = false;
	for (size_t k = 0; k < req->nkeys; k++)
		j->key_c[k] = true;
	if (!j->src.table)
		return 0;
	if (req->nkeys > 63)
		return 0; /* more than an index holds: the hash join */
	need n[64];
	for (size_t k = 0; k < req->nkeys; k++)
		n[k] = (need){.name = req->key_columns[k]};
	n[req->nkeys] = (need){.name = req->ts_column};
	bool table = false, found = false;
	int rc = read_columns(j, n, req->nkeys + 1, &table);
	for (size_t k = 0; rc == 0 && k <= req->nkeys; k++)
		if (!n[k].found)
			table = false; /* plan() has named it; not reached */
	if (rc || !table)
		return rc;
	rc = find_index(j, n, &found);
	if (rc == 0 && !found)
		rc = create_index(j, n);
	j->lateral = rc == 0;
	return rc;
}
