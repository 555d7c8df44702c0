/* test_callers.c - one open store answers many callers: each read and each
 * training set names its principal, gets exactly what that principal's
 * policies allow, and its decisions land in the audit log under that
 * principal, in turn and from several threads at once. */
#include "fcat.h"
#include "testutil.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PII   "user_features:preferred_language"
#define COUNT "user_features:total_conversations"

typedef struct fixture {
	test_demo_store demo; /* first: test_demo_store_teardown frees the fixture */
	fcat_feature_set *with_pii, *without_pii;
	fcat_value key;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->demo.repo = test_demo_repo(&f->demo.parent, true);
	test_expect_exit(test_fcat_as(f->demo.repo, "fcat-operator",
	                              (const char *[]){"materialize", "2020-01-01", "now", NULL}),
	                 0, NULL);
	/* opened with no principal: every call below names its own */
	if (fcat_store_open(&f->demo.store, f->demo.repo))
		fail_msg("%s", fcat_error_last());
	const char *both[] = {COUNT, PII}, *one[] = {COUNT};
	assert_int_equal(fcat_feature_set_new(&f->with_pii, f->demo.store, both, 2), 0);
	assert_int_equal(fcat_feature_set_new(&f->without_pii, f->demo.store, one, 1), 0);
	f->key = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {"u0001", 5}};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fcat_feature_set_free(f->with_pii);
	fcat_feature_set_free(f->without_pii);
	return test_demo_store_teardown(state);
}

static int read_as(fixture *f, fcat_online_result *res, const fcat_feature_set *set,
                   const char *who)
{
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.principal = who;
	return fcat_online_read(res, f->demo.store, set, &f->key, 1, &o);
}

