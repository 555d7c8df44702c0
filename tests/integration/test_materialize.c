/* test_materialize.c - what materialize writes, through the C API: the
 * latest row per key in [START, END), ties by created time, nulls, rows
 * without a key, never replacing a newer row; and the statuses a read gives. */
#include "testutil.h"

#include "fcat.h"

#include <stdlib.h>
#include <string.h>

static const char defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'ts',\n"
    "         created_timestamp_field = 'created' }\n"
    "feature_view { name = 'v', entities = { 'user' }, source = 'events', ttl = days(1),\n"
    "  schema = { field('a', int64), field('b', string) } }\n";

static const char events[] = "user_id,ts,created,a,b\n"
                             "u1,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,old\n"
                             "u1,2026-01-02T00:00:00Z,2026-01-02T00:00:00Z,2,new\n"
                             "u1,2026-01-02T00:00:00Z,2026-01-02T00:00:05Z,3,newest created\n"
                             "u1,2026-01-02T00:00:00Z,2026-01-02T00:00:01Z,4,lower created\n"
                             "u1,2026-01-05T00:00:00Z,2026-01-05T00:00:00Z,9,at END: excluded\n"
                             "u2,2026-01-02T06:00:00Z,2026-01-02T06:00:00Z,,\n"
                             ",2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,5,no key\n"
                             "u3,2025-12-01T00:00:00Z,2025-12-01T00:00:00Z,7,before START\n";

static int64_t t(const char *s)
{
	int64_t v;
	assert_int_equal(fcat_timestamp_parse(&v, s, strlen(s)), 0);
	return v;
}

