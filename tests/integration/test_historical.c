/* test_historical.c - point-in-time correct training sets: every edge of the
 * window and the tie-breaks, through fcat_get_historical on CSV sources. */
#include "testutil.h"

#include "fcat.h"
#include "pit_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_historical__every_edge_of_the_window(void **state)
{
	(void)state;
	char *dir = pit_repo("", true);
	char *got = pit_historical(dir); /* 8 rows, 3 features */
	assert_string_equal(got, pit_expected);
	free(got);
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	const char *refs[] = {"v", "w:n"};
	fcat_historical_stats st;
	fcat_historical_options full = FCAT_HISTORICAL_OPTIONS_INIT;
	full.full_names = true;
	/* full names, and the metadata beside */
	assert_int_equal(fcat_get_historical(&st, s, in, refs, 2, NULL, out, &full), 0);
	got = test_read_file(out);
	assert_non_null(strstr(got, ",v__a,v__b,w__n\n"));
	free(got);
	snprintf(out, sizeof out, "%s/training.csv.meta.json", dir);
	got = test_read_file(out);
	assert_non_null(strstr(got, "\"name\": \"n\""));
	assert_non_null(strstr(got, "\"hash\": "));
	free(got);
	/* a bad entity time is named */
	test_write_file(dir, "entities.csv", "user_id,event_timestamp\nu1,yesterday\n");
	assert_fails_with(fcat_get_historical(&st, s, in, refs, 1, NULL, out, NULL), FCAT_EINVALID,
	                  "entity row 1, column 'event_timestamp'");
	test_write_file(dir, "entities.csv", "user_id,when\nu1,2026-01-01\n");
	assert_fails_with(fcat_get_historical(&st, s, in, refs, 1, NULL, out, NULL), FCAT_EINVALID,
	                  "needs a column 'event_timestamp'");
	fcat_store_free(s);
	test_dir_done(dir);
}

static void test_historical__the_demo_through_the_cli(void **state)
{
	(void)state;
	char *parent = test_mkdtemp();
	test_expect_exit(test_fcat(parent, "init", "demo", NULL), 0, NULL);
	char repo[4096];
	snprintf(repo, sizeof repo, "%s/demo", parent);
	test_write_file(repo, "ents.csv",
	                "user_id,event_timestamp,message_length,label\n"
	                "u0001,2030-01-01T00:00:00Z,10,1\n"
	                "u0002,2030-01-01T00:00:00Z,150,0\n"
	                "u0001,2030-01-02T00:00:00Z,3,1\n");
	test_expect_exit(test_fcat(repo, "get-historical", "--entities", "ents.csv", "--service",
	                           "chat_reply", "-o", "out.csv", NULL),
	                 0, NULL);
	snprintf(repo, sizeof repo, "%s/demo/out.csv", parent);
	char *got = test_read_file(repo);
	/* far after the data: nothing in the ttl window; the on-demand view
	 * still runs on its request column */
	assert_string_equal(got, "user_id,event_timestamp,message_length,label,preferred_language,"
	                         "is_regular,reply_length_hint\n"
	                         "u0001,2030-01-01T00:00:00Z,10,1,,false,20\n"
	                         "u0002,2030-01-01T00:00:00Z,150,0,,false,300\n"
	                         "u0001,2030-01-02T00:00:00Z,3,1,,false,20\n");
	free(got);
	/* a request value that is not an int64 names the view, row and column */
	snprintf(repo, sizeof repo, "%s/demo", parent);
	test_write_file(repo, "ents.csv",
	                "user_id,event_timestamp,message_length,label\n"
	                "u0001,2030-01-01T00:00:00Z,10,1\n"
	                "u0002,2030-01-01T00:00:00Z,many,0\n");
	test_expect_exit(test_fcat(repo, "get-historical", "--entities", "ents.csv", "--service",
	                           "chat_reply", "-o", "out.csv", NULL),
	                 1,
	                 "on-demand view 'reply_style', entity row 2: entity row 2, request "
	                 "column 'message_length'");
	test_dir_done(parent);
}

/* A view's row transform runs on each winning source row, once, and its
 * features go to every entity row that row wins (duplicates included); a
 * failing transform names the view and the entity key. */
