/* pg_join.h - what the pushed-down point-in-time join's parts share: the
 * join under way (pg_join.c), the index its lookup needs (pg_index.c) and
 * the SQL of its two shapes (pg_join_sql.c). */
#ifndef FCAT_PG_JOIN_H
#define FCAT_PG_JOIN_H

#include "pg_offline.h"

typedef struct join {
	pg_source src;
	const fcat_pit_request *req;
	fcat_pit_fn fn;
	void *ctx;
	const char **key_sql; /* the entity table's type of each key */
	/* the lookup shape: one index probe per entity row (a table with an
	 * index on keys, time), else the hash join (a query, a view) */
	bool lateral;
	bool *key_c;                      /* lateral: compare key k with COLLATE "C" */
	Oid ts_oid;                       /* the source's type of the event time column */
	fcatp_text ts_expr, created_expr; /* both as timestamptz (hash join) */
	fcatp_batch b;
	bool *matched;
	char ent[80]; /* pg_temp."fcat_entities_<pid>_<n>" */
} join;

/* For a table source (a table, partitioned table or materialized view):
 * finds a btree index whose leading columns are the join keys (in any
 * order) then the event time, or creates one when the store's
 * create_indexes allows, and sets j->lateral and j->key_c. Runs outside
 * any transaction (CREATE INDEX must commit). A query or a view has no
 * index: j->lateral stays false. Returns 0, or an error naming the table,
 * the columns and the CREATE INDEX statement to run. */
int pg_join_index(join *j);

/* Declares the cursor fcat_join over the join's answers: entity row
 * ordinal, matched, then the requested columns, in entity row order. */
int pg_join_declare(join *j);

#endif
