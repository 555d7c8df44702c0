/* test_csv.c - the csv offline plugin: RFC 4180 reading, typed cells, the
 * time filter, errors that say where, its fast number parsers agreeing
 * bit for bit with fcat_value_parse, its header probe, and core's CSV
 * writer (offline/csv_write.c) as the exact inverse of its reader. */
#include "testutil.h"

#include "fcat.h"
#include "fcat_plugin.h"
#include "offline/csv_write.h"
#include "offline_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fcat_offline_ops *ops(void)
{
	static const fcat_plugin *p;

	if (!p)
		p = test_load_plugin("csv");
	assert_non_null(p->offline);
	return p->offline;
}

/* Scans with a fresh store over `dir` (settings kv, may be NULL). */
static int scan_with(const char *dir, const char *const *kv, const fcat_scan_request *req,
                     fcat_scan_fn fn, void *ctx)
{
	fcat_plugin_config *c = test_plugin_config(dir, kv);
	int rc = test_offline_scan(ops(), c, req, fn, ctx);

	free(c);
	return rc;
}

static fcat_scan_request request(const char *path, const char *const *cols, const fcat_type *types,
                                 size_t n)
{
	fcat_scan_request req = test_scan_columns(cols, types, n);

	req.path = path;
	return req;
}

/* Scans and returns the rows as text (the caller frees it); *rc_out gets
 * the result when not NULL, otherwise the scan must succeed. */
static char *scan_text(const char *dir, const char *const *kv, const fcat_scan_request *req,
                       int *rc_out)
{
	test_rows r = {.ncols = req->ncolumns};
	int rc = scan_with(dir, kv, req, test_rows_collect, &r);

	if (rc_out)
		*rc_out = rc;
	else if (rc != 0)
		fail_msg("scan failed (%d): %s", rc, fcat_error_last());
	if (!r.text)
		r.text = calloc(1, 1);
	return r.text;
}

static void expect_rows(const char *dir, const char *const *kv, const fcat_scan_request *req,
                        const char *want)
{
	char *got = scan_text(dir, kv, req, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("rows differ\n--- got:\n%s--- want:\n%s", got, want);
	free(got);
}

/* The scan fails with `code` and exactly message `want`. */
static void expect_error(const char *dir, const fcat_scan_request *req, int code, const char *want)
{
	int rc;
	char *got = scan_text(dir, NULL, req, &rc);

	free(got);
	if (rc != code)
		fail_msg("expected code %d, got %d (%s)", code, rc, fcat_error_last());
	if (want && strcmp(fcat_error_last(), want) != 0)
		fail_msg("message\n  got:  %s\n  want: %s", fcat_error_last(), want);
}

static void done(char *dir)
{
	test_rmtree(dir);
	free(dir);
}

/* ---- values ---------------------------------------------------------------- */

static void test_csv__typed_values_of_every_scalar_type_and_arrays(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(
	    dir, "d.csv",
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
	fcat_scan_request req = request("d.csv", cols, types, NCOLS(cols));

	expect_rows(dir, NULL, &req,
	            "-2147483648|9223372036854775807|0.5|-1e-300|héllo|aGk=|true|"
	            "2024-02-29T12:34:56Z|[1.5,-2,300]|[1,-2,3]|[\"a\",\"b,c\"]|"
	            "[\"2024-01-01T00:00:00Z\"]\n"
	            "7|-7|-0|1.25|x|NULL|false|2023-11-14T22:13:20Z|[0,0,0]|[]|[]|[]\n"
	            "NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
	done(dir);
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
	char *dir = test_mkdtemp();
	test_write_file(dir, "d.csv",
	                "s,n,v,t\n\"a\"\"b,c\",42,\"[0.25, -8]\",1970-01-02T00:00:00.5Z\n");
	const char *const cols[] = {"s", "n", "v", "t"};
	const fcat_type types[] = {T(STRING), T(INT64), TA(FLOAT32, 0), T(TIMESTAMP)};
	fcat_scan_request req = request("d.csv", cols, types, 4);

	assert_int_equal(scan_with(dir, NULL, &req, check_raw, NULL), 0);
	done(dir);
}

/* ---- RFC 4180 ---------------------------------------------------------------- */

static void test_csv__quoted_fields_keep_commas_newlines_and_quotes(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "q.csv",
	                "a,b,c\n"
	                "\"x,y\",\"line1\nline2\",\"say \"\"hi\"\"\"\n"
	                "\"\",\"\"\"\",plain\"quote\n"
	                "\"multi\n\nline\",\"\",\"\"\"\"\"\"\n");
	const char *const cols[] = {"a", "b", "c"};
	const fcat_type types[] = {T(STRING), T(STRING), T(STRING)};
	fcat_scan_request req = request("q.csv", cols, types, 3);

	/* "" is an empty string, not null: the writer's way to tell them apart */
	expect_rows(dir, NULL, &req,
	            "x,y|line1\nline2|say \"hi\"\n"
	            "|\"|plain\"quote\n"
	            "multi\n\nline||\"\"\n");
	done(dir);
}

static void test_csv__crlf_line_ends(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "c.csv", "id,n\r\n\"a\r\nb\",1\r\nc,\r\n\r\nd,3\r\n");
	const char *const cols[] = {"id", "n"};
	const fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = request("c.csv", cols, types, 2);

	expect_rows(dir, NULL, &req, "a\r\nb|1\nc|NULL\nd|3\n");
	/* the last line needs no line end, and a lone CR is data */
	test_write_file(dir, "c.csv", "id,n\r\nx\ry,2\r\nz,4");
	expect_rows(dir, NULL, &req, "x\ry|2\nz|4\n");
	done(dir);
}

static void test_csv__utf8_bom_is_skipped(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "b.csv", "\xEF\xBB\xBFid,n\nu1,5\n");
	const char *const cols[] = {"id", "n"};
	const fcat_type types[] = {T(STRING), T(INT32)};
	fcat_scan_request req = request("b.csv", cols, types, 2);

	expect_rows(dir, NULL, &req, "u1|5\n");
	done(dir);
}

