/* test_materialize_jobs.c - materialize with its source read in parts at
 * once (fcat_materialize_options.jobs): the online store is byte for byte
 * the one a single scan writes, for 2, 3 and 4 jobs, with ties, nulls,
 * composite keys and transforms; a source that cannot be cut is read with
 * one scan; errors are the single scan's, once, with nothing written. */
#include "testutil.h"

#include "encoding/encoding.h"
#include "fcat.h"
#include "fcat_plugin.h"
#include "materialize/materialize_parts.h"
#include "offline/source_scan_parts.h"
#include "store/store.h"
#include "util/buf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS 300
#define ROWS  6000

static const char defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "entity { name = 'item', join_keys = { field('item', int64) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'ts',\n"
    "         created_timestamp_field = 'created',\n"
    "         schema = { field('user_id', string), field('item', int64),\n"
    "                    field('ts', timestamp), field('created', timestamp),\n"
    "                    field('a', int64), field('b', string),\n"
    "                    field('e', array(float32, 3)) } }\n"
    "feature_view { name = 'plain', entities = { 'user' }, source = 'events', ttl = days(30),\n"
    "  schema = { field('a', int64), field('b', string), field('e', array(float32, 3)) } }\n"
    "feature_view { name = 'pair', entities = { 'user', 'item' }, source = 'events',\n"
    "  schema = { field('a', int64), field('b', string) } }\n"
    "feature_view { name = 'tx', entities = { 'user' }, source = 'events',\n"
    "  schema = { field('n', int64), field('s', string) },\n"
    "  transform = function(row)\n"
    "    if row.b == 'boom' then error('bad b for ' .. row.user_id) end\n"
    "    return { n = row.a and row.a * 2 or null, s = row.b and string.upper(row.b) or null }\n"
    "  end }\n";

static const char *const view_names[] = {"plain", "pair", "tx"};

static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* ROWS rows over USERS users and 3 items: few distinct times, so ties of
 * (event, created) time between rows far apart in the file (the first in
 * the file wins) are common; null created times, null values, rows
 * without a key, rows outside the window, quoted commas. `extra` (may be
 * NULL) is put in the middle of the file. */
static char *make_csv(uint64_t seed, const char *extra)
{
	fcat__buf b = {0};
	fcat__buf_puts(&b, "user_id,item,ts,created,a,b,e\n");
	for (int i = 0; i < ROWS; i++) {
		if (i == ROWS / 2 && extra)
			fcat__buf_puts(&b, extra);
		unsigned u = (unsigned)(next_rand(&seed) % USERS);
		unsigned item = (unsigned)(next_rand(&seed) % 3);
		unsigned day = 1 + (unsigned)(next_rand(&seed) % 6); /* day 6: outside */
		unsigned hour = (unsigned)(next_rand(&seed) % 3);
		unsigned created = (unsigned)(next_rand(&seed) % 4);
		unsigned r = (unsigned)(next_rand(&seed) % 100);
		if (r < 2)
			fcat__buf_puts(&b, ",");
		else
			fcat__buf_printf(&b, "u%u,", u);
		fcat__buf_printf(&b, "%u,2026-01-%02uT%02u:00:00Z,", item, day, hour);
		if (created)
			fcat__buf_printf(&b, "2026-01-%02uT%02u:00:0%uZ", day, hour, created);
		if (r % 10 == 3)
			fcat__buf_puts(&b, ",,");
		else
			fcat__buf_printf(&b, ",%d,\"row %d, of u%u\"", i, i, u);
		fcat__buf_printf(&b, ",\"[%d,%d.5,-1]\"\n", i % 7, i % 11);
	}
	return fcat__buf_detach(&b);
}

typedef struct repo {
	char *dir;
	fcat_store *store;
} repo;

static void repo_open(repo *r, const char *csv)
{
	r->dir = test_defs_repo(defs);
	test_write_file(r->dir, "data/events.csv", csv);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	if (fcat_store_open_ext(&r->store, r->dir, &o) != 0)
		fail_msg("%s", fcat_error_last());
}

/* Closes the store, so that its online store can be opened directly. */
static void repo_release(repo *r)
{
	fcat_store_free(r->store);
	r->store = NULL;
}

static void repo_close(repo *r)
{
	fcat_store_free(r->store);
	test_dir_done(r->dir);
}

static int64_t t(const char *s)
{
	int64_t v;
	assert_int_equal(fcat_timestamp_parse(&v, s, strlen(s)), 0);
	return v;
}

/* Materializes every view, or only `view` when not NULL. */
static int materialize(repo *r, unsigned jobs, fcat_materialize_stats *st, const char *view)
{
	fcat_materialize_options o = FCAT_MATERIALIZE_OPTIONS_INIT;
	o.jobs = jobs;
	return fcat_materialize_ext(st, r->store, t("2026-01-01T00:00:00Z"),
	                            t("2026-01-06T00:00:00Z"), &view, view ? 1 : 0, NULL, NULL, &o);
}

