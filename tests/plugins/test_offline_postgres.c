/* test_offline_postgres.c - the postgres plugin against a real server the
 * test starts itself: typed values, nulls, errors that name table, row and
 * column, the time filter, batches, and the same training set as through
 * csv and sqlite. */
#include "testutil.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "pit_fixture.h"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define T(s)     ((fcat_type){FCAT_##s, false, 0})
#define TA(s, d) ((fcat_type){FCAT_##s, true, (d)})
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

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
	assert_true(pq.connectdb && pq.status && pq.error_message && pq.exec && pq.result_status &&
	            pq.clear && pq.finish);
}

/* Runs `sql` (several statements allowed) on database `db`. */
static void pg_exec(const char *db, const char *sql)
{
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=%s", server.port,
	         db);
	void *conn = pq.connectdb(dsn);
	if (pq.status(conn) != PQ_CONNECTION_OK) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", pq.error_message(conn));
		pq.finish(conn);
		fail_msg("postgres: cannot connect to %s: %s", dsn, msg);
	}
	void *r = pq.exec(conn, sql);
	int st = pq.result_status(r);
	if (st != PQ_COMMAND_OK && st != PQ_TUPLES_OK) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", pq.error_message(conn));
		pq.clear(r);
		pq.finish(conn);
		fail_msg("postgres: %s in:\n%s", msg, sql);
	}
	pq.clear(r);
	pq.finish(conn);
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
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
	server.port = free_port();
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
		test_rmtree(server.dir);
		free(server.dir);
		server.dir = NULL;
	}
	return 0;
}

/* ---- scanning ----------------------------------------------------------------- */

static const fcat_offline_ops *ops(void)
{
	static const fcat_plugin *p;
	if (!p)
		p = test_load_plugin("postgres");
	assert_non_null(p->offline);
	return p->offline;
}

typedef struct rows {
	char *text;
	size_t len, cap, ncols, nrows, ncalls;
} rows;

static void append(rows *r, const char *s)
{
	size_t n = strlen(s);
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->text = realloc(r->text, r->cap);
		assert_non_null(r->text);
	}
	memcpy(r->text + r->len, s, n + 1);
	r->len += n;
}

/* Each row as "a|b|c\n", cells as fcat_value_format writes them, null as NULL. */
static int collect(void *ctx, const fcat_value *cells, size_t nrows)
{
	rows *r = ctx;
	r->ncalls++;
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < r->ncols; j++) {
			const fcat_value *v = &cells[i * r->ncols + j];
			char *s = NULL;
			if (j)
				append(r, "|");
			if (v->is_null) {
				append(r, "NULL");
				continue;
			}
			assert_int_equal(fcat_value_format(&s, v), 0);
			append(r, s);
			fcat_free(s);
		}
		append(r, "\n");
		r->nrows++;
	}
	return 0;
}

/* Scans with settings dsn (and schema when not NULL); r's text is freed by
 * the caller. */