static void test_csv__columns_in_any_order_and_a_subset(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "data/o.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
	const char *const cols[] = {"d", "b"};
	const fcat_type types[] = {T(INT64), T(STRING)};
	fcat_scan_request req = request("data/o.csv", cols, types, 2);

	expect_rows(dir, NULL, &req, "4|2\n8|6\n");

	/* an absolute path works too, and no column at all counts rows */
	char abs[4096];
	snprintf(abs, sizeof abs, "%s/data/o.csv", dir);
	req = request(abs, NULL, NULL, 0);
	test_rows r = {0};
	assert_int_equal(scan_with("/nonexistent", NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.nrows, 2);
	free(r.text);
	done(dir);
}

static void test_csv__time_filter_keeps_start_and_drops_end(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "t.csv",
	                "id,ts\n"
	                "a,1970-01-01T00:00:09.999999Z\n"
	                "b,1970-01-01T00:00:10Z\n"
	                "c,15\n"
	                "d,1970-01-01T00:00:19.999999Z\n"
	                "e,1970-01-01T00:00:20Z\n");
	const char *const cols[] = {"id", "ts"};
	const fcat_type types[] = {T(STRING), T(TIMESTAMP)};
	fcat_scan_request req = request("t.csv", cols, types, 2);

	req.ts_column = 1;
	req.start = 10 * INT64_C(1000000);
	req.end = 20 * INT64_C(1000000);
	expect_rows(dir, NULL, &req,
	            "b|1970-01-01T00:00:10Z\nc|1970-01-01T00:00:15Z\n"
	            "d|1970-01-01T00:00:19.999999Z\n");

	/* a row without a time cannot be placed */
	test_write_file(dir, "t.csv", "id,ts\na,\n");
	expect_error(dir, &req, FCAT_EINVALID,
	             "t.csv:2:2 (ts): the event timestamp is empty (a row needs one to be "
	             "placed in time)");
	done(dir);
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
	fcat_scan_request req = request("data/x.csv", cols, types, 2);

	expect_error(dir, &req, FCAT_EINVALID,
	             "data/x.csv:5:3 (total_conversations): not a valid int64: \"12x\"");

	/* a bad cell inside a multi-line record names its own physical line */
	test_write_file(dir, "data/x.csv",
	                "user_id,ts,total_conversations\n"
	                "\"a\nb\nc\",2024-13-01T00:00:00Z,1\n");
	const char *const c2[] = {"ts"};
	const fcat_type t2[] = {T(TIMESTAMP)};
	req = request("data/x.csv", c2, t2, 1);
	int rc;
	free(scan_text(dir, NULL, &req, &rc));
	assert_int_equal(rc, FCAT_EINVALID);
	const char *msg = fcat_error_last();
	const char *want = "data/x.csv:4:2 (ts): not a valid timestamp: \"2024-13-01T00:00:00Z\"";
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("got: %s", msg);
	done(dir);
}

