/* test_online_lmdb.c - the LMDB online store: conformance, map growth, threads. */
#include "testutil.h"

#include "online_conformance.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_online_lmdb__conformance(void **state)
{
	(void)state;
	online_conformance_in_tempdir("lmdb", "store/online.lmdb", "store/online.lmdb/data.mdb");
}

static void test_online_lmdb__default_and_absolute_paths(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	fcat_plugin_config *config = test_plugin_config(dir, NULL);
	void *s = online_open(ops, config);
	ops->close(s);
	assert_true(test_path_exists(dir, "data/online.lmdb/data.mdb"));
	free(config);

	char abs[4096];
	snprintf(abs, sizeof abs, "%s/elsewhere/db", dir);
	const char *kv[] = {"path", abs, NULL};
	config = test_plugin_config("/nonexistent-root", kv);
	s = online_open(ops, config);
	ops->close(s);
	assert_true(test_path_exists(dir, "elsewhere/db/data.mdb"));
	free(config);
}

static void test_online_lmdb__bad_settings_are_refused(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	const char *bad[][4] = {
	    {"map_size_mb", "lots", NULL},
	    {"map_size_mb", "0", NULL},
	    {"map_size_mb", "-5", NULL},
	    {"max_views", "12x", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fcat_plugin_config *config = test_plugin_config(dir, bad[i]);
		void *s = (void *)1;
		assert_int_equal(ops->open(&s, config), FCAT_EINVALID);
		assert_null(s);
		assert_non_null(strstr(fcat_error_last(), bad[i][0]));
		free(config);
	}
}

static void test_online_lmdb__one_environment_open_once(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	fcat_plugin_config *config = test_plugin_config(dir, NULL);
	void *s = online_open(ops, config), *again = NULL;
	assert_int_equal(ops->open(&again, config), FCAT_EEXISTS);
	assert_null(again);
	ops->close(s);
	s = online_open(ops, config);
	ops->close(s);
	free(config);
}

static void test_online_lmdb__bad_rows_are_refused(void **state)
{
	(void)state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	online_fixture f;
	online_fixture_open(&f, ops, NULL);
	void *s = f.store;
	fcat_online_row good, bad;
	online_row_make(&good, "k", 5, 1, "good");
	bad = good;
	bad.row.len = 10; /* shorter than the header */
	online_expect_batch_refused(&f, &good, &bad);
	bad = good;
	bad.event_ts = 6; /* disagrees with the header */
	assert_int_equal(ops->write(s, "v", &bad, 1), FCAT_EINVALID);
	bad = good;
	bad.key.len = 0;
	assert_int_equal(ops->write(s, "v", &bad, 1), FCAT_EINVALID);
	assert_int_equal(ops->write(s, "__meta", &good, 1), FCAT_EINVALID);
	assert_int_equal(ops->write(s, "", &good, 1), FCAT_EINVALID);
	assert_int_equal(ops->write(s, "v", &good, 1), 0);
	online_expect_row(ops, s, "v", "k", &good);
	online_row_free(&good);
	online_fixture_done(&f);
}

/* Map growth: a 1 MB map takes 50,000 rows, in one batch and in many, with
 * readers running while the map moves. */
#define GROW_ROWS 50000

typedef struct grow_reader {
	const fcat_online_ops *ops;
	void *store;
	const fcat_online_row *rows;
	atomic_int stop;
	long reads, errors;
} grow_reader;

static void *grow_reader_main(void *p)
{
	grow_reader *g = p;
	fcat_bytes keys[4], out[4];
	for (size_t i = 0; !atomic_load(&g->stop); i = (i + 4) % 1000) {
		for (int j = 0; j < 4; j++)
			keys[j] = g->rows[i + j].key;
		if (g->ops->read(g->store, "first", keys, 4, out) != 0) {
			g->errors++;
			continue;
		}
		for (int j = 0; j < 4; j++)
			if (out[j].len != g->rows[i + j].row.len ||
			    memcmp(out[j].ptr, g->rows[i + j].row.ptr, out[j].len) != 0)
				g->errors++;
		g->reads++;
	}
	return NULL;
}

static void make_rows(fcat_online_row *rows, size_t n, const char *prefix)
{
	char key[64], payload[128];
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%s:%06zu", prefix, i);
		snprintf(payload, sizeof payload,
		         "payload %zu of %s, padded to look like "
		         "a row of a few features",
		         i, prefix);
		online_row_make(&rows[i], key, 1000 + (int64_t)i, 1, payload);
	}
}

