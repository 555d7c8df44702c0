/* test_aggregations.c - window aggregations through the library, on every
 * path: a training set (fcat_get_historical_columns), an online read after
 * materialize, and an online read after the same events were pushed out of
 * order and late. Each function at the window's edges: an event exactly at
 * T (in), exactly at T - window (out), a boundary inside a tile, an empty
 * window, two entities sharing nothing. */
#include "testutil.h"

#include "fcat.h"
#include "fault/fault.h"
#include "training/column.h"
#include "util/arena.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char defs[] =
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'ts',\n"
    "  created_timestamp_field = 'created', schema = { field('user_id', string),\n"
    "  field('ts', timestamp), field('created', timestamp), field('amount', float64),\n"
    "  field('n', int64), field('tag', string) } }\n"
    "push_source { name = 'events_push', batch_source = 'events' }\n"
    "feature_view { name = 'a', entities = { 'user' }, source = 'events',\n"
    "  aggregation_interval = hours(1), aggregations = {\n"
    "    { fn = 'count', window = hours(2) },\n"
    "    { column = 'amount', fn = 'sum', window = hours(2) },\n"
    "    { column = 'amount', fn = 'mean', window = hours(2) },\n"
    "    { column = 'n', fn = 'sum', window = hours(2) },\n"
    "    { column = 'n', fn = 'min', window = hours(2) },\n"
    "    { column = 'n', fn = 'max', window = hours(2) },\n"
    "    { column = 'tag', fn = 'last', window = hours(2) },\n"
    "    { column = 'tag', fn = 'last_distinct(2)', window = hours(2) },\n"
    "    { column = 'amount', fn = 'stddev', window = hours(2) },\n"
    "    { column = 'amount', fn = 'sum', window = days(1), name = 'amount_day' },\n"
    "  } }\n";

/* u1: four events, one an update of another's time with a later created
 * time; u2: one event, nothing in common with u1. */
static const char events[] = "user_id,ts,created,amount,n,tag\n"
                             "u1,2031-01-01T08:15:00Z,2031-01-01T08:15:00Z,1,5,x\n"
                             "u1,2031-01-01T09:00:00Z,2031-01-01T09:00:00Z,2,3,y\n"
                             "u1,2031-01-01T09:30:00Z,2031-01-01T09:30:00Z,4,9,x\n"
                             "u1,2031-01-01T10:00:00Z,2031-01-01T10:00:00Z,8,1,z\n"
                             "u2,2031-01-01T09:45:00Z,,100,7,q\n";

enum { F_COUNT, F_SUM, F_MEAN, F_NSUM, F_MIN, F_MAX, F_LAST, F_DISTINCT, F_STDDEV, F_DAY, NF };

static int64_t t(const char *s)
{
	int64_t v;
	assert_int_equal(fcat_timestamp_parse(&v, s, strlen(s)), 0);
	return v;
}

static fcat_value str(const char *s)
{
	return (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {s, strlen(s)}};
}

typedef struct fixture {
	char *dir;
	fcat_store *store;
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
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	fcat_store_free(f->store);
	test_dir_done(f->dir);
	free(f);
	return 0;
}

/* The values of users[i] at times[i], three ways: training set, online
 * after materialize, online after push. out[path][i][f]. */
typedef struct answers {
	fcat_value v[3][8][NF];
	fcat_training_set *ts;
	fcat_online_result *res[2];
	fcat__buf scratch[8 * NF];
	fcat__arena copies; /* the strings of arrays read online */
} answers;

/* A training set of view a for the entity rows (keys[i], times[i]). */
static fcat_training_set *training_set(fixture *f, const fcat_value *keys, const fcat_value *times,
                                       size_t n)
{
	fcat__colbuild kb, tb;
	fcat__colbuild_init(&kb, (fcat_type){FCAT_STRING, false, 0});
	fcat__colbuild_init(&tb, (fcat_type){FCAT_TIMESTAMP, false, 0});
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fcat__colbuild_add(&kb, &keys[i]), 0);
		assert_int_equal(fcat__colbuild_add(&tb, &times[i]), 0);
	}
	fcat_column cols[2] = {fcat__colbuild_column(&kb, "user_id"),
	                       fcat__colbuild_column(&tb, "event_timestamp")};
	const char *ref = "a";
	fcat_training_set *ts;
	if (fcat_get_historical_columns(&ts, NULL, f->store, cols, 2, &ref, 1, NULL, NULL))
		fail_msg("%s", fcat_error_last());
	fcat__colbuild_free(&kb);
	fcat__colbuild_free(&tb);
	return ts;
}

