/* test_fresh_clone.c - a feature repo cloned without its ignored folders
 * (data/, .fcat/) works as a new user would try it: apply, materialize and
 * reads make the directories they write in (the audit log, the online
 * store, the catalog cache), and what is really missing (the source data)
 * is named in the error; once the data is there, everything works. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_fresh_clone__a_clone_without_data_makes_what_it_writes(void **state)
{
	(void)state;
	char *parent, *origin = test_demo_repo(&parent, true);
	/* the demo repo ignores data/ and .fcat/: a clone has neither */
	char clone[4096];
	snprintf(clone, sizeof clone, "%s/clone", parent);
	test_expect_exit(
	    test_exec(parent, NULL,
	              (const char *const[]){"/usr/bin/git", "clone", "-q", origin, clone, NULL}),
	    0, NULL);
	assert_false(test_path_exists(clone, "data"));
	assert_false(test_path_exists(clone, ".fcat"));

	/* apply as a named principal, then materialize: its write decision
	 * goes to data/audit.log, made on the way, and it names the one thing
	 * missing, the source's data */
	test_expect_exit(test_fcat_as(clone, "fcat-operator", (const char *const[]){"apply", NULL}),
	                 0, NULL);
	test_expect_exit(test_fcat(clone, "materialize", "2020-01-01", "now", NULL), 1,
	                 "source 'conversations': cannot open data/conversations.csv");
	assert_true(test_path_exists(clone, "data/audit.log"));
	/* a read before any materialize: the store is made, nothing is found */
	test_run r = test_fcat_as(clone, "ranking-service",
	                          (const char *const[]){"get-online", "--features",
	                                                "user_features:total_conversations",
	                                                "--entity", "user_id=u0001", NULL});
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "NOT_FOUND"));
	test_run_free(&r);

	/* with the data generated, the clone serves */
	char data[4200];
	snprintf(data, sizeof data, "%s/data/conversations.csv", clone);
	test_expect_exit(
	    test_exec(clone, NULL,
	              (const char *const[]){FCAT_DATAGEN_PATH, "--users", "50", "--rows-per-user",
	                                    "2", "--days", "3", "--seed", "7", "-o", data, NULL}),
	    0, NULL);
	test_expect_exit(test_fcat(clone, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	r = test_fcat_as(clone, "ranking-service",
	                 (const char *const[]){"get-online", "--features",
	                                       "user_features:total_conversations", "--entity",
	                                       "user_id=u0001", NULL});
	assert_int_equal(r.status, 0);
	if (!strstr(r.out, "PRESENT"))
		fail_msg("expected PRESENT in:\n%s%s", r.out, r.err);
	test_run_free(&r);
	test_repo_done(parent, origin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fresh_clone__a_clone_without_data_makes_what_it_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
