/* test_online_sqlite.c - the SQLite online store: conformance, names, threads. */
#include "testutil.h"

#include "offline_rows.h"
#include "online_conformance.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const fcat_online_ops *sqlite_ops(void)
{
	test_offline_ops("sqlite"); /* sqlite is also the offline store */
	return online_plugin_ops("sqlite");
}

static void test_online_sqlite__conformance(void **state)
{
	(void)state;
	online_conformance_in_tempdir("sqlite", "store/online.db", "store/online.db");
}

/* Each test below: a fresh store of default settings (online_fixture). */
static int setup(void **state)
{
	return online_fixture_setup(state, sqlite_ops());
}

static void test_online_sqlite__default_path_and_wal(void **state)
{
	online_fixture *f = *state;
	fcat_online_row row;
	online_row_make(&row, "k", 1, 1, "v");
	assert_int_equal(f->ops->write(f->store, "v", &row, 1), 0);
	assert_true(test_path_exists(f->dir, "data/online.db"));
	assert_true(test_path_exists(f->dir, "data/online.db-wal"));
	online_row_free(&row);
}

static void test_online_sqlite__bad_view_names_are_refused(void **state)
{
	online_fixture *f = *state;
	const fcat_online_ops *ops = f->ops;
	fcat_online_row row;
	online_row_make(&row, "k", 1, 1, "v");
	const char *bad[] = {"x\"; DROP TABLE fcat_meta; --", "it's", "a b", "", "a.b", "é"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fcat_bytes out;
		assert_fails_with(ops->write(f->store, bad[i], &row, 1), FCAT_EINVALID,
		                  "invalid view name");
		assert_int_equal(ops->read(f->store, bad[i], &row.key, 1, &out), FCAT_EINVALID);
		assert_int_equal(ops->drop_view(f->store, bad[i]), FCAT_EINVALID);
	}
	/* The store is unharmed and still works. */
	assert_int_equal(ops->meta_set(f->store, "m", "1"), 0);
	assert_int_equal(ops->write(f->store, "Good_view_2", &row, 1), 0);
	online_expect_row(ops, f->store, "Good_view_2", "k", &row);
	online_row_free(&row);
}

static void test_online_sqlite__bad_rows_are_refused(void **state)
{
	fcat_online_row good, bad;
	online_row_make(&good, "k", 5, 1, "good");
	bad = good;
	bad.created_ts = 2; /* disagrees with the header */
	online_fixture *f = *state;
	online_expect_batch_refused(f, &good, &bad);
	assert_int_equal(f->ops->write(f->store, "v", &good, 1), 0);
	online_expect_row(f->ops, f->store, "v", "k", &good);
	online_row_free(&good);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* A thread's connection is closed when the thread ends. */
static void test_online_sqlite__threads_come_and_go(void **state)
{
	online_fixture *f = *state;
	fcat_online_row row;
	online_row_make(&row, "k", 1, 1, "v");
	assert_int_equal(f->ops->write(f->store, "v", &row, 1), 0);
	/* SQLite keeps the file descriptor of a closed connection for reuse
	 * while others hold locks on the file: count after a first thread. */
	int before = 0;
	for (int i = 0; i < 100; i++) {
		if (i == 1)
			before = count_fds();
		if (!online_read_in_thread(f->ops, f->store, "v", &row))
			fail_msg("thread %d: %s", i, fcat_error_last());
	}
	assert_int_equal(count_fds(), before);
	online_row_free(&row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_sqlite__conformance),
	    cmocka_unit_test_setup_teardown(test_online_sqlite__default_path_and_wal, setup,
	                                    online_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_online_sqlite__bad_view_names_are_refused, setup,
	                                    online_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_online_sqlite__bad_rows_are_refused, setup,
	                                    online_fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_online_sqlite__threads_come_and_go, setup,
	                                    online_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