static void test_historical__row_transforms_run_on_each_winner(void **state)
{
	(void)state;
	char *dir =
	    test_defs_repo("entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	                   "source { name = 'events', path = 'data/events.csv', timestamp_field = "
	                   "'ts',\n"
	                   "  schema = { field('user_id', string), field('ts', timestamp),\n"
	                   "             field('a', int64) } }\n"
	                   "feature_view { name = 'v', entities = { 'user' }, source = 'events',\n"
	                   "  schema = { field('doubled', int64), field('who', string) },\n"
	                   "  transform = function(row)\n"
	                   "    if row.a < 0 then error('negative a') end\n"
	                   "    return { doubled = row.a * 2, who = row.user_id .. '@' .. row.a }\n"
	                   "  end,\n"
	                   "}\n");
	size_t cap = 512 * 1024, len = 0;
	char *csv = malloc(cap);
	len += (size_t)snprintf(csv, cap, "user_id,ts,a\n");
	/* enough rows that the scan hands them over in several batches */
	for (int i = 0; i < 10000; i++)
		len += (size_t)snprintf(csv + len, cap - len, "u%d,2026-01-01T%02d:%02d:00Z,%d\n",
		                        i % 100, i / 100 / 60, i / 100 % 60, i);
	assert_true(len < cap);
	test_write_file(dir, "data/events.csv", csv);
	free(csv);
	test_write_file(dir, "entities.csv",
	                "user_id,event_timestamp\n"
	                "u7,2026-01-01T00:05:30Z\n"
	                "u7,2026-01-01T00:05:30Z\n"
	                "u8,2026-01-01T00:00:00Z\n"
	                "u42,2026-01-01T01:30:10Z\n"
	                "nobody,2026-01-01T00:05:30Z\n");
	char *got = pit_training_of(dir, "v");
	/* u7 at 00:05:30 wins the row of minute 5 (a = 507), u8 at 00:00 the
	 * row of minute 0 (a = 8), u42 at 01:30:10 the row of minute 90 (a =
	 * 9042, in the scan's third batch of 4096 rows) */
	assert_string_equal(got, "user_id,event_timestamp,doubled,who\n"
	                         "u7,2026-01-01T00:05:30Z,1014,u7@507\n"
	                         "u7,2026-01-01T00:05:30Z,1014,u7@507\n"
	                         "u8,2026-01-01T00:00:00Z,16,u8@8\n"
	                         "u42,2026-01-01T01:30:10Z,18084,u42@9042\n"
	                         "nobody,2026-01-01T00:05:30Z,,\n");
	free(got);
	/* a winner the transform refuses */
	test_write_file(dir, "data/events.csv",
	                "user_id,ts,a\nu1,2026-01-01T00:00:00Z,5\n"
	                "u2,2026-01-01T00:00:00Z,-1\n");
	test_write_file(dir, "entities.csv",
	                "user_id,event_timestamp\n"
	                "u1,2026-01-02T00:00:00Z\n"
	                "u2,2026-01-02T00:00:00Z\n");
	fcat_store *s = pit_open_worktree(dir);
	char in[4096], out[4096];
	pit_paths(dir, in, out);
	const char *refs[] = {"v"};
	assert_int_equal(fcat_get_historical(NULL, s, in, refs, 1, NULL, out, NULL), FCAT_EINVALID);
	if (!strstr(fcat_error_last(), "feature_view 'v', entity user_id=u2") ||
	    !strstr(fcat_error_last(), "negative a"))
		fail_msg("%s", fcat_error_last());
	fcat_store_free(s);
	test_dir_done(dir);
}

/* The longest ttl a catalog allows (10,000 years): in effect no lower bound,
 * even for times long before 1970, and no overflow on the way. */
static void test_historical__a_ttl_past_int64_microseconds(void **state)
{
	(void)state;
	char *dir =
	    test_defs_repo("entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	                   "source { name = 'events', path = 'data/events.csv', timestamp_field = "
	                   "'ts' }\n"
	                   "feature_view { name = 'v', entities = { 'user' }, source = 'events',\n"
	                   "  ttl = 316224000000, schema = { field('a', int64) } }\n");
	test_write_file(dir, "data/events.csv",
	                "user_id,ts,a\nu1,1900-01-01T00:00:00Z,1\nu2,2026-01-01T00:00:00Z,2\n");
	test_write_file(dir, "entities.csv",
	                "user_id,event_timestamp\nu1,1950-01-01T00:00:00Z\n"
	                "u2,2026-01-02T00:00:00Z\nu2,2025-01-01T00:00:00Z\n");
	char *got = pit_training_of(dir, "v");
	assert_string_equal(got, "user_id,event_timestamp,a\n"
	                         "u1,1950-01-01T00:00:00Z,1\n"
	                         "u2,2026-01-02T00:00:00Z,2\n"
	                         "u2,2025-01-01T00:00:00Z,\n");
	free(got);
	test_dir_done(dir);
}

/* An offline store plugin whose pit_join answers rows outside the request,
 * declines after answering, or leaves rows unanswered is an error naming
 * it, and its rows never reach core's arrays (tests/plugins/fixtures/
 * bad_join.c). */
static void test_historical__a_pit_join_that_breaks_its_contract(void **state)
{
	(void)state;
	setenv("FCAT_PLUGIN_PATH", FCAT_TEST_FIXTURE_DIR, 1);
	const char *modes[] = {"overflow", "late_decline", "short", "decline"};
	const char *want[] = {"pit_join answered entity rows 3 to 3 when row 1 of 2 was due",
	                      "pit_join declined after answering 1 entity rows",
	                      "pit_join answered 0 of 2 entity rows", NULL};
	for (size_t m = 0; m < sizeof modes / sizeof *modes; m++) {
		char *dir = test_mkdtemp(), yaml[256];
		snprintf(yaml, sizeof yaml,
		         "project: t\noffline_store:\n  plugin: badjoin\n  mode: %s\n", modes[m]);
		test_write_file(dir, "fcat.yaml", yaml);
		test_write_file(dir, "catalog/defs.lua",
		                "entity { name = 'user', join_keys = { field('user_id', string) } "
		                "}\n"
		                "source { name = 'events', table = 'events', timestamp_field = "
		                "'ts' }\n"
		                "feature_view { name = 'v', entities = { 'user' }, source = "
		                "'events',\n"
		                "  schema = { field('a', int64), field('b', string) } }\n");
		test_write_file(dir, "entities.csv",
		                "user_id,event_timestamp\nu1,2026-01-01T00:00:00Z\n"
		                "u2,2026-01-01T00:00:00Z\n");
		fcat_store *s = pit_open_worktree(dir);
		char in[4096], out[4096];
		pit_paths(dir, in, out);
		const char *refs[] = {"v"};
		fcat_historical_stats st;
		int rc = fcat_get_historical(&st, s, in, refs, 1, NULL, out, NULL);
		if (want[m]) {
			if (rc != FCAT_EIO)
				fail_msg("mode %s: %d, %s", modes[m], rc,
				         rc ? fcat_error_last() : "");
			assert_non_null(strstr(fcat_error_last(), "source 'events': offline store "
			                                          "plugin 'badjoin': "));
			if (!strstr(fcat_error_last(), want[m]))
				fail_msg("mode %s: %s", modes[m], fcat_error_last());
		} else {
			/* declined before answering: core joins (its scan reads nothing) */
			if (rc != 0)
				fail_msg("mode %s: %s", modes[m], fcat_error_last());
			assert_int_equal(st.pushed_down, 0);
			char *got = test_read_file(out);
			assert_string_equal(got, "user_id,event_timestamp,a,b\n"
			                         "u1,2026-01-01T00:00:00Z,,\n"
			                         "u2,2026-01-01T00:00:00Z,,\n");
			free(got);
		}
		fcat_store_free(s);
		test_dir_done(dir);
	}
	unsetenv("FCAT_PLUGIN_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_historical__every_edge_of_the_window),
	    cmocka_unit_test(test_historical__the_demo_through_the_cli),
	    cmocka_unit_test(test_historical__a_ttl_past_int64_microseconds),
	    cmocka_unit_test(test_historical__row_transforms_run_on_each_winner),
	    cmocka_unit_test(test_historical__a_pit_join_that_breaks_its_contract),
	};
	return cmocka_run_group_tests_name("historical", tests, NULL, NULL);
}
