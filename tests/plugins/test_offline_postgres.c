/* test_offline_postgres.c - the postgres plugin against a real server the
 * test starts itself: typed values, nulls, errors that name table, row and
 * column, the time filter, batches, the same training set as through csv and
 * sqlite, and the point-in-time join pushed down into PostgreSQL. */
#include "testutil.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_conformance.h"
#include "offline_rows.h"
#include "pit_fixture.h"

#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a server of our own ---------------------------------------------------- */

typedef struct pg_server {
	char bin[1024]; /* /usr/lib/postgresql/N/bin */
	char *dir;      /* data, socket and log */
	int port;
	bool as_nobody; /* root runs the server as nobody: postgres refuses root */
	bool running;
	char dsn[256];
} pg_server;

static pg_server server;

/* libpq through dlopen: the tests link no client library of their own. */
static struct {
	void *(*connectdb)(const char *dsn);
	int (*status)(const void *conn);
	char *(*error_message)(const void *conn);
	void *(*exec)(void *conn, const char *sql);
	int (*result_status)(const void *res);
	void (*clear)(void *res);
	void (*finish)(void *conn);
	int (*ntuples)(const void *res);
	char *(*getvalue)(const void *res, int row, int col);
} pq;

enum { PQ_CONNECTION_OK = 0, PQ_COMMAND_OK = 1, PQ_TUPLES_OK = 2 };

static void load_libpq(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		fail_msg("cannot load libpq.so.5 (run tools/scripts/deps.sh test): %s", dlerror());
	*(void **)&pq.connectdb = dlsym(h, "PQconnectdb");
	*(void **)&pq.status = dlsym(h, "PQstatus");
	*(void **)&pq.error_message = dlsym(h, "PQerrorMessage");
	*(void **)&pq.exec = dlsym(h, "PQexec");
	*(void **)&pq.result_status = dlsym(h, "PQresultStatus");
	*(void **)&pq.clear = dlsym(h, "PQclear");
	*(void **)&pq.finish = dlsym(h, "PQfinish");
	*(void **)&pq.ntuples = dlsym(h, "PQntuples");
	*(void **)&pq.getvalue = dlsym(h, "PQgetvalue");
	assert_true(pq.connectdb && pq.status && pq.error_message && pq.exec && pq.result_status &&
	            pq.clear && pq.finish && pq.ntuples && pq.getvalue);
}

/* Runs `sql` (several statements allowed) on database `db`: true when it
 * ran, else false with the server's message in msg. */
static bool pg_try_exec(const char *db, const char *sql, char *msg, size_t size)
{
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=%s", server.port,
	         db);
	void *conn = pq.connectdb(dsn);
	if (pq.status(conn) != PQ_CONNECTION_OK) {
		char why[1024];
		snprintf(why, sizeof why, "%s", pq.error_message(conn));
		pq.finish(conn);
		fail_msg("postgres: cannot connect to %s: %s", dsn, why);
	}
	void *r = pq.exec(conn, sql);
	int st = pq.result_status(r);
	bool ok = st == PQ_COMMAND_OK || st == PQ_TUPLES_OK;
	snprintf(msg, size, "%s", ok ? "" : pq.error_message(conn));
	pq.clear(r);
	pq.finish(conn);
	return ok;
}

/* The first column of the first row of query `sql` on database `db`, in
 * out (size bytes; "" without rows). */
static void pg_value(const char *db, const char *sql, char *out, size_t size)
{
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=%s", server.port,
	         db);
	void *conn = pq.connectdb(dsn);
	assert_int_equal(pq.status(conn), PQ_CONNECTION_OK);
	void *r = pq.exec(conn, sql);
	if (pq.result_status(r) != PQ_TUPLES_OK)
		fail_msg("postgres: %s in %s", pq.error_message(conn), sql);
	snprintf(out, size, "%s", pq.ntuples(r) ? pq.getvalue(r, 0, 0) : "");
	pq.clear(r);
	pq.finish(conn);
}

/* Runs `sql` (several statements allowed) on database `db`. */
static void pg_exec(const char *db, const char *sql)
{
	char msg[1024];
	if (!pg_try_exec(db, sql, msg, sizeof msg))
		fail_msg("postgres: %s in:\n%s", msg, sql);
}

/* Runs a server program (as nobody when we are root); fails with its output. */
static void run_server_tool(const char *tool, const char *const *args)
{
	const char *argv[16];
	char path[1100];
	size_t n = 0;
	snprintf(path, sizeof path, "%s/%s", server.bin, tool);
	if (server.as_nobody) {
		argv[n++] = "/usr/sbin/runuser";
		argv[n++] = "-u";
		argv[n++] = "nobody";
		argv[n++] = "--";
	}
	argv[n++] = path;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	test_run r = test_exec(server.dir, NULL, argv);
	if (r.status != 0) {
		char msg[4096];
		snprintf(msg, sizeof msg, "%s failed (%d): %s%s", tool, r.status, r.out, r.err);
		test_run_free(&r);
		fail_msg("%s", msg);
	}
	test_run_free(&r);
}

static int server_start(void **state)
{
	(void)state;
	glob_t g;
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0 || g.gl_pathc == 0)
		fail_msg("no PostgreSQL server under /usr/lib/postgresql/*/bin: run "
		         "tools/scripts/deps.sh test");
	/* the newest version: the last in glob's sorted order of equal-width names */
	snprintf(server.bin, sizeof server.bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	*strrchr(server.bin, '/') = 0;
	load_libpq();
	server.dir = test_mkdtemp();
	server.as_nobody = geteuid() == 0;
	if (server.as_nobody) {
		struct passwd *pw = getpwnam("nobody");
		if (!pw || chown(server.dir, pw->pw_uid, pw->pw_gid) != 0)
			fail_msg("running as root, and cannot hand %s to the user nobody",
			         server.dir);
	}
	server.port = test_free_port();
	char data[4200], log[4200], opts[4400];
	snprintf(data, sizeof data, "%s/data", server.dir);
	snprintf(log, sizeof log, "%s/server.log", server.dir);
	snprintf(opts, sizeof opts, "-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off",
	         server.dir, server.port);
	run_server_tool("initdb", (const char *const[]){"-D", data, "-A", "trust", "-U", "postgres",
	                                                "--no-sync", NULL});
	run_server_tool("pg_ctl", (const char *const[]){"-D", data, "-l", log, "-o", opts, "-w",
	                                                "-t", "30", "start", NULL});
	server.running = true;
	pg_exec("postgres", "CREATE DATABASE fcat_test");
	snprintf(server.dsn, sizeof server.dsn,
	         "host=127.0.0.1 port=%d user=postgres dbname=fcat_test", server.port);
	return 0;
}