static void test_online_lmdb__map_grows(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	const char *kv[] = {"map_size_mb", "1", NULL};
	fcat_plugin_config *config = test_plugin_config(dir, kv);
	void *s = online_open(ops, config);
	fcat_online_row *a = calloc(GROW_ROWS, sizeof *a), *b = calloc(GROW_ROWS, sizeof *b);
	assert_true(a && b);
	make_rows(a, GROW_ROWS, "first");
	make_rows(b, GROW_ROWS, "second");

	int rc = ops->write(s, "first", a, GROW_ROWS);
	if (rc)
		fail_msg("one big batch: %s", fcat_error_last());
	grow_reader readers[2];
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		readers[i] = (grow_reader){ops, s, a, 0, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, grow_reader_main, &readers[i]), 0);
	}
	for (size_t i = 0; i < GROW_ROWS; i += 500) {
		rc = ops->write(s, "second", b + i, 500);
		if (rc)
			fail_msg("batch at %zu: %s", i, fcat_error_last());
	}
	for (int i = 0; i < 2; i++) {
		atomic_store(&readers[i].stop, 1);
		pthread_join(th[i], NULL);
		assert_int_equal(readers[i].errors, 0);
		assert_true(readers[i].reads > 0);
	}
	ops->close(s);
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/data/online.lmdb/data.mdb", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 4 << 20); /* well past the 1 MB map */

	s = online_open(ops, config); /* reopens with the grown map */
	for (size_t i = 0; i < GROW_ROWS; i += 997) {
		online_expect_row(ops, s, "first", a[i].key.ptr, &a[i]);
		online_expect_row(ops, s, "second", b[i].key.ptr, &b[i]);
	}
	ops->close(s);
	for (size_t i = 0; i < GROW_ROWS; i++) {
		online_row_free(&a[i]);
		online_row_free(&b[i]);
	}
	free(a);
	free(b);
	free(config);
}

/* Another process grows the map under an open store: the store's readers
 * and writer adopt the new size (MDB_MAP_RESIZED) instead of failing. */
static int child_write(const fcat_online_ops *ops, const fcat_plugin_config *config, int fd,
                       const char *view, size_t n)
{
	char c;
	if (read(fd, &c, 1) != 1)
		return 2;
	void *s = NULL;
	if (ops->open(&s, config))
		return 3;
	fcat_online_row *rows = calloc(n, sizeof *rows);
	make_rows(rows, n, view);
	int rc = ops->write(s, view, rows, n);
	ops->close(s);
	for (size_t i = 0; i < n; i++)
		online_row_free(&rows[i]);
	free(rows);
	return rc ? 4 : 0;
}