static void offline(fixture *f, answers *a, const char *const *users, const int64_t *at, size_t n)
{
	fcat_value keys[8], times[8];
	for (size_t i = 0; i < n; i++) {
		keys[i] = str(users[i]);
		times[i] = (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = at[i]};
	}
	a->ts = training_set(f, keys, times, n);
	for (size_t c = 0; c < NF; c++) {
		fcat_column col;
		assert_int_equal(fcat_training_set_column(&col, a->ts, 2 + c), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(
			    fcat__column_cell(&a->v[0][i][c], &col, i, &a->scratch[i * NF + c]), 0);
	}
}

static void online(fixture *f, answers *a, int path, const char *const *users, const int64_t *at,
                   size_t n)
{
	fcat_feature_set *set;
	const char *ref = "a";
	assert_int_equal(fcat_feature_set_new(&set, f->store, &ref, 1), 0);
	assert_int_equal(fcat_online_result_new(&a->res[path - 1]), 0);
	for (size_t i = 0; i < n; i++) { /* one read per time */
		fcat_online_result *r;
		assert_int_equal(fcat_online_result_new(&r), 0);
		fcat_value key = str(users[i]);
		fcat_read_options o = FCAT_READ_OPTIONS_INIT;
		o.now = at[i];
		if (fcat_online_read(r, f->store, set, &key, 1, &o))
			fail_msg("%s", fcat_error_last());
		for (size_t c = 0; c < NF; c++) {
			fcat_value v = fcat_online_result_at(r, 0, c)->value;
			fcat_value *dst = &a->v[path][i][c];
			*dst = v;
			/* keep strings and arrays past the result */
			if (!v.is_null && (v.type.is_array || v.type.scalar == FCAT_STRING)) {
				fcat__buf *b = &a->scratch[i * NF + c];
				size_t len = v.type.is_array ? v.u.array.len * sizeof(fcat_bytes)
				                             : v.u.str.len;
				b->len = 0;
				fcat__buf_append(b, v.type.is_array ? v.u.array.items : v.u.str.ptr,
				                 len + 1);
				if (v.type.is_array) {
					fcat_bytes *items = (fcat_bytes *)b->ptr;
					for (size_t k = 0; k < v.u.array.len; k++)
						items[k].ptr = fcat__arena_strndup(
						    &a->copies, items[k].ptr, items[k].len);
					dst->u.array.items = b->ptr;
				} else {
					dst->u.str.ptr = b->ptr;
				}
			}
		}
		fcat_online_result_free(r);
	}
	fcat_feature_set_free(set);
}

static bool same(const fcat_value *x, const fcat_value *y)
{
	if (x->is_null || y->is_null)
		return x->is_null == y->is_null;
	if (x->type.is_array) {
		if (x->u.array.len != y->u.array.len)
			return false;
		const fcat_bytes *p = x->u.array.items, *q = y->u.array.items;
		for (size_t k = 0; k < x->u.array.len; k++)
			if (p[k].len != q[k].len || memcmp(p[k].ptr, q[k].ptr, p[k].len))
				return false;
		return true;
	}
	if (x->type.scalar == FCAT_STRING)
		return x->u.str.len == y->u.str.len &&
		       !memcmp(x->u.str.ptr, y->u.str.ptr, x->u.str.len);
	return memcmp(&x->u.i64, &y->u.i64, 8) == 0;
}

/* Pushes the events shuffled and late: u1's last event first, the others
 * after it, in one call each (so every one goes to a stored row). */
static void push_all(fixture *f)
{
	static const int order[] = {3, 4, 0, 2, 1};
	static const char *user[] = {"u1", "u1", "u1", "u1", "u2"};
	static const char *when[] = {"2031-01-01T08:15:00Z", "2031-01-01T09:00:00Z",
	                             "2031-01-01T09:30:00Z", "2031-01-01T10:00:00Z",
	                             "2031-01-01T09:45:00Z"};
	static const double amount[] = {1, 2, 4, 8, 100};
	static const int64_t n[] = {5, 3, 9, 1, 7};
	static const char *tag[] = {"x", "y", "x", "z", "q"};
	for (int k = 0; k < 5; k++) {
		int i = order[k];
		fcat_value u = str(user[i]),
		           ts = {.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = t(when[i])}, cr = ts,
		           am = {.type = {FCAT_FLOAT64, false, 0}, .u.f64 = amount[i]},
		           nv = {.type = {FCAT_INT64, false, 0}, .u.i64 = n[i]}, tg = str(tag[i]);
		if (i == 4)
			cr = (fcat_value){.is_null = true};
		fcat_push_column cols[] = {{"user_id", &u}, {"ts", &ts}, {"created", &cr},
		                           {"amount", &am}, {"n", &nv},  {"tag", &tg}};
		if (fcat_push(NULL, f->store, "events_push", cols, 6, 1, NULL))
			fail_msg("%s", fcat_error_last());
	}
}

static void answers_free(answers *a)
{
	fcat_training_set_free(a->ts);
	for (int i = 0; i < 2; i++)
		fcat_online_result_free(a->res[i]);
	for (size_t i = 0; i < 8 * NF; i++)
		fcat__buf_free(&a->scratch[i]);
	fcat__arena_release(&a->copies);
}

/* Computes every path; checks they agree bit for bit. */
static void run_paths(fixture *f, answers *a, const char *const *users, const int64_t *at, size_t n)
{
	offline(f, a, users, at, n);
	assert_int_equal(fcat_materialize(NULL, f->store, t("2031-01-01T00:00:00Z"),
	                                  t("2031-01-02T00:00:00Z"), NULL, 0, NULL, NULL),
	                 0);
	online(f, a, 1, users, at, n);
	/* a fresh online store, filled by pushes only */
	char path[4200];
	snprintf(path, sizeof path, "%s/data/online.lmdb", f->dir);
	fcat_store_free(f->store);
	test_rmtree(path);
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	assert_int_equal(fcat_store_open_ext(&f->store, f->dir, &o), 0);
	push_all(f);
	online(f, a, 2, users, at, n);
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < NF; c++)
			for (int p = 1; p < 3; p++)
				if (!same(&a->v[0][i][c], &a->v[p][i][c]))
					fail_msg("row %zu feature %zu: path %d differs from the "
					         "training set",
					         i, c, p);
}