static int server_stop(void **state)
{
	(void)state;
	if (server.running) {
		char data[4200];
		snprintf(data, sizeof data, "%s/data", server.dir);
		run_server_tool(
		    "pg_ctl", (const char *const[]){"-D", data, "-m", "fast", "-w", "stop", NULL});
		server.running = false;
	}
	if (server.dir) {
		test_dir_done(server.dir);
		server.dir = NULL;
	}
	return 0;
}

/* ---- scanning ----------------------------------------------------------------- */

/* Scans with settings dsn (and schema when not NULL); r's text is freed by
 * the caller. */
static int scan(const char *schema, const fcat_scan_request *req, test_rows *r)
{
	const char *kv[] = {"dsn", server.dsn, schema ? "schema" : NULL, schema, NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	*r = (test_rows){.ncols = req->ncolumns};
	int rc = test_offline_scan(test_offline_ops("postgres"), c, req, test_rows_collect, r);
	free(c);
	return rc;
}

/* The postgres store of our server, with setting schema = `schema` (none
 * when NULL), for the offline conformance checks. */
static offline_target pg_in(const char *schema)
{
	return (offline_target){scan, schema};
}

static void test_offline_postgres__typed_values(void **state)
{
	(void)state;
	pg_exec("fcat_test",
	        "CREATE TABLE typed(i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, num numeric,\n"
	        "  s text, vc varchar(10), by bytea, ok bool, tz timestamptz, naive timestamp,\n"
	        "  d date, emb float4[], tags text[], ids int8[], flags bool[], j text);\n"
	        "INSERT INTO typed VALUES (-7, 2147483647, 9007199254740993, 0.1, 0.1, 2.5,\n"
	        "  'héllo', 'v', '\\x00ff10', true, '2026-01-02T03:04:05.5+01:00',\n"
	        "  '2026-01-01 10:00:00', '2026-01-01', '{1.5,-2,300}', '{\"a b\",\"c\\\"d\",e}',\n"
	        "  '{1,2,3}', '{t,f}', '[1,2]'),\n"
	        " (0, 0, -1, 'Infinity', '-0', 3, '', '', '\\x', false, '1970-01-01Z',\n"
	        "  '1969-12-31 23:59:59.000001', '2000-02-29', '{}', '{}', '{}', '{}', '');\n");
	const char *cols[] = {"i2", "i4", "i8",    "f4", "f8",  "num",  "s",   "vc",    "by",
	                      "ok", "tz", "naive", "d",  "emb", "tags", "ids", "flags", "j"};
	fcat_type types[] = {
	    T(INT32),     T(INT32),       T(INT64),      T(FLOAT32),   T(FLOAT64),   T(FLOAT64),
	    T(STRING),    T(STRING),      T(BYTES),      T(BOOL),      T(TIMESTAMP), T(TIMESTAMP),
	    T(TIMESTAMP), TA(FLOAT32, 0), TA(STRING, 0), TA(INT64, 0), TA(BOOL, 0),  TA(INT32, 2)};
	offline_check_typed_values(
	    pg_in(NULL), "typed", cols, types, NCOLS(cols),
	    "-7|2147483647|9007199254740993|0.1|0.1|2.5|héllo|v|AP8Q|true|"
	    "2026-01-02T02:04:05.500Z|2026-01-01T10:00:00Z|2026-01-01T00:00:00Z|"
	    "[1.5,-2,300]|[\"a b\",\"c\\\"d\",\"e\"]|[1,2,3]|[true,false]|[1,2]\n"
	    "0|0|-1|inf|-0|3||||false|1970-01-01T00:00:00Z|"
	    "1969-12-31T23:59:59.000001Z|2000-02-29T00:00:00Z|[]|[]|[]|[]|NULL\n");
}

static void test_offline_postgres__nulls_of_every_type(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE nulls(a int8, b float4, c text, d bytea, "
	                     "e timestamptz, f int4[]);\n"
	                     "INSERT INTO nulls VALUES (NULL, NULL, NULL, NULL, NULL, NULL);\n");
	offline_check_nulls_of_every_type(pg_in(NULL), "nulls");
}

static void test_offline_postgres__a_missing_column_is_named(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE SCHEMA feats; CREATE TABLE feats.ev(a int8, b text);");
	const char *cols[] = {"a", "zz"};
	fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.table = "ev";
	offline_expect_scan_fails(pg_in("feats"), &req, FCAT_EINVALID,
	                          "no column 'zz' in table 'ev' (columns: a, b)");
	/* without the schema setting the table is not found */
	offline_expect_scan_fails(pg_in(NULL), &req, FCAT_ENOTFOUND, "no table 'ev'");
	req.table = "feats.ev";
	cols[1] = "b";
	test_rows r;
	assert_int_equal(scan(NULL, &req, &r), 0);
	free(r.text);
	req.table = "ev; DROP TABLE ev";
	offline_expect_scan_fails(pg_in(NULL), &req, FCAT_EINVALID, "invalid table name");
}

static void test_offline_postgres__a_bad_value_names_table_row_and_column(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE bad(id text, a text, f float8);\n"
	                     "INSERT INTO bad VALUES ('x', '1', 1), ('y', 'twelve', 2.5);\n");
	offline_check_bad_value_named(pg_in(NULL), "bad", "table 'bad', row 2, column 'a'");
	/* a float where an integer is wanted is the wrong kind, not truncated */
	offline_check_float_is_no_int64(pg_in(NULL), "SELECT id, f FROM bad ORDER BY id;", "f",
	                                "query, row 1, column 'f': expected int64, "
	                                "found a float '1'");
	/* a query that does not run says why */
	const char *cols[] = {"id", "f"};
	fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.query = "SELECT nope FROM bad";
	offline_expect_scan_fails(pg_in(NULL), &req, FCAT_EINVALID, "nope");
}

