/* test_csv_reader.c - the csv offline plugin reads RFC 4180 into typed
 * cells: quoting, line ends, the BOM, column order, the time filter, errors
 * that say file, line and column, and how rows are delivered. */
#include "testutil.h"

#include "csv_scan.h"
#include "fcat.h"
#include "fcat_plugin.h"
#include "offline_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ---------------------------------------------------------------- */

static void test_csv__typed_values_of_every_scalar_type_and_arrays(void **state)
{
	(void)state;
	char *dir = csv_dir_with(
	    "d.csv",
	    "i32,i64,f32,f64,s,b,ok,ts,emb,ids,tags,times\n"
	    "-2147483648,9223372036854775807,0.5,-1e-300,héllo,aGk=,true,"
	    "2024-02-29T12:34:56Z,\"[1.5,-2,3e2]\",\"[1, -2 ,3]\",\"[\"\"a\"\",\"\"b,c\"\"]\","
	    "\"[\"\"2024-01-01T00:00:00Z\"\"]\"\n"
	    "7,-7,-0,1.25,x,,0,1700000000,\"[0,0,0]\",[],[],[]\n"
	    ",,,,,,,,,,,\n");
	const char *const cols[] = {"i32", "i64", "f32", "f64", "s",    "b",
	                            "ok",  "ts",  "emb", "ids", "tags", "times"};
	const fcat_type types[] = {T(INT32),       T(INT64),     T(FLOAT32),    T(FLOAT64),
	                           T(STRING),      T(BYTES),     T(BOOL),       T(TIMESTAMP),
	                           TA(FLOAT32, 3), TA(INT64, 0), TA(STRING, 0), TA(TIMESTAMP, 0)};
	fcat_scan_request req = csv_request("d.csv", cols, types, NCOLS(cols));

	csv_expect_rows(dir, NULL, &req,
	                "-2147483648|9223372036854775807|0.5|-1e-300|héllo|aGk=|true|"
	                "2024-02-29T12:34:56Z|[1.5,-2,300]|[1,-2,3]|[\"a\",\"b,c\"]|"
	                "[\"2024-01-01T00:00:00Z\"]\n"
	                "7|-7|-0|1.25|x|NULL|false|2023-11-14T22:13:20Z|[0,0,0]|[]|[]|[]\n"
	                "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
	test_dir_done(dir);
}

/* Checks the values of one row directly, not through the formatter. */
static int check_raw(void *ctx, const fcat_value *c, size_t nrows)
{
	(void)ctx;
	assert_int_equal(nrows, 1);
	assert_int_equal(c[0].type.scalar, FCAT_STRING);
	assert_false(c[0].is_null);
	assert_int_equal(c[0].u.str.len, 5);
	assert_memory_equal(c[0].u.str.ptr, "a\"b,c", 5);
	assert_int_equal(c[1].u.i64, 42);
	assert_true(c[2].type.is_array);
	assert_int_equal(c[2].u.array.len, 2);
	const float *f = c[2].u.array.items;
	assert_true(f[0] == 0.25f && f[1] == -8.0f);
	assert_int_equal(c[3].u.ts, INT64_C(86400000000) + 500000);
	return 0;
}

static void test_csv__cells_hold_the_parsed_values(void **state)
{
	(void)state;
	char *dir = csv_dir_with(
	    "d.csv", "s,n,v,t\n\"a\"\"b,c\",42,\"[0.25, -8]\",1970-01-02T00:00:00.5Z\n");
	const char *const cols[] = {"s", "n", "v", "t"};
	const fcat_type types[] = {T(STRING), T(INT64), TA(FLOAT32, 0), T(TIMESTAMP)};
	fcat_scan_request req = csv_request("d.csv", cols, types, 4);

	assert_int_equal(csv_scan_with(dir, NULL, &req, check_raw, NULL), 0);
	test_dir_done(dir);
}

/* ---- RFC 4180 ---------------------------------------------------------------- */

static void test_csv__quoted_fields_keep_commas_newlines_and_quotes(void **state)
{
	(void)state;
	char *dir = csv_dir_with("q.csv", "a,b,c\n"
	                                  "\"x,y\",\"line1\nline2\",\"say \"\"hi\"\"\"\n"
	                                  "\"\",\"\"\"\",plain\"quote\n"
	                                  "\"multi\n\nline\",\"\",\"\"\"\"\"\"\n");
	const char *const cols[] = {"a", "b", "c"};
	const fcat_type types[] = {T(STRING), T(STRING), T(STRING)};
	fcat_scan_request req = csv_request("q.csv", cols, types, 3);

	/* "" is an empty string, not null: the writer's way to tell them apart */
	csv_expect_rows(dir, NULL, &req,
	                "x,y|line1\nline2|say \"hi\"\n"
	                "|\"|plain\"quote\n"
	                "multi\n\nline||\"\"\n");
	test_dir_done(dir);
}

static void test_csv__crlf_line_ends(void **state)
{
	(void)state;
	char *dir = csv_dir_with("c.csv", "id,n\r\n\"a\r\nb\",1\r\nc,\r\n\r\nd,3\r\n");
	const char *const cols[] = {"id", "n"};
	const fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = csv_request("c.csv", cols, types, 2);

	csv_expect_rows(dir, NULL, &req, "a\r\nb|1\nc|NULL\nd|3\n");
	/* the last line needs no line end, and a lone CR is data */
	test_write_file(dir, "c.csv", "id,n\r\nx\ry,2\r\nz,4");
	csv_expect_rows(dir, NULL, &req, "x\ry|2\nz|4\n");
	test_dir_done(dir);
}

static void test_csv__utf8_bom_is_skipped(void **state)
{
	(void)state;
	char *dir = csv_dir_with("b.csv", "\xEF\xBB\xBFid,n\nu1,5\n");
	const char *const cols[] = {"id", "n"};
	const fcat_type types[] = {T(STRING), T(INT32)};
	fcat_scan_request req = csv_request("b.csv", cols, types, 2);

	csv_expect_rows(dir, NULL, &req, "u1|5\n");
	test_dir_done(dir);
}

static void test_csv__columns_in_any_order_and_a_subset(void **state)
{
	(void)state;
	char *dir = csv_dir_with("data/o.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
	const char *const cols[] = {"d", "b"};
	const fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = csv_request("data/o.csv", cols, types, 2);

	csv_expect_rows(dir, NULL, &req, "4|2\n8|6\n");

	/* an absolute path works too, and no column at all counts rows */
	char abs[4096];
	snprintf(abs, sizeof abs, "%s/data/o.csv", dir);
	req = csv_request(abs, NULL, NULL, 0);
	test_rows r = {0};
	assert_int_equal(csv_scan_with("/nonexistent", NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.nrows, 2);
	free(r.text);
	test_dir_done(dir);
}

static void test_csv__time_filter_keeps_start_and_drops_end(void **state)
{
	(void)state;
	char *dir = csv_dir_with("t.csv", "id,ts\n"
	                                  "a,1970-01-01T00:00:09.999999Z\n"
	                                  "b,1970-01-01T00:00:10Z\n"
	                                  "c,15\n"
	                                  "d,1970-01-01T00:00:19.999999Z\n"
	                                  "e,1970-01-01T00:00:20Z\n");
	const char *const cols[] = {"id", "ts"};
	const fcat_type types[] = {T(STRING), T(TIMESTAMP)};
	fcat_scan_request req = csv_request("t.csv", cols, types, 2);

	req.ts_column = 1;
	req.start = 10 * INT64_C(1000000);
	req.end = 20 * INT64_C(1000000);
	csv_expect_rows(dir, NULL, &req,
	                "b|1970-01-01T00:00:10Z\nc|1970-01-01T00:00:15Z\n"
	                "d|1970-01-01T00:00:19.999999Z\n");

	/* a row without a time cannot be placed */
	test_write_file(dir, "t.csv", "id,ts\na,\n");
	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "t.csv:2:2 (ts): the event timestamp is empty (a row needs one to be "
	                 "placed in time)");
	test_dir_done(dir);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_csv__bad_cell_names_file_line_and_column(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	/* line 3 holds a quoted newline, so row 3 starts on line 5 */
	test_write_file(dir, "data/x.csv",
	                "user_id,ts,total_conversations\n"
	                "u1,2024-01-01T00:00:00Z,1\n"
	                "\"u\n2\",2024-01-01T00:00:00Z,2\n"
	                "u3,2024-01-01T00:00:00Z,12x\n");
	const char *const cols[] = {"total_conversations", "user_id"};
	const fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = csv_request("data/x.csv", cols, types, 2);

	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "data/x.csv:5:3 (total_conversations): not a valid int64: \"12x\"");

	/* a bad cell inside a multi-line record names its own physical line */
	test_write_file(dir, "data/x.csv",
	                "user_id,ts,total_conversations\n"
	                "\"a\nb\nc\",2024-13-01T00:00:00Z,1\n");
	const char *const c2[] = {"ts"};
	const fcat_type t2[] = {T(TIMESTAMP)};
	req = csv_request("data/x.csv", c2, t2, 1);
	int rc;
	free(csv_scan_text(dir, NULL, &req, &rc));
	assert_int_equal(rc, FCAT_EINVALID);
	const char *msg = fcat_error_last();
	const char *want = "data/x.csv:4:2 (ts): not a valid timestamp: \"2024-13-01T00:00:00Z\"";
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("got: %s", msg);
	test_dir_done(dir);
}

static void test_csv__wrong_field_count_names_file_and_line(void **state)
{
	(void)state;
	char *dir = csv_dir_with("w.csv", "a,b,c\n1,2,3\n4,5\n");
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("w.csv", cols, types, 1);

	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "w.csv:3: expected 3 fields (as in the header), found 2");
	test_write_file(dir, "w.csv", "a,b,c\n1,2,3,\n");
	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "w.csv:2: expected 3 fields (as in the header), found 4");
	test_dir_done(dir);
}

