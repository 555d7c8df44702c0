/* test_push_cli.c - `fcat push` run as a real process with rows on stdin:
 * JSON lines and CSV are pushed through fcat_push and read back with
 * `fcat get-online` (after the view's transform); a bad line, an unknown
 * column or a denied principal exits 1 naming the line, column or view with
 * nothing written online or offline; --to offline only appends. */
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT  "2031-01-03T00:00:00Z"
#define EMB "[0.5,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15.25]"

/* zz1 twice (the later row wins online), zz2 once; the ratings out of range
 * and the languages upper case, which user_features' transform clamps and
 * lowers. */
static const char jsonl[] =
    "{\"user_id\": \"zz1\", \"event_timestamp\": \"2031-01-01T00:00:00Z\", "
    "\"total_conversations\": 1, \"avg_response_rating\": 4, \"preferred_language\": \"FR\", "
    "\"user_embedding\": " EMB "}\n"
    "\n"
    "{\"user_id\": \"zz1\", \"event_timestamp\": 1925078400, \"created_at\": null, "
    "\"total_conversations\": 2, \"avg_response_rating\": 7.5, \"preferred_language\": \"EN\", "
    "\"user_embedding\": " EMB "}\n"
    "{\"user_id\": \"zz2\", \"event_timestamp\": \"2031-01-02T12:00:00Z\", "
    "\"total_conversations\": 40, \"avg_response_rating\": 0.25, "
    "\"user_embedding\": " EMB "}\n";

static const char csv[] =
    "user_id,event_timestamp,total_conversations,avg_response_rating,preferred_language,"
    "user_embedding\r\n"
    "zz1,2031-01-01T00:00:00Z,1,4,FR,\"" EMB "\"\r\n"
    "zz1,2031-01-02T00:00:00Z,2,7.5,EN,\"" EMB "\"\r\n"
    "zz2,2031-01-02T12:00:00Z,40,0.25,,\"" EMB "\"\r\n";

/* What get-online --json prints for zz1 and zz2 after the push of either. */
static const char zz1_read[] =
    "{\"results\":[{\"values\":[\"zz1\"],\"statuses\":[\"PRESENT\"],\"event_timestamps\":"
    "[\"1970-01-01T00:00:00Z\"]},{\"values\":[2],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"2031-01-02T00:00:00Z\"]},{\"values\":[5.0],\"statuses\":"
    "[\"PRESENT\"],\"event_timestamps\":[\"2031-01-02T00:00:00Z\"]},{\"values\":[\"en\"],"
    "\"statuses\":[\"PRESENT\"],\"event_timestamps\":[\"2031-01-02T00:00:00Z\"]}],"
    "\"metadata\":{\"feature_names\":[\"user_id\",\"total_conversations\","
    "\"avg_response_rating\",\"preferred_language\"]}}\n";
static const char zz2_read[] =
    "{\"results\":[{\"values\":[\"zz2\"],\"statuses\":[\"PRESENT\"],\"event_timestamps\":"
    "[\"1970-01-01T00:00:00Z\"]},{\"values\":[40],\"statuses\":[\"PRESENT\"],"
    "\"event_timestamps\":[\"2031-01-02T12:00:00Z\"]},{\"values\":[1.0],\"statuses\":"
    "[\"PRESENT\"],\"event_timestamps\":[\"2031-01-02T12:00:00Z\"]},{\"values\":[null],"
    "\"statuses\":[\"NULL_VALUE\"],\"event_timestamps\":[\"2031-01-02T12:00:00Z\"]}],"
    "\"metadata\":{\"feature_names\":[\"user_id\",\"total_conversations\","
    "\"avg_response_rating\",\"preferred_language\"]}}\n";

/* `fcat --as PRINCIPAL push --source conversations_push ARGS...` with
 * `input` on stdin; args ends with NULL. */
static test_run push_as(const char *repo, const char *principal, const char *input, ...)
{
	static const char *const push[] = {"push", "--source", "conversations_push", NULL};
	va_list ap;
	va_start(ap, input);
	test_run r = test_fcat_va(repo, principal, input, push, ap);
	va_end(ap);
	return r;
}

/* get-online --json of three user_features for one user, at AT; the caller
 * frees it. */
static char *read_user(const char *repo, const char *user)
{
	char entity[64];
	snprintf(entity, sizeof entity, "user_id=%s", user);
	test_run r = test_fcat(repo, "get-online", "--features",
	                       "user_features:total_conversations,user_features:avg_response_"
	                       "rating,user_features:preferred_language",
	                       "--entity", entity, "--at", AT, "--json", NULL);
	if (r.status != 0)
		fail_msg("get-online failed (%d): %s", r.status, r.err);
	free(r.err);
	return r.out;
}

static char *conversations(const char *repo)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data/conversations.csv", repo);
	return test_read_file(path);
}