static void test_offline_postgres__the_time_filter(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE tf(ts timestamptz, v int8);\n"
	                     "INSERT INTO tf VALUES ('2026-01-01T09:59:59.999999Z', 1),\n"
	                     " ('2026-01-01T11:00:00+01:00', 2), ('2026-01-01T10:00:00Z', 3),\n"
	                     " ('2026-01-01T10:59:59Z', 4), ('2026-01-01T11:00:00Z', 5);\n");
	offline_check_time_window(pg_in(NULL), NULL, "SELECT * FROM tf ORDER BY v");
	pg_exec("fcat_test", "INSERT INTO tf VALUES (NULL, 6);");
	fcat_scan_request req = test_scan_time_window();
	req.query = "SELECT * FROM tf ORDER BY v";
	offline_expect_scan_fails(pg_in(NULL), &req, FCAT_EINVALID,
	                          "query, row 6, column 'ts': the event "
	                          "timestamp is null");
}

static void test_offline_postgres__streams_in_batches(void **state)
{
	(void)state;
	size_t calls =
	    offline_check_squares_to_10000(pg_in(NULL), "SELECT i::int8 * i AS sq, i FROM "
	                                                "generate_series(1, 10000) AS i "
	                                                "ORDER BY i");
	assert_int_equal(calls, 3); /* 4096 + 4096 + 1808: a FETCH at a time */
}

/* pit_repo with the PostgreSQL database `db` of our server as the offline
 * store; `settings` adds lines to the offline_store block. */
static char *pg_pit_repo(const char *db, const char *settings)
{
	char yaml[512];
	snprintf(yaml, sizeof yaml,
	         "offline_store:\n  plugin: postgres\n%s"
	         "  dsn: \"host=127.0.0.1 port=%d user=postgres dbname=%s\"\n",
	         settings, server.port, db);
	return pit_repo(yaml, false);
}

/* The must-show: the same point-in-time request through csv, sqlite
 * and postgres gives the same bytes. */
static void test_offline_postgres__the_same_training_set_as_csv_and_sqlite(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE DATABASE fcat_pit");
	pg_exec("fcat_pit",
	        "CREATE TABLE events(user_id text, ts timestamptz, created timestamptz, a int8,\n"
	        "  b text);\n"
	        "CREATE TABLE visits(user_id text, store_id int8, ts timestamptz, n int4);\n"
	        "INSERT INTO visits VALUES ('u1', 7, '2025-06-01T00:00:00Z', 70),\n"
	        " ('u1', 8, '2025-06-01T00:00:00Z', 80), ('u2', 7, '2026-01-01T12:00:00Z', 99);\n");
	pg_exec("fcat_pit", pit_rows_sql);

	char *csv = pit_repo("", true), *sq = pit_sqlite_repo();
	char *pg = pg_pit_repo("fcat_pit", "");

	size_t pushed = 99;
	char *a = pit_historical(csv), *b = pit_historical(sq),
	     *c = pit_historical_ext(pg, &pushed);
	assert_string_equal(a, pit_expected);
	assert_string_equal(b, a);
	assert_string_equal(c, a);
	assert_int_equal(pushed, 2); /* both views joined inside PostgreSQL */
	/* the core join over a postgres scan, forced: the same bytes */
	setenv("FCAT_OFFLINE_PUSHDOWN", "0", 1);
	char *d = pit_historical_ext(pg, &pushed);
	unsetenv("FCAT_OFFLINE_PUSHDOWN");
	assert_int_equal(pushed, 0);
	assert_string_equal(d, a);
	/* and switched off in fcat.yaml */
	char *off = pg_pit_repo("fcat_pit", "  pushdown: false\n");
	char *e = pit_historical_ext(off, &pushed);
	assert_int_equal(pushed, 0);
	assert_string_equal(e, a);
	/* event times as text: the plugin declines, core joins, same bytes */
	pg_exec("fcat_test", "CREATE DATABASE fcat_pit_text");
	pg_exec("fcat_pit_text",
	        "CREATE TABLE events(user_id text, ts text, created text, a int8, b text);\n"
	        "CREATE TABLE visits(user_id text, store_id int8, ts int8, n int4);\n"
	        "INSERT INTO visits VALUES ('u1', 7, 1748736000, 70), ('u1', 8, 1748736000, 80),\n"
	        " ('u2', 7, 1767268800, 99);\n");
	pg_exec("fcat_pit_text", pit_rows_sql);
	char *txt = pg_pit_repo("fcat_pit_text", "");
	char *f = pit_historical_ext(txt, &pushed);
	assert_int_equal(pushed, 1); /* visits (epoch seconds) only */
	assert_string_equal(f, a);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	free(f);
	const char *dirs[] = {csv, sq, pg, off, txt};
	for (int i = 0; i < 5; i++)
		pit_repo_free((char *)dirs[i]);
}

/* ---- the pushed-down join ----------------------------------------------------- */

typedef struct answers {
	test_rows text;
	size_t next, ncols, calls;
} answers;

/* Each entity row as "I:-" (no match) or "I:a|b|c". */
static int collect_join(void *ctx, size_t first, const fcat_value *cells, const bool *matched,
                        size_t nrows)
{
	answers *a = ctx;
	assert_int_equal(first, a->next);
	a->calls++;
	for (size_t i = 0; i < nrows; i++, a->next++) {
		char buf[32];
		snprintf(buf, sizeof buf, "%zu:", first + i);
		test_rows_append(&a->text, buf);
		if (!matched[i]) {
			test_rows_append(&a->text, "-\n");
			continue;
		}
		for (size_t j = 0; j < a->ncols; j++) {
			test_rows_append(&a->text, j ? "|" : "");
			test_rows_cell(&a->text, &cells[i * a->ncols + j]);
		}
		test_rows_append(&a->text, "\n");
	}
	return 0;
}