static void test_csv__unterminated_quote_names_the_line_where_it_starts(void **state)
{
	(void)state;
	char *dir = csv_dir_with("u.csv", "a,b\n1,2\n3,\"open\n\nstill open\n");
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("u.csv", cols, types, 1);

	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "u.csv:3:2: the quoted field that starts here is never closed");
	test_write_file(dir, "u.csv", "a,b\n\"x\"y,2\n");
	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "u.csv:2:1: unexpected 'y' after the closing quote (a quote inside a "
	                 "quoted field is written \"\")");
	test_dir_done(dir);
}

static void test_csv__missing_column_lists_the_header(void **state)
{
	(void)state;
	char *dir = csv_dir_with("m.csv", "a,b,c\n1,2,3\n");
	const char *const cols[] = {"a", "x"};
	const fcat_type types[] = {T(INT64), T(INT64)};
	fcat_scan_request req = csv_request("m.csv", cols, types, 2);

	csv_expect_error(dir, &req, FCAT_EINVALID,
	                 "m.csv: no column 'x' in the header (columns: a, b, c)");
	test_write_file(dir, "m.csv", "");
	csv_expect_error(dir, &req, FCAT_EINVALID, NULL);
	test_dir_done(dir);
}

static void test_csv__missing_file_is_not_found(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("data/none.csv", cols, types, 1);

	csv_expect_error(dir, &req, FCAT_ENOTFOUND, NULL);
	assert_non_null(strstr(fcat_error_last(), "data/none.csv"));
	req.path = NULL;
	req.table = "t";
	csv_expect_error(dir, &req, FCAT_EINVALID, NULL);
	test_dir_done(dir);
}