static void test_aggregations__every_function_at_the_window_edges_on_every_path(void **state)
{
	fixture *f = *state;
	const char *users[] = {"u1", "u1", "u1", "u1", "u1", "u2", "u3"};
	const int64_t at[] = {t("2031-01-01T10:00:00Z"), t("2031-01-01T11:00:00Z"),
	                      t("2031-01-01T10:15:00Z"), t("2031-01-01T10:14:59Z"),
	                      t("2031-01-01T12:30:00Z"), t("2031-01-01T10:00:00Z"),
	                      t("2031-01-01T10:00:00Z")};
	answers *a = calloc(1, sizeof *a);
	fcat__arena_init(&a->copies, 4096);
	run_paths(f, a, users, at, 7);
	fcat_value *r = a->v[0][0];
	/* at 10:00: (08:00, 10:00] holds all four; the one at 10:00 is in */
	assert_int_equal(r[F_COUNT].u.i64, 4);
	assert_true(r[F_SUM].u.f64 == 15.0);
	assert_true(r[F_MEAN].u.f64 == 3.75);
	assert_int_equal(r[F_NSUM].u.i64, 18);
	assert_int_equal(r[F_MIN].u.i64, 1);
	assert_int_equal(r[F_MAX].u.i64, 9);
	assert_int_equal(r[F_LAST].u.str.len, 1);
	assert_memory_equal(r[F_LAST].u.str.ptr, "z", 1);
	assert_int_equal(r[F_DISTINCT].u.array.len, 2);
	const fcat_bytes *d = r[F_DISTINCT].u.array.items;
	assert_memory_equal(d[0].ptr, "z", 1);
	assert_memory_equal(d[1].ptr, "x", 1);
	assert_true(fabs(r[F_STDDEV].u.f64 - sqrt(28.75 / 3)) < 1e-15);
	/* at 11:00 the event at 09:00 is exactly at T - window: out */
	assert_int_equal(a->v[0][1][F_COUNT].u.i64, 2);
	assert_true(a->v[0][1][F_SUM].u.f64 == 12.0);
	/* a boundary inside the 08:00 tile: 08:15 is out at 10:15, in at 10:14:59 */
	assert_int_equal(a->v[0][2][F_COUNT].u.i64, 3);
	assert_int_equal(a->v[0][3][F_COUNT].u.i64, 4);
	/* an empty window: count and sums 0, the rest null, no values */
	r = a->v[0][4];
	assert_int_equal(r[F_COUNT].u.i64, 0);
	assert_true(r[F_SUM].u.f64 == 0.0);
	assert_int_equal(r[F_NSUM].u.i64, 0);
	assert_true(r[F_MEAN].is_null && r[F_MIN].is_null && r[F_MAX].is_null);
	assert_true(r[F_LAST].is_null && r[F_STDDEV].is_null);
	assert_int_equal(r[F_DISTINCT].u.array.len, 0);
	assert_true(r[F_DAY].u.f64 == 15.0); /* the day's window still holds them */
	/* u2 shares nothing with u1; u3 has no events at all */
	assert_int_equal(a->v[0][5][F_COUNT].u.i64, 1);
	assert_true(a->v[0][5][F_SUM].u.f64 == 100.0);
	assert_true(a->v[0][5][F_STDDEV].is_null); /* one value */
	assert_int_equal(a->v[0][6][F_COUNT].u.i64, 0);
	answers_free(a);
	free(a);
}