/* The encoded keys of every user (and user, item), and of a few that never
 * occur. */
static size_t all_keys(fcat__buf *keys, size_t *ends, bool pair)
{
	size_t n = 0;
	for (unsigned u = 0; u < USERS + 3; u++)
		for (unsigned item = 0; item < (pair ? 4u : 1u); item++) {
			char name[16];
			snprintf(name, sizeof name, "u%u", u);
			fcat_value k[2] = {
			    {.type = {FCAT_STRING, false, 0}, .u.str = {name, strlen(name)}},
			    {.type = {FCAT_INT64, false, 0}, .u.i64 = item}};
			assert_int_equal(fcat__key_encode(keys, k, pair ? 2 : 1), 0);
			ends[n++] = keys->len;
		}
	return n;
}

/* The stored rows of every view and key, and the views' progress
 * metadata, as one text of hex bytes. */
static char *dump_store(const char *dir)
{
	const fcat_plugin *p = test_load_plugin("lmdb");
	const char *kv[] = {"path", "data/online.lmdb", NULL};
	fcat_plugin_config *c = test_plugin_config(dir, kv);
	void *h = NULL;
	if (p->online->open(&h, c) != 0)
		fail_msg("%s", fcat_error_last());
	fcat__buf out = {0};
	size_t rows = 0;
	for (size_t v = 0; v < 3; v++) {
		fcat__buf keys = {0};
		size_t ends[(USERS + 3) * 4];
		size_t n = all_keys(&keys, ends, v == 1);
		for (size_t i = 0; i < n; i++) {
			size_t from = i ? ends[i - 1] : 0;
			fcat_bytes key = {keys.ptr + from, ends[i] - from}, row;
			assert_int_equal(p->online->read(h, view_names[v], &key, 1, &row), 0);
			fcat__buf_printf(&out, "%s %zu:", view_names[v], i);
			for (size_t j = 0; row.ptr && j < row.len; j++)
				fcat__buf_printf(&out, "%02x", (unsigned char)row.ptr[j]);
			fcat__buf_putc(&out, '\n');
			rows += row.ptr != NULL;
		}
		char meta[64] = "", mkey[64];
		snprintf(mkey, sizeof mkey, "materialized_until:%s", view_names[v]);
		int rc = p->online->meta_get(h, mkey, meta, sizeof meta);
		fcat__buf_printf(&out, "meta %s %d %s\n", view_names[v], rc < 0 ? rc : 0, meta);
		fcat__buf_free(&keys);
	}
	fcat__buf_printf(&out, "rows %zu\n", rows);
	p->online->close(h);
	free(c);
	return fcat__buf_detach(&out);
}

/* Materializes `csv` with one scan and with 2, 3 and 4 jobs: the same stores
 * and counts. */
