/* offline_conformance.c - the checks every offline store plugin's test runs
 * alike (see offline_conformance.h). */
#include "offline_conformance.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

void offline_expect_rows(offline_target t, const fcat_scan_request *req, const char *expected)
{
	test_rows r;
	if (t.scan(t.where, req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_string_equal(r.text, expected);
	free(r.text);
}

void offline_expect_scan_fails(offline_target t, const fcat_scan_request *req, int code,
                               const char *msg)
{
	test_rows r;
	assert_fails_with(t.scan(t.where, req, &r), code, msg);
	free(r.text);
}

void offline_check_typed_values(offline_target t, const char *table, const char *const *cols,
                                const fcat_type *types, size_t n, const char *expected)
{
	fcat_scan_request req = test_scan_columns(cols, types, n);
	req.table = table;
	offline_expect_rows(t, &req, expected);
}

void offline_check_nulls_of_every_type(offline_target t, const char *table)
{
	fcat_scan_request req = test_scan_nulls_of_every_type();
	req.table = table;
	offline_expect_rows(t, &req, OFFLINE_SIX_NULLS);
}

void offline_check_time_window(offline_target t, const char *table, const char *query)
{
	fcat_scan_request req = test_scan_time_window();
	req.table = table;
	req.query = query;
	offline_expect_rows(t, &req, OFFLINE_WINDOW_ROWS);
}

void offline_check_bad_value_named(offline_target t, const char *table, const char *where_named)
{
	static const char *const cols[] = {"id", "a"};
	static const fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.table = table;
	offline_expect_scan_fails(t, &req, FCAT_EINVALID, where_named);
	assert_non_null(strstr(fcat_error_last(), "twelve"));
}

void offline_check_float_is_no_int64(offline_target t, const char *query, const char *column,
                                     const char *msg)
{
	const char *cols[] = {"id", column};
	static const fcat_type types[] = {T(STRING), T(INT64)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.query = query;
	offline_expect_scan_fails(t, &req, FCAT_EINVALID, msg);
}

size_t offline_check_squares_to_10000(offline_target t, const char *query)
{
	static const char *const cols[] = {"sq", "i"};
	static const fcat_type types[] = {T(INT64), T(INT32)};
	fcat_scan_request req = test_scan_columns(cols, types, 2);
	req.query = query;
	test_rows r;
	if (t.scan(t.where, &req, &r) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(r.nrows, 10000);
	assert_non_null(strstr(r.text, "\n100000000|10000\n"));
	free(r.text);
	return r.ncalls;
}