/* Entity rows with a null key or no time get null features (not an empty
 * window's count of 0) and leave the others' windows as they are, in any
 * order of the rows. */
static void test_aggregations__entity_rows_without_key_or_time_get_null_features(void **state)
{
	fixture *f = *state;
	const fcat_type st = {FCAT_STRING, false, 0}, tt = {FCAT_TIMESTAMP, false, 0};
	const fcat_value keys[] = {
	    str("u1"), {.type = st, .is_null = true}, str("u1"), str("u2"), str("u1")};
	const fcat_value times[] = {{.type = tt, .u.ts = t("2031-01-01T11:00:00Z")},
	                            {.type = tt, .u.ts = t("2031-01-01T10:00:00Z")},
	                            {.type = tt, .is_null = true},
	                            {.type = tt, .u.ts = t("2031-01-01T10:00:00Z")},
	                            {.type = tt, .u.ts = t("2031-01-01T10:00:00Z")}};
	fcat_training_set *ts = training_set(f, keys, times, 5);
	fcat_column count;
	assert_int_equal(fcat_training_set_column(&count, ts, 2 + F_COUNT), 0);
	const int64_t want[] = {2, -1, -1, 1, 4}; /* -1: null */
	for (size_t i = 0; i < 5; i++) {
		fcat__buf scratch = {0};
		fcat_value v;
		assert_int_equal(fcat__column_cell(&v, &count, i, &scratch), 0);
		if (want[i] < 0)
			assert_true(v.is_null);
		else
			assert_int_equal(v.u.i64, want[i]);
		fcat__buf_free(&scratch);
	}
	fcat_training_set_free(ts);
}

/* 70,000 entity rows in no order over three users (past a batch of keys,
 * thousands of rows an entity, the columns laid out in parallel): every
 * row's count and sum equal a count over the events by hand. */
