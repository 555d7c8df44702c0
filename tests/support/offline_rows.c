/* offline_rows.c - an offline store plugin's scanned rows collected as text,
 * for the offline plugin tests (see offline_rows.h). */
#include "offline_rows.h"

#include "testutil.h"

#include <stdlib.h>
#include <string.h>

const fcat_offline_ops *test_offline_ops(const char *name)
{
	const fcat_plugin *p = test_load_plugin(name);
	assert_non_null(p->offline);
	return p->offline;
}

fcat_scan_request test_scan_columns(const char *const *cols, const fcat_type *types, size_t n)
{
	return (fcat_scan_request){.columns = cols, .types = types, .ncolumns = n, .ts_column = -1};
}

fcat_scan_request test_scan_nulls_of_every_type(void)
{
	static const char *const cols[] = {"a", "b", "c", "d", "e", "f"};
	static const fcat_type types[] = {{FCAT_INT64, false, 0},     {FCAT_FLOAT32, false, 0},
	                                  {FCAT_STRING, false, 0},    {FCAT_BYTES, false, 0},
	                                  {FCAT_TIMESTAMP, false, 0}, {FCAT_INT32, true, 4}};
	return test_scan_columns(cols, types, NCOLS(cols));
}

fcat_scan_request test_scan_time_window(void)
{
	static const char *const cols[] = {"v", "ts"};
	static const fcat_type types[] = {{FCAT_INT64, false, 0}, {FCAT_TIMESTAMP, false, 0}};
	fcat_scan_request req = test_scan_columns(cols, types, NCOLS(cols));
	req.ts_column = 1;
	req.start = INT64_C(1767261600) * 1000000;
	req.end = INT64_C(1767265200) * 1000000;
	return req;
}

void test_rows_append(test_rows *r, const char *s)
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

void test_rows_cell(test_rows *r, const fcat_value *v)
{
	char *s = NULL;
	if (v->is_null) {
		test_rows_append(r, "NULL");
		return;
	}
	assert_int_equal(fcat_value_format(&s, v), 0);
	test_rows_append(r, s);
	fcat_free(s);
}

int test_rows_collect(void *ctx, const fcat_value *cells, size_t nrows)
{
	test_rows *r = ctx;
	r->ncalls++;
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < r->ncols; j++) {
			if (j)
				test_rows_append(r, "|");
			test_rows_cell(r, &cells[i * r->ncols + j]);
		}
		test_rows_append(r, "\n");
		r->nrows++;
	}
	if (r->stop_at_call && r->ncalls == r->stop_at_call)
		return r->stop_code;
	return 0;
}

int test_offline_scan(const fcat_offline_ops *ops, const fcat_plugin_config *config,
                      const fcat_scan_request *req, fcat_scan_fn fn, void *ctx)
{
	void *store = NULL;
	if (ops->open(&store, config) != 0)
		fail_msg("open: %s", fcat_error_last());
	int rc = ops->scan(store, req, fn, ctx);
	ops->close(store);
	return rc;
}
