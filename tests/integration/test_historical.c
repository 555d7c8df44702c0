/* test_historical.c - point-in-time correct training sets: every edge of the
 * window and the tie-breaks, through fcat_get_historical on CSV sources. */
#include "testutil.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "entity { name = 'store', join_keys = { field('store_id', int64) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'ts',\n"
    "         created_timestamp_field = 'created' }\n"
    "source { name = 'visits', path = 'data/visits.csv', timestamp_field = 'ts' }\n"
    "feature_view { name = 'v', entities = { 'user' }, source = 'events', ttl = hours(1),\n"
    "  schema = { field('a', int64), field('b', string) } }\n"
    "feature_view { name = 'w', entities = { 'user', 'store' }, source = 'visits',\n"
    "  schema = { field('n', int64) } }\n";

static const char events[] = "user_id,ts,created,a,b\n"
                             "u1,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z,1,at T\n"
                             "u1,2026-01-01T11:00:00Z,2026-01-01T11:00:00Z,2,after T\n"
                             "u2,2026-01-01T09:00:00Z,2026-01-01T09:00:00Z,3,exactly ttl before\n"
                             "u3,2026-01-01T08:59:59Z,2026-01-01T08:59:59Z,4,one second outside\n"
                             "u4,2026-01-01T09:30:00Z,2026-01-01T09:30:05Z,5,tie newer created\n"
                             "u4,2026-01-01T09:30:00Z,2026-01-01T09:30:01Z,6,tie older created\n"
                             "u5,2026-01-01T09:30:00Z,2026-01-01T09:30:00Z,,\n";

static const char visits[] = "user_id,store_id,ts,n\n"
                             "u1,7,2025-06-01T00:00:00Z,70\n"
                             "u1,8,2025-06-01T00:00:00Z,80\n"
                             "u2,7,2026-01-01T12:00:00Z,99\n";

static const char entity_rows[] =
    "user_id,store_id,event_timestamp,label\n"
    "u1,7,2026-01-01T10:00:00Z,yes\n"      /* exactly at T; w has no ttl: 2025 row */
    "u2,7,2026-01-01T10:00:00Z,no\n"       /* exactly T - ttl; w's row is after T */
    "u3,8,2026-01-01T10:00:00Z,\"a, b\"\n" /* one second outside the ttl */
    "u4,8,2026-01-01T10:00:00Z,no\n"       /* equal event times: larger created wins */
    "u5,7,2026-01-01T10:00:00Z,no\n"       /* a null value */
    "u9,7,2026-01-01T10:00:00Z,no\n"       /* an entity with no rows */
    "u1,7,2026-01-01T10:00:00Z,again\n"    /* a duplicate entity row */
    "u1,8,2026-01-01T10:30:00Z,later\n";   /* composite key u1/8 */

static const char expected[] = "user_id,store_id,event_timestamp,label,a,b,n\n"
                               "u1,7,2026-01-01T10:00:00Z,yes,1,at T,70\n"
                               "u2,7,2026-01-01T10:00:00Z,no,3,exactly ttl before,\n"
                               "u3,8,2026-01-01T10:00:00Z,\"a, b\",,,\n"
                               "u4,8,2026-01-01T10:00:00Z,no,5,tie newer created,\n"
                               "u5,7,2026-01-01T10:00:00Z,no,,,\n"
                               "u9,7,2026-01-01T10:00:00Z,no,,,\n"
                               "u1,7,2026-01-01T10:00:00Z,again,1,at T,70\n"
                               "u1,8,2026-01-01T10:30:00Z,later,1,at T,80\n";

static void test_historical__every_edge_of_the_window(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "fcat.yaml", "project: t\n");
	test_write_file(dir, "catalog/defs.lua", defs);
	test_write_file(dir, "data/events.csv", events);
	test_write_file(dir, "data/visits.csv", visits);
	test_write_file(dir, "entities.csv", entity_rows);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fcat_store *s;
	if (fcat_store_open_ext(&s, dir, &o) != 0)
		fail_msg("%s", fcat_error_last());
	char in[4096], out[4096];
	snprintf(in, sizeof in, "%s/entities.csv", dir);
	snprintf(out, sizeof out, "%s/training.csv", dir);
	const char *refs[] = {"v", "w:n"};
	fcat_historical_stats st;
	if (fcat_get_historical(&st, s, in, refs, 2, NULL, false, out) != 0)
		fail_msg("%s", fcat_error_last());
	assert_int_equal(st.rows, 8);
	assert_int_equal(st.features, 3);
	char *got = test_read_file(out);
	assert_string_equal(got, expected);
	free(got);
	/* full names, and the metadata beside */
	assert_int_equal(fcat_get_historical(&st, s, in, refs, 2, NULL, true, out), 0);
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
	assert_int_equal(fcat_get_historical(&st, s, in, refs, 1, NULL, false, out), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "entity row 1, column 'event_timestamp'"));
	test_write_file(dir, "entities.csv", "user_id,when\nu1,2026-01-01\n");
	assert_int_equal(fcat_get_historical(&st, s, in, refs, 1, NULL, false, out), FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "needs a column 'event_timestamp'"));
	fcat_store_free(s);
	test_rmtree(dir);
	free(dir);
}

