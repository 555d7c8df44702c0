/* test_versions.c - the git-tracked catalog through the real fcat binary:
 * apply, plan, log, show, diff and lineage, and what a store serves. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS "catalog/users.lua"

/* How many times `needle` occurs in `s`. */
static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_versions__log_lists_exactly_the_commits_that_changed_a_feature(void **state)
{
	const char *repo = test_demo_of(state);
	char c2[41], c3[41], c4[41];
	test_replace_in_file(repo, USERS, "field(\"total_conversations\", int64, {",
	                     "field(\"total_conversations\", int32, {");
	test_git_commit_all(repo, "Narrow total_conversations to int32", 1800000000, c2);
	test_replace_in_file(repo, USERS, "description = \"conversations so far\"",
	                     "description = \"finished conversations so far\"");
	test_git_commit_all(repo, "Say which conversations count", 1800000100, c3);
	/* a sibling feature changes: not a version of total_conversations */
	test_replace_in_file(repo, USERS, "mean rating of answers, 1-5", "mean rating, 1-5");
	test_git_commit_all(repo, "Shorter rating description", 1800000200, c4);

	test_run r = test_fcat(repo, "log", "user_features:total_conversations", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(count(r.out, "\ncommit ") + (strncmp(r.out, "commit ", 7) == 0), 3);
	const char *p3 = strstr(r.out, c3), *p2 = strstr(r.out, c2);
	assert_non_null(p3);
	assert_non_null(p2);
	assert_true(p3 < p2); /* newest first */
	assert_null(strstr(r.out, c4));
	assert_non_null(strstr(r.out, "Narrow total_conversations to int32"));
	assert_non_null(strstr(r.out, "Author: Test Author <test@example.com>"));
	assert_non_null(strstr(r.out, "Create the feature repo with fcat init"));
	test_run_free(&r);

	/* the rating feature: its first version and c4 */
	r = test_fcat(repo, "log", "user_features:avg_response_rating", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(count(r.out, "Hash:   "), 2);
	assert_non_null(strstr(r.out, c4));
	test_run_free(&r);
}

static void test_versions__plan_flags_a_type_change_as_breaking(void **state)
{
	const char *repo = test_demo_of(state);
	char c2[41];
	test_expect_output(test_fcat(repo, "plan", NULL), 0, "no changes to apply");

	test_replace_in_file(repo, USERS, "field(\"total_conversations\", int64, {",
	                     "field(\"total_conversations\", int32, {");
	test_git_commit_all(repo, "Narrow total_conversations", 1800000000, c2);
	test_run r = test_fcat(repo, "plan", NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.out, "~ feature user_features:total_conversations  (type)  "
	                              "BREAKING: type changed from int64 to int32"));
	assert_non_null(strstr(r.out, "~ feature_view user_features  (schema)"));
	test_run_free(&r);

	/* a description change alone is not breaking */
	test_expect_exit(test_fcat(repo, "apply", NULL), 0, NULL);
	test_replace_in_file(repo, USERS, "conversations so far", "finished conversations");
	test_git_commit_all(repo, "Describe better", 1800000100, c2);
	r = test_fcat(repo, "plan", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "(description)"));
	assert_non_null(strstr(r.out, "0 breaking"));
	test_run_free(&r);

	/* removing a feature a service serves is breaking; diff says so too */
	r = test_fcat(repo, "apply", NULL);
	test_run_free(&r);
	test_replace_in_file(repo, USERS,
	                     "field(\"user_embedding\", array(float32, 16), "
	                     "{ description = \"taste embedding\" }),",
	                     "");
	test_git_commit_all(repo, "Drop the embedding", 1800000200, c2);
	test_expect_output(test_fcat(repo, "diff", "APPLIED", "HEAD", NULL), 3,
	                   "- feature user_features:user_embedding  BREAKING: removed "
	                   "while the feature service 'chat_personalization' uses it");
}