static void expect_same_for_every_jobs(const char *csv)
{
	repo one;
	repo_open(&one, csv);
	fcat_materialize_stats st1;
	if (materialize(&one, 1, &st1, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	repo_release(&one);
	char *want = dump_store(one.dir);
	assert_non_null(strstr(want, "rows "));
	assert_null(strstr(want, "rows 0\n"));
	for (unsigned jobs = 2; jobs <= 4; jobs++) {
		repo many;
		repo_open(&many, csv);
		fcat_materialize_stats st;
		if (materialize(&many, jobs, &st, NULL) != 0)
			fail_msg("%u jobs: %s", jobs, fcat_error_last());
		assert_int_equal(st.views, st1.views);
		assert_int_equal(st.rows_read, st1.rows_read);
		assert_int_equal(st.rows_skipped, st1.rows_skipped);
		assert_int_equal(st.keys_written, st1.keys_written);
		repo_release(&many);
		char *got = dump_store(many.dir);
		if (strcmp(got, want) != 0)
			fail_msg("%u jobs wrote another store than one scan", jobs);
		free(got);
		repo_close(&many);
	}
	free(want);
	repo_close(&one);
}

/* Reads view `name` of r in `jobs` parts directly: 0 when the parts were
 * used, FCAT__SCAN_ONE when the view must be read with one scan. */
static int scan_parts_of(repo *r, const char *name, unsigned jobs)
{
	const fcat_object *o = fcat__strmap_get(&r->store->catalog->by_name, name);
	assert_non_null(o);
	fcat__view_rows *rows = NULL;
	int rc = fcat__view_rows_scan_parts(&rows, r->store, (const fcat__view *)o,
	                                    t("2026-01-01T00:00:00Z"), t("2026-01-06T00:00:00Z"),
	                                    jobs, NULL, NULL);
	if (rc == 0) {
		uint64_t n, skipped;
		fcat__view_rows_counts(rows, &n, &skipped);
		assert_true(n > 0);
	} else {
		assert_null(rows);
	}
	fcat__view_rows_free(rows);
	return rc;
}

static void test_materialize_jobs__every_jobs_writes_the_store_one_scan_writes(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		char *csv = make_csv(seed, NULL);
		/* the parts are really used for this source */
		repo r;
		repo_open(&r, csv);
		for (unsigned jobs = 2; jobs <= 4; jobs++)
			assert_int_equal(scan_parts_of(&r, "plain", jobs), 0);
		repo_close(&r);
		expect_same_for_every_jobs(csv);
		free(csv);
	}
}

/* A quoted field with newlines where the parts are cut: the parts do not
 * line up, the view is read with one scan, and the store is the same. */
static void test_materialize_jobs__a_source_the_parts_cannot_cut_is_read_whole(void **state)
{
	(void)state;
	fcat__buf note = {0};
	fcat__buf_puts(&note, "u1,0,2026-01-02T00:00:00Z,,1,\"a note");
	for (int i = 0; i < 20000; i++)
		fcat__buf_puts(&note, "\nover, many, lines");
	fcat__buf_puts(&note, "\",\"[1,2,3]\"\n");
	char *extra = fcat__buf_detach(&note);
	char *csv = make_csv(7, extra);
	repo r;
	repo_open(&r, csv);
	assert_int_equal(scan_parts_of(&r, "plain", 2), FCAT__SCAN_ONE);
	repo_close(&r);
	expect_same_for_every_jobs(csv);
	free(csv);
	free(extra);
}

/* Materializes with `jobs` (every view, or `view`) and returns the error
 * message (caller frees); the store then holds no row and no progress. */
static char *failing_run(const char *csv, unsigned jobs, int code, const char *view)
{
	repo r;
	repo_open(&r, csv);
	fcat_materialize_stats st;
	assert_int_equal(materialize(&r, jobs, &st, view), code);
	char *msg = strdup(fcat_error_last());
	repo_release(&r);
	char *dump = dump_store(r.dir);
	if (!strstr(dump, "rows 0\n"))
		fail_msg("%u jobs: rows were written despite the error", jobs);
	for (size_t v = 0; v < 3; v++) {
		char want[64];
		snprintf(want, sizeof want, "meta %s %d \n", view_names[v], FCAT_ENOTFOUND);
		assert_non_null(strstr(dump, want));
	}
	free(dump);
	repo_close(&r);
	return msg;
}

static void expect_same_error(const char *csv, int code, const char *part)
{
	char *want = failing_run(csv, 1, code, NULL);
	if (!strstr(want, part))
		fail_msg("one scan: '%s' lacks '%s'", want, part);
	for (unsigned jobs = 2; jobs <= 4; jobs++) {
		char *got = failing_run(csv, jobs, code, NULL);
		if (strcmp(got, want) != 0)
			fail_msg("%u jobs: '%s', one scan: '%s'", jobs, got, want);
		free(got);
	}
	free(want);
}

static void test_materialize_jobs__a_bad_row_is_reported_as_one_scan_reports_it(void **state)
{
	(void)state;
	/* late in the file (in the last part), then early (in the first) */
	char *csv = make_csv(3, NULL);
	size_t len = strlen(csv);
	char *late = malloc(len + 64);
	memcpy(late, csv, len);
	strcpy(late + len, "u5,1,2026-01-02T00:00:00Z,,not a number,x,\n");
	expect_same_error(late, FCAT_EINVALID, ":6002:5");
	char *nl = strchr(csv, '\n');
	char *early = malloc(len + 64);
	memcpy(early, csv, (size_t)(nl + 1 - csv));
	strcpy(early + (nl + 1 - csv), "u5,1,yesterday,,1,x,\n");
	strcat(early, nl + 1);
	expect_same_error(early, FCAT_EINVALID, ":2:3");
	free(early);
	free(late);
	free(csv);
}

static void
test_materialize_jobs__a_failing_transform_is_reported_once_as_one_scan_does(void **state)
{
	(void)state;
	char *csv = make_csv(5, NULL);
	size_t len = strlen(csv);
	char *bad = malloc(len + 64);
	memcpy(bad, csv, len);
	strcpy(bad + len, "u42,1,2026-01-05T23:00:00Z,,1,boom,\n");
	char *want = failing_run(bad, 1, FCAT_EINVALID, "tx");
	assert_non_null(strstr(want, "feature_view 'tx'"));
	assert_non_null(strstr(want, "bad b for u42"));
	for (unsigned jobs = 2; jobs <= 4; jobs++) {
		char *got = failing_run(bad, jobs, FCAT_EINVALID, "tx");
		assert_string_equal(got, want);
		free(got);
	}
	free(want);
	free(bad);
	free(csv);
}

typedef struct progress_log {
	atomic_int inside;
	bool overlapped;
	uint64_t last, calls;
} progress_log;

static void on_progress(void *ctx, const char *view, uint64_t rows)
{
	progress_log *p = ctx;
	(void)view;
	if (atomic_fetch_add(&p->inside, 1) != 0)
		p->overlapped = true;
	p->calls++;
	p->last = rows;
	atomic_fetch_sub(&p->inside, 1);
}

static void test_materialize_jobs__progress_comes_from_one_thread_at_a_time(void **state)
{
	(void)state;
	char *csv = make_csv(9, NULL);
	repo r;
	repo_open(&r, csv);
	progress_log log = {0};
	fcat_materialize_options o = FCAT_MATERIALIZE_OPTIONS_INIT;
	o.jobs = 4;
	fcat_materialize_stats st;
	const char *views[] = {"plain"};
	assert_int_equal(fcat_materialize_ext(&st, r.store, t("2026-01-01T00:00:00Z"),
	                                      t("2026-01-06T00:00:00Z"), views, 1, on_progress,
	                                      &log, &o),
	                 0);
	assert_false(log.overlapped);
	assert_true(log.calls >= 1);
	assert_int_equal(log.last, st.rows_read); /* the last call: the view's total */
	repo_close(&r);
	free(csv);
}

static void
test_materialize_jobs__options_of_another_size_or_too_many_jobs_are_refused(void **state)
{
	(void)state;
	char *csv = make_csv(11, NULL);
	repo r;
	repo_open(&r, csv);
	fcat_materialize_options o = FCAT_MATERIALIZE_OPTIONS_INIT;
	o.jobs = 257;
	assert_int_equal(fcat_materialize_incremental_ext(NULL, r.store, t("2026-01-06T00:00:00Z"),
	                                                  NULL, 0, NULL, NULL, &o),
	                 FCAT_EUSAGE);
	assert_non_null(strstr(fcat_error_last(), "257 jobs"));
	o.jobs = 2;
	o.size = sizeof o + 8;
	assert_int_equal(fcat_materialize_incremental_ext(NULL, r.store, t("2026-01-06T00:00:00Z"),
	                                                  NULL, 0, NULL, NULL, &o),
	                 FCAT_EUSAGE);
	/* nothing was written: no progress recorded */
	repo_release(&r);
	char *dump = dump_store(r.dir);
	assert_non_null(strstr(dump, "rows 0\n"));
	free(dump);
	/* the defaults, incrementally: progress recorded for every view */
	fcat_open_options oo = FCAT_OPEN_OPTIONS_INIT;
	oo.catalog = FCAT_CATALOG_WORKTREE;
	assert_int_equal(fcat_store_open_ext(&r.store, r.dir, &oo), 0);
	o = (fcat_materialize_options)FCAT_MATERIALIZE_OPTIONS_INIT;
	assert_int_equal(fcat_materialize_incremental_ext(NULL, r.store, t("2026-01-06T00:00:00Z"),
	                                                  NULL, 0, NULL, NULL, &o),
	                 0);
	repo_release(&r);
	dump = dump_store(r.dir);
	char notfound[16];
	snprintf(notfound, sizeof notfound, " %d ", FCAT_ENOTFOUND);
	assert_null(strstr(dump, notfound));
	free(dump);
	repo_close(&r);
	free(csv);
}

static void test_materialize_jobs__the_cli_takes_jobs(void **state)
{
	(void)state;
	char *parent;
	char *dir = test_demo_repo(&parent, true);
	test_expect_output(
	    test_fcat(dir, "materialize", "2020-01-01T00:00:00Z", "now", "--jobs", "3", NULL), 0,
	    "keys written");
	test_expect_exit(
	    test_fcat(dir, "materialize", "2020-01-01T00:00:00Z", "now", "--jobs", "0", NULL), 2,
	    "--jobs: not a count (1-256): '0'");
	test_expect_exit(test_fcat(dir, "materialize-incremental", "now", "--jobs", "x", NULL), 2,
	                 "--jobs: not a count (1-256): 'x'");
	test_repo_done(parent, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_materialize_jobs__every_jobs_writes_the_store_one_scan_writes),
	    cmocka_unit_test(test_materialize_jobs__a_source_the_parts_cannot_cut_is_read_whole),
	    cmocka_unit_test(test_materialize_jobs__a_bad_row_is_reported_as_one_scan_reports_it),
	    cmocka_unit_test(
	        test_materialize_jobs__a_failing_transform_is_reported_once_as_one_scan_does),
	    cmocka_unit_test(test_materialize_jobs__progress_comes_from_one_thread_at_a_time),
	    cmocka_unit_test(
	        test_materialize_jobs__options_of_another_size_or_too_many_jobs_are_refused),
	    cmocka_unit_test(test_materialize_jobs__the_cli_takes_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
