/* test_csv_round_trip.c - the csv plugin's header probe reads the header
 * as a scan does, and core's CSV writer (offline/csv_write.c) is the exact
 * inverse of the plugin's reader. */
#include "testutil.h"

#include "csv_scan.h"
#include "fcat.h"
#include "fcat_plugin.h"
#include "offline/csv_write.h"
#include "offline_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	assert_true(FCAT_OPS_HAS(csv_ops(), columns));
	assert_int_equal(csv_ops()->open(&h, c), 0);
	fcat_scan_request req = csv_request(path, NULL, NULL, 0);
	memset(seen, 0, sizeof *seen);
	int rc = csv_ops()->columns(h, &req, keep_names, seen);
	csv_ops()->close(h);
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
	assert_fails_with(probe(dir, "none.csv", &seen), FCAT_ENOTFOUND, "none.csv");
	test_dir_done(dir);
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
	fcat_scan_request req = csv_request("w.csv", head, types, 3);
	/* tiny buffers too: quotes and line ends split across refills */
	const char *const tiny[] = {"buffer_size", "7", "batch_rows", "2", NULL};
	for (int pass = 0; pass < 2; pass++) {
		trip_check t = {0};
		assert_int_equal(csv_scan_with(dir, pass ? tiny : NULL, &req, check_trip, &t), 0);
		assert_int_equal(t.row, nrows);
	}
	test_dir_done(dir);
}

/* Found by fuzz_csv: a first header name that starts with a UTF-8 BOM
 * (read from a file whose BOM is not its first bytes) was written as it
 * is, so that reading the file back skipped it as the file's BOM. Both
 * writers quote it: core's (training sets) and the plugin's append. */
static void test_csv__a_first_name_starting_with_a_bom_reads_back(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	names_seen seen;
	/* the file the fuzzer gave: an empty line, then a BOM that is data */
	test_write_file(dir, "in.csv", "\r\n\xEF\xBB\xBF,2]\r\n");
	assert_int_equal(probe(dir, "in.csv", &seen), 0);
	assert_string_equal(seen.text, "\xEF\xBB\xBF|2]");
	fcat__buf b = {0};
	const char *head[] = {"\xEF\xBB\xBFid", "v"};
	for (size_t c = 0; c < 2; c++) {
		fcat__buf_puts(&b, c ? "," : "");
		fcat__csv_cell(&b, head[c], strlen(head[c]), false);
	}
	fcat__buf_putc(&b, '\n');
	test_write_file(dir, "w.csv", b.ptr);
	fcat__buf_free(&b);
	assert_int_equal(probe(dir, "w.csv", &seen), 0);
	assert_string_equal(seen.text, "\xEF\xBB\xBFid|v");
	/* the plugin's append to a new file writes the header the same way */
	fcat_plugin_config *c = test_plugin_config(dir, NULL);
	void *h = NULL;
	assert_int_equal(csv_ops()->open(&h, c), 0);
	const fcat_type types[] = {T(STRING), T(STRING)};
	const fcat_value cells[] = {{.type = T(STRING), .u.str = {"u1", 2}},
	                            {.type = T(STRING), .u.str = {"x", 1}}};
	const char *const texts[] = {"u1", "x"};
	fcat_append_request req = {.path = "a.csv",
	                           .columns = head,
	                           .types = types,
	                           .ncolumns = 2,
	                           .cells = cells,
	                           .texts = texts,
	                           .nrows = 1};
	assert_int_equal(csv_ops()->append(h, &req), 0);
	csv_ops()->close(h);
	free(c);
	assert_int_equal(probe(dir, "a.csv", &seen), 0);
	assert_string_equal(seen.text, "\xEF\xBB\xBFid|v");
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv__columns_are_the_header_as_scan_reads_it),
	    cmocka_unit_test(test_csv__written_cells_read_back_the_same),
	    cmocka_unit_test(test_csv__a_first_name_starting_with_a_bom_reads_back),
	};
	return cmocka_run_group_tests_name("csv_round_trip", tests, NULL, NULL);
}
