/* test_online_result.c - a whole online result read in one piece
 * (fcat_online_result_values, the Python client's bulk path): the values lie
 * row-major, each where fcat_online_result_at finds it, and there is nothing
 * to read before a read, for no rows, or for a NULL result. */
#include "testutil.h"

#include "fcat.h"

#include <stdlib.h>
#include <string.h>

typedef struct fixture {
	char *parent, *repo;
	fcat_store *store;
	fcat_feature_set *set;
	fcat_online_result *res;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->repo = test_demo_repo(&f->parent, false);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = "fcat-operator";
	if (fcat_store_open_ext(&f->store, f->repo, &o) != 0)
		fail_msg("open: %s", fcat_error_last());
	/* user_features:preferred_language (NOT_FOUND: nothing materialized) and
	 * the on-demand view reply_style's two features (PRESENT, computed) */
	if (fcat_feature_set_for_service(&f->set, f->store, "chat_reply") != 0)
		fail_msg("set: %s", fcat_error_last());
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
	test_repo_done(f->parent, f->repo);
	free(f);
	return 0;
}

#define ROWS 3

/* Reads ROWS users (or `nrows` of them) with message lengths 5, 100, 300. */
static void read_rows(fixture *f, size_t nrows)
{
	static const char *const users[ROWS] = {"u1", "u2", "u3"};
	fcat_value keys[ROWS], request[ROWS];
	for (size_t r = 0; r < ROWS; r++) {
		keys[r] = (fcat_value){.type = {FCAT_STRING, false, 0},
		                       .u.str = {users[r], strlen(users[r])}};
		request[r] = (fcat_value){.type = {FCAT_INT64, false, 0},
		                          .u.i64 = r == 0   ? 5
		                                   : r == 1 ? 100
		                                            : 300};
	}
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.now = 0;
	o.request = request;
	if (fcat_online_read(f->res, f->store, f->set, keys, nrows, &o) != 0)
		fail_msg("read: %s", fcat_error_last());
}

static void test_online_result__values_lie_row_major_where_at_finds_them(void **state)
{
	fixture *f = *state;
	read_rows(f, ROWS);
	size_t nf = fcat_feature_set_count(f->set);
	assert_int_equal(nf, 3);
	assert_int_equal(fcat_online_result_rows(f->res), ROWS);
	const fcat_feature_value *all = fcat_online_result_values(f->res);
	assert_non_null(all);
	for (size_t r = 0; r < ROWS; r++)
		for (size_t i = 0; i < nf; i++)
			assert_ptr_equal(&all[r * nf + i], fcat_online_result_at(f->res, r, i));
	/* the values themselves: not found, then the transform's outputs */
	for (size_t r = 0; r < ROWS; r++) {
		assert_int_equal(all[r * nf].status, FCAT_STATUS_NOT_FOUND);
		assert_true(all[r * nf].value.is_null);
		assert_int_equal(all[r * nf + 1].status, FCAT_STATUS_PRESENT);
		assert_int_equal(all[r * nf + 2].status, FCAT_STATUS_PRESENT);
	}
	assert_int_equal(all[0 * nf + 2].value.u.i64, 20);  /* max(20, 5 * 2) */
	assert_int_equal(all[1 * nf + 2].value.u.i64, 200); /* 100 * 2 */
	assert_int_equal(all[2 * nf + 2].value.u.i64, 400); /* min(400, 600) */
}

static void test_online_result__nothing_to_read_before_a_read_or_for_no_rows(void **state)
{
	fixture *f = *state;
	fcat_online_result *fresh;
	assert_int_equal(fcat_online_result_new(&fresh), 0);
	assert_null(fcat_online_result_values(fresh));
	fcat_online_result_free(fresh);
	assert_null(fcat_online_result_values(NULL));
	read_rows(f, ROWS);
	assert_non_null(fcat_online_result_values(f->res));
	read_rows(f, 0); /* a read of no rows leaves nothing to read */
	assert_int_equal(fcat_online_result_rows(f->res), 0);
	assert_null(fcat_online_result_values(f->res));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_result__values_lie_row_major_where_at_finds_them),
	    cmocka_unit_test(test_online_result__nothing_to_read_before_a_read_or_for_no_rows),
	};
	return cmocka_run_group_tests_name("online_result", tests, setup, teardown);
}
