/* test_fault_injection.c - every operation of the library, run again and
 * again with one fault injected (core/src/fault): the 1st, 2nd, 3rd ...
 * allocation of libfcat fails, then the 1st, 2nd, 3rd ... call into a
 * plugin, until the operation completes without meeting its fault. Each
 * faulted run must end in a clean success or an error with a message (a
 * crash, a leak or a double free fails the run under ASan), and a faulted
 * materialize leaves each view's rows all old or all new. One summary line
 * says how many runs and faults were tried. Skipped without FCAT_FAULT.
 * FCAT_FAULT_BACKTRACE=1 in the environment prints each run and where each
 * fault struck. */
#include "testutil.h"

#include "fault/fault.h"

#include "fcat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USERS 8

typedef struct fixture {
	char *parent, *repo;
	fcat_store *store; /* opened as fcat-operator */
	char old_commit[41], new_commit[41];
	int64_t now;
	char text[16384]; /* what the last run of an operation gave, as text */
} fixture;

/* The demo source with USERS users, each one row at `ts` whose
 * total_conversations is `total`. */
static void write_rows(const fixture *f, int64_t ts, int total)
{
	char text[8192], when[40];
	size_t n = (size_t)snprintf(text, sizeof text,
	                            "user_id,event_timestamp,created_at,total_conversations,"
	                            "avg_response_rating,preferred_language,user_embedding\n");
	fcat_timestamp_format(when, sizeof when, ts);
	for (int u = 1; u <= USERS; u++)
		n += (size_t)snprintf(text + n, sizeof text - n, "u%04d,%s,%s,%d,4.5,en,\n", u,
		                      when, when, total);
	test_write_file(f->repo, "data/conversations.csv", text);
}

static fcat_store *open_store(const fixture *f)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = "fcat-operator";
	fcat_store *s = NULL;
	if (fcat_store_open_ext(&s, f->repo, &o) != 0)
		fail_msg("open: %s", fcat_error_last());
	return s;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	f->repo = test_demo_repo(&f->parent, false);
	f->now = (int64_t)time(NULL) * 1000000;
	write_rows(f, f->now - INT64_C(2) * 86400 * 1000000, 1);
	assert_int_equal(fcat_applied_commit(f->old_commit, f->repo), 0);
	/* a second version to apply: a description changes */
	test_replace_in_file(f->repo, "catalog/services.lua", "Everything the answer ranker",
	                     "All that the answer ranker");
	test_git_commit_all(f->repo, "a second version", 1800000000, f->new_commit);
	f->store = open_store(f);
	fcat_materialize_stats st;
	if (fcat_materialize(&st, f->store, 0, f->now, NULL, 0, NULL, NULL) != 0)
		fail_msg("materialize: %s", fcat_error_last());
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fcat_store_free(f->store);
	test_repo_done(f->parent, f->repo);
	free(f);
	return 0;
}

/* ---- the operations ---------------------------------------------------- */

typedef struct op {
	const char *name;
	void (*prepare)(fixture *f);       /* unarmed, before each run; may be NULL */
	int (*run)(fixture *f);            /* armed */
	void (*check)(fixture *f, int rc); /* unarmed, after each faulted run */
} op;

static int op_open(fixture *f)
{
	f->text[0] = '\0';
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = "ranking-service";
	fcat_store *s = NULL;
	int rc = fcat_store_open_ext(&s, f->repo, &o);
	fcat_store_free(s);
	return rc;
}

static void apply_prepare(fixture *f)
{
	char out[41];
	if (fcat_apply_as(out, f->repo, f->old_commit, "fcat-operator") != 0)
		fail_msg("apply back: %s", fcat_error_last());
}

static int op_apply(fixture *f)
{
	f->text[0] = '\0'; /* apply_check judges it */
	char out[41];
	return fcat_apply_as(out, f->repo, f->new_commit, "fcat-operator");
}

