/* test_latest.c - the latest-row engine: materialize's per-key fold and the
 * point-in-time answers of training sets pick the same row by the one rule
 * (ties on created time, exact ties, the ttl window and its overflow). */
#include "testutil.h"

#include "latest/latest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct src_row {
	const char *key;
	int64_t ts, created;
} src_row;

/* Folds rows through the per-key map as materialize does; returns the index
 * of the row each key ends with (its bytes are the row's index). */
static uint32_t map_latest(const src_row *rows, size_t n, const char *key)
{
	fcat__latest_map m;
	fcat__latest_map_init(&m);
	for (uint32_t i = 0; i < n; i++) {
		size_t len = strlen(rows[i].key);
		fcat__latest *e =
		    fcat__latest_map_get(&m, rows[i].key, len, fcat__latest_hash(rows[i].key, len));
		assert_non_null(e);
		if (fcat__latest_fold_row(e, rows[i].ts, rows[i].created))
			assert_int_equal(fcat__latest_set_row(&m, e, &i, sizeof i), 0);
	}
	size_t len = strlen(key);
	fcat__latest *e = fcat__latest_map_get(&m, key, len, fcat__latest_hash(key, len));
	uint32_t got = FCAT_LATEST_NONE;
	if (e->row)
		memcpy(&got, e->row, sizeof got);
	fcat__latest_map_free(&m);
	return got;
}

/* The point-in-time answer for one key at `at`. */
static uint32_t asof_latest(const src_row *rows, size_t n, const char *key, int64_t at,
                            int64_t ttl_us)
{
	fcat__latest_row *r = calloc(n + 1, sizeof *r);
	for (uint32_t i = 0; i < n; i++) {
		fcat__latest_hash_wide(rows[i].key, strlen(rows[i].key), &r[i].h1, &r[i].h2);
		r[i].ts = rows[i].ts;
		r[i].created = rows[i].created;
		r[i].row = i;
	}
	fcat__latest_ask ask = {.at = at, .idx = 0};
	fcat__latest_hash_wide(key, strlen(key), &ask.h1, &ask.h2);
	uint32_t match = 0;
	fcat__latest_asof(&ask, 1, r, n, ttl_us, &match);
	free(r);
	return match;
}

static void test_latest__fold_and_asof_agree_on_ties(void **state)
{
	(void)state;
	const src_row rows[] = {
	    {"a", 10, 1},        {"a", 10, 5}, {"a", 10, 3}, /* created decides: row 1 */
	    {"b", 20, 7},        {"b", 20, 7}, {"b", 19, 9}, /* an exact tie: the first, row 3 */
	    {"c", 5, INT64_MIN}, {"c", 5, 0}, /* a null created time is the smallest */
	};
	size_t n = sizeof rows / sizeof *rows;
	const char *keys[] = {"a", "b", "c"};
	const uint32_t want[] = {1, 3, 7};
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(map_latest(rows, n, keys[k]), want[k]);
		assert_int_equal(asof_latest(rows, n, keys[k], 100, 0), want[k]);
	}
	assert_int_equal(map_latest(rows, n, "nobody"), FCAT_LATEST_NONE);
	assert_int_equal(asof_latest(rows, n, "nobody", 100, 0), FCAT_LATEST_NONE);
}

static void test_latest__the_window_is_closed_at_both_ends(void **state)
{
	(void)state;
	const src_row rows[] = {{"k", 100, 0}, {"k", 200, 0}};
	assert_int_equal(asof_latest(rows, 2, "k", 199, 0), 0);  /* no ttl: no lower bound */
	assert_int_equal(asof_latest(rows, 2, "k", 200, 50), 1); /* exactly at T */
	assert_int_equal(asof_latest(rows, 2, "k", 199, 99), 0); /* exactly T - ttl */
	assert_int_equal(asof_latest(rows, 2, "k", 199, 98), FCAT_LATEST_NONE); /* outside */
	assert_int_equal(asof_latest(rows, 2, "k", 99, 0), FCAT_LATEST_NONE);   /* all later */
	assert_int_equal(asof_latest(rows, 2, "k", INT64_MIN, 0), FCAT_LATEST_NONE);
}