/* The audit log's lines that hold every one of the given texts. */
static size_t audited(fixture *f, const char *a, const char *b, const char *c)
{
	assert_int_equal(fcat_store_audit_check(NULL, f->demo.store), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/data/audit.log", f->demo.repo);
	char *log = test_read_file(path);
	size_t n = 0;
	for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
		n += strstr(line, a) && strstr(line, b) && strstr(line, c);
	free(log);
	return n;
}

static void test_callers__two_principals_in_turn_get_what_each_may(void **state)
{
	fixture *f = *state;
	fcat_online_result *res;
	assert_int_equal(fcat_online_result_new(&res), 0);
	for (int round = 0; round < 3; round++) {
		/* alice (a scientist) is denied the PII feature, by her role's deny */
		assert_int_equal(read_as(f, res, f->with_pii, "alice"), FCAT_EDENIED);
		assert_non_null(strstr(fcat_error_last(), "alice may not read_online feature:" PII
		                                          ": deny rule 2 of role scientist"));
		/* the ranking service reads both from the same store and set */
		assert_int_equal(read_as(f, res, f->with_pii, "ranking-service"), 0);
		assert_int_equal(fcat_online_result_at(res, 0, 1)->status, FCAT_STATUS_PRESENT);
		/* alice reads what she may */
		assert_int_equal(read_as(f, res, f->without_pii, "alice"), 0);
		assert_int_equal(fcat_online_result_at(res, 0, 0)->status, FCAT_STATUS_PRESENT);
		/* nobody of that name: default deny */
		assert_fails_with(read_as(f, res, f->without_pii, "mallory"), FCAT_EDENIED,
		                  "mallory may not read_online");
	}
	fcat_online_result_free(res);

	/* each decision under its own principal; a denied read is audited each
	 * time, an allowed one when first decided */
	const char *res_pii = "\"resource\":\"feature:" PII "\"";
	assert_int_equal(audited(f, "\"principal\":\"alice\"", res_pii, "\"decision\":\"deny\""),
	                 3);
	assert_int_equal(
	    audited(f, "\"principal\":\"ranking-service\"", res_pii, "\"decision\":\"allow\""), 1);
	assert_int_equal(
	    audited(f, "\"principal\":\"ranking-service\"", res_pii, "\"decision\":\"deny\""), 0);
	assert_int_equal(
	    audited(f, "\"principal\":\"mallory\"", "read_online", "\"decision\":\"deny\""), 3);
	assert_int_equal(audited(f, "\"principal\":\"anonymous\"", "read_online", "decision"), 0);
}

static void test_callers__groups_per_call_and_options_of_an_older_build(void **state)
{
	fixture *f = *state;
	fcat_online_result *res;
	assert_int_equal(fcat_online_result_new(&res), 0);
	/* a caller the policies do not name reads through a group vouched for
	 * it (services: the serving role), and is denied without it */
	const char *services[] = {"services"};
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.principal = "new-service";
	assert_fails_with(fcat_online_read(res, f->demo.store, f->with_pii, &f->key, 1, &o),
	                  FCAT_EDENIED, "new-service may not read_online");
	o.groups = services;
	o.ngroups = 1;
	assert_int_equal(fcat_online_read(res, f->demo.store, f->with_pii, &f->key, 1, &o), 0);
	assert_int_equal(fcat_online_result_at(res, 0, 1)->status, FCAT_STATUS_PRESENT);
	/* remembered per caller: the same name without the group is denied */
	o.groups = NULL;
	o.ngroups = 0;
	assert_fails_with(fcat_online_read(res, f->demo.store, f->with_pii, &f->key, 1, &o),
	                  FCAT_EDENIED, "new-service may not read_online");
	/* options from a build before groups existed still read... */
	fcat_read_options old = FCAT_READ_OPTIONS_INIT;
	old.principal = "ranking-service";
	old.size = offsetof(fcat_read_options, groups);
	assert_int_equal(fcat_online_read(res, f->demo.store, f->with_pii, &f->key, 1, &old), 0);
	/* ...and a size no version had is refused */
	old.size = sizeof(size_t);
	assert_fails_with(fcat_online_read(res, f->demo.store, f->with_pii, &f->key, 1, &old),
	                  FCAT_EUSAGE, "fcat_read_options: size");
	fcat_online_result_free(res);
}

static void test_callers__training_sets_name_their_principal(void **state)
{
	fixture *f = *state;
	char entities[4096], out[4096];
	snprintf(entities, sizeof entities, "%s/data/entities.csv", f->demo.repo);
	snprintf(out, sizeof out, "%s/data/training.csv", f->demo.repo);
	test_write_file(f->demo.repo, "data/entities.csv",
	                "user_id,event_timestamp,label\nu0001,2030-01-01T00:00:00Z,1\n");
	const char *refs[] = {COUNT};
	fcat_historical_options o = FCAT_HISTORICAL_OPTIONS_INIT;
	/* the scientist reads offline; the ranking service may only serve */
	o.principal = "alice";
	assert_int_equal(fcat_get_historical(NULL, f->demo.store, entities, refs, 1, NULL, out, &o),
	                 0);
	o.principal = "ranking-service";
	assert_int_equal(fcat_get_historical(NULL, f->demo.store, entities, refs, 1, NULL, out, &o),
	                 FCAT_EDENIED);
	assert_non_null(strstr(fcat_error_last(), "ranking-service may not read_offline"));
	assert_int_equal(audited(f, "\"principal\":\"alice\"", "read_offline", "allow"), 1);
	assert_int_equal(audited(f, "\"principal\":\"ranking-service\"", "read_offline", "deny"),
	                 1);
}

/* ---- four threads, four principals, one store and one set ------------- */

#define THREAD_READS 300

typedef struct reader {
	fixture *f;
	const char *who;
	int expect; /* 0 or FCAT_EDENIED */
	int wrong;  /* reads whose outcome was not the expected one */
	char first_error[512];
} reader;

static void *read_loop(void *arg)
{
	reader *r = arg;
	fcat_online_result *res;
	if (fcat_online_result_new(&res))
		return NULL;
	for (int i = 0; i < THREAD_READS; i++) {
		int rc = read_as(r->f, res, r->f->with_pii, r->who);
		bool ok = rc == r->expect;
		if (ok && rc == 0)
			ok = fcat_online_result_at(res, 0, 1)->status == FCAT_STATUS_PRESENT;
		/* a denial names this thread's principal, never another's */
		if (ok && rc != 0)
			ok = strncmp(fcat_error_last(), r->who, strlen(r->who)) == 0 &&
			     fcat_error_last()[strlen(r->who)] == ' ';
		if (!ok && !r->wrong++)
			snprintf(r->first_error, sizeof r->first_error, "read %d: rc %d: %s", i, rc,
			         fcat_error_last());
	}
	fcat_online_result_free(res);
	return NULL;
}

static void test_callers__four_threads_four_principals_at_once(void **state)
{
	fixture *f = *state;
	reader readers[4] = {
	    {f, "alice", FCAT_EDENIED, 0, ""},
	    {f, "ranking-service", 0, 0, ""},
	    {f, "mallory", FCAT_EDENIED, 0, ""},
	    {f, "fcat-operator", 0, 0, ""},
	};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, read_loop, &readers[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 4; i++)
		if (readers[i].wrong)
			fail_msg("%s: %d of %d reads wrong; first: %s", readers[i].who,
			         readers[i].wrong, THREAD_READS, readers[i].first_error);
	const char *res_pii = "\"resource\":\"feature:" PII "\"";
	assert_int_equal(audited(f, "\"principal\":\"alice\"", res_pii, "\"decision\":\"deny\""),
	                 THREAD_READS);
	assert_int_equal(audited(f, "\"principal\":\"mallory\"", "read_online", "deny"),
	                 THREAD_READS);
	/* allowed principals are decided once or a few times (threads racing
	 * to the first read), never for another principal */
	size_t ranking = audited(f, "\"principal\":\"ranking-service\"", res_pii, "allow");
	size_t oper = audited(f, "\"principal\":\"fcat-operator\"", res_pii, "allow");
	assert_true(ranking >= 1 && ranking < THREAD_READS);
	assert_true(oper >= 1 && oper < THREAD_READS);
	assert_int_equal(audited(f, "\"principal\":\"ranking-service\"", "read_online", "deny"), 0);
	assert_int_equal(audited(f, "\"principal\":\"fcat-operator\"", "read_online", "deny"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_callers__two_principals_in_turn_get_what_each_may,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_callers__groups_per_call_and_options_of_an_older_build, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_callers__training_sets_name_their_principal, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_callers__four_threads_four_principals_at_once,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests_name("callers", tests, NULL, NULL);
}
