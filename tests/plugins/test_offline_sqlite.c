/* test_offline_sqlite.c - the sqlite plugin as an offline store: typed
 * values, nulls, errors that name table, row and column, the time filter,
 * queries, and the same training set as from CSV files. */
#include "testutil.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_rows.h"
#include "pit_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scans `req` on dir/data/offline.db (the default path); the rows go to r. */
static int scan(const char *dir, const fcat_scan_request *req, test_rows *r)
{
	fcat_plugin_config *c = test_plugin_config(dir, NULL);
	*r = (test_rows){.ncols = req->ncolumns};
	int rc = test_offline_scan(test_offline_ops("sqlite"), c, req, test_rows_collect, r);
	free(c);
	return rc;
}

static char *db_with(const char *sql)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "data/.keep", "");
	pit_sqlite_exec(dir, "data/offline.db", sql);
	return dir;
}

static void done(char *dir, test_rows *r)
{
	free(r->text);
	test_rmtree(dir);
	free(dir);
}

static const char typed_sql[] =
    "CREATE TABLE t(i32 INTEGER, i64 INTEGER, f32 REAL, f64 REAL, s TEXT, by BLOB,\n"
    "  ok INTEGER, ts TEXT, tsi INTEGER, emb TEXT, ftxt TEXT, btxt TEXT);\n"
    "INSERT INTO t VALUES (-7, 9007199254740993, 0.1, 0.1, 'héllo', x'00ff10', 1,\n"
    "  '2026-01-02T03:04:05.5+01:00', 1767261600, '[1.5, -2, 3e2]', '2.5', 'AP8Q');\n"
    "INSERT INTO t VALUES (2147483647, -1, 3, 16777217, '', x'', 0,\n"
    "  '1767261600', 0, '[]', '-0', '');\n";

static void test_offline_sqlite__typed_values(void **state)
{
	(void)state;
	char *dir = db_with(typed_sql);
	const char *cols[] = {"i32", "i64", "f32", "f64", "s",    "by",
	                      "ok",  "ts",  "tsi", "emb", "ftxt", "btxt"};
	fcat_type types[] = {T(INT32),     T(INT64),       T(FLOAT32), T(FLOAT64),
	                     T(STRING),    T(BYTES),       T(BOOL),    T(TIMESTAMP),
	                     T(TIMESTAMP), TA(FLOAT32, 0), T(FLOAT64), T(BYTES)};
	fcat_scan_request req = test_scan_columns(cols, types, NCOLS(cols));
	req.table = "t";
	test_rows r;
	if (scan(dir, &req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(r.text,
	                    "-7|9007199254740993|0.1|0.1|héllo|AP8Q|true|2026-01-02T02:04:05.500Z|"
	                    "2026-01-01T10:00:00Z|[1.5,-2,300]|2.5|AP8Q\n"
	                    "2147483647|-1|3|16777217|||false|2026-01-01T10:00:00Z|"
	                    "1970-01-01T00:00:00Z|[]|-0|NULL\n");
	done(dir, &r);
}

static void test_offline_sqlite__nulls_of_every_type(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE t(a, b, c, d, e, f);\n"
	                    "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL);\n");
	fcat_scan_request req = test_scan_nulls_of_every_type();
	req.table = "t";
	test_rows r;
	assert_int_equal(scan(dir, &req, &r), 0);
	assert_string_equal(r.text, OFFLINE_SIX_NULLS);
	done(dir, &r);
}

static void test_offline_sqlite__a_missing_column_is_named(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE events(a INTEGER, b TEXT);\n");
	const char *cols[] = {"a", "zz"};
	fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.table = "events";
	test_rows r;
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "no column 'zz' in table 'events'");
	assert_non_null(strstr(fcat_error_last(), "(columns: a, b)"));
	free(r.text);
	/* a missing table, a table name that is not one, a file */
	req.table = "nope";
	assert_fails_with(scan(dir, &req, &r), FCAT_ENOTFOUND, "no table 'nope'");
	free(r.text);
	req.table = "events\"; DROP TABLE events; --";
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "invalid table name");
	free(r.text);
	req.table = NULL;
	req.path = "data/events.csv";
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "a table or a query");
	free(r.text);
	memset(&r, 0, sizeof r);
	done(dir, &r);
	/* no database file at all */
	dir = test_mkdtemp();
	req.path = NULL;
	req.table = "events";
	assert_fails_with(scan(dir, &req, &r), FCAT_ENOTFOUND, "data/offline.db");
	done(dir, &r);
}