/* Forks a child that waits for a byte on *go, then writes n rows. */
static pid_t spawn_writer(const fcat_online_ops *ops, const fcat_plugin_config *config,
                          const char *view, size_t n, int *go)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		_exit(child_write(ops, config, p[0], view, n));
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void run_writer(pid_t pid, int go)
{
	assert_int_equal(write(go, "x", 1), 1);
	close(go);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_online_lmdb__map_grown_by_another_process(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	const char *kv[] = {"map_size_mb", "1", NULL};
	fcat_plugin_config *config = test_plugin_config(dir, kv);
	int go_a, go_b;
	/* Fork first: the children must not inherit an open environment. */
	pid_t a = spawn_writer(ops, config, "child_a", 30000, &go_a);
	pid_t b = spawn_writer(ops, config, "child_b", 60000, &go_b);

	void *s = online_open(ops, config);
	fcat_online_row mine[2], theirs;
	make_rows(mine, 2, "parent");
	assert_int_equal(ops->write(s, "parent", mine, 1), 0);
	online_expect_row(ops, s, "parent", mine[0].key.ptr, &mine[0]);

	run_writer(a, go_a); /* readers adopt the size */
	make_rows(&theirs, 1, "child_a");
	online_expect_row(ops, s, "child_a", theirs.key.ptr, &theirs);
	online_row_free(&theirs);

	run_writer(b, go_b); /* the writer adopts the size */
	int rc = ops->write(s, "parent", &mine[1], 1);
	if (rc)
		fail_msg("write after another process grew the map: %s", fcat_error_last());
	online_expect_row(ops, s, "parent", mine[1].key.ptr, &mine[1]);
	make_rows(&theirs, 1, "child_b");
	online_expect_row(ops, s, "child_b", theirs.key.ptr, &theirs);
	online_row_free(&theirs);
	online_row_free(&mine[0]);
	online_row_free(&mine[1]);
	ops->close(s);
	free(config);
}

/* A thread's reader slot goes away with the thread: more threads than
 * LMDB has reader entries come and go. */
static void test_online_lmdb__threads_come_and_go(void **state)
{
	(void)state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	const char *kv[] = {"max_readers", "16", NULL};
	online_fixture f;
	online_fixture_open(&f, ops, kv);
	void *s = f.store;
	fcat_online_row row;
	online_row_make(&row, "k", 1, 1, "v");
	assert_int_equal(ops->write(s, "v", &row, 1), 0);
	for (int i = 0; i < 100; i++) {
		if (!online_read_in_thread(ops, s, "v", &row))
			fail_msg("thread %d: %s", i, fcat_error_last());
	}
	online_fixture_done(&f);
	online_row_free(&row);
}

/* Two stores at once on one thread; a closed store's slot is never used. */
static void test_online_lmdb__several_stores(void **state)
{
	const char *dir = *state;
	const fcat_online_ops *ops = online_plugin_ops("lmdb");
	const char *kv1[] = {"path", "one", NULL}, *kv2[] = {"path", "two", NULL};
	fcat_plugin_config *c1 = test_plugin_config(dir, kv1), *c2 = test_plugin_config(dir, kv2);
	fcat_online_row r1, r2;
	online_row_make(&r1, "k", 1, 1, "in one");
	online_row_make(&r2, "k", 1, 1, "in two");
	for (int round = 0; round < 20; round++) {
		void *s1 = online_open(ops, c1), *s2 = online_open(ops, c2);
		assert_int_equal(ops->write(s1, "v", &r1, 1), 0);
		assert_int_equal(ops->write(s2, "v", &r2, 1), 0);
		online_expect_row(ops, s1, "v", "k", &r1);
		online_expect_row(ops, s2, "v", "k", &r2);
		ops->close(round % 2 ? s1 : s2);
		online_expect_row(ops, round % 2 ? s2 : s1, "v", "k", round % 2 ? &r2 : &r1);
		ops->close(round % 2 ? s2 : s1);
	}
	online_row_free(&r1);
	online_row_free(&r2);
	free(c1);
	free(c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_lmdb__conformance),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__default_and_absolute_paths,
	                                    test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__bad_settings_are_refused,
	                                    test_dir_setup, test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__one_environment_open_once,
	                                    test_dir_setup, test_dir_teardown),
	    cmocka_unit_test(test_online_lmdb__bad_rows_are_refused),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__map_grows, test_dir_setup,
	                                    test_dir_teardown),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__map_grown_by_another_process,
	                                    test_dir_setup, test_dir_teardown),
	    cmocka_unit_test(test_online_lmdb__threads_come_and_go),
	    cmocka_unit_test_setup_teardown(test_online_lmdb__several_stores, test_dir_setup,
	                                    test_dir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