static void test_aggregations__many_entity_rows_equal_a_count_by_hand(void **state)
{
	fixture *f = *state;
	enum { N = 70000 };
	const char *ev_user[] = {"u1", "u1", "u1", "u1", "u2"};
	const int64_t ev_at[] = {t("2031-01-01T08:15:00Z"), t("2031-01-01T09:00:00Z"),
	                         t("2031-01-01T09:30:00Z"), t("2031-01-01T10:00:00Z"),
	                         t("2031-01-01T09:45:00Z")};
	const double ev_amount[] = {1, 2, 4, 8, 100};
	const char *users[] = {"u1", "u2", "u3"};
	const int64_t t0 = t("2031-01-01T07:00:00Z"), hour = 3600000000LL;
	int64_t *at = malloc(N * sizeof *at);
	size_t *who = malloc(N * sizeof *who);
	fcat_value *keys = malloc(N * sizeof *keys), *times = malloc(N * sizeof *times);
	uint64_t r = 12345;
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		who[i] = (r >> 33) % 3;
		at[i] = t0 + (int64_t)((r >> 20) % (uint64_t)(6 * hour / 1000000)) * 1000000;
		keys[i] = str(users[who[i]]);
		times[i] = (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = at[i]};
	}
	fcat_training_set *ts = training_set(f, keys, times, N);
	fcat_column count, sum;
	assert_int_equal(fcat_training_set_column(&count, ts, 2 + F_COUNT), 0);
	assert_int_equal(fcat_training_set_column(&sum, ts, 2 + F_SUM), 0);
	fcat__buf scratch = {0};
	for (size_t i = 0; i < N; i++) {
		int64_t want = 0;
		double want_sum = 0;
		for (size_t e = 0; e < 5; e++)
			if (!strcmp(ev_user[e], users[who[i]]) && ev_at[e] > at[i] - 2 * hour &&
			    ev_at[e] <= at[i]) {
				want++;
				want_sum += ev_amount[e];
			}
		fcat_value c, sv;
		assert_int_equal(fcat__column_cell(&c, &count, i, &scratch), 0);
		assert_int_equal(fcat__column_cell(&sv, &sum, i, &scratch), 0);
		if (c.u.i64 != want || sv.u.f64 != want_sum)
			fail_msg(
			    "entity row %zu (%s at +%llds): count %lld sum %g, by hand %lld %g", i,
			    users[who[i]], (long long)((at[i] - t0) / 1000000), (long long)c.u.i64,
			    sv.u.f64, (long long)want, want_sum);
	}
	fcat__buf_free(&scratch);
	fcat_training_set_free(ts);
	free(keys);
	free(times);
	free(at);
	free(who);
}

#ifdef FCAT_FAULT
/* The count_2h of `user` read online at `at`: -1 when it has no row. */
static int64_t count_online(fixture *f, const char *user, int64_t at)
{
	fcat_feature_set *set;
	const char *ref = "a:count_2h";
	assert_int_equal(fcat_feature_set_new(&set, f->store, &ref, 1), 0);
	fcat_online_result *r;
	assert_int_equal(fcat_online_result_new(&r), 0);
	fcat_value key = str(user);
	fcat_read_options o = FCAT_READ_OPTIONS_INIT;
	o.now = at;
	if (fcat_online_read(r, f->store, set, &key, 1, &o))
		fail_msg("%s", fcat_error_last());
	const fcat_feature_value *v = fcat_online_result_at(r, 0, 0);
	int64_t n = v->status == FCAT_STATUS_NOT_FOUND ? -1 : v->value.u.i64;
	fcat_online_result_free(r);
	fcat_feature_set_free(set);
	return n;
}

/* A push of more entities than a write batch that fails in the store (each
 * of its plugin calls in turn) leaves none of its events: pushed again, it
 * counts each event once. */
