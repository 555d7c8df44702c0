/* test_verify_scratch.c - fcat verify materializes into a scratch copy of
 * the configured online store (same plugin, `path` in a temporary
 * directory), and into the default embedded plugin when the online store
 * keeps no data under a `path` (a server such as redis). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char demo_online[] = "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n";

/* The demo with its online store section replaced, verified on a few samples. */
static test_run verify_with(char **parent, char **repo, const char *online)
{
	*repo = test_demo_repo(parent, true);
	test_replace_in_file(*repo, "fcat.yaml", demo_online, online);
	return test_fcat(*repo, "verify", "--sample", "100", NULL);
}

static void expect_no_differences(const test_run *r)
{
	if (r->status != 0)
		fail_msg("verify failed (%d): %s%s", r->status, r->out, r->err);
	assert_non_null(strstr(r->out, "0 differences"));
}

static void test_verify_scratch__the_configured_plugin_is_the_scratch_store(void **state)
{
	(void)state;
	char *parent, *repo;
	/* a plugin that cannot store anything: verify must try it, and say so */
	test_run r = verify_with(&parent, &repo,
	                         "online_store:\n  plugin: halfonline\n  path: data/online\n");
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "verify's scratch online store"));
	assert_non_null(strstr(r.err, "fcat_halfonline.so"));
	test_run_free(&r);
	test_repo_done(parent, repo);
}

static void test_verify_scratch__any_working_online_plugin_verifies(void **state)
{
	(void)state;
	char *parent, *repo;
	/* sqlite, and a plugin built for ABI version 2 (in memory) */
	const char *const online[] = {"online_store:\n  plugin: sqlite\n  path: data/online.db\n",
	                              "online_store:\n  plugin: oldabi\n  path: data/online\n"};
	for (size_t i = 0; i < 2; i++) {
		test_run r = verify_with(&parent, &repo, online[i]);
		expect_no_differences(&r);
		/* the store's own online store stays untouched */
		assert_false(test_path_exists(repo, "data/online.db"));
		assert_false(test_path_exists(repo, "data/online"));
		test_run_free(&r);
		test_repo_done(parent, repo);
	}
}

static void test_verify_scratch__a_store_without_a_path_verifies_through_the_default(void **state)
{
	(void)state;
	char *parent, *repo;
	/* nothing listens on port 1: a scratch write into redis would fail */
	test_run r = verify_with(&parent, &repo,
	                         "online_store:\n  plugin: redis\n  url: redis://127.0.0.1:1/0\n");
	expect_no_differences(&r);
	test_run_free(&r);
	test_repo_done(parent, repo);
}

static int setup(void **state)
{
	(void)state;
	/* the fixture plugins, beside the real ones of the build tree */
	setenv("FCAT_PLUGIN_PATH", FCAT_TEST_FIXTURE_DIR, 1);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verify_scratch__the_configured_plugin_is_the_scratch_store),
	    cmocka_unit_test(test_verify_scratch__any_working_online_plugin_verifies),
	    cmocka_unit_test(
	        test_verify_scratch__a_store_without_a_path_verifies_through_the_default),
	};
	return cmocka_run_group_tests_name("verify_scratch", tests, setup, NULL);
}