/* The rows of the pushes below as the CSV source gets them. */
static const char appended[] = "zz1,2031-01-01T00:00:00Z,,1,4,FR,\"" EMB "\"\n"
                               "zz1,2031-01-02T00:00:00Z,,2,7.5,EN,\"" EMB "\"\n"
                               "zz2,2031-01-02T12:00:00Z,,40,0.25,,\"" EMB "\"\n";

/* The CSV source holds `csv_before`, then `added` ("": nothing more). */
static void expect_csv(const char *repo, const char *csv_before, const char *added)
{
	char *after = conversations(repo);
	assert_memory_equal(after, csv_before, strlen(csv_before));
	assert_string_equal(after + strlen(csv_before), added);
	free(after);
}

/* Neither user is online. */
static void expect_not_online(const char *repo)
{
	const char *users[] = {"zz1", "zz2"};
	for (int i = 0; i < 2; i++) {
		char *got = read_user(repo, users[i]);
		if (!strstr(got, "\"values\":[null],\"statuses\":[\"NOT_FOUND\"]"))
			fail_msg("%s was written online: %s", users[i], got);
		free(got);
	}
}

/* Neither user is online, and the CSV source holds `csv_before`. */
static void expect_nothing_written(const char *repo, const char *csv_before)
{
	expect_csv(repo, csv_before, "");
	expect_not_online(repo);
}

static void expect_pushed(test_run r, const char *line)
{
	if (r.status != 0 || strcmp(r.out, line) != 0)
		fail_msg("expected exit 0 and '%s', got %d:\n%s%s", line, r.status, r.out, r.err);
	test_run_free(&r);
}

static void expect_read_back(const char *repo)
{
	char *got = read_user(repo, "zz1");
	assert_string_equal(got, zz1_read);
	free(got);
	got = read_user(repo, "zz2");
	assert_string_equal(got, zz2_read);
	free(got);
}

/* The first part of the success line, up to its time. */
static test_run cut_time(test_run r)
{
	char *secs = strrchr(r.out, ',');
	if (secs)
		strcpy(secs, "\n");
	return r;
}

static void test_push_cli__json_lines_are_read_back_online_through_the_transform(void **state)
{
	const char *repo = test_demo_of(state);
	char *before = conversations(repo);
	expect_pushed(cut_time(push_as(repo, "fcat-operator", jsonl, NULL)),
	              "pushed 3 rows to conversations_push: 2 views written online, 4 keys "
	              "written, 0 rows appended offline\n");
	expect_read_back(repo);
	expect_csv(repo, before, ""); /* online only (the default): as it was */
	free(before);
}

static void test_push_cli__csv_rows_are_read_back_online_and_appended_offline(void **state)
{
	const char *repo = test_demo_of(state);
	char *before = conversations(repo);
	expect_pushed(
	    cut_time(push_as(repo, "fcat-operator", csv, "--to", "online_and_offline", NULL)),
	    "pushed 3 rows to conversations_push: 2 views written online, 4 keys written, 3 "
	    "rows appended offline\n");
	expect_read_back(repo);
	expect_csv(repo, before, appended);
	free(before);
}

static void test_push_cli__offline_appends_to_the_csv_source_only(void **state)
{
	const char *repo = test_demo_of(state);
	char *before = conversations(repo);
	/* the format from the first non-blank byte: '{', so JSON lines */
	expect_pushed(cut_time(push_as(repo, "fcat-operator", jsonl, "--to", "offline", NULL)),
	              "pushed 3 rows to conversations_push: 0 views written online, 0 keys "
	              "written, 3 rows appended offline\n");
	expect_csv(repo, before, appended);
	expect_not_online(repo);
	free(before);
}