static void test_csv__wrong_field_count_names_file_and_line(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "w.csv", "a,b,c\n1,2,3\n4,5\n");
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = request("w.csv", cols, types, 1);

	expect_error(dir, &req, FCAT_EINVALID,
	             "w.csv:3: expected 3 fields (as in the header), found 2");
	test_write_file(dir, "w.csv", "a,b,c\n1,2,3,\n");
	expect_error(dir, &req, FCAT_EINVALID,
	             "w.csv:2: expected 3 fields (as in the header), found 4");
	done(dir);
}

static void test_csv__unterminated_quote_names_the_line_where_it_starts(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "u.csv", "a,b\n1,2\n3,\"open\n\nstill open\n");
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = request("u.csv", cols, types, 1);

	expect_error(dir, &req, FCAT_EINVALID,
	             "u.csv:3:2: the quoted field that starts here is never closed");
	test_write_file(dir, "u.csv", "a,b\n\"x\"y,2\n");
	expect_error(dir, &req, FCAT_EINVALID,
	             "u.csv:2:1: unexpected 'y' after the closing quote (a quote inside a "
	             "quoted field is written \"\")");
	done(dir);
}

static void test_csv__missing_column_lists_the_header(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "m.csv", "a,b,c\n1,2,3\n");
	const char *const cols[] = {"a", "x"};
	const fcat_type types[] = {T(INT64), T(INT64)};
	fcat_scan_request req = request("m.csv", cols, types, 2);

	expect_error(dir, &req, FCAT_EINVALID,
	             "m.csv: no column 'x' in the header (columns: a, b, c)");
	test_write_file(dir, "m.csv", "");
	expect_error(dir, &req, FCAT_EINVALID, NULL);
	done(dir);
}

static void test_csv__missing_file_is_not_found(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	const char *const cols[] = {"a"};
	const fcat_type types[] = {T(INT64)};
	fcat_scan_request req = request("data/none.csv", cols, types, 1);

	expect_error(dir, &req, FCAT_ENOTFOUND, NULL);
	assert_non_null(strstr(fcat_error_last(), "data/none.csv"));
	req.path = NULL;
	req.table = "t";
	expect_error(dir, &req, FCAT_EINVALID, NULL);
	done(dir);
}

/* ---- delivery ---------------------------------------------------------------- */

static void test_csv__callback_returning_nonzero_stops_the_scan(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "s.csv", "n\n1\n2\n3\n4\n5\n6\n7\n");
	const char *const cols[] = {"n"};
	const fcat_type types[] = {T(INT64)};
	const char *const kv[] = {"batch_rows", "2", NULL};
	fcat_scan_request req = request("s.csv", cols, types, 1);
	test_rows r = {.ncols = 1, .stop_at_call = 2, .stop_code = 42};

	assert_int_equal(scan_with(dir, kv, &req, test_rows_collect, &r), 42);
	assert_int_equal(r.ncalls, 2);
	assert_string_equal(r.text, "1\n2\n3\n4\n");
	free(r.text);

	/* without stopping: batches of 2, in file order */
	r = (test_rows){.ncols = 1};
	assert_int_equal(scan_with(dir, kv, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 4);
	assert_string_equal(r.text, "1\n2\n3\n4\n5\n6\n7\n");
	free(r.text);
	done(dir);
}

static void test_csv__header_only_file_yields_no_rows(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "h.csv", "a,b\n");
	const char *const cols[] = {"b"};
	const fcat_type types[] = {T(STRING)};
	fcat_scan_request req = request("h.csv", cols, types, 1);
	test_rows r = {.ncols = 1};

	assert_int_equal(scan_with(dir, NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 0);
	test_write_file(dir, "h.csv", "a,b");
	assert_int_equal(scan_with(dir, NULL, &req, test_rows_collect, &r), 0);
	assert_int_equal(r.ncalls, 0);
	done(dir);
}