static void test_offline_sqlite__a_bad_value_names_table_row_and_column(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE events(id TEXT, a);\n"
	                    "INSERT INTO events VALUES ('x', 1), ('y', 'twelve'), ('z', 2.5);\n");
	const char *cols[] = {"id", "a"};
	fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.table = "events";
	test_rows r;
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "table 'events', row 2, column 'a'");
	assert_non_null(strstr(fcat_error_last(), "twelve"));
	free(r.text);
	/* a REAL where an integer is wanted is the wrong kind, not truncated */
	req.query = "SELECT id, a FROM events WHERE id = 'z'";
	req.table = NULL;
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID,
	                  "query, row 1, column 'a': expected int64, "
	                  "found REAL '2.5'");
	free(r.text);
	/* out of range for int32, and not a bool */
	types[1] = T(INT32);
	req.query = "SELECT 'w' AS id, 4294967296 AS a";
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "out of range");
	free(r.text);
	types[1] = T(BOOL);
	req.query = "SELECT 'w' AS id, 2 AS a";
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID, "column 'a': expected bool");
	done(dir, &r);
}

static void test_offline_sqlite__the_time_filter(void **state)
{
	(void)state;
	/* text with offsets and epoch seconds: the filter is exact on the instant */
	char *dir = db_with("CREATE TABLE e(ts, v INTEGER);\n"
	                    "INSERT INTO e VALUES ('2026-01-01T09:59:59.999999Z', 1),\n"
	                    " ('2026-01-01T11:00:00+01:00', 2), (1767261600, 3),\n"
	                    " ('2026-01-01T10:59:59Z', 4), ('2026-01-01T11:00:00Z', 5);\n");
	fcat_scan_request req = test_scan_time_window();
	req.table = "e";
	test_rows r;
	assert_int_equal(scan(dir, &req, &r), 0);
	assert_string_equal(r.text, OFFLINE_WINDOW_ROWS);
	free(r.text);
	/* a null event time cannot be placed */
	pit_sqlite_exec(dir, "data/offline.db", "INSERT INTO e VALUES (NULL, 6);");
	assert_fails_with(scan(dir, &req, &r), FCAT_EINVALID,
	                  "table 'e', row 6, column 'ts': the event "
	                  "timestamp is null");
	done(dir, &r);
}

static void test_offline_sqlite__queries_and_batches(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE n(i INTEGER);\n"
	                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
	                    "WHERE x < 10000) INSERT INTO n SELECT x FROM c;\n");
	const char *cols[] = {"sq", "i"};
	fcat_type types[] = {T(INT64), T(INT32)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.query = "SELECT i * i AS sq, i FROM n ORDER BY i;\n";
	test_rows r;
	if (scan(dir, &req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(r.nrows, 10000);
	assert_true(r.ncalls >= 3); /* in batches */
	assert_non_null(strstr(r.text, "\n100000000|10000\n"));
	done(dir, &r);
}

/* The must-show, for csv and sqlite (test_offline_postgres.c adds
 * PostgreSQL): one request, identical bytes. */
static void test_offline_sqlite__the_same_training_set_as_csv(void **state)
{
	(void)state;
	char *csv = pit_repo("", true), *sq = pit_sqlite_repo();
	char *a = pit_historical(csv), *b = pit_historical(sq);
	assert_string_equal(a, pit_expected);
	assert_string_equal(b, a);
	free(a);
	free(b);
	pit_repo_free(csv);
	pit_repo_free(sq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_offline_sqlite__typed_values),
	    cmocka_unit_test(test_offline_sqlite__nulls_of_every_type),
	    cmocka_unit_test(test_offline_sqlite__a_missing_column_is_named),
	    cmocka_unit_test(test_offline_sqlite__a_bad_value_names_table_row_and_column),
	    cmocka_unit_test(test_offline_sqlite__the_time_filter),
	    cmocka_unit_test(test_offline_sqlite__queries_and_batches),
	    cmocka_unit_test(test_offline_sqlite__the_same_training_set_as_csv),
	};
	return cmocka_run_group_tests_name("offline_sqlite", tests, NULL, NULL);
}