static void test_historical__the_demo_through_the_cli(void **state)
{
	(void)state;
	char *parent = test_mkdtemp();
	test_run r = test_fcat(parent, "init", "demo", NULL);
	assert_int_equal(r.status, 0);
	test_run_free(&r);
	char repo[4096];
	snprintf(repo, sizeof repo, "%s/demo", parent);
	test_write_file(repo, "ents.csv",
	                "user_id,event_timestamp,message_length,label\n"
	                "u0001,2030-01-01T00:00:00Z,10,1\n");
	r = test_fcat(repo, "get-historical", "--entities", "ents.csv", "--service", "chat_reply",
	              "-o", "out.csv", NULL);
	if (r.status != 0)
		fail_msg("%s", r.err);
	test_run_free(&r);
	snprintf(repo, sizeof repo, "%s/demo/out.csv", parent);
	char *got = test_read_file(repo);
	/* far after the data: nothing in the ttl window; the on-demand view
	 * still runs on its request column */
	assert_string_equal(got, "user_id,event_timestamp,message_length,label,preferred_language,"
	                         "is_regular,reply_length_hint\n"
	                         "u0001,2030-01-01T00:00:00Z,10,1,,false,20\n");
	free(got);
	test_rmtree(parent);
	free(parent);
}

/* The longest ttl a catalog allows (10,000 years): in effect no lower bound,
 * even for times long before 1970, and no overflow on the way. */
static void test_historical__a_ttl_past_int64_microseconds(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	test_write_file(dir, "fcat.yaml", "project: t\n");
	test_write_file(dir, "catalog/defs.lua",
	                "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	                "source { name = 'events', path = 'data/events.csv', timestamp_field = "
	                "'ts' }\n"
	                "feature_view { name = 'v', entities = { 'user' }, source = 'events',\n"
	                "  ttl = 316224000000, schema = { field('a', int64) } }\n");
	test_write_file(dir, "data/events.csv",
	                "user_id,ts,a\nu1,1900-01-01T00:00:00Z,1\nu2,2026-01-01T00:00:00Z,2\n");
	test_write_file(dir, "entities.csv",
	                "user_id,event_timestamp\nu1,1950-01-01T00:00:00Z\n"
	                "u2,2026-01-02T00:00:00Z\nu2,2025-01-01T00:00:00Z\n");
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fcat_store *s;
	if (fcat_store_open_ext(&s, dir, &o) != 0)
		fail_msg("%s", fcat_error_last());
	char in[4096], out[4096];
	snprintf(in, sizeof in, "%s/entities.csv", dir);
	snprintf(out, sizeof out, "%s/training.csv", dir);
	const char *refs[] = {"v"};
	if (fcat_get_historical(NULL, s, in, refs, 1, NULL, false, out) != 0)
		fail_msg("%s", fcat_error_last());
	char *got = test_read_file(out);
	assert_string_equal(got, "user_id,event_timestamp,a\n"
	                         "u1,1950-01-01T00:00:00Z,1\n"
	                         "u2,2026-01-02T00:00:00Z,2\n"
	                         "u2,2025-01-01T00:00:00Z,\n");
	free(got);
	fcat_store_free(s);
	test_rmtree(dir);
	free(dir);
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
		fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
		o.catalog = FCAT_CATALOG_WORKTREE;
		fcat_store *s;
		if (fcat_store_open_ext(&s, dir, &o) != 0)
			fail_msg("%s", fcat_error_last());
		char in[4096], out[4096];
		snprintf(in, sizeof in, "%s/entities.csv", dir);
		snprintf(out, sizeof out, "%s/training.csv", dir);
		const char *refs[] = {"v"};
		fcat_historical_stats st;
		int rc = fcat_get_historical(&st, s, in, refs, 1, NULL, false, out);
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
		test_rmtree(dir);
		free(dir);
	}
	unsetenv("FCAT_PLUGIN_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_historical__every_edge_of_the_window),
	    cmocka_unit_test(test_historical__the_demo_through_the_cli),
	    cmocka_unit_test(test_historical__a_ttl_past_int64_microseconds),
	    cmocka_unit_test(test_historical__a_pit_join_that_breaks_its_contract),
	};
	return cmocka_run_group_tests_name("historical", tests, NULL, NULL);
}
