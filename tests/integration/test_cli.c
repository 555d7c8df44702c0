/* test_cli.c - drives the real fcat binary: init, validate, list, describe,
 * exit codes and one-line errors on broken definitions. */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void test_cli__init_makes_a_repo_that_works_at_once(void **state)
{
	(void)state;
	char *parent;
	char *repo = test_demo_repo(&parent, true);
	test_expect_output(test_fcat(repo, "list", "views", NULL), 0, "user_features");
	test_expect_output(test_fcat(repo, "validate", NULL), 0, "valid: project demo");
	/* a git repository with a first commit, and sample data */
	char path[4096];
	snprintf(path, sizeof path, "%s/.git/HEAD", repo);
	char *head = test_read_file(path);
	assert_non_null(head);
	free(head);
	snprintf(path, sizeof path, "%s/data/conversations.csv", repo);
	char *csv = test_read_file(path);
	assert_non_null(csv);
	assert_true(strncmp(csv, "user_id,event_timestamp,created_at,", 35) == 0);
	assert_true(test_count_lines(csv) > 1000);
	free(csv);
	/* init refuses to overwrite a repo */
	test_expect_exit(test_fcat(parent, "init", "demo", NULL), 1, "not an empty directory");
	test_repo_done(parent, repo);
}

static void test_cli__list_features_prints_names_and_types(void **state)
{
	(void)state;
	char *parent;
	char *repo = test_demo_repo(&parent, true);
	char sub[4096];
	snprintf(sub, sizeof sub, "%s/catalog", repo);
	/* run from a subdirectory: the repo is found upward */
	test_run r = test_fcat(sub, "list", "features", NULL);
	assert_int_equal(r.status, 0);
	const char *const expected[][2] = {
	    {"total_conversations ", "int64"}, {"avg_response_rating ", "float32"},
	    {"preferred_language ", "string"}, {"user_embedding ", "float32[16]"},
	    {"conversations_7d ", "int64"},    {"avg_response_rating_mean_7d ", "float64"}};
	for (size_t i = 0; i < 6; i++) {
		const char *line = strstr(r.out, expected[i][0]);
		assert_non_null(line);
		const char *eol = strchr(line, '\n');
		const char *type = strstr(line, expected[i][1]);
		assert_true(type && type < eol);
	}
	/* header, user_activity's four, user_features' four, and the
	 * on-demand view's two */
	assert_int_equal(test_count_lines(r.out), 11);
	const char *hint = strstr(r.out, "reply_length_hint");
	assert_non_null(hint);
	assert_true(strstr(hint, "int64") < strchr(hint, '\n'));
	assert_non_null(strstr(r.out, "reply_style "));
	test_run_free(&r);
	test_repo_done(parent, repo);
}

static void test_cli__describe_json_holds_schema_ttl_entity_and_source(void **state)
{
	(void)state;
	char *parent;
	char *repo = test_demo_repo(&parent, true);
	test_run r = test_fcat(NULL, "--repo", repo, "describe", "user_features", "--json", NULL);
	assert_int_equal(r.status, 0);
	json_error_t err;
	json_t *j = json_loads(r.out, 0, &err);
	if (!j)
		fail_msg("not JSON (%s): %s", err.text, r.out);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "feature_view");
	assert_int_equal(json_integer_value(json_object_get(j, "ttl_seconds")), 7 * 86400);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "entities"), 0)),
	                    "user");
	assert_string_equal(json_string_value(json_object_get(j, "source")), "conversations");
	json_t *schema = json_object_get(j, "schema");
	assert_int_equal(json_array_size(schema), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(schema, 3), "type")),
	                    "float32[16]");
	json_decref(j);
	test_run_free(&r);
	/* the text form, and a feature by VIEW:FEATURE */
	r = test_fcat(repo, "describe", "user_features", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "feature_view user_features  (catalog/users.lua:"));
	assert_non_null(strstr(r.out, "ttl: 7d"));
	test_run_free(&r);
	test_expect_output(test_fcat(repo, "describe", "user_features:preferred_language", NULL), 0,
	                   "pii=true");
	r = test_fcat(repo, "describe", "nothing_here", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "error: no object named 'nothing_here' in the catalog\n");
	test_run_free(&r);
	test_repo_done(parent, repo);
}

