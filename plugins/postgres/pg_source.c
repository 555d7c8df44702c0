/* pg_source.c - what reading a source needs, whether it is scanned or
 * joined: checking its table or query, the FROM text, the session, running
 * commands, and errors that name the table (or "the query") and column. */
#include "pg_offline.h"

#include "plugin_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TABLE_NAME           127
#define SQLSTATE_UNDEFINED_TABLE "42P01"

/* ---- the source ----------------------------------------------------------- */

const char *pg_conn_message(PGconn *conn)
{
	static _Thread_local char buf[1024];
	snprintf(buf, sizeof buf, "%s", conn ? PQerrorMessage(conn) : "out of memory");
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return buf;
}

/* A table's name as SQL: "schema"."t", or "t" (found on the search path). */
static char *table_name(const pg_source *s)
{
	fcatp_text q = {0};
	if (!strchr(s->table, '.') && s->st->schema) {
		fcatp_text_ident(&q, s->st->schema);
		fcatp_text_put(&q, ".", 1);
	}
	fcatp_text_table(&q, s->table);
	if (q.oom) {
		free(q.p);
		return NULL;
	}
	return q.p;
}

/* "\"schema\".\"t\" AS fcat_src" or "(query) AS fcat_src". */
static char *from_clause(const pg_source *s)
{
	fcatp_text q = {0};
	if (s->table) {
		fcatp_text_puts(&q, s->table_sql);
	} else {
		fcatp_text_subquery(&q, s->query);
	}
	fcatp_text_puts(&q, " AS fcat_src");
	if (q.oom) {
		free(q.p);
		return NULL;
	}
	return q.p;
}

int pg_command(pg_source *s, const char *cmd, const char *doing)
{
	PGresult *r = PQexec(s->conn, cmd);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_host->error(FCAT_EIO, "postgres: %s: %s", doing, pg_conn_message(s->conn));
	PQclear(r);
	return rc;
}

PGresult *pg_source_exec(pg_source *s, const char *sql)
{
	/* the extended protocol: one statement only, so a query ending in
	 * "...) AS x; COMMIT; DELETE ..." cannot run more after the SELECT */
	return PQexecParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
}

int pg_source_open(pg_source *s, const pg_store *st, const char *path, const char *table,
                   const char *query, const char *begin)
{
	memset(s, 0, sizeof *s);
	s->st = st;
	bool is_table = table && *table, is_query = query && *query;
	if (is_table == is_query)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: a source read from the offline store names a "
		                      "table or a query (one of them)%s",
		                      path ? ", not a file" : "");
	if (is_table && !fcatp_valid_table(table, MAX_TABLE_NAME))
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: invalid table name '%s': use letters, digits "
		                      "and '_' (and one '.' after a schema)",
		                      table);
	s->table = is_table ? table : NULL;
	s->query = is_query ? query : NULL;
	if ((s->table && !(s->table_sql = table_name(s))) || !(s->from = from_clause(s)))
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	s->conn = PQconnectdb(st->dsn);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK)
		return pg_host->error(FCAT_EIO, "postgres: cannot connect: %s",
		                      pg_conn_message(s->conn));
	int rc = pg_command(s,
	                    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
	                    "SET bytea_output = 'hex'; SET extra_float_digits = 1; "
	                    "SET IntervalStyle = 'iso_8601'",
	                    "setting up the session");
	return rc || !begin ? rc : pg_command(s, begin, "starting a transaction");
}

void pg_source_close(pg_source *s)
{
	PQfinish(s->conn);
	free(s->from);
	free(s->table_sql);
	memset(s, 0, sizeof *s);
}

const char *pg_source_what(const pg_source *s)
{
	return s->table ? s->table : "the query";
}

int pg_source_error(pg_source *s, PGresult *r, const char *doing)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	bool in_schema = s->st->schema && s->table && !strchr(s->table, '.');
	if (s->table && state && strcmp(state, SQLSTATE_UNDEFINED_TABLE) == 0)
		return pg_host->error(FCAT_ENOTFOUND, "postgres: no table '%s'%s%s%s", s->table,
		                      in_schema ? " in schema '" : "",
		                      in_schema ? s->st->schema : "", in_schema ? "'" : "");
	return pg_host->error(FCAT_EINVALID, "postgres: %s of %s%s%s: %s", doing,
	                      s->table ? "table '" : "", pg_source_what(s), s->table ? "'" : "",
	                      pg_conn_message(s->conn));
}

int pg_source_probe(pg_source *s, PGresult **out)
{
	fcatp_text q = {0};
	fcatp_text_puts(&q, "SELECT * FROM ");
	fcatp_text_puts(&q, s->from);
	fcatp_text_puts(&q, " LIMIT 0");
	*out = NULL;
	if (q.oom)
		return pg_host->error(FCAT_ENOMEM, "postgres: out of memory");
	PGresult *r = pg_source_exec(s, q.p);
	free(q.p);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = pg_source_error(s, r, "reading the columns");
		PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

int pg_source_column(const pg_source *s, const PGresult *probe, const char *column)
{
	for (int j = 0; j < PQnfields(probe); j++)
		if (strcmp(PQfname(probe, j), column) == 0)
			return j;
	char list[2048];
	size_t len = 0;
	list[0] = 0;
	for (int j = 0; j < PQnfields(probe) && len < sizeof list; j++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", j ? ", " : "",
		                        PQfname(probe, j));
	if (s->table)
		return pg_host->error(FCAT_EINVALID,
		                      "postgres: no column '%s' in table '%s' (columns: %s)",
		                      column, s->table, list);
	return pg_host->error(FCAT_EINVALID,
	                      "postgres: no column '%s' in the query's results (columns: %s)",
	                      column, list);
}