/* The applied version is the old one or the new one, whole. */
static void apply_check(fixture *f, int rc)
{
	char now[41];
	assert_int_equal(fcat_applied_commit(now, f->repo), 0);
	if (strcmp(now, rc == 0 ? f->new_commit : f->old_commit) != 0 &&
	    strcmp(now, f->new_commit) != 0)
		fail_msg("applied %s after a faulted apply (rc %d)", now, rc);
}

/* The totals the online store serves for every user: all `want`, or -1 when
 * they differ (a torn view), 0 when none is found. */
static int served_total(fixture *f)
{
	const char *refs[] = {"user_features:total_conversations"};
	fcat_feature_set *set;
	fcat_online_result *res;
	assert_int_equal(fcat_feature_set_new(&set, f->store, refs, 1), 0);
	assert_int_equal(fcat_online_result_new(&res), 0);
	fcat_value keys[USERS];
	char ids[USERS][8];
	for (int u = 0; u < USERS; u++) {
		snprintf(ids[u], sizeof ids[u], "u%04d", u + 1);
		keys[u] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {ids[u], 5}};
	}
	if (fcat_online_read(res, f->store, set, keys, USERS, NULL) != 0)
		fail_msg("read back: %s", fcat_error_last());
	int total = -2;
	for (int u = 0; u < USERS; u++) {
		const fcat_feature_value *v = fcat_online_result_at(res, (size_t)u, 0);
		int t = v->status == FCAT_STATUS_PRESENT ? (int)v->value.u.i64 : 0;
		total = total == -2 || total == t ? t : -1;
	}
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	return total;
}

/* Back to the old rows (total 1) in a fresh online store, then the new
 * rows (total 2) in the source for the faulted run. */
static void materialize_prepare(fixture *f)
{
	fcat_store_free(f->store);
	char path[4200];
	snprintf(path, sizeof path, "%s/data/online.lmdb", f->repo);
	test_rmtree(path);
	write_rows(f, f->now - INT64_C(2) * 86400 * 1000000, 1);
	f->store = open_store(f);
	fcat_materialize_stats st;
	if (fcat_materialize(&st, f->store, 0, f->now, NULL, 0, NULL, NULL) != 0)
		fail_msg("materialize the old rows: %s", fcat_error_last());
	write_rows(f, f->now - INT64_C(1) * 86400 * 1000000, 2);
}

static int op_materialize(fixture *f)
{
	f->text[0] = '\0'; /* materialize_check judges it */
	fcat_materialize_stats st;
	return fcat_materialize(&st, f->store, 0, f->now, NULL, 0, NULL, NULL);
}

/* Each view's rows are all old or all new; a success leaves the new. */
static void materialize_check(fixture *f, int rc)
{
	int total = served_total(f);
	if (total != 2 && (rc == 0 || total != 1))
		fail_msg("after a faulted materialize (rc %d) the view serves %s", rc,
		         total == -1 ? "a mix of old and new rows" : "no rows");
}

/* Appends a served value to `text` without allocating (the run is armed). */
static void describe_cell(char *text, size_t size, const fcat_feature_value *v)
{
	size_t n = strlen(text);
	const fcat_value *x = &v->value;
	n += (size_t)snprintf(text + n, size - n, "%s@%lld:", fcat_status_name(v->status),
	                      (long long)v->event_ts);
	if (x->is_null || x->type.is_array)
		snprintf(text + n, size - n, "%s;", x->is_null ? "null" : "array");
	else if (x->type.scalar == FCAT_STRING)
		snprintf(text + n, size - n, "%.*s;", (int)x->u.str.len, x->u.str.ptr);
	else if (x->type.scalar == FCAT_BOOL)
		snprintf(text + n, size - n, "%d;", x->u.b);
	else if (x->type.scalar == FCAT_FLOAT32)
		snprintf(text + n, size - n, "%a;", (double)x->u.f32);
	else
		snprintf(text + n, size - n, "%lld;", (long long)x->u.i64);
}

