/* test_transforms.c - transforms through the real fcat binary: the demo's
 * row transform and on-demand view agree between batch and serving (fcat
 * verify), and hostile transforms fail cleanly without writing anything. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_transforms__verify_finds_no_difference_on_the_demo(void **state)
{
	(void)state;
	char *parent, *repo = test_demo_repo(&parent, true);
	test_run r = test_fcat(repo, "verify", "--sample", "10000", NULL);
	if (r.status != 0)
		fail_msg("verify failed (%d): %s%s", r.status, r.out, r.err);
	/* user_features: 10,000 samples of 6 values (with reply_style's);
	 * user_activity: 5 cuts of 2,000, 4 values each read twice
	 * (materialized and pushed) */
	assert_non_null(strstr(r.out, "verify: 2 views, 20000 sampled entities and times, 140000 "
	                              "feature values compared, 0 differences"));
	test_run_free(&r);
	test_repo_done(parent, repo);
}

static void test_transforms__on_demand_views_take_request_data(void **state)
{
	(void)state;
	char *parent, *repo = test_materialized_demo(&parent);
	test_expect_exit(test_fcat(repo, "get-online", "--service", "chat_reply", "--entity",
	                           "user_id=u0001", NULL),
	                 2, "need request data (message_length");
	test_run r = test_fcat(repo, "get-online", "--service", "chat_reply", "--entity",
	                       "user_id=u0001", "--entity", "user_id=nobody", "--request",
	                       "message_length=500", "--json", NULL);
	assert_int_equal(r.status, 0);
	/* an unknown user has no features: the transform's defaults apply */
	assert_non_null(strstr(r.out, "\"feature_names\":[\"user_id\",\"preferred_language\","
	                              "\"is_regular\",\"reply_length_hint\"]"));
	assert_non_null(strstr(r.out, "\"values\":[true,false]") ||
	                strstr(r.out, "\"values\":[false,false]"));
	test_run_free(&r);
	test_expect_exit(test_fcat(repo, "get-online", "--service", "chat_reply", "--entity",
	                           "user_id=u0001", "--request", "message_length=many", NULL),
	                 1, "not a valid int64");
	test_repo_done(parent, repo);
}

/* Replaces the demo view's transform body with `body`, commits and applies. */
static void use_transform(const char *repo, const char *body)
{
	char *text;
	char path[4096];
	snprintf(path, sizeof path, "%s/catalog/users.lua", repo);
	text = test_read_file(path);
	char *start = strstr(text, "  transform = function(row)\n");
	char *end = strstr(start, "  end,\n");
	assert_true(start && end);
	char *out = malloc(strlen(text) + strlen(body) + 100);
	sprintf(out, "%.*s  transform = function(row)\n%s\n  end,\n%s", (int)(start - text), text,
	        body, end + strlen("  end,\n"));
	test_write_file(repo, "catalog/users.lua", out);
	free(out);
	free(text);
	test_commit_and_apply(repo, "another transform");
}

static void test_transforms__hostile_transforms_fail_and_write_nothing(void **state)
{
	(void)state;
	const struct {
		const char *body, *message;
	} cases[] = {
	    {"    while true do end", "instruction budget"},
	    {"    local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100000) .. i end", "memory cap"},
	    {"    local s = string.rep('x', 1 << 30) return {}", "memory cap"},
	    {"    os.execute('true')", "global 'os'"},
	    {"    io.open('/etc/passwd')", "global 'io'"},
	    {"    require('os')", "global 'require'"},
	    {"    error('refused by the transform')", "refused by the transform"},
	    {"    return { total_conversations = 'many', avg_response_rating = 1,\n"
	     "             preferred_language = 'x', user_embedding = null }",
	     "feature 'total_conversations': the transform returned a wrong value"},
	    {"    coroutine.yield()", "global 'coroutine'"},
	};
	char *parent, *repo = test_demo_repo(&parent, true);
	test_write_file(repo, "fcat.yaml",
	                "project: demo\ntransforms:\n  memory_mb: 16\n"
	                "  instructions: 100000\n");
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		use_transform(repo, cases[i].body);
		test_run r = test_fcat(repo, "materialize", "2020-01-01", "now", NULL);
		if (r.status != 1 || !strstr(r.err, cases[i].message) ||
		    !strstr(r.err, "feature_view 'user_features', entity user_id=u"))
			fail_msg("case %zu (%s): status %d: %s", i, cases[i].body, r.status, r.err);
		assert_int_equal(test_count_lines(r.err), 1);
		test_run_free(&r);
		test_expect_output(test_fcat(repo, "get-online", "--features",
		                             "user_features:total_conversations", "--entity",
		                             "user_id=u0001", NULL),
		                   0, "NOT_FOUND");
	}
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transforms__verify_finds_no_difference_on_the_demo),
	    cmocka_unit_test(test_transforms__on_demand_views_take_request_data),
	    cmocka_unit_test(test_transforms__hostile_transforms_fail_and_write_nothing),
	};
	return cmocka_run_group_tests_name("transforms", tests, NULL, NULL);
}
