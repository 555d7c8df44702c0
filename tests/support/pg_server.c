/* pg_server.c - a PostgreSQL server of a test's own (initdb and pg_ctl of
 * the newest /usr/lib/postgresql, as nobody when root, on a free port of
 * 127.0.0.1, fsync off) and SQL on it through libpq loaded with dlopen. */
#include "pg_server.h"

#include "offline_conformance.h"
#include "offline_rows.h"
#include "testutil.h"

#include <dlfcn.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

test_pg_server test_pg;

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
bool test_pg_try_exec(const char *db, const char *sql, char *msg, size_t size)
{
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=%s", test_pg.port,
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
void test_pg_value(const char *db, const char *sql, char *out, size_t size)
{
	char dsn[256];
	snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%d user=postgres dbname=%s", test_pg.port,
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
void test_pg_exec(const char *db, const char *sql)
{
	char msg[1024];
	if (!test_pg_try_exec(db, sql, msg, sizeof msg))
		fail_msg("postgres: %s in:\n%s", msg, sql);
}

/* Runs a server program (as nobody when we are root); fails with its output. */
static void run_server_tool(const char *tool, const char *const *args)
{
	const char *argv[16];
	char path[1100];
	size_t n = 0;
	snprintf(path, sizeof path, "%s/%s", test_pg.bin, tool);
	if (test_pg.as_nobody) {
		argv[n++] = "/usr/sbin/runuser";
		argv[n++] = "-u";
		argv[n++] = "nobody";
		argv[n++] = "--";
	}
	argv[n++] = path;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	test_run r = test_exec(test_pg.dir, NULL, argv);
	if (r.status != 0) {
		char msg[4096];
		snprintf(msg, sizeof msg, "%s failed (%d): %s%s", tool, r.status, r.out, r.err);
		test_run_free(&r);
		fail_msg("%s", msg);
	}
	test_run_free(&r);
}

int test_pg_start(void **state)
{
	(void)state;
	glob_t g;
	if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0 || g.gl_pathc == 0)
		fail_msg("no PostgreSQL server under /usr/lib/postgresql/*/bin: run "
		         "tools/scripts/deps.sh test");
	/* the newest version: the last in glob's sorted order of equal-width names */
	snprintf(test_pg.bin, sizeof test_pg.bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	*strrchr(test_pg.bin, '/') = 0;
	load_libpq();
	test_pg.dir = test_mkdtemp();
	test_pg.as_nobody = geteuid() == 0;
	if (test_pg.as_nobody) {
		struct passwd *pw = getpwnam("nobody");
		if (!pw || chown(test_pg.dir, pw->pw_uid, pw->pw_gid) != 0)
			fail_msg("running as root, and cannot hand %s to the user nobody",
			         test_pg.dir);
	}
	test_pg.port = test_free_port();
	char data[4200], log[4200], opts[4400];
	snprintf(data, sizeof data, "%s/data", test_pg.dir);
	snprintf(log, sizeof log, "%s/test_pg.log", test_pg.dir);
	snprintf(opts, sizeof opts, "-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off",
	         test_pg.dir, test_pg.port);
	run_server_tool("initdb", (const char *const[]){"-D", data, "-A", "trust", "-U", "postgres",
	                                                "--no-sync", NULL});
	run_server_tool("pg_ctl", (const char *const[]){"-D", data, "-l", log, "-o", opts, "-w",
	                                                "-t", "30", "start", NULL});
	test_pg.running = true;
	test_pg_exec("postgres", "CREATE DATABASE fcat_test");
	snprintf(test_pg.dsn, sizeof test_pg.dsn,
	         "host=127.0.0.1 port=%d user=postgres dbname=fcat_test", test_pg.port);
	return 0;
}

int test_pg_stop(void **state)
{
	(void)state;
	if (test_pg.running) {
		char data[4200];
		snprintf(data, sizeof data, "%s/data", test_pg.dir);
		run_server_tool(
		    "pg_ctl", (const char *const[]){"-D", data, "-m", "fast", "-w", "stop", NULL});
		test_pg.running = false;
	}
	if (test_pg.dir) {
		test_dir_done(test_pg.dir);
		test_pg.dir = NULL;
	}
	return 0;
}

int test_pg_scan(const char *schema, const fcat_scan_request *req, test_rows *r)
{
	const char *kv[] = {"dsn", test_pg.dsn, schema ? "schema" : NULL, schema, NULL};
	fcat_plugin_config *c = test_plugin_config("/nonexistent", kv);
	*r = (test_rows){.ncols = req->ncolumns};
	int rc = test_offline_scan(test_offline_ops("postgres"), c, req, test_rows_collect, r);
	free(c);
	return rc;
}
