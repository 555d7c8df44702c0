/* test_serving.c - materialize and get-online through the real fcat binary:
 * the same data through lmdb, sqlite and redis gives identical vectors. */
#include "redis_server.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_END "2026-01-01T00:00:00Z"
#define READ_AT  "2026-01-03T00:00:00Z"

/* The demo repo's data made here (300 users, 6 rows each, ending at
 * DATA_END) and its fcat.yaml with `online_section`. */
static void make_data(const char *repo, const char *online_section)
{
	char csv[4096];
	snprintf(csv, sizeof csv, "%s/data/conversations.csv", repo);
	const char *gen[] = {FCAT_DATAGEN_PATH,
	                     "--users",
	                     "300",
	                     "--rows-per-user",
	                     "6",
	                     "--days",
	                     "20",
	                     "--end",
	                     DATA_END,
	                     "-o",
	                     csv,
	                     NULL};
	test_expect_exit(test_exec(NULL, NULL, gen), 0, NULL);
	char yaml[4096];
	snprintf(yaml, sizeof yaml, "project: demo\n%s", online_section);
	test_write_file(repo, "fcat.yaml", yaml);
}

/* The tests' repo (a cmocka per-test fixture): make_data's, with the
 * default online store. */
static int setup(void **state)
{
	test_demo_without_data_setup(state);
	make_data(test_demo_of(state), "");
	return 0;
}

/* Materializes, then reads four entities (one unknown) as JSON. */
static char *serve(const char *online_section)
{
	char *parent, *repo = test_demo_repo(&parent, false);
	make_data(repo, online_section);
	test_run r = test_fcat(repo, "materialize", "2025-01-01T00:00:00Z", DATA_END, NULL);
	if (r.status != 0)
		fail_msg("materialize (%s) failed: %s", online_section, r.err);
	assert_non_null(strstr(r.out, "materialized 2 views: 3600 rows read, 600 keys written"));
	test_run_free(&r);
	r = test_fcat(repo, "get-online", "--service", "chat_personalization", "--entity",
	              "user_id=u0001", "--entity", "user_id=u0150", "--entity", "user_id=nobody",
	              "--entity", "user_id=u0300", "--at", READ_AT, "--json", NULL);
	if (r.status != 0)
		fail_msg("get-online (%s) failed: %s", online_section, r.err);
	char *out = strdup(r.out);
	test_run_free(&r);
	test_repo_done(parent, repo);
	return out;
}

static void test_serving__lmdb_sqlite_and_redis_serve_identical_vectors(void **state)
{
	(void)state;
	char *lmdb = serve("online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n");
	char *sqlite = serve("online_store:\n  plugin: sqlite\n  path: data/online.db\n");
	test_redis redis;
	test_redis_start(&redis);
	char section[512];
	snprintf(section, sizeof section, "online_store:\n  plugin: redis\n  url: %s\n", redis.url);
	char *viaredis = serve(section);
	test_redis_stop(&redis);

	assert_string_equal(lmdb, sqlite);
	assert_string_equal(lmdb, viaredis);
	/* the shape and the statuses are real: keys first, then the features */
	assert_non_null(strstr(lmdb, "\"feature_names\":[\"user_id\",\"total_conversations\","
	                             "\"avg_response_rating\",\"preferred_language\","
	                             "\"user_embedding\",\"conversations_1h\",\"conversations_1d\","
	                             "\"conversations_7d\",\"avg_response_rating_mean_7d\"]"));
	assert_non_null(strstr(lmdb, "\"NOT_FOUND\""));
	assert_non_null(strstr(lmdb, "\"PRESENT\""));
	free(lmdb);
	free(sqlite);
	free(viaredis);
}

static void test_serving__statuses_for_stale_missing_and_expired_rows(void **state)
{
	const char *repo = test_demo_of(state);
	test_expect_exit(test_fcat(repo, "materialize", "2025-01-01T00:00:00Z", DATA_END, NULL), 0,
	                 NULL);
	/* read a month later: everything is older than the 7-day ttl */
	test_expect_output(test_fcat(repo, "get-online", "--features",
	                             "user_features:total_conversations", "--entity",
	                             "user_id=u0001", "--at", "2026-02-01T00:00:00Z", NULL),
	                   0, "OUTSIDE_MAX_AGE");
	test_expect_exit(test_fcat(repo, "get-online", "--features", "user_features:nope",
	                           "--entity", "user_id=u0001", NULL),
	                 1, "unknown feature 'user_features:nope'");
	test_expect_exit(test_fcat(repo, "get-online", "--service", "chat_personalization",
	                           "--entity", "customer=3", NULL),
	                 1, "'customer' is not a join key");

	/* change what computes the view, apply, and the old rows say so */
	char c2[41];
	test_replace_in_file(repo, "catalog/users.lua", "field(\"total_conversations\", int64, {",
	                     "field(\"total_conversations\", int32, {");
	test_git_commit_all(repo, "int32 now", 1800000000, c2);
	test_run r = test_fcat(repo, "apply", NULL);
	test_run_free(&r);
	test_expect_output(test_fcat(repo, "get-online", "--features", "user_features", "--entity",
	                             "user_id=u0001", "--at", READ_AT, NULL),
	                   0, "STALE_VERSION");
	/* materializing the same source rows again replaces them: same times,
	 * the new version */
	test_expect_exit(test_fcat(repo, "materialize", "2025-01-01T00:00:00Z", DATA_END, NULL), 0,
	                 NULL);
	r = test_fcat(repo, "get-online", "--features", "user_features", "--entity",
	              "user_id=u0001", "--at", READ_AT, NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "STALE_VERSION"));
	assert_non_null(strstr(r.out, "PRESENT"));
	test_run_free(&r);
}

static void test_serving__incremental_starts_where_the_last_run_ended(void **state)
{
	const char *repo = test_demo_of(state);
	test_run r =
	    test_fcat(repo, "materialize", "2025-01-01T00:00:00Z", "2025-12-22T00:00:00Z", NULL);
	assert_int_equal(r.status, 0);
	unsigned long long first = 0, second = 0, keys = 0;
	assert_int_equal(sscanf(strstr(r.out, "views: ") + 7, "%llu", &first), 1);
	test_run_free(&r);
	r = test_fcat(repo, "materialize-incremental", DATA_END, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(
	    sscanf(strstr(r.out, "views: ") + 7, "%llu rows read, %llu", &second, &keys), 2);
	test_run_free(&r);
	assert_int_equal(first + second, 3600); /* every row read once per view */
	assert_true(first > 0 && second > 0);
	test_expect_output(test_fcat(repo, "materialize-incremental", DATA_END, NULL), 0,
	                   "materialized 0 views");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_serving__lmdb_sqlite_and_redis_serve_identical_vectors),
	    cmocka_unit_test_setup_teardown(
	        test_serving__statuses_for_stale_missing_and_expired_rows, setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_serving__incremental_starts_where_the_last_run_ended, setup,
	        test_demo_store_teardown),
	};
	return cmocka_run_group_tests_name("serving", tests, NULL, NULL);
}