/* `text` with its first `from` replaced by `to`, into out. */
static void replaced(char *out, size_t size, const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	snprintf(out, size, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

/* Pushes `input` online and offline as the operator and expects exit 1,
 * `error` on stderr and nothing written. */
static void expect_refused(const char *repo, const char *input, const char *error)
{
	char *before = conversations(repo);
	test_expect_exit(push_as(repo, "fcat-operator", input, "--to", "online_and_offline", NULL),
	                 1, error);
	expect_nothing_written(repo, before);
	free(before);
}

static void test_push_cli__a_bad_line_is_named_and_nothing_is_written(void **state)
{
	const char *repo = test_demo_of(state);
	char bad[4096];
	/* JSON lines: line 3 (after a blank line 2) has a string for an int64 */
	replaced(bad, sizeof bad, jsonl, "\"total_conversations\": 2,",
	         "\"total_conversations\": \"2\",");
	expect_refused(
	    repo, bad,
	    "error: stdin:3: column 'total_conversations': expected int64, got string\n");
	/* CSV: a cell that is not an int64, on line 3 */
	replaced(bad, sizeof bad, csv, ",2,7.5,", ",x,7.5,");
	expect_refused(repo, bad,
	               "error: stdin:3: column 'total_conversations': not a valid int64");
	/* a null join key, which fcat_push finds: its row 3 is line 4 */
	replaced(bad, sizeof bad, jsonl, "\"zz2\"", "null");
	expect_refused(repo, bad,
	               "error: stdin:4: push source 'conversations_push', row 3, column "
	               "'user_id': a join key must not be null");
	/* a column the push source does not have, and a line that is no object */
	expect_refused(repo, "{\"user_id\": \"zz1\", \"mood\": 1}\n",
	               "error: stdin:1: column 'mood' is not in push source 'conversations_push' "
	               "(columns: user_id, event_timestamp, created_at, total_conversations, "
	               "avg_response_rating, preferred_language, user_embedding)\n");
	expect_refused(repo, "{\"user_id\": \"zz1\"}\n[1]\n",
	               "error: stdin:2: expected a JSON object");
	/* a CSV row of the wrong width, and an unclosed quote */
	expect_refused(repo, "user_id,total_conversations\nzz1,1\nzz2\n",
	               "error: stdin:3: 1 field, but the header (line 1) has 2\n");
	expect_refused(repo, "user_id,total_conversations\n\"zz1,1\n",
	               "error: stdin:2: the quoted field that starts here is never closed\n");
	/* a column missing from the whole input: fcat_push's own check */
	expect_refused(repo, "user_id,event_timestamp\nzz1,2031-01-01T00:00:00Z\n",
	               "no column 'total_conversations' in the push");
	expect_refused(repo, "\n\n", "error: stdin holds no rows to push");
}

static void test_push_cli__a_denied_principal_is_refused_naming_the_view(void **state)
{
	const char *repo = test_demo_of(state);
	char *before = conversations(repo);
	/* alice is a scientist: she reads features, never writes them */
	test_expect_exit(push_as(repo, "alice", csv, "--to", "online_and_offline", NULL), 1,
	                 "alice may not write view:user_activity");
	expect_nothing_written(repo, before);
	free(before);
}

static void test_push_cli__usage_errors_exit_2_and_unknown_sources_1(void **state)
{
	const char *repo = test_demo_of(state);
	const char *no_source[] = {FCAT_CLI_PATH, "push", NULL};
	test_expect_exit(test_exec_input(repo, NULL, no_source, jsonl), 2,
	                 "give the push source: --source NAME");
	test_expect_exit(push_as(repo, "fcat-operator", jsonl, "--to", "nowhere", NULL), 2,
	                 "--to takes online, offline or online_and_offline, not 'nowhere'");
	test_expect_exit(push_as(repo, "fcat-operator", jsonl, "--format", "xml", NULL), 2,
	                 "--format takes jsonl or csv, not 'xml'");
	test_expect_exit(push_as(repo, "fcat-operator", jsonl, "more", NULL), 2,
	                 "unexpected argument 'more'");
	/* --format csv read as CSV even though it starts with '{' */
	test_expect_exit(push_as(repo, "fcat-operator", jsonl, "--format", "csv", NULL), 1,
	                 "stdin:1: column '{\"user_id\": \"zz1\"' is not in push source");
	const char *unknown[] = {FCAT_CLI_PATH, "--as", "fcat-operator", "push", "--source",
	                         "nope",        NULL};
	test_expect_exit(test_exec_input(repo, NULL, unknown, jsonl), 1,
	                 "error: unknown push source 'nope' (push sources: conversations_push)");
	const char *view[] = {FCAT_CLI_PATH, "push", "--source", "user_features", NULL};
	test_expect_exit(test_exec_input(repo, NULL, view, jsonl), 1,
	                 "error: 'user_features' is a feature_view, not a push source");
	test_run help = test_fcat(repo, "push", "--help", NULL);
	assert_int_equal(help.status, 0);
	assert_non_null(strstr(help.out, "usage: fcat push --source NAME"));
	assert_non_null(strstr(help.out, "At most 1000000 rows per invocation"));
	test_run_free(&help);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_push_cli__json_lines_are_read_back_online_through_the_transform,
	        test_demo_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_push_cli__csv_rows_are_read_back_online_and_appended_offline, test_demo_setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(test_push_cli__offline_appends_to_the_csv_source_only,
	                                    test_demo_setup, test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_push_cli__a_bad_line_is_named_and_nothing_is_written, test_demo_setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_push_cli__a_denied_principal_is_refused_naming_the_view, test_demo_setup,
	        test_demo_store_teardown),
	    cmocka_unit_test_setup_teardown(
	        test_push_cli__usage_errors_exit_2_and_unknown_sources_1, test_demo_setup,
	        test_demo_store_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
