/* test_audit.c - the audit log never holds up a read and never loses a
 * record silently: on a full disk (/dev/full) reads succeed and the loss is
 * reported (fcat_store_audit_check, and a warning when the store closes);
 * concurrent writers leave only whole lines. */
#include "testutil.h"

#include "fcat.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The demo repo with its audit log at `log`, committed and applied. */
static char *repo_logging_to(char **parent, const char *log)
{
	char *repo = test_demo_repo(parent, true);
	char line[4096];
	snprintf(line, sizeof line, "audit_log: %s", log);
	test_replace_in_file(repo, "fcat.yaml", "audit_log: data/audit.log", line);
	test_commit_and_apply(repo, "Move the audit log");
	return repo;
}

static void test_audit__a_full_disk_fails_no_read_and_is_reported(void **state)
{
	(void)state;
	char *parent, *repo = repo_logging_to(&parent, "/dev/full");
	fcat_store *s = test_store_open_as(repo, "fcat-operator");
	const fcat_object *view;
	assert_int_equal(fcat_catalog_lookup(&view, fcat_store_catalog(s), "user_features"), 0);
	for (int i = 0; i < 10; i++)
		assert_true(fcat_store_may_describe(s, view));
	fcat_audit_stats st;
	assert_int_equal(fcat_store_audit_check(&st, s), FCAT_EIO);
	assert_true(st.failed >= 10);
	assert_int_equal(st.written, 0);
	assert_non_null(strstr(fcat_error_last(), "audit log /dev/full:"));
	assert_non_null(strstr(fcat_error_last(), "could not be written"));
	assert_non_null(strstr(fcat_error_last(), "No space left on device"));
	fcat_store_free(s);
	/* the command line reads, and warns */
	test_write_file(repo, "ents.csv", "user_id,event_timestamp\nu0001,2030-01-01T00:00:00Z\n");
	test_expect_exit(test_fcat(repo, "get-historical", "--entities", "ents.csv", "--features",
	                           "user_features:total_conversations", "-o", "out.csv", NULL),
	                 0, "fcat: warning: audit log /dev/full:");
	test_repo_done(parent, repo);
}

typedef struct worker {
	const char *repo;
	int n;
	uint64_t written;
} worker;

static void *describe_many(void *p)
{
	worker *w = p;
	fcat_store *s = test_store_open_as(w->repo, "fcat-operator");
	const fcat_object *view;
	if (fcat_catalog_lookup(&view, fcat_store_catalog(s), "user_features") == 0)
		for (int i = 0; i < w->n; i++)
			fcat_store_may_describe(s, view);
	fcat_audit_stats st;
	if (fcat_store_audit_check(&st, s) == 0)
		w->written = st.written;
	fcat_store_free(s);
	return NULL;
}

static void test_audit__concurrent_writers_leave_whole_lines(void **state)
{
	(void)state;
	char *parent, *repo = repo_logging_to(&parent, "data/audit.log");
	char path[4096];
	snprintf(path, sizeof path, "%s/data/audit.log", repo);
	remove(path);
	enum { THREADS = 4, EACH = 3000 };
	pthread_t t[THREADS];
	worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (worker){repo, EACH, 0};
		assert_int_equal(pthread_create(&t[i], NULL, describe_many, &w[i]), 0);
	}
	uint64_t total = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += w[i].written;
	}
	assert_true(total >= THREADS * EACH);
	char *log = test_read_file(path);
	assert_non_null(log);
	size_t lines = 0;
	for (char *line = log, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		if (strncmp(line, "{\"time\":\"", 9) != 0 || end[-1] != '}')
			fail_msg("a broken line in the audit log: %s", line);
		lines++;
	}
	assert_int_equal(lines, total);
	free(log);
	test_repo_done(parent, repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_audit__a_full_disk_fails_no_read_and_is_reported),
	    cmocka_unit_test(test_audit__concurrent_writers_leave_whole_lines),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