/* ---- delivery ---------------------------------------------------------------- */

static void test_csv__callback_returning_nonzero_stops_the_scan(void **state)
{
	(void)state;
	char *dir = csv_dir_with("s.csv", "n\n1\n2\n3\n4\n5\n6\n7\n");
	const char *const cols[] = {"n"};
	const fcat_type types[] = {T(INT64)};
	const char *const kv[] = {"batch_rows", "2", NULL};
	fcat_scan_request req = csv_request("s.csv", cols, types, 1);
	test_rows r = {.ncols = 1, .stop_at_call = 2, .stop_code = 42};

	assert_int_equal(csv_scan_with(dir, kv, &req, test_rows_collect, &r), 42);
	assert_int_equal(r.ncalls, 2);
	assert_string_equal(r.text, "1\n2\n3\n4\n");
	free(r.text);

	/* without stopping: batches of 2, in file order */
	r = (test_rows){.ncols = 1};
	assert_int_equal(csv_scan_with(dir, kv, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 4);
	assert_string_equal(r.text, "1\n2\n3\n4\n5\n6\n7\n");
	free(r.text);
	test_dir_done(dir);
}

static void test_csv__header_only_file_yields_no_rows(void **state)
{
	(void)state;
	char *dir = csv_dir_with("h.csv", "a,b\n");
	const char *const cols[] = {"b"};
	const fcat_type types[] = {T(STRING)};
	fcat_scan_request req = csv_request("h.csv", cols, types, 1);
	test_rows r = {.ncols = 1};

	assert_int_equal(csv_scan_with(dir, NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 0);
	test_write_file(dir, "h.csv", "a,b");
	assert_int_equal(csv_scan_with(dir, NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 0);
	test_dir_done(dir);
}

/* Every way a record can straddle the read buffer gives the same rows. */
static void test_csv__tiny_read_buffers_give_the_same_rows(void **state)
{
	(void)state;
	char *dir = csv_dir_with("e.csv", "\xEF\xBB\xBF"
	                                  "id,\"n\",v\r\n"
	                                  "\"a,\"\"b\"\"\r\nc\",12,\"[1.5, 2]\"\r\n"
	                                  "\r\n"
	                                  "x\ry,-3,[]\n"
	                                  "z,,\"[4]\"");
	const char *const cols[] = {"v", "id", "n"};
	const fcat_type types[] = {TA(FLOAT64, 0), T(STRING), T(INT32)};
	fcat_scan_request req = csv_request("e.csv", cols, types, 3);
	const char *want = "[1.5,2]|a,\"b\"\r\nc|12\n[]|x\ry|-3\n[4]|z|NULL\n";

	csv_expect_rows(dir, NULL, &req, want);
	for (int size = 1; size <= 40; size++) {
		char s[16];
		snprintf(s, sizeof s, "%d", size);
		const char *const kv[] = {"buffer_size", s, "batch_rows", "1", NULL};
		csv_expect_rows(dir, kv, &req, want);
	}
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv__typed_values_of_every_scalar_type_and_arrays),
	    cmocka_unit_test(test_csv__cells_hold_the_parsed_values),
	    cmocka_unit_test(test_csv__quoted_fields_keep_commas_newlines_and_quotes),
	    cmocka_unit_test(test_csv__crlf_line_ends),
	    cmocka_unit_test(test_csv__utf8_bom_is_skipped),
	    cmocka_unit_test(test_csv__columns_in_any_order_and_a_subset),
	    cmocka_unit_test(test_csv__time_filter_keeps_start_and_drops_end),
	    cmocka_unit_test(test_csv__bad_cell_names_file_line_and_column),
	    cmocka_unit_test(test_csv__wrong_field_count_names_file_and_line),
	    cmocka_unit_test(test_csv__unterminated_quote_names_the_line_where_it_starts),
	    cmocka_unit_test(test_csv__missing_column_lists_the_header),
	    cmocka_unit_test(test_csv__missing_file_is_not_found),
	    cmocka_unit_test(test_csv__callback_returning_nonzero_stops_the_scan),
	    cmocka_unit_test(test_csv__header_only_file_yields_no_rows),
	    cmocka_unit_test(test_csv__tiny_read_buffers_give_the_same_rows),
	};
	return cmocka_run_group_tests_name("csv_reader", tests, NULL, NULL);
}
