/* csv_scan.c - scanning with the csv offline plugin for the csv tests (see
 * csv_scan.h). */
#include "csv_scan.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const fcat_offline_ops *csv_ops(void)
{
	return test_offline_ops("csv");
}

char *csv_dir_with(const char *rel, const char *text)
{
	char *dir = test_mkdtemp();

	test_write_file(dir, rel, text);
	return dir;
}

fcat_scan_request csv_request(const char *path, const char *const *cols, const fcat_type *types,
                              size_t n)
{
	fcat_scan_request req = test_scan_columns(cols, types, n);

	req.path = path;
	return req;
}

int csv_scan_with(const char *dir, const char *const *kv, const fcat_scan_request *req,
                  fcat_scan_fn fn, void *ctx)
{
	fcat_plugin_config *c = test_plugin_config(dir, kv);
	int rc = test_offline_scan(csv_ops(), c, req, fn, ctx);

	free(c);
	return rc;
}

char *csv_scan_text(const char *dir, const char *const *kv, const fcat_scan_request *req,
                    int *rc_out)
{
	test_rows r = {.ncols = req->ncolumns};
	int rc = csv_scan_with(dir, kv, req, test_rows_collect, &r);

	if (rc_out)
		*rc_out = rc;
	else if (rc != 0)
		fail_msg("scan failed (%d): %s", rc, fcat_error_last());
	if (!r.text)
		r.text = calloc(1, 1);
	return r.text;
}

void csv_expect_rows(const char *dir, const char *const *kv, const fcat_scan_request *req,
                     const char *want)
{
	char *got = csv_scan_text(dir, kv, req, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("rows differ\n--- got:\n%s--- want:\n%s", got, want);
	free(got);
}

void csv_expect_error(const char *dir, const fcat_scan_request *req, int code, const char *want)
{
	int rc;
	char *got = csv_scan_text(dir, NULL, req, &rc);

	free(got);
	if (rc != code)
		fail_msg("expected code %d, got %d (%s)", code, rc, fcat_error_last());
	if (want && strcmp(fcat_error_last(), want) != 0)
		fail_msg("message\n  got:  %s\n  want: %s", fcat_error_last(), want);
}