typedef struct fixture {
	char *dir;
	fcat_store *store;
	fcat_feature_set *set;
	fcat_online_result *res;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->dir = test_defs_repo(defs);
	test_write_file(f->dir, "data/events.csv", events);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	if (fcat_store_open_ext(&f->store, f->dir, &o) != 0)
		fail_msg("%s", fcat_error_last());
	const char *refs[] = {"v"};
	assert_int_equal(fcat_feature_set_new(&f->set, f->store, refs, 1), 0);
	assert_int_equal(fcat_online_result_new(&f->res), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fcat_online_result_free(f->res);
	fcat_feature_set_free(f->set);
	fcat_store_free(f->store);
	test_dir_done(f->dir);
	free(f);
	return 0;
}

static void read_users(fixture *f, const char *at)
{
	const char *users[] = {"u1", "u2", "u3"};
	fcat_value keys[3];
	for (int i = 0; i < 3; i++)
		keys[i] = (fcat_value){.type = {FCAT_STRING, false, 0},
		                       .u.str = {users[i], strlen(users[i])}};
	if (fcat_online_read(
	        f->res, f->store, f->set, keys, 3,
	        &(fcat_read_options){.size = sizeof(fcat_read_options), .now = t(at)}) != 0)
		fail_msg("%s", fcat_error_last());
}

static void test_materialize__latest_row_per_key_wins_with_created_time_ties(void **state)
{
	fixture *f = *state;
	fcat_materialize_stats st;
	assert_int_equal(fcat_materialize(&st, f->store, t("2025-12-15T00:00:00Z"),
	                                  t("2026-01-05T00:00:00Z"), NULL, 0, NULL, NULL),
	                 0);
	assert_int_equal(st.views, 1);
	assert_int_equal(st.rows_read, 5); /* u1 x4, u2 */
	assert_int_equal(st.rows_skipped, 1);
	assert_int_equal(st.keys_written, 2);

	read_users(f, "2026-01-02T12:00:00Z");
	assert_int_equal(fcat_online_result_rows(f->res), 3);
	const fcat_feature_value *a = fcat_online_result_at(f->res, 0, 0);
	const fcat_feature_value *b = fcat_online_result_at(f->res, 0, 1);
	assert_int_equal(a->status, FCAT_STATUS_PRESENT);
	assert_int_equal(a->value.u.i64, 3);
	assert_int_equal(b->value.u.str.len, strlen("newest created"));
	assert_memory_equal(b->value.u.str.ptr, "newest created", b->value.u.str.len);
	assert_true(a->event_ts == t("2026-01-02T00:00:00Z"));
	assert_false(a->stale_version);
	assert_int_equal(fcat_online_result_at(f->res, 1, 0)->status, FCAT_STATUS_NULL_VALUE);
	assert_int_equal(fcat_online_result_at(f->res, 1, 1)->status, FCAT_STATUS_NULL_VALUE);
	assert_int_equal(fcat_online_result_at(f->res, 2, 0)->status, FCAT_STATUS_NOT_FOUND);

	/* past the one-day ttl the value is still given, marked */
	read_users(f, "2026-01-04T00:00:00Z");
	a = fcat_online_result_at(f->res, 0, 0);
	assert_int_equal(a->status, FCAT_STATUS_OUTSIDE_MAX_AGE);
	assert_int_equal(a->value.u.i64, 3);
}

static void test_materialize__an_older_run_never_replaces_newer_rows(void **state)
{
	fixture *f = *state;
	assert_int_equal(fcat_materialize(NULL, f->store, t("2025-12-15T00:00:00Z"),
	                                  t("2026-01-05T00:00:00Z"), NULL, 0, NULL, NULL),
	                 0);
	/* a backfill of an earlier window: u1's 2026-01-01 row is older */
	fcat_materialize_stats st;
	const char *views[] = {"v"};
	assert_int_equal(fcat_materialize(&st, f->store, t("2025-11-01T00:00:00Z"),
	                                  t("2026-01-01T12:00:00Z"), views, 1, NULL, NULL),
	                 0);
	read_users(f, "2026-01-02T12:00:00Z");
	assert_int_equal(fcat_online_result_at(f->res, 0, 0)->value.u.i64, 3);
	/* u3's row, before the first START, arrived with the backfill */
	assert_int_equal(fcat_online_result_at(f->res, 2, 0)->value.u.i64, 7);
}

static void test_materialize__bad_requests_fail_cleanly(void **state)
{
	fixture *f = *state;
	const char *views[] = {"nope"};
	assert_int_equal(fcat_materialize(NULL, f->store, 0, 1, views, 1, NULL, NULL),
	                 FCAT_ENOTFOUND);
	assert_non_null(strstr(fcat_error_last(), "unknown feature view 'nope'"));
	assert_int_equal(fcat_materialize(NULL, f->store, 5, 5, NULL, 0, NULL, NULL),
	                 FCAT_EINVALID);
	/* a bad cell names file:line:column; nothing is written */
	test_write_file(f->dir, "data/events.csv",
	                "user_id,ts,created,a,b\n"
	                "u9,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,x\n"
	                "u9,2026-01-02T00:00:00Z,2026-01-02T00:00:00Z,x1,y\n");
	assert_int_equal(
	    fcat_materialize(NULL, f->store, 0, t("2027-01-01T00:00:00Z"), NULL, 0, NULL, NULL),
	    FCAT_EINVALID);
	assert_non_null(strstr(fcat_error_last(), "data/events.csv:3:4"));
	fcat_value key = {.type = {FCAT_STRING, false, 0}, .u.str = {"u9", 2}};
	assert_int_equal(fcat_online_read(f->res, f->store, f->set, &key, 1, NULL), 0);
	assert_int_equal(fcat_online_result_at(f->res, 0, 0)->status, FCAT_STATUS_NOT_FOUND);
	/* a key of the wrong type */
	fcat_value bad = {.type = {FCAT_INT64, false, 0}, .u.i64 = 1};
	assert_fails_with(fcat_online_read(f->res, f->store, f->set, &bad, 1, NULL), FCAT_EINVALID,
	                  "join key 'user_id' is int64, expected string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_materialize__latest_row_per_key_wins_with_created_time_ties, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_materialize__an_older_run_never_replaces_newer_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_materialize__bad_requests_fail_cleanly, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests_name("materialize", tests, NULL, NULL);
}
