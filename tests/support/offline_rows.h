/* offline_rows.h - what the offline store plugin tests share: short type
 * constructors, and a plugin's scanned rows collected as text
 * ("a|b|c\n" a row, cells as fcat_value_format writes them, null as NULL). */
#ifndef FCAT_TEST_OFFLINE_ROWS_H
#define FCAT_TEST_OFFLINE_ROWS_H

#include "fcat.h"
#include "fcat_plugin.h"

#include <stddef.h>

#define T(s)     ((fcat_type){FCAT_##s, false, 0})
#define TA(s, d) ((fcat_type){FCAT_##s, true, (d)})
#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* The offline ops of plugin `name` (test_load_plugin); fails the test when
 * the plugin has no offline store. */
const fcat_offline_ops *test_offline_ops(const char *name);

/* A scan request for `cols` of `types`, with no time filter; the source
 * (path, table or query) is the caller's to set. */
fcat_scan_request test_scan_columns(const char *const *cols, const fcat_type *types, size_t n);

/* What every offline plugin's "nulls of every type" test scans: columns a
 * to f typed int64, float32, string, bytes, timestamp and int32[4]; the
 * source is the caller's to set. A row of nulls reads as OFFLINE_SIX_NULLS. */
fcat_scan_request test_scan_nulls_of_every_type(void);
#define OFFLINE_SIX_NULLS "NULL|NULL|NULL|NULL|NULL|NULL\n"

/* What every offline plugin's time filter test scans: v (int64) and ts
 * (timestamp, the event time) within [2026-01-01T10:00:00Z,
 * 2026-01-01T11:00:00Z); the source is the caller's to set. Of rows v = 1
 * to 5 at 09:59:59.999999, 10:00 (twice), 10:59:59 and 11:00, those inside
 * read as OFFLINE_WINDOW_ROWS. */
fcat_scan_request test_scan_time_window(void);
#define OFFLINE_WINDOW_ROWS                                                                        \
	"2|2026-01-01T10:00:00Z\n3|2026-01-01T10:00:00Z\n4|2026-01-01T10:59:59Z\n"

/* Rows as text; text is NULL until something is appended (free it). */
typedef struct test_rows {
	char *text;
	size_t len, cap;
	size_t ncols, nrows, ncalls;
	size_t stop_at_call; /* test_rows_collect returns stop_code from this call (1-based) */
	int stop_code;
} test_rows;

void test_rows_append(test_rows *r, const char *s);

/* One cell: as fcat_value_format writes it, or NULL. */
void test_rows_cell(test_rows *r, const fcat_value *v);

/* An fcat_scan_fn: appends each row of r->ncols cells (ctx is a test_rows). */
int test_rows_collect(void *ctx, const fcat_value *cells, size_t nrows);

/* Opens a store of `ops` with `config` (failing the test when it cannot),
 * scans `req` into fn, closes the store; the scan's result. */
int test_offline_scan(const fcat_offline_ops *ops, const fcat_plugin_config *config,
                      const fcat_scan_request *req, fcat_scan_fn fn, void *ctx);

#endif