/* Every way a record can straddle the read buffer gives the same rows. */
static void test_csv__tiny_read_buffers_give_the_same_rows(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "e.csv",
	                "\xEF\xBB\xBF"
	                "id,\"n\",v\r\n"
	                "\"a,\"\"b\"\"\r\nc\",12,\"[1.5, 2]\"\r\n"
	                "\r\n"
	                "x\ry,-3,[]\n"
	                "z,,\"[4]\"");
	const char *const cols[] = {"v", "id", "n"};
	const fcat_type types[] = {TA(FLOAT64, 0), T(STRING), T(INT32)};
	fcat_scan_request req = request("e.csv", cols, types, 3);
	const char *want = "[1.5,2]|a,\"b\"\r\nc|12\n[]|x\ry|-3\n[4]|z|NULL\n";

	expect_rows(dir, NULL, &req, want);
	for (int size = 1; size <= 40; size++) {
		char s[16];
		snprintf(s, sizeof s, "%d", size);
		const char *const kv[] = {"buffer_size", s, "batch_rows", "1", NULL};
		expect_rows(dir, kv, &req, want);
	}
	done(dir);
}

/* ---- fast paths against the host parser --------------------------------------- */

static const char *const tricky[] = {
    "0",
    "-0",
    "+0",
    "0.0",
    "-0.0",
    "00012",
    "-00012.500",
    "1",
    "-1",
    "+1",
    "1.",
    ".5",
    "-.5",
    "+.5",
    "1e5",
    "1E5",
    "1e-5",
    "1e+5",
    "1.e5",
    "1.5e22",
    "1e22",
    "1e23",
    "1e-22",
    "1e-23",
    "0.1",
    "0.2",
    "0.3",
    "0.30000000000000004",
    "1.0000000000000002",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "9007199254740992e22",
    "9007199254740992e-22",
    "123456789e-22",
    "123456789e-23",
    "4503599627370497.5",
    "123456789012345678",
    "1234567890123456789",
    "12345678901234567890",
    "3.4028235e38",
    "3.4028236e38",
    "3.4028234663852886e38",
    "1e39",
    "1e-45",
    "1.4e-45",
    "7e-46",
    "1.17549435e-38",
    "16777216",
    "16777217",
    "2.2250738585072014e-308",
    "4.9e-324",
    "1e-400",
    "1e400",
    "0e999999",
    "1e0000000000000000000005",
    "0.000001",
    "0.0000001",
    "123.456",
    "0.1e-22",
    "2147483647",
    "-2147483648",
    "2147483648",
    "-2147483649",
    "999999999",
    "1000000000",
    "-999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "999999999999999999",
    "-999999999999999999",
    "0x1p3",
    "0X10",
    "inf",
    "-inf",
    "nan",
    "Infinity",
    "1e",
    "1e+",
    "e5",
    ".",
    "-",
    "+",
    "1.5.5",
    "1_000",
    " 1",
    "1 ",
    "1,5",
    "--1",
    "+-1",
    "1e5.5",
    "١",
    "0.0000000000000000000001",
    "100000000000000000000000",
    "2024-01-01T00:00:00Z",
    "true",
    "1.5f",
};

static const char *const tricky_times[] = {
    "2024-02-29T12:00:00Z",
    "2023-02-29T12:00:00Z",
    "2000-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2024-01-01T00:00:00.5Z",
    "2024-01-01T00:00:00.123456789Z",
    "2024-01-01T00:00:00.1234567890Z",
    "2024-01-01T00:00:00.000001Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:59:60Z",
    "2024-01-01T23:60:00Z",
    "2024-01-01t00:00:00z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00+02:00",
    "2024-01-01T00:00:00-00:30",
    "2024-01-01",
    "1700000000",
    "-1",
    "+5",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "2024-13-01T00:00:00Z",
    "2024-00-01T00:00:00Z",
    "2024-01-00T00:00:00Z",
    "2024-01-32T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-1-01T00:00:00Z",
    "2024-01-01T00:00:00.Z",
    "2024-01-01T00:00:00",
    "2024-01-01T0:00:00Z",
    "1969-12-31T23:59:59.999999Z",
    "2024-01-01T00:00:00ZZ",
    "x024-01-01T00:00:00Z",
    "2024-01-01T00:00:00.12a4Z",
};

/* The texts a check feeds through one column "v", one row each. */
typedef struct equiv {
	fcat_type type;
	const char **texts;
	size_t next;
} equiv;

