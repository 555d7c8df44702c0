/* test_csv_scan_part.c - the csv plugin's scan_part: parts read one after
 * another are scan's rows, for every number of parts; their spans line up
 * end to start, except where a part's guessed start falls inside a quoted
 * field that holds a newline, which its spans then show. */
#include "testutil.h"

#include "csv_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads every part of `nparts` into one text; *lined_up says whether each
 * part's next equals the following part's first. */
static char *parts_text(const char *dir, const fcat_scan_request *req, unsigned nparts,
                        bool *lined_up, const char *const *kv)
{
	const fcat_offline_ops *ops = csv_ops();
	assert_true(FCAT_OPS_HAS(ops, scan_part));
	test_rows all = {.ncols = req->ncolumns};
	uint64_t prev_next = 0;
	*lined_up = true;
	for (unsigned p = 0; p < nparts; p++) {
		fcat_plugin_config *c = test_plugin_config(dir, kv);
		void *h = NULL;
		assert_int_equal(ops->open(&h, c), 0);
		fcat_scan_span span = {p, nparts, 0, 0};
		int rc = ops->scan_part(h, req, &span, test_rows_collect, &all);
		if (rc != 0)
			fail_msg("part %u of %u: %s", p, nparts, fcat_error_last());
		ops->close(h);
		free(c);
		assert_true(span.first <= span.next);
		if (p > 0 && span.first != prev_next)
			*lined_up = false;
		prev_next = span.next;
	}
	if (!all.text)
		all.text = calloc(1, 1);
	return all.text;
}

/* Every number of parts from 1 to 12 reads exactly scan's rows, lined up. */
static void expect_parts_equal_scan(const char *dir, const fcat_scan_request *req,
                                    const char *const *kv)
{
	char *want = csv_scan_text(dir, kv, req, NULL);
	for (unsigned n = 1; n <= 12; n++) {
		bool lined_up;
		char *got = parts_text(dir, req, n, &lined_up, kv);
		if (!lined_up)
			fail_msg("%u parts do not line up", n);
		if (strcmp(got, want) != 0)
			fail_msg("%u parts read:\n%s\nscan read:\n%s", n, got, want);
		free(got);
	}
	free(want);
}

static void test_csv_scan_part__parts_in_turn_are_the_rows_of_scan(void **state)
{
	(void)state;
	char text[8192] = "id,name,v\r\n";
	for (int i = 0; i < 100; i++) {
		char row[64];
		/* blank lines, quoted fields, CRLF and LF, a long line now and then */
		snprintf(row, sizeof row, "%d,%s,%d%s", i, i % 7 == 0 ? "\"a,b\"" : "x", i * 3,
		         i % 5 == 0 ? "\r\n\n" : "\n");
		strcat(text, row);
	}
	strcat(text, "100,last row without a newline,1");
	char *dir = csv_dir_with("p.csv", text);
	const char *cols[] = {"v", "id", "name"};
	fcat_type types[] = {T(INT64), T(INT64), T(STRING)};
	fcat_scan_request req = csv_request("p.csv", cols, types, NCOLS(cols));
	expect_parts_equal_scan(dir, &req, NULL);
	/* and with a small read buffer and small batches: parts refill */
	const char *kv[] = {"buffer_size", "64", "batch_rows", "3", NULL};
	expect_parts_equal_scan(dir, &req, kv);
	test_dir_done(dir);
}

static void test_csv_scan_part__the_time_filter_applies_in_every_part(void **state)
{
	(void)state;
	char text[8192] = "k,ts\n";
	for (int i = 0; i < 60; i++) {
		char row[64];
		snprintf(row, sizeof row, "%d,2026-01-01T%02d:00:00Z\n", i, i % 24);
		strcat(text, row);
	}
	char *dir = csv_dir_with("t.csv", text);
	const char *cols[] = {"k", "ts"};
	fcat_type types[] = {T(INT64), T(TIMESTAMP)};
	fcat_scan_request req = csv_request("t.csv", cols, types, 2);
	req.ts_column = 1;
	assert_int_equal(fcat_timestamp_parse(&req.start, "2026-01-01T05:00:00Z", 20), 0);
	assert_int_equal(fcat_timestamp_parse(&req.end, "2026-01-01T09:00:00Z", 20), 0);
	expect_parts_equal_scan(dir, &req, NULL);
	test_dir_done(dir);
}

