/* test_offline_postgres.c - the postgres plugin against a real server the
 * test starts itself: typed values, nulls, errors that name table, row and
 * column, the time filter, batches, and the same training set as through csv
 * and sqlite (the join pushed down: test_offline_postgres_pit.c). */
#include "testutil.h"
#include "pg_server.h"

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

/* ---- scanning ----------------------------------------------------------------- */

/* The postgres store of our server, with setting schema = `schema` (none
 * when NULL), for the offline conformance checks. */
static offline_target pg_in(const char *schema)
{
	return (offline_target){test_pg_scan, schema};
}

static void test_offline_postgres__typed_values(void **state)
{
	(void)state;
	test_pg_exec(
	    "fcat_test",
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
	test_pg_exec("fcat_test",
	             "CREATE TABLE nulls(a int8, b float4, c text, d bytea, "
	             "e timestamptz, f int4[]);\n"
	             "INSERT INTO nulls VALUES (NULL, NULL, NULL, NULL, NULL, NULL);\n");
	offline_check_nulls_of_every_type(pg_in(NULL), "nulls");
}

static void test_offline_postgres__a_missing_column_is_named(void **state)
{
	(void)state;
	test_pg_exec("fcat_test", "CREATE SCHEMA feats; CREATE TABLE feats.ev(a int8, b text);");
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
	assert_int_equal(test_pg_scan(NULL, &req, &r), 0);
	free(r.text);
	req.table = "ev; DROP TABLE ev";
	offline_expect_scan_fails(pg_in(NULL), &req, FCAT_EINVALID, "invalid table name");
}

static void test_offline_postgres__a_bad_value_names_table_row_and_column(void **state)
{
	(void)state;
	test_pg_exec("fcat_test", "CREATE TABLE bad(id text, a text, f float8);\n"
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
	test_pg_exec("fcat_test",
	             "CREATE TABLE tf(ts timestamptz, v int8);\n"
	             "INSERT INTO tf VALUES ('2026-01-01T09:59:59.999999Z', 1),\n"
	             " ('2026-01-01T11:00:00+01:00', 2), ('2026-01-01T10:00:00Z', 3),\n"
	             " ('2026-01-01T10:59:59Z', 4), ('2026-01-01T11:00:00Z', 5);\n");
	offline_check_time_window(pg_in(NULL), NULL, "SELECT * FROM tf ORDER BY v");
	test_pg_exec("fcat_test", "INSERT INTO tf VALUES (NULL, 6);");
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
	         settings, test_pg.port, db);
	return pit_repo(yaml, false);
}

/* The must-show: the same point-in-time request through csv, sqlite
 * and postgres gives the same bytes. */
static void test_offline_postgres__the_same_training_set_as_csv_and_sqlite(void **state)
{
	(void)state;
	test_pg_exec("fcat_test", "CREATE DATABASE fcat_pit");
	test_pg_exec(
	    "fcat_pit",
	    "CREATE TABLE events(user_id text, ts timestamptz, created timestamptz, a int8,\n"
	    "  b text);\n"
	    "CREATE TABLE visits(user_id text, store_id int8, ts timestamptz, n int4);\n"
	    "INSERT INTO visits VALUES ('u1', 7, '2025-06-01T00:00:00Z', 70),\n"
	    " ('u1', 8, '2025-06-01T00:00:00Z', 80), ('u2', 7, '2026-01-01T12:00:00Z', 99);\n");
	test_pg_exec("fcat_pit", pit_rows_sql);

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
	test_pg_exec("fcat_test", "CREATE DATABASE fcat_pit_text");
	test_pg_exec(
	    "fcat_pit_text",
	    "CREATE TABLE events(user_id text, ts text, created text, a int8, b text);\n"
	    "CREATE TABLE visits(user_id text, store_id int8, ts int8, n int4);\n"
	    "INSERT INTO visits VALUES ('u1', 7, 1748736000, 70), ('u1', 8, 1748736000, 80),\n"
	    " ('u2', 7, 1767268800, 99);\n");
	test_pg_exec("fcat_pit_text", pit_rows_sql);
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
	return cmocka_run_group_tests_name("offline_postgres", tests, test_pg_start, test_pg_stop);
}