static int scan(const char *schema, const fcat_scan_request *req, rows *r)
{
	const char *kv[] = {"dsn", server.dsn, schema ? "schema" : NULL, schema, NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	void *store = NULL;
	if (ops()->open(&store, c) != 0)
		fail_msg("open: %s", fcat_error_last());
	memset(r, 0, sizeof *r);
	r->ncols = req->ncolumns;
	int rc = ops()->scan(store, req, collect, r);
	ops()->close(store);
	free(c);
	return rc;
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
	fcat_scan_request req = {.table = "typed",
	                         .columns = cols,
	                         .types = types,
	                         .ncolumns = NCOLS(cols),
	                         .ts_column = -1};
	rows r;
	if (scan(NULL, &req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(r.text,
	                    "-7|2147483647|9007199254740993|0.1|0.1|2.5|héllo|v|AP8Q|true|"
	                    "2026-01-02T02:04:05.500Z|2026-01-01T10:00:00Z|2026-01-01T00:00:00Z|"
	                    "[1.5,-2,300]|[\"a b\",\"c\\\"d\",\"e\"]|[1,2,3]|[true,false]|[1,2]\n"
	                    "0|0|-1|inf|-0|3||||false|1970-01-01T00:00:00Z|"
	                    "1969-12-31T23:59:59.000001Z|2000-02-29T00:00:00Z|[]|[]|[]|[]|NULL\n");
	free(r.text);
}

static void test_offline_postgres__nulls_of_every_type(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE nulls(a int8, b float4, c text, d bytea, "
	                     "e timestamptz, f int4[]);\n"
	                     "INSERT INTO nulls VALUES (NULL, NULL, NULL, NULL, NULL, NULL);\n");
	const char *cols[] = {"a", "b", "c", "d", "e", "f"};
	fcat_type types[] = {T(INT64), T(FLOAT32), T(STRING), T(BYTES), T(TIMESTAMP), TA(INT32, 4)};
	fcat_scan_request req = {.table = "nulls",
	                         .columns = cols,
	                         .types = types,
	                         .ncolumns = NCOLS(cols),
	                         .ts_column = -1};
	rows r;
	assert_int_equal(scan(NULL, &req, &r), 0);
	assert_string_equal(r.text, "NULL|NULL|NULL|NULL|NULL|NULL\n");
	free(r.text);
}

static void test_offline_postgres__a_missing_column_is_named(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE SCHEMA feats; CREATE TABLE feats.ev(a int8, b text);");
	const char *cols[] = {"a", "zz"};
	fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = {
	    .table = "ev", .columns = cols, .types = types, .ncolumns = 2, .ts_column = -1};
	rows r;
	assert_int_equal(scan("feats", &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "no column 'zz' in table 'ev' (columns: a, b)"));
	free(r.text);
	/* without the schema setting the table is not found */
	assert_int_equal(scan(NULL, &req, &r), FCAT_ENOTFOUND);
	assert_non_null(strstr(fcat_error_last(), "no table 'ev'"));
	free(r.text);
	req.table = "feats.ev";
	cols[1] = "b";
	assert_int_equal(scan(NULL, &req, &r), 0);
	free(r.text);
	req.table = "ev; DROP TABLE ev";
	assert_int_equal(scan(NULL, &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "invalid table name"));
	free(r.text);
}

static void test_offline_postgres__a_bad_value_names_table_row_and_column(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE bad(id text, a text, f float8);\n"
	                     "INSERT INTO bad VALUES ('x', '1', 1), ('y', 'twelve', 2.5);\n");
	const char *cols[] = {"id", "a"};
	fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = {
	    .table = "bad", .columns = cols, .types = types, .ncolumns = 2, .ts_column = -1};
	rows r;
	assert_int_equal(scan(NULL, &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "table 'bad', row 2, column 'a'"));
	assert_non_null(strstr(fcat_error_last(), "twelve"));
	free(r.text);
	/* a float where an integer is wanted is the wrong kind, not truncated */
	cols[1] = "f";
	req.table = NULL;
	req.query = "SELECT id, f FROM bad ORDER BY id;";
	assert_int_equal(scan(NULL, &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "query, row 1, column 'f': expected int64, "
	                                          "found a float '1'"));
	free(r.text);
	/* a query that does not run says why */
	req.query = "SELECT nope FROM bad";
	assert_int_equal(scan(NULL, &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "nope"));
	free(r.text);
}

static void test_offline_postgres__the_time_filter(void **state)
{
	(void)state;
	pg_exec("fcat_test", "CREATE TABLE tf(ts timestamptz, v int8);\n"
	                     "INSERT INTO tf VALUES ('2026-01-01T09:59:59.999999Z', 1),\n"
	                     " ('2026-01-01T11:00:00+01:00', 2), ('2026-01-01T10:00:00Z', 3),\n"
	                     " ('2026-01-01T10:59:59Z', 4), ('2026-01-01T11:00:00Z', 5);\n");
	const char *cols[] = {"v", "ts"};
	fcat_type types[] = {T(INT64), T(TIMESTAMP)};
	fcat_scan_request req = {.query = "SELECT * FROM tf ORDER BY v",
	                         .columns = cols,
	                         .types = types,
	                         .ncolumns = 2,
	                         .ts_column = 1,
	                         .start = INT64_C(1767261600) * 1000000,
	                         .end = INT64_C(1767265200) * 1000000};
	rows r;
	assert_int_equal(scan(NULL, &req, &r), 0);
	assert_string_equal(r.text, "2|2026-01-01T10:00:00Z\n3|2026-01-01T10:00:00Z\n"
	                            "4|2026-01-01T10:59:59Z\n");
	free(r.text);
	pg_exec("fcat_test", "INSERT INTO tf VALUES (NULL, 6);");
	assert_int_equal(scan(NULL, &req, &r), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "query, row 6, column 'ts': the event "
	                                          "timestamp is null"));
	free(r.text);
}

static void test_offline_postgres__streams_in_batches(void **state)
{
	(void)state;
	const char *cols[] = {"sq", "i"};
	fcat_type types[] = {T(INT64), T(INT32)};
	fcat_scan_request req = {.query = "SELECT i::int8 * i AS sq, i FROM "
	                                  "generate_series(1, 10000) AS i ORDER BY i",
	                         .columns = cols,
	                         .types = types,
	                         .ncolumns = 2,
	                         .ts_column = -1};
	rows r;
	if (scan(NULL, &req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(r.nrows, 10000);
	assert_int_equal(r.ncalls, 3); /* 4096 + 4096 + 1808: a FETCH at a time */
	assert_non_null(strstr(r.text, "\n100000000|10000\n"));
	free(r.text);
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

	char *csv = pit_repo("", true);
	char *sq = pit_repo("offline_store:\n  plugin: sqlite\n  path: data/offline.db\n", false);
	test_write_file(sq, "data/.keep", "");
	pit_sqlite_exec(sq, "data/offline.db", pit_sqlite_sql);
	pit_sqlite_exec(sq, "data/offline.db", pit_rows_sql);
	char yaml[512];
	snprintf(yaml, sizeof yaml,
	         "offline_store:\n  plugin: postgres\n"
	         "  dsn: \"host=127.0.0.1 port=%d user=postgres dbname=fcat_pit\"\n",
	         server.port);
	char *pg = pit_repo(yaml, false);

	char *a = pit_historical(csv), *b = pit_historical(sq), *c = pit_historical(pg);
	assert_string_equal(a, pit_expected);
	assert_string_equal(b, a);
	assert_string_equal(c, a);
	free(a);
	free(b);
	free(c);
	const char *dirs[] = {csv, sq, pg};
	for (int i = 0; i < 3; i++) {
		test_rmtree(dirs[i]);
		free((char *)dirs[i]);
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
	};
	return cmocka_run_group_tests_name("offline_postgres", tests, server_start, server_stop);
}