static void test_csv_scan_part__a_file_of_only_a_header_or_one_row(void **state)
{
	(void)state;
	const char *cols[] = {"a"};
	fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("h.csv", cols, types, 1);
	char *dir = csv_dir_with("h.csv", "a,b\n");
	expect_parts_equal_scan(dir, &req, NULL);
	test_dir_done(dir);
	dir = csv_dir_with("h.csv", "a,b\n7,8\n");
	expect_parts_equal_scan(dir, &req, NULL);
	test_dir_done(dir);
}

/* A quoted field with newlines across the cut: the second part starts
 * inside it, and its first is not where the first part ended. */
static void test_csv_scan_part__a_start_inside_a_quoted_newline_does_not_line_up(void **state)
{
	(void)state;
	char text[4096] = "id,note\n1,short\n2,\"";
	for (int i = 0; i < 40; i++)
		strcat(text, "line, of a note\n");
	/* inside the quotes this is the note's end; read from a wrong start,
	 * a row of two fields (`x` and `end"`) */
	strcat(text, "x,end\"\n3,short\n");
	char *dir = csv_dir_with("q.csv", text);
	const char *cols[] = {"id"};
	fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("q.csv", cols, types, 1);
	bool lined_up;
	/* the second part's first row would be a line of the note: an error */
	const fcat_offline_ops *ops = csv_ops();
	fcat_plugin_config *c = test_plugin_config(dir, NULL);
	void *h = NULL;
	assert_int_equal(ops->open(&h, c), 0);
	test_rows r = {.ncols = 1};
	fcat_scan_span span = {1, 2, 0, 0};
	int rc = ops->scan_part(h, &req, &span, test_rows_collect, &r);
	ops->close(h);
	free(c);
	free(r.text);
	if (rc == 0) {
		/* had it parsed, the parts would not line up */
		char *got = parts_text(dir, &req, 2, &lined_up, NULL);
		assert_false(lined_up);
		free(got);
	} else {
		assert_int_equal(rc, FCAT_EINVALID);
	}
	/* a text column, so every line of the note parses: the parts read,
	 * and their spans show the wrong guess */
	const char *cols2[] = {"note"};
	fcat_type types2[] = {T(STRING)};
	fcat_scan_request req2 = csv_request("q.csv", cols2, types2, 1);
	char *got = parts_text(dir, &req2, 2, &lined_up, NULL);
	assert_false(lined_up);
	free(got);
	test_dir_done(dir);
}

static void test_csv_scan_part__a_part_out_of_range_is_a_usage_error(void **state)
{
	(void)state;
	char *dir = csv_dir_with("u.csv", "a\n1\n");
	const char *cols[] = {"a"};
	fcat_type types[] = {T(INT64)};
	fcat_scan_request req = csv_request("u.csv", cols, types, 1);
	const fcat_offline_ops *ops = csv_ops();
	fcat_plugin_config *c = test_plugin_config(dir, NULL);
	void *h = NULL;
	assert_int_equal(ops->open(&h, c), 0);
	test_rows r = {.ncols = 1};
	fcat_scan_span span = {2, 2, 0, 0};
	assert_int_equal(ops->scan_part(h, &req, &span, test_rows_collect, &r), FCAT_EUSAGE);
	span = (fcat_scan_span){0, 0, 0, 0};
	assert_int_equal(ops->scan_part(h, &req, &span, test_rows_collect, &r), FCAT_EUSAGE);
	assert_null(r.text);
	ops->close(h);
	free(c);
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_scan_part__parts_in_turn_are_the_rows_of_scan),
	    cmocka_unit_test(test_csv_scan_part__the_time_filter_applies_in_every_part),
	    cmocka_unit_test(test_csv_scan_part__a_file_of_only_a_header_or_one_row),
	    cmocka_unit_test(test_csv_scan_part__a_start_inside_a_quoted_newline_does_not_line_up),
	    cmocka_unit_test(test_csv_scan_part__a_part_out_of_range_is_a_usage_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