static int op_read(fixture *f)
{
	/* a service with an on-demand view and its request data */
	fcat_feature_set *set = NULL;
	fcat_online_result *res = NULL;
	int rc = fcat_feature_set_for_service(&set, f->store, "chat_reply");
	if (rc == 0)
		rc = fcat_online_result_new(&res);
	fcat_value key = {.type = {FCAT_STRING, false, 0}, .u.str = {"u0001", 5}};
	fcat_value words = {.type = {FCAT_INT64, false, 0}, .u.i64 = 120};
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.principal = "ranking-service";
	o.request = &words;
	if (rc == 0)
		rc = fcat_online_read(res, f->store, set, &key, 1, &o);
	f->text[0] = '\0';
	for (size_t i = 0; rc == 0 && i < fcat_feature_set_count(set); i++)
		describe_cell(f->text, sizeof f->text, fcat_online_result_at(res, 0, i));
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	return rc;
}

static int op_historical(fixture *f)
{
	char in[4200], out[4200], text[512], when[40];
	snprintf(in, sizeof in, "%s/data/entities.csv", f->repo);
	snprintf(out, sizeof out, "%s/data/training.csv", f->repo);
	fcat_timestamp_format(when, sizeof when, f->now);
	snprintf(text, sizeof text,
	         "user_id,event_timestamp,label\nu0001,%s,1\nu0002,%s,0\nnobody,%s,1\n", when, when,
	         when);
	test_write_file(f->repo, "data/entities.csv", text);
	const char *refs[] = {"user_features:total_conversations",
	                      "user_features:preferred_language"};
	fcat_historical_options o = FCAT_HISTORICAL_OPTIONS_INIT;
	o.principal = "fcat-operator";
	test_rmtree(out);
	int rc = fcat_get_historical(NULL, f->store, in, refs, 2, NULL, out, &o);
	char *got = rc == 0 ? test_read_file(out) : NULL; /* the test's own malloc */
	snprintf(f->text, sizeof f->text, "%s", got ? got : "");
	free(got);
	return rc;
}

static int op_verify(fixture *f)
{
	fcat_verify_report r = {0};
	int rc = fcat_verify(&r, f->store, 8, 7);
	snprintf(f->text, sizeof f->text, "%zu views, %llu samples, %llu checked", r.views,
	         (unsigned long long)r.samples, (unsigned long long)r.checked);
	if (rc == 0 && r.differences)
		fail_msg("verify found %llu differences (allocation %ld, plugin call %ld): %s",
		         (unsigned long long)r.differences, fcat__fault_calls(FCAT__FAULT_ALLOC),
		         fcat__fault_calls(FCAT__FAULT_PLUGIN), r.details ? r.details : "");
	fcat_free(r.details);
	return rc;
}

static int op_policy(fixture *f)
{
	char *text = NULL;
	int rc = fcat_policy_explain(&text, f->store, "alice", "read_online",
	                             "feature:user_features:preferred_language");
	snprintf(f->text, sizeof f->text, "%s", rc == 0 ? text : "");
	fcat_free(text);
	return rc;
}

/* What fcat serve does for one POST /get-online-features. */
static int op_json_request(fixture *f)
{
	static const char body[] = "{\"features\":[\"user_features:total_conversations\","
	                           "\"user_features:preferred_language\"],"
	                           "\"entities\":{\"user_id\":[\"u0001\",\"u0002\",\"nobody\"]}}";
	fcat_json_online_request *req = NULL;
	fcat_feature_set *set = NULL;
	fcat_online_result *res = NULL;
	const fcat_value *keys, *request;
	char *text = NULL;
	int rc = fcat_json_online_request_parse(&req, body, sizeof body - 1);
	if (rc == 0)
		rc = fcat_feature_set_new(&set, f->store, fcat_json_online_request_features(req),
		                          fcat_json_online_request_feature_count(req));
	if (rc == 0)
		rc = fcat_json_online_request_bind(&keys, &request, req, set);
	if (rc == 0)
		rc = fcat_online_result_new(&res);
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.principal = "ranking-service";
	if (rc == 0)
		rc = fcat_online_read(res, f->store, set, keys, fcat_json_online_request_rows(req),
		                      &o);
	if (rc == 0)
		rc = fcat_json_encode_online_response(&text, res, set, keys, 0);
	snprintf(f->text, sizeof f->text, "%s", rc == 0 ? text : "");
	fcat_free(text);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_json_online_request_free(req);
	return rc;
}