static void test_latest__a_ttl_that_overflows_has_no_lower_bound(void **state)
{
	(void)state;
	/* past 292,000 years the seconds do not fit in int64 microseconds */
	assert_int_equal(fcat__latest_ttl_us(INT64_MAX / 1000000 + 1), INT64_MAX);
	assert_int_equal(fcat__latest_ttl_us(INT64_MAX / 1000000), INT64_MAX / 1000000 * 1000000);
	assert_int_equal(fcat__latest_ttl_us(0), 0);
	assert_int_equal(fcat__latest_ttl_us(-5), 0);
	assert_int_equal(fcat__latest_ttl_us(3600), 3600000000LL);
	/* T - ttl below INT64_MIN: no bound, and no overflow computing it */
	assert_true(fcat__latest_within(INT64_MIN + 1, -10, INT64_MAX));
	assert_true(fcat__latest_within(-2208988800000000LL, -631152000000000LL, INT64_MAX));
	assert_true(fcat__latest_within(0, INT64_MAX, INT64_MAX)); /* T - ttl = 0 */
	assert_false(fcat__latest_within(-1, INT64_MAX, INT64_MAX));
	const src_row rows[] = {{"k", INT64_MIN + 1, 0}};
	assert_int_equal(asof_latest(rows, 1, "k", 0, INT64_MAX), 0);
}

/* Many keys and rows through the radix sort: every answer is the fold's. */
static void test_latest__asof_equals_a_fold_per_question(void **state)
{
	(void)state;
	enum { NROWS = 20000, NASKS = 3000, NKEYS = 500 };
	char(*names)[8] = calloc(NKEYS, sizeof *names);
	for (int k = 0; k < NKEYS; k++)
		snprintf(names[k], sizeof *names, "k%d", k);
	fcat__latest_row *rows = calloc(NROWS, sizeof *rows), *copy = calloc(NROWS, sizeof *copy);
	int *rkey = calloc(NROWS, sizeof *rkey);
	uint64_t seed = 42;
	for (uint32_t i = 0; i < NROWS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		rkey[i] = (int)(seed >> 33) % NKEYS;
		fcat__latest_hash_wide(names[rkey[i]], strlen(names[rkey[i]]), &rows[i].h1,
		                       &rows[i].h2);
		rows[i].ts = (int64_t)(seed >> 40) % 1000;
		rows[i].created = (int64_t)(seed >> 20) % 3;
		rows[i].row = i;
	}
	memcpy(copy, rows, NROWS * sizeof *rows);
	fcat__latest_ask *asks = calloc(NASKS, sizeof *asks);
	int *akey = calloc(NASKS, sizeof *akey);
	uint32_t *match = calloc(NASKS, sizeof *match);
	for (uint32_t i = 0; i < NASKS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		akey[i] = (int)(seed >> 33) % (NKEYS + 10); /* a few unknown keys */
		char name[16];
		snprintf(name, sizeof name, "k%d", akey[i]);
		fcat__latest_hash_wide(name, strlen(name), &asks[i].h1, &asks[i].h2);
		asks[i].at = (int64_t)(seed >> 40) % 1100;
		asks[i].idx = i;
	}
	fcat__latest_ask *ask_copy = calloc(NASKS, sizeof *ask_copy);
	memcpy(ask_copy, asks, NASKS * sizeof *asks);
	fcat__latest_asof(asks, NASKS, rows, NROWS, 100, match);
	for (uint32_t i = 0; i < NASKS; i++) {
		fcat__latest_state st = {0, 0, FCAT_LATEST_NONE};
		for (uint32_t r = 0; r < NROWS; r++)
			if (rkey[r] == akey[i] && copy[r].ts <= ask_copy[i].at)
				fcat__latest_fold(&st, &copy[r]);
		assert_int_equal(match[i], fcat__latest_answer(&st, ask_copy[i].at, 100));
	}
	free(names);
	free(rows);
	free(copy);
	free(rkey);
	free(asks);
	free(ask_copy);
	free(akey);
	free(match);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_latest__fold_and_asof_agree_on_ties),
	    cmocka_unit_test(test_latest__the_window_is_closed_at_both_ends),
	    cmocka_unit_test(test_latest__a_ttl_that_overflows_has_no_lower_bound),
	    cmocka_unit_test(test_latest__asof_equals_a_fold_per_question),
	};
	return cmocka_run_group_tests_name("latest", tests, NULL, NULL);
}
