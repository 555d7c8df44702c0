/* test_store_damage.c - a damaged online store file is an error naming the
 * file, never a crash: an LMDB data file cut short (a copy that stopped, a
 * full disk) or with its meta pages overwritten, an SQLite file cut short
 * or with pages scrambled. The real fcat binary reads and materializes; a
 * crash would show as its exit status. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const READ[] = {
    "get-online", "--features",    "user_features:total_conversations",
    "--entity",   "user_id=u0001", NULL};

/* A demo repo on this online store, materialized. */
static char *repo_on(char **parent, const char *online_yaml)
{
	char *repo = test_demo_repo(parent, true);
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
	         "project: chat_assistant\ncatalog: catalog\npolicies: policies\n%s"
	         "policy:\n  audit_log: data/audit.log\n",
	         online_yaml);
	test_write_file(repo, "fcat.yaml", yaml);
	test_commit_and_apply(repo, "this test's online store");
	test_expect_exit(test_fcat(repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	return repo;
}

static void cut_to(const char *repo, const char *rel, off_t size)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", repo, rel);
	assert_int_equal(truncate(path, size), 0);
}

/* XORs `n` bytes every `step` from `from` on. */
static void scramble(const char *repo, const char *rel, off_t from, off_t step, size_t n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", repo, rel);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	for (off_t at = from; at < st.st_size; at += step) {
		unsigned char b[64];
		size_t k = n < sizeof b ? n : sizeof b;
		ssize_t got = pread(fd, b, k, at);
		for (ssize_t i = 0; i < got; i++)
			b[i] ^= 0x5a;
		if (got > 0)
			assert_int_equal(pwrite(fd, b, (size_t)got, at), got);
	}
	close(fd);
}

/* A read and a materialize: each an error naming `file`, or a success;
 * never a crash. */
static void no_crash(const char *repo, const char *file, bool must_fail)
{
	test_run r = test_fcat_as(repo, "ranking-service", READ);
	if (r.status >= 128 || (must_fail && r.status == 0) ||
	    (r.status != 0 && !strstr(r.err, file)))
		fail_msg("a read of the damaged %s exited %d: %s", file, r.status, r.err);
	test_run_free(&r);
	r = test_fcat(repo, "materialize", "2020-01-01", "now", NULL);
	if (r.status >= 128 || (must_fail && r.status == 0) ||
	    (r.status != 0 && !strstr(r.err, file)))
		fail_msg("materialize over the damaged %s exited %d: %s", file, r.status, r.err);
	test_run_free(&r);
}

static void test_store_damage__a_truncated_lmdb_file_is_named(void **state)
{
	(void)state;
	char *parent,
	    *repo = repo_on(&parent, "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n");
	cut_to(repo, "data/online.lmdb/data.mdb", 8192);
	test_run r = test_fcat_as(repo, "ranking-service", READ);
	assert_int_equal(r.status, 1);
	if (!strstr(r.err, "data/online.lmdb/data.mdb is truncated: 8192 bytes") ||
	    !strstr(r.err, "materialize again"))
		fail_msg("%s", r.err);
	test_run_free(&r);
	no_crash(repo, "data/online.lmdb", true);
	test_repo_done(parent, repo);
}

static void test_store_damage__lmdb_meta_pages_overwritten_are_named(void **state)
{
	(void)state;
	char *parent,
	    *repo = repo_on(&parent, "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n");
	scramble(repo, "data/online.lmdb/data.mdb", 0, 4096, 64); /* both meta pages and more */
	no_crash(repo, "data/online.lmdb", true);
	test_repo_done(parent, repo);
}

static void test_store_damage__a_damaged_sqlite_file_is_named(void **state)
{
	(void)state;
	char *parent,
	    *repo = repo_on(&parent, "online_store:\n  plugin: sqlite\n  path: data/online.db\n");
	cut_to(repo, "data/online.db", 4096);
	no_crash(repo, "data/online.db", true);
	test_repo_done(parent, repo);

	repo = repo_on(&parent, "online_store:\n  plugin: sqlite\n  path: data/online.db\n");
	scramble(repo, "data/online.db", 4096, 499, 1);
	no_crash(repo, "data/online.db", false); /* SQLite finds what it touches */
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_store_damage__a_truncated_lmdb_file_is_named),
	    cmocka_unit_test(test_store_damage__lmdb_meta_pages_overwritten_are_named),
	    cmocka_unit_test(test_store_damage__a_damaged_sqlite_file_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
