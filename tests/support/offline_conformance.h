/* offline_conformance.h - the checks every offline store plugin's test runs
 * alike (typed values, nulls, missing columns, bad values, the time filter,
 * batches), each against a store reached through an offline_target. The
 * plugin's own tests create the tables and say what its store answers. */
#ifndef FCAT_TEST_OFFLINE_CONFORMANCE_H
#define FCAT_TEST_OFFLINE_CONFORMANCE_H

#include "offline_rows.h"

#include <stddef.h>

/* An offline store under test: scan(where, req, r) scans req into r (r's
 * text is freed by the checks here); `where` is the plugin's own argument
 * (a directory, a schema). */
typedef struct offline_target {
	int (*scan)(const char *where, const fcat_scan_request *req, test_rows *r);
	const char *where;
} offline_target;

/* Scans req and asserts its rows read as `expected`; fails the test with
 * the store's message when the scan fails. */
void offline_expect_rows(offline_target t, const fcat_scan_request *req, const char *expected);

/* Scans req and asserts it fails with `code` and a message holding `msg`. */
void offline_expect_scan_fails(offline_target t, const fcat_scan_request *req, int code,
                               const char *msg);

/* Scans `cols` of `types` from `table` and asserts the rows read as
 * `expected`. */
void offline_check_typed_values(offline_target t, const char *table, const char *const *cols,
                                const fcat_type *types, size_t n, const char *expected);

/* Scans test_scan_nulls_of_every_type from `table` (one row of nulls). */
void offline_check_nulls_of_every_type(offline_target t, const char *table);

/* Scans test_scan_time_window from `table` or `query` (the other NULL),
 * whose rows v = 1 to 5 are those test_scan_time_window describes. */
void offline_check_time_window(offline_target t, const char *table, const char *query);

/* Scans columns id (string) and a (int64) from `table`, whose second row's
 * a is 'twelve': the error names `where_named` and the value. */
void offline_check_bad_value_named(offline_target t, const char *table, const char *where_named);

/* Scans columns id (string) and `column` (int64) with `query`, whose first
 * row's `column` holds a float: asserts the scan refuses it with `msg`
 * (the wrong kind, not truncated). */
void offline_check_float_is_no_int64(offline_target t, const char *query, const char *column,
                                     const char *msg);

/* Scans columns sq (int64) and i (int32) with `query`, which gives i*i and
 * i for i = 1 to 10000 in order; asserts every row came, and returns in how
 * many calls to the scan function. */
size_t offline_check_squares_to_10000(offline_target t, const char *query);

#endif
