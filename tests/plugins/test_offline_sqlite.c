/* test_offline_sqlite.c - the sqlite plugin as an offline store: typed
 * values, nulls, errors that name table, row and column, the time filter,
 * queries, and the same training set as from CSV files. */
#include "testutil.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_conformance.h"
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

/* The sqlite store of directory `dir`, for the offline conformance checks. */
static offline_target sqlite_in(const char *dir)
{
	return (offline_target){scan, dir};
}

static char *db_with(const char *sql)
{
	char *dir = test_mkdtemp();
	test_write_file(dir, "data/.keep", "");
	pit_sqlite_exec(dir, "data/offline.db", sql);
	return dir;
}

static void done(char *dir)
{
	test_dir_done(dir);
}

static const char typed_sql[] =
    "CREATE TABLE t(i32 INTEGER, i64 INTEGER, f32 REAL, f64 REAL, s TEXT, by BLOB,\n"
    "  ok INTEGER, ts TEXT, tsi INTEGER, emb TEXT, ftxt TEXT, btxt TEXT);\n"
    "INSERT INTO t VALUES (-7, 9007199254740993, 0.1, 0.1, 'héllo', x'00ff10', 1,\n"
    "  '2026-01-02T03:04:05.5+01:00', 1767261600, '[1.5, -2, 3e2]', '2.5', 'AP8Q');\n"
    "INSERT INTO t VALUES (2147483647, -1, 3, 16777217, '', x'', 0,\n"
    "  '1767261600', 0, '[]', '-0', '');\n";

/* The rows of test_scan_time_window, as text with offsets and epoch seconds:
 * the filter is exact on the instant. */
static const char window_sql[] = "CREATE TABLE e(ts, v INTEGER);\n"
                                 "INSERT INTO e VALUES ('2026-01-01T09:59:59.999999Z', 1),\n"
                                 " ('2026-01-01T11:00:00+01:00', 2), (1767261600, 3),\n"
                                 " ('2026-01-01T10:59:59Z', 4), ('2026-01-01T11:00:00Z', 5);\n";

/* Table n: i from 1 to 10000. */
static const char one_to_10000_sql[] =
    "CREATE TABLE n(i INTEGER);\n"
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
    "WHERE x < 10000) INSERT INTO n SELECT x FROM c;\n";

static void test_offline_sqlite__typed_values(void **state)
{
	(void)state;
	char *dir = db_with(typed_sql);
	const char *cols[] = {"i32", "i64", "f32", "f64", "s",    "by",
	                      "ok",  "ts",  "tsi", "emb", "ftxt", "btxt"};
	fcat_type types[] = {T(INT32),     T(INT64),       T(FLOAT32), T(FLOAT64),
	                     T(STRING),    T(BYTES),       T(BOOL),    T(TIMESTAMP),
	                     T(TIMESTAMP), TA(FLOAT32, 0), T(FLOAT64), T(BYTES)};
	offline_check_typed_values(
	    sqlite_in(dir), "t", cols, types, NCOLS(cols),
	    "-7|9007199254740993|0.1|0.1|héllo|AP8Q|true|2026-01-02T02:04:05.500Z|"
	    "2026-01-01T10:00:00Z|[1.5,-2,300]|2.5|AP8Q\n"
	    "2147483647|-1|3|16777217|||false|2026-01-01T10:00:00Z|"
	    "1970-01-01T00:00:00Z|[]|-0|NULL\n");
	done(dir);
}

static void test_offline_sqlite__nulls_of_every_type(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE t(a, b, c, d, e, f);\n"
	                    "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL);\n");
	offline_check_nulls_of_every_type(sqlite_in(dir), "t");
	done(dir);
}

static void test_offline_sqlite__a_missing_column_is_named(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE events(a INTEGER, b TEXT);\n");
	const char *cols[] = {"a", "zz"};
	fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.table = "events";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_EINVALID,
	                          "no column 'zz' in table 'events'");
	assert_non_null(strstr(fcat_error_last(), "(columns: a, b)"));
	/* a missing table, a table name that is not one, a file */
	req.table = "nope";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_ENOTFOUND, "no table 'nope'");
	req.table = "events\"; DROP TABLE events; --";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_EINVALID, "invalid table name");
	req.table = NULL;
	req.path = "data/events.csv";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_EINVALID, "a table or a query");
	done(dir);
	/* no database file at all */
	dir = test_mkdtemp();
	req.path = NULL;
	req.table = "events";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_ENOTFOUND, "data/offline.db");
	done(dir);
}

static void test_offline_sqlite__a_bad_value_names_table_row_and_column(void **state)
{
	(void)state;
	char *dir = db_with("CREATE TABLE events(id TEXT, a);\n"
	                    "INSERT INTO events VALUES ('x', 1), ('y', 'twelve'), ('z', 2.5);\n");
	offline_check_bad_value_named(sqlite_in(dir), "events",
	                              "table 'events', row 2, column 'a'");
	/* a REAL where an integer is wanted is the wrong kind, not truncated */
	offline_check_float_is_no_int64(sqlite_in(dir), "SELECT id, a FROM events WHERE id = 'z'",
	                                "a",
	                                "query, row 1, column 'a': expected int64, "
	                                "found REAL '2.5'");
	/* out of range for int32, and not a bool */
	const char *cols[] = {"id", "a"};
	const struct {
		fcat_type type;
		const char *query, *msg;
	} refused[] = {
	    {T(INT32), "SELECT 'w' AS id, 4294967296 AS a", "out of range"},
	    {T(BOOL), "SELECT 'w' AS id, 2 AS a", "column 'a': expected bool"},
	};
	for (size_t i = 0; i < NCOLS(refused); i++) {
		fcat_type types[] = {T(STRING), refused[i].type};
		fcat_scan_request req = test_scan_columns(cols, types, 2);
		req.query = refused[i].query;
		offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_EINVALID, refused[i].msg);
	}
	done(dir);
}

static void test_offline_sqlite__the_time_filter(void **state)
{
	(void)state;
	char *dir = db_with(window_sql);
	offline_check_time_window(sqlite_in(dir), "e", NULL);
	/* a null event time cannot be placed */
	pit_sqlite_exec(dir, "data/offline.db", "INSERT INTO e VALUES (NULL, 6);");
	fcat_scan_request req = test_scan_time_window();
	req.table = "e";
	offline_expect_scan_fails(sqlite_in(dir), &req, FCAT_EINVALID,
	                          "table 'e', row 6, column 'ts': the event "
	                          "timestamp is null");
	done(dir);
}

static void test_offline_sqlite__queries_and_batches(void **state)
{
	(void)state;
	char *dir = db_with(one_to_10000_sql);
	size_t calls = offline_check_squares_to_10000(sqlite_in(dir),
	                                              "SELECT i * i AS sq, i FROM n ORDER BY i;\n");
	assert_true(calls >= 3); /* in batches */
	done(dir);
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