static bool same_value(const fcat_value *a, const fcat_value *b)
{
	if (a->is_null != b->is_null || !fcat_type_equal(a->type, b->type))
		return false;
	if (a->is_null)
		return true;
	if (a->type.is_array) {
		size_t size =
		    a->type.scalar == FCAT_INT32 || a->type.scalar == FCAT_FLOAT32 ? 4 : 8;
		return a->u.array.len == b->u.array.len &&
		       (a->u.array.len == 0 ||
		        memcmp(a->u.array.items, b->u.array.items, a->u.array.len * size) == 0);
	}
	switch (a->type.scalar) {
	case FCAT_INT32: return a->u.i32 == b->u.i32;
	case FCAT_FLOAT32: return memcmp(&a->u.f32, &b->u.f32, sizeof(float)) == 0;
	case FCAT_FLOAT64: return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
	default: return a->u.i64 == b->u.i64;
	}
}

static int compare_to_host(void *ctx, const fcat_value *cells, size_t nrows)
{
	equiv *e = ctx;

	for (size_t i = 0; i < nrows; i++) {
		const char *text = e->texts[e->next++];
		fcat_value want;

		assert_int_equal(fcat_value_parse(&want, e->type, text, strlen(text)), 0);
		if (!same_value(&cells[i], &want)) {
			char *g = NULL, *w = NULL;
			fcat_value_format(&g, &cells[i]);
			fcat_value_format(&w, &want);
			fail_msg("\"%s\": plugin %s, host %s", text, g, w);
		}
		fcat_value_clear(&want);
	}
	return 0;
}

/* Writes t as a quoted CSV field and a line end at out; returns the length. */
static size_t put_quoted(char *out, const char *t)
{
	char *p = out;

	*p++ = '"';
	for (; *t; t++) {
		if (*t == '"')
			*p++ = '"';
		*p++ = *t;
	}
	*p++ = '"';
	*p++ = '\n';
	*p = '\0';
	return (size_t)(p - out);
}

/* The scan of a file holding only `t` fails with the host's message for it
 * after the location (the detail in parentheses may be left out). */
static void check_same_error(const char *dir, fcat_type type, const char *t)
{
	char host_msg[512], want[700], file[2048];
	const char *const cols[] = {"v"};
	fcat_scan_request req = request("bad.csv", cols, &type, 1);
	int rc;

	snprintf(host_msg, sizeof host_msg, "%s", fcat_error_last());
	strcpy(file, "v\n");
	put_quoted(file + 2, t);
	test_write_file(dir, "bad.csv", file);
	free(scan_text(dir, NULL, &req, &rc));
	if (rc != FCAT_EINVALID)
		fail_msg("\"%s\": expected an error, got %d", t, rc);
	snprintf(want, sizeof want, "bad.csv:2:1 (v): %s", host_msg);

	const char *got = fcat_error_last();
	char *paren = strstr(want, "\" (");
	size_t short_len = paren ? (size_t)(paren + 1 - want) : strlen(want);

	if (strcmp(got, want) != 0 &&
	    !(strlen(got) == short_len && strncmp(got, want, short_len) == 0))
		fail_msg("\"%s\":\n  got  %s\n  want %s", t, got, want);
}

/* Feeds every text the host accepts as `type` through the plugin, one row
 * each, and compares the values bit for bit; the first max_bad texts the
 * host refuses go through check_same_error. */