static const op OPS[] = {
    {"open the store and its catalog", NULL, op_open, NULL},
    {"apply", apply_prepare, op_apply, apply_check},
    {"materialize", materialize_prepare, op_materialize, materialize_check},
    {"get-online (with an on-demand view)", NULL, op_read, NULL},
    {"get-historical", NULL, op_historical, NULL},
    {"verify", NULL, op_verify, NULL},
    {"a policy decision", NULL, op_policy, NULL},
    {"a server request (JSON in, read, JSON out)", NULL, op_json_request, NULL},
};

static const char *const KIND_NAME[] = {"allocation", "plugin call"};

static void test_fault_injection__every_fault_ends_in_an_error_or_success(void **state)
{
#ifndef FCAT_FAULT
	(void)state;
	skip();
#else
	fixture *f = *state;
	long runs = 0, faults[FCAT__FAULT_KINDS] = {0}, absorbed = 0;
	for (size_t i = 0; i < sizeof OPS / sizeof *OPS; i++) {
		const op *o = &OPS[i];
		/* what the operation gives without a fault */
		if (o->prepare)
			o->prepare(f);
		if (o->run(f) != 0)
			fail_msg("%s failed without a fault: %s", o->name, fcat_error_last());
		char *want = strdup(f->text);
		for (int kind = 0; kind < FCAT__FAULT_KINDS; kind++) {
			for (long n = 1;; n++) {
				if (o->prepare)
					o->prepare(f);
				if (getenv("FCAT_FAULT_BACKTRACE"))
					fprintf(stderr, "--- %s, %s %ld\n", o->name,
					        KIND_NAME[kind], n);
				fcat__fault_arm((fcat__fault_kind)kind, n);
				int rc = o->run(f);
				bool fired = fcat__fault_disarm();
				runs++;
				if (!fired) { /* the operation got past its last call */
					if (rc != 0)
						fail_msg("%s failed without a fault: %s", o->name,
						         fcat_error_last());
					break;
				}
				faults[kind]++;
				if (rc == 0 && strcmp(f->text, want) != 0) {
					char *got = strdup(f->text);
					free(want); /* fail_msg leaves; nothing may leak */
					want = NULL;
					fail_msg("%s, %s %ld: success with another result:\n%s\n"
					         "instead of:\n%s",
					         o->name, KIND_NAME[kind], n, got,
					         "(see a run without faults)");
				}
				if (rc == 0)
					absorbed++; /* handled: a cache not written, an audit
					             * record dropped and counted */
				else if (!*fcat_error_last() ||
				         strcmp(fcat_error_last(), "no error") == 0)
					fail_msg("%s, %s %ld failed: error %d without a message",
					         o->name, KIND_NAME[kind], n, rc);
				if (o->check)
					o->check(f, rc);
			}
		}
		free(want);
	}
	printf("fault injection: %zu operations, %ld runs, %ld faults injected (%ld allocations, "
	       "%ld plugin calls; %ld absorbed with the same result, the rest clear errors), 0 "
	       "crashes, 0 half-written stores\n",
	       sizeof OPS / sizeof *OPS, runs, faults[0] + faults[1], faults[0], faults[1],
	       absorbed);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_fault_injection__every_fault_ends_in_an_error_or_success, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