/* Adds a broken definition file and expects one error line naming it. */
static void expect_broken(const char *text, const char *want_prefix)
{
	char *parent;
	char *repo = test_demo_repo(&parent, true);
	test_write_file(repo, "catalog/zz_broken.lua", text);
	const char *const cmds[][4] = {{"validate", NULL, NULL, NULL},
	                               {"list", "features", "--worktree", NULL},
	                               {"describe", "user_features", "--worktree", NULL}};
	for (size_t i = 0; i < 3; i++) {
		test_run r = test_fcat(repo, cmds[i][0], cmds[i][1], cmds[i][2], NULL);
		assert_int_equal(r.status, 1);
		assert_int_equal(test_count_lines(r.err), 1);
		if (strncmp(r.err, want_prefix, strlen(want_prefix)) != 0)
			fail_msg("expected '%s...', got '%s'", want_prefix, r.err);
		assert_string_equal(r.out, "");
		test_run_free(&r);
	}
	test_repo_done(parent, repo);
}

static void test_cli__syntax_error_is_one_line_with_file_and_line(void **state)
{
	(void)state;
	expect_broken("entity {\n  name = 'x'\n  join_keys = {}\n}\n",
	              "error: catalog/zz_broken.lua:3: '}' expected (to close '{' at line 1)");
}

static void test_cli__unknown_entity_is_one_line_with_file_and_line(void **state)
{
	(void)state;
	expect_broken("\n\nfeature_view { name = 'v2', entities = { 'customer' },\n"
	              "  source = 'conversations', schema = { field('x', int64) } }\n",
	              "error: catalog/zz_broken.lua:3: feature_view 'v2': unknown entity "
	              "'customer'");
}

static void test_cli__duplicate_feature_is_one_line_with_file_and_line(void **state)
{
	(void)state;
	expect_broken("feature_view { name = 'v2', entities = { 'user' },\n"
	              "  source = 'conversations', schema = {\n"
	              "    field('x', int64),\n"
	              "    field('x', int64) } }\n",
	              "error: catalog/zz_broken.lua:4: feature_view 'v2': field 'x' appears twice");
}

static void test_cli__usage_errors_exit_2_and_help_exits_0(void **state)
{
	(void)state;
	const char *const bad[][3] = {{"frobnicate", NULL, NULL},
	                              {"list", NULL, NULL},
	                              {"list", "widgets", NULL},
	                              {"describe", "--bogus", NULL},
	                              {"init", NULL, NULL}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		test_run r = test_fcat(NULL, bad[i][0], bad[i][1], bad[i][2], NULL);
		assert_int_equal(r.status, 2);
		assert_true(strlen(r.err) > 0);
		test_run_free(&r);
	}
	const char *const cmds[] = {"init", "validate", "list", "describe"};
	for (size_t i = 0; i < 4; i++) {
		test_run r = test_fcat(NULL, cmds[i], "--help", NULL);
		assert_int_equal(r.status, 0);
		assert_true(strncmp(r.out, "usage: fcat ", 12) == 0);
		test_run_free(&r);
	}
	test_expect_exit(test_fcat(NULL, "--help", NULL), 0, NULL);
}

static void test_cli__outside_a_repo_says_so(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_expect_exit(test_fcat(dir, "list", "views", NULL), 1, "not in a feature repo");
	test_write_file(dir, "fcat.yaml", "project: x\nonline_store: 3\n");
	test_expect_exit(test_fcat(dir, "validate", NULL), 1,
	                 "fcat.yaml:2:15: 'online_store' must be a map");
	test_dir_done(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli__init_makes_a_repo_that_works_at_once),
	    cmocka_unit_test(test_cli__list_features_prints_names_and_types),
	    cmocka_unit_test(test_cli__describe_json_holds_schema_ttl_entity_and_source),
	    cmocka_unit_test(test_cli__syntax_error_is_one_line_with_file_and_line),
	    cmocka_unit_test(test_cli__unknown_entity_is_one_line_with_file_and_line),
	    cmocka_unit_test(test_cli__duplicate_feature_is_one_line_with_file_and_line),
	    cmocka_unit_test(test_cli__usage_errors_exit_2_and_help_exits_0),
	    cmocka_unit_test(test_cli__outside_a_repo_says_so),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