static void test_aggregations__a_failed_push_leaves_nothing_and_a_retry_counts_once(void **state)
{
	fixture *f = *state;
	enum { N = 12000 };
	char(*ids)[8] = malloc(N * sizeof *ids);
	fcat_value *u = malloc(N * sizeof *u), *ts = malloc(N * sizeof *ts),
	           *cr = malloc(N * sizeof *cr), *am = malloc(N * sizeof *am),
	           *nv = malloc(N * sizeof *nv), *tg = malloc(N * sizeof *tg);
	const int64_t at = t("2031-01-01T09:00:00Z");
	for (size_t i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "p%05zu", i);
		u[i] = str(ids[i]);
		ts[i] = (fcat_value){.type = {FCAT_TIMESTAMP, false, 0}, .u.ts = at};
		cr[i] = (fcat_value){.is_null = true};
		am[i] = (fcat_value){.type = {FCAT_FLOAT64, false, 0}, .u.f64 = 1};
		nv[i] = (fcat_value){.type = {FCAT_INT64, false, 0}, .u.i64 = 1};
		tg[i] = str("t");
	}
	fcat_push_column cols[] = {{"user_id", u}, {"ts", ts}, {"created", cr},
	                           {"amount", am}, {"n", nv},  {"tag", tg}};
	fcat_push_options po = FCAT_PUSH_OPTIONS_INIT;
	po.to = FCAT_PUSH_ONLINE;
	bool pushed = false;
	for (long n = 1; !pushed && n < 50; n++) {
		fcat__fault_arm(FCAT__FAULT_PLUGIN, n);
		int rc = fcat_push(NULL, f->store, "events_push", cols, 6, N, &po);
		bool fired = fcat__fault_disarm();
		if (!fired) {
			if (rc)
				fail_msg("%s", fcat_error_last());
			pushed = true;
			continue;
		}
		assert_int_not_equal(rc, 0);
		/* the first key and the last: in the first write batch and past it */
		assert_int_equal(count_online(f, "p00000", at), -1);
		assert_int_equal(count_online(f, "p11999", at), -1);
	}
	assert_true(pushed);
	assert_int_equal(count_online(f, "p00000", at), 1);
	assert_int_equal(count_online(f, "p11999", at), 1);
	free(ids);
	free(u);
	free(ts);
	free(cr);
	free(am);
	free(nv);
	free(tg);
}
#endif

static void expect_invalid(const char *aggs, const char *want)
{
	char text[2048];
	snprintf(text, sizeof text,
	         "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
	         "source { name = 'events', path = 'e.csv', timestamp_field = 'ts',\n"
	         "  schema = { field('user_id', string), field('ts', timestamp),\n"
	         "             field('amount', float64), field('tag', string) } }\n"
	         "feature_view { name = 'a', entities = { 'user' }, source = 'events',\n"
	         "  aggregation_interval = hours(1), aggregations = { %s } }\n",
	         aggs);
	test_expect_catalog_invalid(text, want, false);
}

static void test_aggregations__bad_definitions_name_file_line_and_aggregation(void **state)
{
	(void)state;
	expect_invalid("{ column = 'amount', fn = 'sum', window = minutes(90) }",
	               "catalog/defs.lua:5: feature_view 'a': aggregations[1]: the window (90m) "
	               "must be a whole number of aggregation intervals (1h)");
	expect_invalid("{ column = 'amount', fn = 'median', window = hours(1) }",
	               "catalog/defs.lua:5: feature_view 'a': aggregations[1]: unknown function "
	               "'median' (count, sum, mean, min, max, last, last_distinct(n), stddev)");
	expect_invalid("{ column = 'price', fn = 'sum', window = hours(1) }",
	               "catalog/defs.lua:5: feature_view 'a': aggregations[1] ('price_sum_1h'): "
	               "column 'price' is not a declared column of source 'events' (an "
	               "aggregated column takes its type from the source's schema)");
	expect_invalid("{ fn = 'count', window = hours(1) }, { column = 'tag', fn = 'sum', "
	               "window = hours(1) }",
	               "catalog/defs.lua:5: feature_view 'a': aggregations[2] ('tag_sum_1h'): "
	               "column 'tag' is string: sum needs a number column (int32, int64, "
	               "float32 or float64)");
	expect_invalid("{ column = 'amount', fn = 'last_distinct', window = hours(1) }",
	               "catalog/defs.lua:5: feature_view 'a': aggregations[1]: last_distinct "
	               "needs how many values, from 1 to 1000: fn = \"last_distinct(3)\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_aggregations__every_function_at_the_window_edges_on_every_path, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_aggregations__entity_rows_without_key_or_time_get_null_features, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_aggregations__many_entity_rows_equal_a_count_by_hand, setup, teardown),
#ifdef FCAT_FAULT
	    cmocka_unit_test_setup_teardown(
	        test_aggregations__a_failed_push_leaves_nothing_and_a_retry_counts_once, setup,
	        teardown),
#endif
	    cmocka_unit_test(test_aggregations__bad_definitions_name_file_line_and_aggregation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