/* The join with settings dsn and, when not NULL, create_indexes. */
static int join_set(const char *dsn, const char *create_indexes, const fcat_pit_request *req,
                    answers *a)
{
	const char *kv[] = {"dsn", dsn, create_indexes ? "create_indexes" : NULL, create_indexes,
	                    NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	void *store = NULL;
	if (test_offline_ops("postgres")->open(&store, c) != 0)
		fail_msg("open: %s", fcat_error_last());
	memset(a, 0, sizeof *a);
	a->ncols = req->ncolumns;
	assert_true(FCAT_OPS_HAS(test_offline_ops("postgres"), pit_join));
	int rc = test_offline_ops("postgres")->pit_join(store, req, collect_join, a);
	test_offline_ops("postgres")->close(store);
	free(c);
	return rc;
}

static int join_dsn(const char *dsn, const fcat_pit_request *req, answers *a)
{
	return join_set(dsn, NULL, req, a);
}

static int join(const fcat_pit_request *req, answers *a)
{
	return join_dsn(server.dsn, req, a);
}

#define SEC(s) ((int64_t)(s)*1000000)

/* A join on key columns `keys` with event times in column ts, answering
 * `cols` for the entity rows kv/times (one key cell a row); the source,
 * a created column or a ttl are the caller's to add. */
static fcat_pit_request pit_request(const char *const *keys, const fcat_type *ktypes,
                                    const char *const *cols, const fcat_type *types,
                                    size_t ncolumns, const fcat_value *kv, const int64_t *times,
                                    size_t nrows)
{
	return (fcat_pit_request){.key_columns = keys,
	                          .key_types = ktypes,
	                          .nkeys = 1,
	                          .ts_column = "ts",
	                          .columns = cols,
	                          .types = types,
	                          .ncolumns = ncolumns,
	                          .keys = kv,
	                          .times = times,
	                          .nrows = nrows};
}

static fcat_value str_key(const char *s)
{
	if (!s)
		return (fcat_value){.type = T(STRING), .is_null = true};
	return (fcat_value){.type = T(STRING), .u.str = {s, strlen(s)}};
}

static fcat_value int_key(int64_t i)
{
	return (fcat_value){.type = T(INT64), .u.i64 = i};
}

/* A join answering one int64 column `col` on one string key column `key`
 * from `table`, for the entity rows `entities` (keys, NULL-terminated, at
 * most 4) all at time `at`; it holds its own arrays, which a test may
 * change between joins. */
typedef struct one_key_join {
	const char *keys[1], *cols[1];
	fcat_type ktypes[1], types[1];
	fcat_value kv[4];
	int64_t times[4];
	fcat_pit_request req;
} one_key_join;

static void one_key_join_init(one_key_join *j, const char *key, const char *col, const char *table,
                              const char *const *entities, int64_t at)
{
	size_t n = 0;
	for (; entities[n]; n++) {
		assert_true(n < 4);
		j->kv[n] = str_key(entities[n]);
		j->times[n] = at;
	}
	j->keys[0] = key;
	j->cols[0] = col;
	j->ktypes[0] = T(STRING);
	j->types[0] = T(INT64);
	j->req = pit_request(j->keys, j->ktypes, j->cols, j->types, 1, j->kv, j->times, n);
	j->req.table = table;
}

static void test_offline_postgres__pit_join_edge_cases(void **state)
{
	(void)state;
	/* times as epoch seconds (int8) and timestamptz, a composite key whose
	 * second part is int4 in the table and int64 in fcat */
	pg_exec(
	    "fcat_test",
	    "CREATE TABLE pj(uid text, sid int4, ts int8, created timestamptz, v int8, s text);\n"
	    "INSERT INTO pj VALUES\n"
	    " ('a', 1, 1000, NULL, 1, 'null created'),\n"
	    " ('a', 1, 1000, '1970-01-01T00:00:01Z', 2, 'a created beats null'),\n"
	    " ('a', 1, 1001, NULL, 9, 'after T'),\n"
	    " ('a', 2, 1000, NULL, 3, 'other store'),\n"
	    " (NULL, 1, 500, NULL, 5, 'null key'),\n"
	    " ('c', 1, NULL, NULL, 6, 'null time'),\n"
	    " (E'x\\ty\\\\z', 1, 0, NULL, 7, 'tab and backslash'),\n"
	    " ('d', 1, 10, NULL, NULL, NULL);\n");
	const char *keys[] = {"uid", "sid"};
	fcat_type ktypes[] = {T(STRING), T(INT64)};
	const char *cols[] = {"v", "s", "ts"};
	fcat_type types[] = {T(INT64), T(STRING), T(TIMESTAMP)};
	fcat_value kv[] = {
	    str_key("a"),       int_key(1), /* 0: ties: the non-null created wins */
	    str_key("a"),       int_key(1), /* 1: before every row */
	    str_key("a"),       int_key(2), /* 2: exactly T - ttl */
	    str_key("a"),       int_key(2), /* 3: a microsecond outside */
	    str_key(NULL),      int_key(1), /* 4: a null key */
	    str_key("a"),       int_key(1), /* 5: no time */
	    str_key("c"),       int_key(1), /* 6: its only row has no time */
	    str_key("a"),       int_key(1), /* 7: row 0 again */
	    str_key("x\ty\\z"), int_key(1), /* 8: escaped in COPY */
	    str_key("d"),       int_key(1), /* 9: matched, null values */
	    str_key("zzz"),     int_key(1), /* 10: no rows at all */
	};
	int64_t times[] = {SEC(1000), SEC(999),  SEC(5000), SEC(5000) + 1, SEC(1000), INT64_MIN,
	                   SEC(9999), SEC(1000), SEC(0),    SEC(10),       SEC(1000)};
	fcat_pit_request req = pit_request(keys, ktypes, cols, types, 3, kv, times, 11);
	req.table = "pj";
	req.nkeys = 2;
	req.created_column = "created";
	req.ttl = SEC(4000);
	answers a;
	if (join(&req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:2|a created beats null|1970-01-01T00:16:40Z\n"
	                                 "1:-\n"
	                                 "2:3|other store|1970-01-01T00:16:40Z\n"
	                                 "3:-\n"
	                                 "4:-\n"
	                                 "5:-\n"
	                                 "6:-\n"
	                                 "7:2|a created beats null|1970-01-01T00:16:40Z\n"
	                                 "8:7|tab and backslash|1970-01-01T00:00:00Z\n"
	                                 "9:NULL|NULL|1970-01-01T00:00:10Z\n"
	                                 "10:-\n");
	free(a.text.text);
	/* no ttl: no lower bound; no created column: any of the tied rows */
	req.ttl = 0;
	req.created_column = NULL;
	req.ncolumns = 1;
	cols[0] = "sid";
	types[0] = T(INT32);
	assert_int_equal(join(&req, &a), 0);
	assert_string_equal(a.text.text,
	                    "0:1\n1:-\n2:2\n3:2\n4:-\n5:-\n6:-\n7:1\n8:1\n9:1\n10:-\n");
	free(a.text.text);
	/* a ttl reaching before every time is as none */
	req.ttl = INT64_MAX;
	assert_int_equal(join(&req, &a), 0);
	assert_string_equal(a.text.text,
	                    "0:1\n1:-\n2:2\n3:2\n4:-\n5:-\n6:-\n7:1\n8:1\n9:1\n10:-\n");
	free(a.text.text);
	/* a negative one means nothing in the request: declined, core decides */
	req.ttl = -1;
	assert_int_equal(join(&req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
}

static void test_offline_postgres__pit_join_answers_in_batches_in_order(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE pjbig AS SELECT k::int8 AS k, "
	                     "'2026-01-01T00:00:00Z'::timestamptz + k * interval '1 second' AS ts,"
	                     " k * 10 AS v FROM generate_series(1, 6000) AS k;");
	enum { N = 10000 };
	fcat_value *kv = calloc(N, sizeof *kv);
	int64_t *times = calloc(N, sizeof *times);
	const char *keys[] = {"k"}, *cols[] = {"v"};
	fcat_type ktypes[] = {T(INT64)}, types[] = {T(INT64)};
	for (int i = 0; i < N; i++) {
		/* every key twice, in reverse, half of them before their row */
		kv[i] = int_key(N - i / 2);
		times[i] = SEC(1767225600) + SEC(N - i / 2) - (i % 2);
	}
	fcat_pit_request req = pit_request(keys, ktypes, cols, types, 1, kv, times, N);
	req.query = "SELECT * FROM pjbig";
	answers a;
	if (join(&req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(a.next, N);
	assert_int_equal(a.calls, 3); /* 4096 + 4096 + 1808 */
	char *p = a.text.text;
	for (int i = 0; i < N; i++) {
		char want[64];
		int64_t k = N - i / 2;
		if (k > 6000 || i % 2)
			snprintf(want, sizeof want, "%d:-\n", i);
		else
			snprintf(want, sizeof want, "%d:%lld\n", i, (long long)(k * 10));
		if (strncmp(p, want, strlen(want)) != 0)
			fail_msg("entity row %d: expected %s", i, want);
		p += strlen(want);
	}
	free(a.text.text);
	free(kv);
	free(times);
}

static void test_offline_postgres__pit_join_errors_name_table_and_column(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE pjbad(id text, ts timestamptz, a text, t text);\n"
	                     "INSERT INTO pjbad VALUES ('x', '2026-01-01Z', '1', '2026-01-01Z'),\n"
	                     " ('y', '2026-01-01Z', 'twelve', '2026-01-01Z');\n");
	one_key_join j;
	one_key_join_init(&j, "id", "a", "pjbad", (const char *const[]){"x", "y", NULL},
	                  SEC(1767225600));
	fcat_pit_request *req = &j.req;
	answers a;
	/* a value of the wrong type */
	assert_fails_with(join(req, &a), FCAT_EINVALID,
	                  "table 'pjbad', column 'a', the row matched by "
	                  "entity row 2");
	assert_non_null(strstr(fcat_error_last(), "twelve"));
	free(a.text.text);
	/* a missing feature column, key column, time column */
	j.cols[0] = "zz";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'zz' in table 'pjbad'");
	free(a.text.text);
	j.cols[0] = "a";
	j.keys[0] = "user";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'user' in table 'pjbad'");
	free(a.text.text);
	j.keys[0] = "id";
	req->ts_column = "when";
	assert_fails_with(join(req, &a), FCAT_EINVALID, "no column 'when' in table 'pjbad'");
	free(a.text.text);
	/* no such table */
	req->ts_column = "ts";
	req->table = "nope";
	assert_fails_with(join(req, &a), FCAT_ENOTFOUND, "no table 'nope'");
	free(a.text.text);
	/* a text time or a key compared otherwise than fcat does: declined,
	 * before any answer, so core joins instead */
	req->table = "pjbad";
	req->ts_column = "t";
	assert_int_equal(join(req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	req->ts_column = "ts";
	j.ktypes[0] = T(INT64);
	j.keys[0] = "a";
	fcat_value ik[] = {int_key(1), int_key(2)};
	req->keys = ik;
	assert_int_equal(join(req, &a), FCAT_PIT_DECLINED);
	assert_int_equal(a.calls, 0);
	free(a.text.text);
}

/* The catalog's query runs read-only and as one statement, through the scan
 * and the join alike: a data-modifying CTE, a volatile function that
 * deletes, a second statement after ';', or one that closes the query's
 * parenthesis to commit and delete, are refused, and the table keeps its
 * rows. */
static void test_offline_postgres__the_query_cannot_write(void **state)
{
	(void)state;
	pg_exec("fcat_test",
	        "CREATE TABLE ro(k text, ts timestamptz, v int8);\n"
	        "INSERT INTO ro VALUES ('a', '2026-01-01Z', 1), ('b', '2026-01-01Z', 2);\n"
	        "CREATE FUNCTION ro_wipe() RETURNS int8 LANGUAGE sql VOLATILE\n"
	        "  AS 'DELETE FROM ro; SELECT 1::int8';\n");
	const char *queries[] = {
	    "WITH d AS (DELETE FROM ro RETURNING *) SELECT * FROM d",
	    "SELECT k, ts, ro_wipe() AS v FROM ro",
	    "SELECT * FROM ro; DELETE FROM ro",
	    "SELECT * FROM ro) AS x LIMIT 0; COMMIT; DELETE FROM ro; COMMIT;\n"
	    "BEGIN READ ONLY; SELECT * FROM (SELECT * FROM ro",
	};
	const char *why[] = {"data-modifying statement", "read-only transaction", "syntax error",
	                     "multiple commands"};
	const char *keys[] = {"k"}, *cols[] = {"k", "ts", "v"};
	fcat_type ktypes[] = {T(STRING)}, types[] = {T(STRING), T(TIMESTAMP), T(INT64)};
	fcat_value kv[] = {str_key("a")};
	int64_t times[] = {SEC(1798761600)};
	const char *ro_cols[] = {"k"};
	fcat_scan_request all = test_scan_columns(ro_cols, ktypes, 1);
	all.query = "SELECT k FROM ro ORDER BY k";
	for (size_t i = 0; i < NCOLS(queries); i++) {
		fcat_scan_request sreq = test_scan_columns(cols, types, 3);
		sreq.query = queries[i];
		test_rows r;
		char msg[1024];
		int rc = scan(NULL, &sreq, &r);
		snprintf(msg, sizeof msg, "%s", rc ? fcat_error_last() : "");
		free(r.text);
		/* the rows first: they are what must not change */
		assert_int_equal(scan(NULL, &all, &r), 0);
		assert_string_equal(r.text ? r.text : "(no rows)", "a\nb\n");
		free(r.text);
		if (rc >= 0 || !strstr(msg, why[i]))
			fail_msg("scan of query %zu: %d, %s", i, rc, msg);
		fcat_pit_request jreq =
		    pit_request(keys, ktypes, cols + 2, types + 2, 1, kv, times, 1);
		jreq.query = queries[i];
		answers a;
		rc = join(&jreq, &a);
		snprintf(msg, sizeof msg, "%s", rc ? fcat_error_last() : "");
		free(a.text.text);
		assert_int_equal(scan(NULL, &all, &r), 0);
		assert_string_equal(r.text ? r.text : "(no rows)", "a\nb\n");
		free(r.text);
		if (rc >= 0 || !strstr(msg, why[i]))
			fail_msg("join of query %zu: %d, %s", i, rc, msg);
		assert_int_equal(a.calls, 0);
	}
}

/* The entity table has a name of its own, always with its schema: a source
 * table called fcat_entities is the source's, not the entity rows. */
static void test_offline_postgres__a_source_named_like_the_entity_table(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE fcat_entities(k text, ts timestamptz, v int8);\n"
	                     "INSERT INTO fcat_entities VALUES ('a', '2026-01-01Z', 5);\n");
	one_key_join j;
	one_key_join_init(&j, "k", "v", "fcat_entities", (const char *const[]){"a", "b", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	answers a;
	if (join(req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:5\n1:-\n");
	free(a.text.text);
	req->table = NULL;
	req->query = "SELECT * FROM fcat_entities";
	if (join(req, &a) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(a.text.text, "0:5\n1:-\n");
	free(a.text.text);
}

/* Keys are compared byte for byte, as core compares them: a key that is not
 * UTF-8 (which COPY refuses) is declined to core, and a column with a
 * nondeterministic collation does not make 'U1' equal 'u1'. */
static void test_offline_postgres__pit_join_compares_keys_as_bytes(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE DATABASE fcat_utf8 ENCODING 'UTF8' LOCALE 'C' "
	                     "TEMPLATE template0");
	pg_exec("fcat_utf8", "CREATE TABLE kb(k text, ts timestamptz, v int8);\n"
	                     "INSERT INTO kb VALUES ('u1', '2026-01-01Z', 1);\n");
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=fcat_utf8",
	         server.port);
	one_key_join j; /* u\xff: not UTF-8 */
	one_key_join_init(&j, "k", "v", "kb", (const char *const[]){"u1", "U1", "u\xff", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	answers a;
	int rc = join_dsn(dsn, req, &a);
	if (rc != FCAT_PIT_DECLINED)
		fail_msg("not UTF-8: %d, %s", rc, rc < 0 ? fcat_error_last() : "");
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	req->nrows = 2;
	assert_int_equal(join_dsn(dsn, req, &a), 0);
	assert_string_equal(a.text.text, "0:1\n1:-\n");
	free(a.text.text);

	char msg[1024];
	if (!pg_try_exec("fcat_utf8",
	                 "CREATE COLLATION fcat_ci (provider = icu, locale = 'und-u-ks-level2', "
	                 "deterministic = false)",
	                 msg, sizeof msg)) {
		print_message("no nondeterministic ICU collation here, collation case skipped: %s",
		              msg);
		return;
	}
	pg_exec("fcat_utf8", "CREATE TABLE ci(k text COLLATE fcat_ci, ts timestamptz, v int8);\n"
	                     "INSERT INTO ci VALUES ('U1', '2026-01-01Z', 1),\n"
	                     " ('u1', '2025-01-01Z', 2);\n");
	req->table = "ci";
	fcat_value kv2[] = {str_key("u1"), str_key("U1"), str_key("u2")};
	req->keys = kv2;
	req->nrows = 3;
	assert_int_equal(join_dsn(dsn, req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:1\n2:-\n");
	free(a.text.text);
}

/* ---- the lateral lookup at scale, and its index ---------------------------------- */

/* A deterministic generator for the reference tests (an LCG's high bits). */
static uint32_t ref_next(uint64_t *st)
{
	*st = *st * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(*st >> 33);
}

enum { REF_ROWS = 3000, REF_ENTITIES = 2500, REF_KEYS = 40, REF_TTL_UNITS = 10 };

/* One source row: key index (-1 null), time and created in units (-1
 * null); its value is a function of the three, so rows equal in all three
 * answer alike and the expected answer is exact. */
typedef struct ref_row {
	int key, ts, created;
} ref_row;

static int64_t ref_value(const ref_row *r)
{
	return (int64_t)r->key * 1000000 + (int64_t)r->ts * 100 + r->created + 1;
}

/* The join as fcat_pit_request says, by brute force: "I:v" or "I:-" a line. */
static char *ref_answers(const ref_row *rows, const int *ekey, const int64_t *et, int64_t unit_us,
                         int64_t ttl)
{
	test_rows out = {0};
	for (int e = 0; e < REF_ENTITIES; e++) {
		const ref_row *best = NULL;
		for (int i = 0; i < REF_ROWS && ekey[e] >= 0 && et[e] != INT64_MIN; i++) {
			const ref_row *r = &rows[i];
			int64_t ts = (int64_t)r->ts * unit_us;
			if (r->key != ekey[e] || r->ts < 0 || ts > et[e] ||
			    (ttl && ts < et[e] - ttl))
				continue;
			if (!best || r->ts > best->ts ||
			    (r->ts == best->ts && r->created > best->created))
				best = r;
		}
		char buf[64];
		if (best)
			snprintf(buf, sizeof buf, "%d:%lld\n", e, (long long)ref_value(best));
		else
			snprintf(buf, sizeof buf, "%d:-\n", e);
		test_rows_append(&out, buf);
	}
	return out.text;
}

/* Thousands of rows with many ties on (keys, time) and on created, null
 * keys, times and created times, entity times exactly at a row's time, at
 * its time + ttl, a microsecond either side: the lateral lookup over the
 * index (a table) and the hash join (the same rows as a query) answer as
 * the contract does, computed here by brute force, for event times of
 * every type the join compares in the column's own type. */
static void test_offline_postgres__pit_join_ties_and_ttl_edges_at_scale(void **state)
{
	(void)state;
	static const struct {
		const char *type, *expr; /* the column type; %d is the time in units */
		int64_t unit_s;
	} kinds[] = {
	    {"timestamptz", "to_timestamp(%d)", 1},
	    {"timestamp", "'1970-01-01'::timestamp + interval '1 second' * %d", 1},
	    {"int8", "%d", 1},
	    {"date", "'1970-01-01'::date + %d", 86400},
	};
	static ref_row rows[REF_ROWS];
	static int ekey[REF_ENTITIES];
	static fcat_value kv[REF_ENTITIES];
	static int eunits[REF_ENTITIES], eoff[REF_ENTITIES]; /* eunits -1: no time */
	static char names[REF_KEYS + 2][8];
	uint64_t st = 16;
	for (int k = 0; k < REF_KEYS + 2; k++)
		snprintf(names[k], sizeof names[k], "k%02d", k);
	for (int i = 0; i < REF_ROWS; i++) {
		uint32_t x = ref_next(&st);
		rows[i].key = x % 33 == 0 ? -1 : (int)(ref_next(&st) % REF_KEYS);
		rows[i].ts = x % 51 == 0 ? -1 : (int)(ref_next(&st) % 200);
		rows[i].created = x % 5 == 0 ? -1 : (int)(ref_next(&st) % 4);
	}
	for (int e = 0; e < REF_ENTITIES; e++) {
		uint32_t x = ref_next(&st);
		const ref_row *r = &rows[ref_next(&st) % REF_ROWS];
		/* keys of the rows, two keys without rows, a few nulls */
		ekey[e] = x % 41 == 0 ? -1 : x % 7 == 0 ? REF_KEYS + (int)(x % 2) : r->key;
		kv[e] = str_key(ekey[e] >= 0 ? names[ekey[e]] : NULL);
		/* at a row's time or at its time + ttl, a microsecond either side */
		int at = r->ts >= 0 ? r->ts : 100;
		eunits[e] = x % 53 == 0 ? -1 : x % 3 == 0 ? at + REF_TTL_UNITS : at;
		eoff[e] = (int)(ref_next(&st) % 4) - 1; /* -1, 0, 0, 1 microseconds */
		eoff[e] = eoff[e] == 2 ? 0 : eoff[e];
	}
	const char *keys[] = {"k"}, *cols[] = {"v"};
	fcat_type ktypes[] = {T(STRING)}, types[] = {T(INT64)};
	for (size_t t = 0; t < NCOLS(kinds); t++) {
		char table[32], sql[64], buf[256];
		snprintf(table, sizeof table, "ref_%s", kinds[t].type);
		test_rows ins = {0};
		snprintf(buf, sizeof buf,
		         "CREATE TABLE %s(k text, ts %s, created timestamptz, v int8);\n"
		         "INSERT INTO %s VALUES\n",
		         table, kinds[t].type, table);
		test_rows_append(&ins, buf);
		for (int i = 0; i < REF_ROWS; i++) {
			char ts[96], k[16], cr[48];
			snprintf(k, sizeof k, rows[i].key < 0 ? "NULL" : "'%s'",
			         rows[i].key < 0 ? "" : names[rows[i].key]);
			if (rows[i].ts < 0)
				snprintf(ts, sizeof ts, "NULL");
			else
				snprintf(ts, sizeof ts, kinds[t].expr, rows[i].ts);
			if (rows[i].created < 0)
				snprintf(cr, sizeof cr, "NULL");
			else
				snprintf(cr, sizeof cr, "to_timestamp(%d)", rows[i].created);
			snprintf(buf, sizeof buf, "%s(%s, %s, %s, %lld)", i ? ",\n" : "", k, ts, cr,
			         (long long)ref_value(&rows[i]));
			test_rows_append(&ins, buf);
		}
		pg_exec("fcat_test", ins.text);
		free(ins.text);
		/* the entity times in microseconds of this type's unit */
		int64_t unit_us = kinds[t].unit_s * 1000000;
		static int64_t times[REF_ENTITIES];
		for (int e = 0; e < REF_ENTITIES; e++)
			times[e] = eunits[e] < 0 ? INT64_MIN : eunits[e] * unit_us + eoff[e];
		fcat_pit_request req =
		    pit_request(keys, ktypes, cols, types, 1, kv, times, REF_ENTITIES);
		req.created_column = "created";
		for (int pass = 0; pass < 2; pass++) {
			req.ttl = pass ? 0 : REF_TTL_UNITS * unit_us;
			char *want = ref_answers(rows, ekey, times, unit_us, req.ttl);
			answers a;
			req.table = table;
			req.query = NULL;
			if (join(&req, &a) != 0)
				fail_msg("%s: %s", table, fcat_error_last());
			if (strcmp(a.text.text, want) != 0)
				fail_msg(
				    "%s, ttl %lld, the lateral lookup differs from the reference",
				    table, (long long)req.ttl);
			free(a.text.text);
			snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
			req.table = NULL;
			req.query = sql;
			if (join(&req, &a) != 0)
				fail_msg("%s: %s", table, fcat_error_last());
			if (strcmp(a.text.text, want) != 0)
				fail_msg("%s, ttl %lld, the hash join differs from the reference",
				         table, (long long)req.ttl);
			free(a.text.text);
			free(want);
		}
		/* the table got the index the lookup needs, once */
		char n[16], q[160];
		snprintf(
		    q, sizeof q,
		    "SELECT count(*) FROM pg_indexes WHERE tablename = '%s' AND indexname LIKE "
		    "'fcat_pit_%%'",
		    table);
		pg_value("fcat_test", q, n, sizeof n);
		assert_string_equal(n, "1");
	}
}

/* The index: created on first join by default, used when one of the
 * table's own serves, named with the statement to run when the store may
 * not create it or the role cannot; a view needs none. */
static void test_offline_postgres__pit_join_creates_its_index_or_names_it(void **state)
{
	(void)state;
	pg_exec("fcat_test",
	        "CREATE TABLE ix_a(k text, ts timestamptz, created timestamptz, v int8);\n"
	        "INSERT INTO ix_a VALUES ('a', '2026-01-01Z', NULL, 1),\n"
	        " ('a', '2026-01-01Z', '2026-01-02Z', 2), ('b', '2026-01-03Z', NULL, 3);\n"
	        "CREATE TABLE ix_b AS SELECT * FROM ix_a;\n"
	        "CREATE INDEX ix_b_own ON ix_b (k, ts);\n"
	        "CREATE TABLE ix_c AS SELECT * FROM ix_a;\n"
	        "CREATE VIEW ix_v AS SELECT * FROM ix_a;\n"
	        "CREATE ROLE fcat_reader LOGIN;\n"
	        "GRANT SELECT ON ix_a, ix_b, ix_c, ix_v TO fcat_reader;\n");
	one_key_join j;
	one_key_join_init(&j, "k", "v", "ix_a", (const char *const[]){"a", "b", "c", NULL},
	                  SEC(1798761600));
	fcat_pit_request *req = &j.req;
	req->created_column = "created";
	answers a;
	char n[16];
	/* not allowed to create it: the error says what to run */
	assert_fails_with(join_set(server.dsn, "false", req, &a), FCAT_EINVALID,
	                  "table 'ix_a' has no index on (k, ts, created)");
	assert_int_equal(a.calls, 0);
	free(a.text.text);
	char msg[1024], *run = strstr(fcat_error_last(), "run CREATE INDEX");
	assert_non_null(run);
	assert_non_null(strstr(fcat_error_last(), "create_indexes: true"));
	snprintf(msg, sizeof msg, "%s", run + 4);
	*strchr(msg, ';') = 0;
	assert_non_null(strstr(msg, "ON \"ix_a\" (\"k\", \"ts\", \"created\" NULLS FIRST)"));
	/* which, run, lets the join go on */
	pg_exec("fcat_test", msg);
	assert_int_equal(join_set(server.dsn, "false", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* the table's own index on (k, ts) serves: none is added */
	req->table = "ix_b";
	assert_int_equal(join_set(server.dsn, "no", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	assert_int_equal(join(req, &a), 0);
	free(a.text.text);
	pg_value("fcat_test", "SELECT count(*) FROM pg_indexes WHERE tablename = 'ix_b'", n,
	         sizeof n);
	assert_string_equal(n, "1");
	/* by default the first join creates it, the next ones find it */
	req->table = "ix_c";
	for (int i = 0; i < 2; i++) {
		assert_int_equal(join(req, &a), 0);
		assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
		free(a.text.text);
	}
	pg_value("fcat_test",
	         "SELECT indexdef FROM pg_indexes WHERE tablename = 'ix_c' AND indexname LIKE "
	         "'fcat_pit_ix_c_%'",
	         msg, sizeof msg);
	assert_non_null(strstr(msg, "btree (k, ts, created NULLS FIRST)"));
	pg_value("fcat_test", "SELECT count(*) FROM pg_indexes WHERE tablename = 'ix_c'", n,
	         sizeof n);
	assert_string_equal(n, "1");
	/* a view cannot be indexed: the hash join, no error, nothing created */
	req->table = "ix_v";
	assert_int_equal(join_set(server.dsn, "false", req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* a role that does not own the table cannot create it: told so */
	pg_exec("fcat_test", "CREATE TABLE ix_d AS SELECT * FROM ix_a;\n"
	                     "GRANT SELECT ON ix_d TO fcat_reader;\n");
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=fcat_reader dbname=fcat_test",
	         server.port);
	req->table = "ix_d";
	assert_fails_with(join_set(dsn, NULL, req, &a), FCAT_EINVALID,
	                  "table 'ix_d' has no index on (k, ts, created) for the point-in-time "
	                  "join, and creating it failed: ERROR:  must be owner of table ix_d");
	assert_non_null(strstr(fcat_error_last(), "run CREATE INDEX"));
	free(a.text.text);
	/* once there, that role joins */
	req->table = "ix_a";
	assert_int_equal(join_set(dsn, NULL, req, &a), 0);
	assert_string_equal(a.text.text, "0:2\n1:3\n2:-\n");
	free(a.text.text);
	/* a setting that is not a yes or no */
	const char *kv[] = {"dsn", server.dsn, "create_indexes", "maybe", NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	void *store = NULL;
	assert_fails_with(test_offline_ops("postgres")->open(&store, c), FCAT_EINVALID,
	                  ".create_indexes: 'maybe' is not true or false");
	free(c);
	/* work_mem goes into SET as written: only an amount passes */
	const char *bad[] = {"64MB'; DROP TABLE ix_a; --", "MB", "64 MB", "64mb", ""};
	for (size_t i = 0; i < NCOLS(bad); i++) {
		const char *wm[] = {"dsn", server.dsn, "work_mem", bad[i], NULL};
		c = test_plugin_config("/nonexistent", wm);
		assert_fails_with(test_offline_ops("postgres")->open(&store, c), FCAT_EINVALID,
		                  ".work_mem: '");
		assert_non_null(strstr(fcat_error_last(), "is not an amount of memory"));
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offline_postgres__typed_values),
	    cmocka_unit_test(test_offline_postgres__nulls_of_every_type),
	    cmocka_unit_test(test_offline_postgres__a_missing_column_is_named),
	    cmocka_unit_test(test_offline_postgres__a_bad_value_names_table_row_and_column),
	    cmocka_unit_test(test_offline_postgres__the_time_filter),
	    cmocka_unit_test(test_offline_postgres__streams_in_batches),
	    cmocka_unit_test(test_offline_postgres__the_same_training_set_as_csv_and_sqlite),
	    cmocka_unit_test(test_offline_postgres__pit_join_edge_cases),
	    cmocka_unit_test(test_offline_postgres__pit_join_answers_in_batches_in_order),
	    cmocka_unit_test(test_offline_postgres__pit_join_errors_name_table_and_column),
	    cmocka_unit_test(test_offline_postgres__the_query_cannot_write),
	    cmocka_unit_test(test_offline_postgres__a_source_named_like_the_entity_table),
	    cmocka_unit_test(test_offline_postgres__pit_join_compares_keys_as_bytes),
	    cmocka_unit_test(test_offline_postgres__pit_join_ties_and_ttl_edges_at_scale),
	    cmocka_unit_test(test_offline_postgres__pit_join_creates_its_index_or_names_it),
	};
	return cmocka_run_group_tests_name("offline_postgres", tests, server_start, server_stop);
}