static void check_equivalence(const char *dir, fcat_type type, const char *const *texts, size_t n,
                              size_t max_bad)
{
	const char **good = calloc(n + 1, sizeof *good);
	size_t ngood = 0, nbad = 0, cap = 64, len = 2;
	char *csv = malloc(cap);
	const char *const cols[] = {"v"};
	fcat_scan_request req = request("eq.csv", cols, &type, 1);

	strcpy(csv, "v\n");
	for (size_t i = 0; i < n; i++) {
		fcat_value v;
		const char *t = texts[i];
		size_t tl = strlen(t);

		if (!tl)
			continue;
		if (fcat_value_parse(&v, type, t, tl) != 0) {
			if (nbad++ < max_bad)
				check_same_error(dir, type, t);
			continue;
		}
		fcat_value_clear(&v);
		good[ngood++] = t;
		while (len + 2 * tl + 4 > cap)
			csv = realloc(csv, cap *= 2);
		len += put_quoted(csv + len, t);
	}
	test_write_file(dir, "eq.csv", csv);

	equiv e = {.type = type, .texts = good};
	assert_int_equal(scan_with(dir, NULL, &req, compare_to_host, &e), 0);
	assert_int_equal(e.next, ngood);
	free(csv);
	free(good);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A random decimal: sign, 1-20 digits, a point somewhere, an exponent. */
static void random_number(char *buf)
{
	char *p = buf;
	int nd = 1 + (int)(rnd() % 20), point = (int)(rnd() % (nd + 2)) - 1;

	if (rnd() % 4 == 0)
		*p++ = rnd() % 2 ? '-' : '+';
	for (int i = 0; i < nd; i++) {
		if (i == point)
			*p++ = '.';
		*p++ = (char)('0' + rnd() % 10);
	}
	if (rnd() % 3 == 0)
		p += sprintf(p, "e%d", (int)(rnd() % 70) - 35);
	*p = '\0';
}

static void test_csv__fast_paths_match_the_host_parser(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	const fcat_scalar numeric[] = {FCAT_INT32, FCAT_INT64, FCAT_FLOAT32, FCAT_FLOAT64,
	                               FCAT_TIMESTAMP};

	for (size_t k = 0; k < NCOLS(numeric); k++)
		check_equivalence(dir, (fcat_type){numeric[k], false, 0}, tricky, NCOLS(tricky),
		                  SIZE_MAX);
	check_equivalence(dir, T(TIMESTAMP), tricky_times, NCOLS(tricky_times), SIZE_MAX);

	/* random decimals, as scalars and inside arrays */
	enum { N = 20000, ARRAYS = 2000 };
	static char numbers[N][48], arrays[ARRAYS][256];
	const char *texts[N], *atexts[ARRAYS];
	static const char *const ws[] = {"", " ", "\t", " \n "};

	for (size_t i = 0; i < N; i++) {
		random_number(numbers[i]);
		texts[i] = numbers[i];
	}
	for (size_t k = 0; k < NCOLS(numeric) - 1; k++)
		check_equivalence(dir, (fcat_type){numeric[k], false, 0}, texts, N, 100);
	for (size_t i = 0; i < ARRAYS; i++) {
		char *p = arrays[i];
		int n = 1 + (int)(rnd() % 5);
		p += sprintf(p, "[%s", ws[rnd() % 4]);
		for (int j = 0; j < n; j++) {
			char num[48];
			random_number(num);
			p +=
			    sprintf(p, "%s%s%s%s", j ? "," : "", ws[rnd() % 4], num, ws[rnd() % 4]);
		}
		sprintf(p, "]");
		atexts[i] = arrays[i];
	}
	check_equivalence(dir, TA(FLOAT32, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(FLOAT64, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(INT64, 0), atexts, ARRAYS, 100);
	check_equivalence(dir, TA(INT32, 3), atexts, ARRAYS, 100);

	static const char *const odd_arrays[] = {
	    "[]",      "[ ]",       "[1]",           "[1,]",      "[,1]",
	    "[1 2]",   "[null]",    "[1,null]",      "[inf]",     "[0x10]",
	    "[1e400]", "[ 1 , 2 ]", "[1,2,3]",       "[1,2,3,4]", "1,2",
	    "[1",      "1]",        "[[1]]",         "[\"1\"]",   "[1e]",
	    "[--1]",   "[1]x",      "[1.5,2.5,3.5]",
	};
	check_equivalence(dir, TA(FLOAT32, 3), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	check_equivalence(dir, TA(INT64, 0), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	check_equivalence(dir, TA(FLOAT64, 0), odd_arrays, NCOLS(odd_arrays), SIZE_MAX);
	done(dir);
}

/* ---- the header probe and the writer's inverse ---------------------------- */

typedef struct names_seen {
	char text[256];
	size_t n, calls;
} names_seen;

static int keep_names(void *ctx, const fcat_bytes *names, size_t n)
{
	names_seen *s = ctx;
	s->calls++;
	s->n = n;
	for (size_t i = 0; i < n; i++)
		snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%s%.*s",
		         i ? "|" : "", (int)names[i].len, names[i].ptr);
	return 0;
}

static int probe(const char *dir, const char *path, names_seen *seen)
{
	fcat_plugin_config *c = test_plugin_config(dir, NULL);
	void *h = NULL;
	assert_true(FCAT_OPS_HAS(ops(), columns));
	assert_int_equal(ops()->open(&h, c), 0);
	fcat_scan_request req = request(path, NULL, NULL, 0);
	memset(seen, 0, sizeof *seen);
	int rc = ops()->columns(h, &req, keep_names, seen);
	ops()->close(h);
	free(c);
	return rc;
}

static void test_csv__columns_are_the_header_as_scan_reads_it(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	names_seen seen;
	test_write_file(dir, "h.csv",
	                "\xEF\xBB\xBFid,\"a, b\",\"say \"\"x\"\"\",\"\"\r\nu1,1,2,3\r\n");
	assert_int_equal(probe(dir, "h.csv", &seen), 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.n, 4);
	assert_string_equal(seen.text, "id|a, b|say \"x\"|");
	/* an empty file has no columns; a missing one is named */
	test_write_file(dir, "e.csv", "");
	assert_int_equal(probe(dir, "e.csv", &seen), 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.n, 0);
	assert_int_equal(probe(dir, "none.csv", &seen), FCAT_ENOTFOUND);
	assert_non_null(strstr(fcat_error_last(), "none.csv"));
	done(dir);
}

/* What a round trip must give back: text (NULL: null) per cell. */
static const char *const trip[][3] = {
    {"plain", "", NULL},
    {"a,b", "say \"hi\"", "\"leading quote"},
    {"line\nbreak", "crlf\r\nend", "lone\rcr"},
    {NULL, " spaced ", "trailing\""},
    {"\"\"", ",", "\xc3\xa9t\xc3\xa9"},
    {NULL, NULL, ""},
};

typedef struct trip_check {
	size_t row;
} trip_check;

static int check_trip(void *ctx, const fcat_value *cells, size_t nrows)
{
	trip_check *t = ctx;
	for (size_t r = 0; r < nrows; r++, t->row++)
		for (size_t c = 0; c < 3; c++) {
			const char *want = trip[t->row][c];
			const fcat_value *v = &cells[r * 3 + c];
			if (!want) {
				if (!v->is_null)
					fail_msg("row %zu col %zu: want null, got '%.*s'", t->row,
					         c, (int)v->u.str.len, v->u.str.ptr);
				continue;
			}
			if (v->is_null)
				fail_msg("row %zu col %zu: want '%s', got null", t->row, c, want);
			assert_int_equal(v->u.str.len, strlen(want));
			assert_memory_equal(v->u.str.ptr, want, strlen(want));
		}
	return 0;
}

static void test_csv__written_cells_read_back_the_same(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	fcat__buf b = {0};
	const char *head[] = {"a", "b,c", "d\"e"};
	for (size_t c = 0; c < 3; c++) {
		fcat__buf_puts(&b, c ? "," : "");
		fcat__csv_cell(&b, head[c], strlen(head[c]), false);
	}
	fcat__buf_putc(&b, '\n');
	size_t nrows = sizeof trip / sizeof *trip;
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < 3; c++) {
			fcat__buf_puts(&b, c ? "," : "");
			const char *t = trip[r][c];
			fcat__csv_cell(&b, t ? t : "", t ? strlen(t) : 0, !t);
		}
		fcat__buf_putc(&b, '\n');
	}
	assert_false(b.oom);
	test_write_file(dir, "w.csv", b.ptr);
	fcat__buf_free(&b);
	names_seen seen;
	assert_int_equal(probe(dir, "w.csv", &seen), 0);
	assert_string_equal(seen.text, "a|b,c|d\"e");
	const fcat_type types[] = {T(STRING), T(STRING), T(STRING)};
	fcat_scan_request req = request("w.csv", head, types, 3);
	/* tiny buffers too: quotes and line ends split across refills */
	const char *const tiny[] = {"buffer_size", "7", "batch_rows", "2", NULL};
	for (int pass = 0; pass < 2; pass++) {
		trip_check t = {0};
		assert_int_equal(scan_with(dir, pass ? tiny : NULL, &req, check_trip, &t), 0);
		assert_int_equal(t.row, nrows);
	}
	done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv__typed_values_of_every_scalar_type_and_arrays),
	    cmocka_unit_test(test_csv__cells_hold_the_parsed_values),
	    cmocka_unit_test(test_csv__quoted_fields_keep_commas_newlines_and_quotes),
	    cmocka_unit_test(test_csv__columns_are_the_header_as_scan_reads_it),
	    cmocka_unit_test(test_csv__written_cells_read_back_the_same),
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
	    cmocka_unit_test(test_csv__fast_paths_match_the_host_parser),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
