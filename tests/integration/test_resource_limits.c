/* test_resource_limits.c - inputs that are huge but valid either work or
 * are refused with a clear error: a 10 MB string cell is materialized and
 * read back whole; a feature view of 100,000 features is refused where it
 * is written (file and line), in well under a second per 100,000 fields;
 * 10,000 entities are read in one call. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIG_CELL (10 * 1024 * 1024)

static void test_resource_limits__a_10_mb_string_cell_is_served_whole(void **state)
{
	(void)state;
	char *parent, *repo = test_demo_repo(&parent, false);
	char when[40];
	fcat_timestamp_format(when, sizeof when, ((int64_t)time(NULL) - 3600) * 1000000);
	size_t cap = BIG_CELL + 1024;
	char *csv = malloc(cap);
	int n = snprintf(csv, cap,
	                 "user_id,event_timestamp,created_at,total_conversations,"
	                 "avg_response_rating,preferred_language,user_embedding\n"
	                 "u0001,%s,%s,5,4.5,",
	                 when, when);
	memset(csv + n, 'x', BIG_CELL);
	snprintf(csv + n + BIG_CELL, cap - (size_t)n - BIG_CELL, ",\nu0002,%s,%s,6,4.5,en,\n", when,
	         when);
	test_write_file(repo, "data/conversations.csv", csv);
	free(csv);
	test_expect_exit(test_fcat(repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);

	fcat_store *s = test_store_open_as(repo, "ranking-service");
	const char *refs[] = {"user_features:preferred_language"};
	fcat_feature_set *set;
	fcat_online_result *res;
	assert_int_equal(fcat_feature_set_new(&set, s, refs, 1), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_value keys[2] = {{.type = {FCAT_STRING, false, 0}, .u.str = {"u0001", 5}},
	                      {.type = {FCAT_STRING, false, 0}, .u.str = {"u0002", 5}}};
	if (fcat_online_read(res, s, set, keys, 2, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	const fcat_feature_value *big = fcat_online_result_at(res, 0, 0);
	assert_int_equal(big->status, FCAT_STATUS_PRESENT);
	assert_int_equal(big->value.u.str.len, BIG_CELL);
	assert_true(big->value.u.str.ptr[0] == 'x' && big->value.u.str.ptr[BIG_CELL - 1] == 'x');
	assert_int_equal(fcat_online_result_at(res, 1, 0)->value.u.str.len, 2);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(s);
	test_repo_done(parent, repo);
}

static void test_resource_limits__a_100000_feature_view_is_refused_where_written(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	size_t cap = 6 * 1024 * 1024, n = 0;
	char *lua = malloc(cap);
	n +=
	    (size_t)snprintf(lua, cap,
	                     "entity { name = \"w\", join_keys = { field(\"wid\", string) } }\n"
	                     "source { name = \"src\", path = \"data/w.csv\", timestamp_field = "
	                     "\"ts\",\n  schema = { field(\"wid\", string), field(\"ts\", "
	                     "timestamp) } }\n"
	                     "feature_view { name = \"wide\", entities = { \"w\" }, source = "
	                     "\"src\", online = true,\n  transform = function(row) return {} end,\n"
	                     "  schema = {");
	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(lua + n, cap - n, "%sfield(\"f%d\", int64)", i ? "," : "", i);
	snprintf(lua + n, cap - n, "} }\n");
	test_write_file(dir, "catalog/wide.lua", lua);
	free(lua);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fcat_catalog *c = NULL;
	int rc = fcat_catalog_load_dir(&c, dir, "catalog");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(rc, FCAT_EINVALID);
	assert_null(c);
	if (!strstr(fcat_error_last(), "catalog/wide.lua:4: feature_view 'wide': has 100000 "
	                               "features; a feature view holds at most 1024"))
		fail_msg("unexpected: %.300s", fcat_error_last());
	/* read and checked in linear time (it once took a minute and a half) */
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs > 30)
		fail_msg("loading 100,000 fields took %.1f s", secs);
	test_dir_done(dir);
}

static void test_resource_limits__10000_entities_in_one_read(void **state)
{
	(void)state;
	char *parent, *repo = test_demo_repo(&parent, true);
	test_expect_exit(test_fcat(repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	fcat_store *s = test_store_open_as(repo, "ranking-service");
	const char *refs[] = {"user_features:total_conversations",
	                      "user_features:preferred_language"};
	fcat_feature_set *set;
	fcat_online_result *res;
	assert_int_equal(fcat_feature_set_new(&set, s, refs, 2), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	enum { N = 10000 };
	static char ids[N][8];
	static fcat_value keys[N];
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "u%04d", i % 1000 + 1); /* the demo's 1000 users */
		keys[i] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {ids[i], 5}};
	}
	if (fcat_online_read(res, s, set, keys, N, NULL) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(fcat_online_result_rows(res), N);
	for (int i = 0; i < N; i++) {
		const fcat_feature_value *a = fcat_online_result_at(res, (size_t)i, 0);
		const fcat_feature_value *b = fcat_online_result_at(res, (size_t)(i % 1000), 0);
		assert_int_equal(a->status, b->status);
		assert_int_equal(a->event_ts, b->event_ts);
	}
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(s);
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resource_limits__a_10_mb_string_cell_is_served_whole),
	    cmocka_unit_test(test_resource_limits__a_100000_feature_view_is_refused_where_written),
	    cmocka_unit_test(test_resource_limits__10000_entities_in_one_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