static void test_versions__apply_refuses_uncommitted_changes_and_naming_them(void **state)
{
	const char *repo = test_demo_of(state);
	fcat_store *before;
	assert_int_equal(fcat_store_open(&before, repo), 0);

	test_replace_in_file(repo, USERS, "field(\"total_conversations\", int64, {",
	                     "field(\"total_conversations\", float64, {");
	test_write_file(repo, "catalog/extra.lua", "-- nothing yet\n");
	test_run r = test_fcat(repo, "apply", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "refusing to apply"));
	assert_non_null(strstr(r.err, "catalog/users.lua (modified)"));
	assert_non_null(strstr(r.err, "catalog/extra.lua (untracked)"));
	test_run_free(&r);

	char c2[41];
	test_git_commit_all(repo, "total_conversations as float64", 1800000000, c2);
	test_expect_output(test_fcat(repo, "apply", NULL), 0, c2);
	test_expect_output(test_fcat(repo, "list", "features", NULL), 0, "float64");

	/* the store opened before applying still serves what it opened */
	const fcat_object *f;
	char type[32];
	assert_int_equal(fcat_catalog_lookup(&f, fcat_store_catalog(before),
	                                     "user_features:total_conversations"),
	                 0);
	fcat_type_format(type, sizeof type, fcat_feature_type(f));
	assert_string_equal(type, "int64");
	fcat_store_free(before);
	fcat_store *after;
	assert_int_equal(fcat_store_open(&after, repo), 0);
	assert_int_equal(
	    fcat_catalog_lookup(&f, fcat_store_catalog(after), "user_features:total_conversations"),
	    0);
	fcat_type_format(type, sizeof type, fcat_feature_type(f));
	assert_string_equal(type, "float64");
	assert_string_equal(fcat_catalog_commit(fcat_store_catalog(after)), c2);
	fcat_store_free(after);

	/* show NAME@REV reads the old version, the C API any commit */
	test_expect_output(
	    test_fcat(repo, "show", "user_features:total_conversations@HEAD~1", "--json", NULL), 0,
	    "\"type\": \"int64\"");
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_COMMIT;
	o.commit = "HEAD~1";
	assert_int_equal(fcat_store_open_ext(&before, repo, &o), 0);
	fcat_store_free(before);
}

static void test_versions__an_invalid_commit_is_not_applied(void **state)
{
	const char *repo = test_demo_of(state);
	char c2[41];
	test_write_file(repo, "catalog/broken.lua", "feature_view { name = 'x' }\n");
	test_git_commit_all(repo, "Broken", 1800000000, c2);
	test_expect_exit(test_fcat(repo, "apply", NULL), 1,
	                 "catalog/broken.lua:1: feature_view 'x'");
	test_expect_exit(test_fcat(repo, "apply", "--commit", "HEAD~1", NULL), 0, NULL);
}

static void test_versions__lineage_renders_with_graphviz(void **state)
{
	(void)state;
	char *parent, *repo = test_demo_repo(&parent, false);
	test_run r = test_fcat(repo, "lineage", "chat_personalization", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "source conversations -> feature_view user_features"));
	assert_non_null(strstr(r.out, "feature user_features:total_conversations -> "
	                              "feature_service chat_personalization"));
	test_run_free(&r);
	test_expect_output(test_fcat(repo, "lineage", "user_features:preferred_language",
	                             "--format", "json", NULL),
	                   0, "\"direction\": \"downstream\"");

	char cmd[8192], png[4096];
	snprintf(png, sizeof png, "%s/lineage.png", parent);
	snprintf(cmd, sizeof cmd,
	         "cd '%s' && FCAT_PRINCIPAL=fcat-operator '%s' lineage chat_personalization "
	         "--format dot | dot -Tpng -o '%s'",
	         repo, FCAT_CLI_PATH, png);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(png, "rb");
	assert_non_null(f);
	unsigned char magic[8] = {0};
	assert_int_equal(fread(magic, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_versions__log_lists_exactly_the_commits_that_changed_a_feature,
	        test_demo_without_data_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_versions__plan_flags_a_type_change_as_breaking,
	                                    test_demo_without_data_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_versions__apply_refuses_uncommitted_changes_and_naming_them,
	        test_demo_without_data_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_versions__an_invalid_commit_is_not_applied,
	                                    test_demo_without_data_setup, test_demo_store_teardown),
	    cmocka_unit_test(test_versions__lineage_renders_with_graphviz),
	};
	return cmocka_run_group_tests_name("versions", tests, NULL, NULL);
}
