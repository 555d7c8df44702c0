/* test_concurrency.c - what readers see while the catalog changes: a store
 * keeps reading the version it opened while a new one is applied, readers
 * in many threads read on while versions are applied back and forth, and a
 * store opened meanwhile sees one applied version whole, never a mix. */
#include "testutil.h"

#include "fcat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READERS 4
#define APPLIES 10

typedef struct fixture {
	char *parent, *repo;
	char a[41], b[41]; /* two versions: b renames a description */
	fcat_store *store; /* opened at a */
	fcat_feature_set *set;
	atomic_bool stop;
	atomic_long reads, opens, failures;
	char failure[512];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->repo = test_demo_repo(&f->parent, true);
	test_expect_exit(test_fcat(f->repo, "materialize", "2020-01-01", "now", NULL), 0, NULL);
	assert_int_equal(fcat_applied_commit(f->a, f->repo), 0);
	test_replace_in_file(f->repo, "catalog/services.lua", "Everything the answer ranker",
	                     "All that the answer ranker");
	test_git_commit_all(f->repo, "version b", 1800000000, f->b);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = "fcat-operator";
	if (fcat_store_open_ext(&f->store, f->repo, &o) != 0)
		fail_msg("open: %s", fcat_error_last());
	const char *refs[] = {"user_features:total_conversations",
	                      "user_features:preferred_language"};
	assert_int_equal(fcat_feature_set_new(&f->set, f->store, refs, 2), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fcat_feature_set_free(f->set);
	fcat_store_free(f->store);
	test_repo_done(f->parent, f->repo);
	free(f);
	return 0;
}

static void failed(fixture *f, const char *what)
{
	if (atomic_fetch_add(&f->failures, 1) == 0)
		snprintf(f->failure, sizeof f->failure, "%s: %s", what, fcat_error_last());
}

/* One read of u0001..u0004 through the store opened at version a. */
static void read_once(fixture *f, fcat_online_result *res)
{
	fcat_value keys[4];
	char ids[4][8];
	for (int i = 0; i < 4; i++) {
		snprintf(ids[i], sizeof ids[i], "u%04d", i + 1);
		keys[i] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {ids[i], 5}};
	}
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.principal = "ranking-service";
	if (fcat_online_read(res, f->store, f->set, keys, 4, &o) != 0) {
		failed(f, "a read");
		return;
	}
	for (int i = 0; i < 4; i++)
		if (fcat_online_result_at(res, (size_t)i, 0)->status == FCAT_STATUS_INVALID)
			failed(f, "a read gave an invalid value");
	atomic_fetch_add(&f->reads, 1);
}

static void *reader(void *arg)
{
	fixture *f = arg;
	fcat_online_result *res;
	if (fcat_online_result_new(&res) != 0)
		return NULL;
	while (!atomic_load(&f->stop))
		read_once(f, res);
	fcat_online_result_free(res);
	return NULL;
}

/* Opens stores while versions are applied: each reads one applied version
 * whole (its catalog is a's or b's, with that version's description). */
static void *opener(void *arg)
{
	fixture *f = arg;
	while (!atomic_load(&f->stop)) {
		fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
		o.principal = "fcat-operator";
		fcat_store *s = NULL;
		if (fcat_store_open_ext(&s, f->repo, &o) != 0) {
			failed(f, "a store opened during applies");
			continue;
		}
		const char *commit = fcat_catalog_commit(fcat_store_catalog(s));
		const fcat_object *svc = NULL;
		if (fcat_catalog_lookup(&svc, fcat_store_catalog(s), "chat_personalization") != 0) {
			failed(f, "the service in a store opened during applies");
		} else {
			bool is_b = strstr(fcat_object_description(svc), "All that") != NULL;
			if (strcmp(commit, is_b ? f->b : f->a) != 0)
				failed(f, "a store that mixes two versions");
		}
		fcat_store_free(s);
		atomic_fetch_add(&f->opens, 1);
	}
	return NULL;
}

static void test_concurrency__a_store_reads_its_version_while_another_is_applied(void **state)
{
	fixture *f = *state;
	char out[41];
	assert_int_equal(fcat_apply_as(out, f->repo, f->b, "fcat-operator"), 0);
	/* the store opened at a still reads, and still is a */
	fcat_online_result *res;
	assert_int_equal(fcat_online_result_new(&res), 0);
	read_once(f, res);
	fcat_online_result_free(res);
	assert_int_equal(atomic_load(&f->failures), 0);
	assert_string_equal(fcat_catalog_commit(fcat_store_catalog(f->store)), f->a);
	/* a store opened now reads b */
	fcat_store *s = test_store_open_as(f->repo, "fcat-operator");
	assert_string_equal(fcat_catalog_commit(fcat_store_catalog(s)), f->b);
	fcat_store_free(s);
}

static void test_concurrency__readers_read_on_while_versions_are_applied(void **state)
{
	fixture *f = *state;
	pthread_t threads[READERS + 1];
	for (int i = 0; i < READERS; i++)
		pthread_create(&threads[i], NULL, reader, f);
	pthread_create(&threads[READERS], NULL, opener, f);
	for (int i = 0; i < APPLIES; i++) {
		char out[41];
		if (fcat_apply_as(out, f->repo, i % 2 ? f->a : f->b, "fcat-operator") != 0)
			failed(f, "an apply");
	}
	atomic_store(&f->stop, true);
	for (int i = 0; i <= READERS; i++)
		pthread_join(threads[i], NULL);
	if (atomic_load(&f->failures))
		fail_msg("%ld failures, the first: %s", atomic_load(&f->failures), f->failure);
	printf("concurrency: %d applies while %d threads read (%ld reads) and stores were "
	       "opened (%ld), 0 failures, 0 mixed versions\n",
	       APPLIES, READERS, atomic_load(&f->reads), atomic_load(&f->opens));
	assert_true(atomic_load(&f->reads) > 0);
	assert_true(atomic_load(&f->opens) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_concurrency__a_store_reads_its_version_while_another_is_applied, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_concurrency__readers_read_on_while_versions_are_applied, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
