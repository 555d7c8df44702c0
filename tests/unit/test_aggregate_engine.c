/* test_aggregate_engine.c - the parts under every aggregation path: the
 * exact sum (any order of the same values, added and removed, rounds to
 * the same bits, the correctly rounded sum), each function's state merged
 * from any split of its events equal to one fed them all, and the online
 * row's events surviving encode (in its compact units and decimals),
 * decode and pruning. */
#include "testutil.h"

#include "aggregate/agg.h"
#include "aggregate/xsum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A double of any sign and a wide range of magnitudes. */
static double any_double(void)
{
	double m = (double)(next() >> 11) / 9007199254740992.0;
	int e = (int)(next() % 120) - 60;
	return (next() & 1 ? -1 : 1) * ldexp(m, e);
}

static double round_of(const double *x, size_t n, const size_t *order)
{
	fcat__xsum s;
	fcat__xsum_init(&s);
	for (size_t i = 0; i < n; i++)
		fcat__xsum_add(&s, x[order ? order[i] : i], 1);
	return fcat__xsum_round(&s);
}

static void test_xsum__any_order_gives_the_same_bits(void **state)
{
	(void)state;
	enum { N = 2000 };
	static double x[N];
	static size_t order[N];
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < N; i++) {
			x[i] = any_double();
			order[i] = i;
		}
		double first = round_of(x, N, NULL);
		for (size_t i = N; i > 1; i--) {
			size_t j = next() % i, t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		double again = round_of(x, N, order);
		assert_memory_equal(&first, &again, sizeof first);
	}
}

static void test_xsum__the_sum_is_exact_then_rounded_once(void **state)
{
	(void)state;
	const double a[] = {1e100, 1.0, -1e100};
	assert_true(round_of(a, 3, NULL) == 1.0);
	const double b[] = {0.1, 0.2, 0.3};
	/* 0.1 + 0.2 + 0.3 exactly is 0.6000000000000000055..., nearest double 0.6 */
	assert_true(round_of(b, 3, NULL) == 0.6);
	const double c[] = {1.0, ldexp(1.0, -53), ldexp(1.0, -106)};
	/* just above a tie: rounds up */
	assert_true(round_of(c, 3, NULL) == 1.0 + ldexp(1.0, -52));
	const double d[] = {1.0, ldexp(1.0, -53)}; /* a tie: to even */
	assert_true(round_of(d, 2, NULL) == 1.0);
	const double e[] = {-3.5, 1.25, ldexp(1.0, -1074)};
	assert_true(round_of(e, 3, NULL) == -2.25);
	const double f[] = {ldexp(1.0, -1074), ldexp(1.0, -1074)};
	assert_true(round_of(f, 2, NULL) == ldexp(1.0, -1073));
}

static void test_xsum__removing_what_was_added_leaves_exactly_the_rest(void **state)
{
	(void)state;
	fcat__xsum s;
	fcat__xsum_init(&s);
	double keep = 0.1;
	fcat__xsum_add(&s, keep, 1);
	for (int i = 0; i < 10000; i++) {
		double v = any_double();
		fcat__xsum_add(&s, v, 1);
		fcat__xsum_add(&s, v, -1);
	}
	assert_true(fcat__xsum_round(&s) == keep);
	fcat__xsum_add(&s, INFINITY, 1);
	assert_true(isinf(fcat__xsum_round(&s)));
	fcat__xsum_add(&s, -INFINITY, 1);
	assert_true(isnan(fcat__xsum_round(&s)));
	fcat__xsum_add(&s, INFINITY, -1);
	fcat__xsum_add(&s, -INFINITY, -1);
	assert_true(fcat__xsum_round(&s) == keep);
}

/* A view of one input column of type `in` and one aggregation. */
typedef struct one_agg {
	fcat__view v;
	fcat__aggregation a;
	fcat__field f;
	const char *input;
	fcat_type in_type;
} one_agg;

static void make(one_agg *o, fcat__agg_fn fn, fcat_type in, fcat_type out, uint32_t n)
{
	memset(o, 0, sizeof *o);
	o->input = "x";
	o->in_type = in;
	o->a = (fcat__aggregation){
	    .column = "x", .fn = fn, .window = 3600, .n = n, .input = 0, .input_type = in};
	o->f.type = out;
	o->v.aggs = &o->a;
	o->v.naggs = o->v.nfeatures = 1;
	o->v.features = &o->f;
	o->v.agg_interval = 600;
	o->v.agg_span = 3600;
	o->v.agg_inputs = &o->input;
	o->v.agg_input_types = &o->in_type;
	o->v.nagg_inputs = 1;
}

static const fcat_type REAL = {FCAT_FLOAT64, false, 0}, INT = {FCAT_INT64, false, 0},
                       TEXT = {FCAT_STRING, false, 0};

/* Feeds values in one state, and in two states (even and odd events)
 * merged; both must give the same bits. */
static fcat_value both_ways(one_agg *o, const fcat__aval *vals, const fcat__agg_when *when,
                            size_t n, fcat__arena *arena)
{
	fcat__agg_state all, even, odd;
	assert_int_equal(fcat__agg_state_init(&all, &o->a, arena), 0);
	assert_int_equal(fcat__agg_state_init(&even, &o->a, arena), 0);
	assert_int_equal(fcat__agg_state_init(&odd, &o->a, arena), 0);
	for (size_t i = 0; i < n; i++) {
		fcat__agg_state_add(&all, &vals[n - 1 - i], when[n - 1 - i], 1);
		fcat__agg_state_add(i % 2 ? &odd : &even, &vals[i], when[i], 1);
	}
	fcat__agg_state_merge(&even, &odd);
	fcat_value a, b;
	assert_int_equal(fcat__agg_state_value(&a, &all, o->f.type, arena), 0);
	assert_int_equal(fcat__agg_state_value(&b, &even, o->f.type, arena), 0);
	assert_int_equal(a.is_null, b.is_null);
	if (!a.is_null && !a.type.is_array && a.type.scalar != FCAT_STRING)
		assert_memory_equal(&a.u, &b.u, 8);
	if (!a.is_null && a.type.is_array)
		assert_int_equal(a.u.array.len, b.u.array.len);
	return a;
}

static void test_agg_state__each_function_merged_from_a_split_equals_one_pass(void **state)
{
	(void)state;
	fcat__arena arena;
	fcat__arena_init(&arena, 1 << 16);
	fcat__aval r[6], t[6], i6[6];
	fcat__agg_when w[6];
	const double reals[] = {2.5, -1.0, 7.0, 7.0, 0.25, 3.0};
	const char *tags[] = {"b", "a", "b", "c", "a", "d"};
	for (int i = 0; i < 6; i++) {
		r[i] = (fcat__aval){.u.d = reals[i]};
		i6[i] = (fcat__aval){.u.i = (int64_t)(reals[i] * 4)};
		t[i] = (fcat__aval){.u.s = {tags[i], 1}};
		w[i] = (fcat__agg_when){1000 + i, 0};
	}
	w[5] = w[4]; /* a tie of times: the larger value wins "last" */
	one_agg o;
	make(&o, FCAT__AGG_SUM, REAL, REAL, 0);
	assert_true(both_ways(&o, r, w, 6, &arena).u.f64 == 18.75);
	make(&o, FCAT__AGG_SUM, INT, INT, 0);
	assert_int_equal(both_ways(&o, i6, w, 6, &arena).u.i64, 75);
	make(&o, FCAT__AGG_MEAN, REAL, REAL, 0);
	assert_true(both_ways(&o, r, w, 6, &arena).u.f64 == 18.75 / 6);
	make(&o, FCAT__AGG_MIN, REAL, REAL, 0);
	assert_true(both_ways(&o, r, w, 6, &arena).u.f64 == -1.0);
	make(&o, FCAT__AGG_MAX, INT, INT, 0);
	assert_int_equal(both_ways(&o, i6, w, 6, &arena).u.i64, 28);
	make(&o, FCAT__AGG_COUNT, TEXT, INT, 0);
	assert_int_equal(both_ways(&o, t, w, 6, &arena).u.i64, 6);
	make(&o, FCAT__AGG_LAST, TEXT, TEXT, 0);
	fcat_value last = both_ways(&o, t, w, 6, &arena);
	assert_memory_equal(last.u.str.ptr, "d", 1); /* "d" > "a" at the same time */
	make(&o, FCAT__AGG_LAST_DISTINCT, TEXT, (fcat_type){FCAT_STRING, true, 0}, 3);
	fcat_value ld = both_ways(&o, t, w, 6, &arena);
	assert_int_equal(ld.u.array.len, 3);
	const fcat_bytes *items = ld.u.array.items;
	assert_memory_equal(items[0].ptr, "d", 1);
	assert_memory_equal(items[1].ptr, "a", 1);
	assert_memory_equal(items[2].ptr, "c", 1);
	make(&o, FCAT__AGG_STDDEV, REAL, REAL, 0);
	double mean = 18.75 / 6, ss = 0;
	for (int i = 0; i < 6; i++)
		ss += (reals[i] - mean) * (reals[i] - mean);
	assert_true(fabs(both_ways(&o, r, w, 6, &arena).u.f64 - sqrt(ss / 5)) < 1e-14);
	fcat__arena_release(&arena);
}

static void test_agg_row__events_survive_encode_decode_and_pruning(void **state)
{
	(void)state;
	one_agg o;
	make(&o, FCAT__AGG_LAST, TEXT, TEXT, 0);
	fcat__agg_events e = {.ninputs = 1};
	const int64_t hour = 3600000000LL;
	for (int i = 0; i < 5; i++) {
		fcat__aval v = {.null = i == 2, .u.s = {"abc", (size_t)i % 4}};
		fcat__agg_when w = {i * hour + 7, i == 3 ? INT64_MIN : i * hour + 9};
		assert_int_equal(fcat__agg_events_push(&e, w, &v), 0);
	}
	fcat__buf row = {0};
	fcat__agg_row_encode(&row, &o.v, &e);
	fcat__agg_events back = {.ninputs = 1};
	int64_t newest;
	const unsigned char *hash;
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &o.v,
	                                      (const unsigned char *)row.ptr, row.len),
	                 0);
	assert_int_equal(back.n, 5);
	assert_true(newest == 4 * hour + 7);
	for (size_t i = 0; i < 5; i++) {
		assert_true(back.when[i].ts == e.when[i].ts);
		assert_true(back.when[i].created == e.when[i].created);
		assert_int_equal(back.vals[i].null, e.vals[i].null);
		assert_int_equal(back.vals[i].u.s.len, e.vals[i].null ? 0 : e.vals[i].u.s.len);
	}
	/* one byte short: refused, not misread */
	fcat__agg_events cut = {.ninputs = 1};
	int64_t cut_newest;
	assert_int_equal(fcat__agg_row_decode(&cut, &cut_newest, &hash, &o.v,
	                                      (const unsigned char *)row.ptr, row.len - 1),
	                 FCAT_EINVALID);
	fcat__agg_events_free(&cut);
	/* the window is an hour: a read at or after 4h+7us reaches back past
	 * 3h+7us, whose tile starts at 3h; the tiles before it are dropped */
	fcat__agg_events_prune(&back, &o.v, newest);
	assert_int_equal(back.n, 2);
	assert_true(back.when[0].ts == 3 * hour + 7);
	fcat__buf_free(&row);
	fcat__agg_events_free(&e);
	fcat__agg_events_free(&back);
}

/* Encodes and decodes events; every time and value comes back bit for bit. */
static void round_trip(const one_agg *o, const fcat__agg_events *e, size_t *row_len)
{
	fcat__buf row = {0};
	fcat__agg_row_encode(&row, &o->v, e);
	fcat__agg_events back = {.ninputs = 1};
	int64_t newest;
	const unsigned char *hash;
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &o->v,
	                                      (const unsigned char *)row.ptr, row.len),
	                 0);
	assert_int_equal(back.n, e->n);
	for (size_t i = 0; i < e->n; i++) {
		assert_true(back.when[i].ts == e->when[i].ts);
		assert_true(back.when[i].created == e->when[i].created);
		assert_int_equal(back.vals[i].null, e->vals[i].null);
		if (!e->vals[i].null)
			assert_memory_equal(&back.vals[i].u, &e->vals[i].u, sizeof(double));
	}
	*row_len = row.len;
	fcat__buf_free(&row);
	fcat__agg_events_free(&back);
}

static void test_agg_row__reals_and_times_keep_their_bits_in_fewer_bytes(void **state)
{
	(void)state;
	one_agg o;
	make(&o, FCAT__AGG_SUM, REAL, REAL, 0);
	/* prices, integers, ratios and reals no decimal holds, and the edges:
	 * -0.0, NaN, infinities, huge and tiny values */
	const double special[] = {123.45,    -0.01, 7.0,    1e13 + 0.5, 0.1234,
	                          0.12345,   -0.0,  0.0,    NAN,        INFINITY,
	                          -INFINITY, 1e300, 5e-324, 1.0 / 3,    99999.99};
	const size_t ns = sizeof special / sizeof *special;
	const int64_t sec = 1000000;
	/* whole seconds (one unit), then milliseconds, then microseconds; a
	 * created time now and then; times before 1970 too */
	const int64_t step[] = {sec, 1000, 1};
	size_t len[3];
	for (int u = 0; u < 3; u++) {
		fcat__agg_events e = {.ninputs = 1};
		for (size_t i = 0; i < 200; i++) {
			double d = i < ns ? special[i] : (double)(next() % 10000000) / 100.0;
			if (i >= ns && i % 7 == 0)
				d = any_double();
			fcat__aval v = {.null = i % 11 == 5, .u.d = d};
			int64_t ts = -50 * sec + (int64_t)i * 37 * sec + step[u] * (int64_t)(i % 3);
			fcat__agg_when w = {ts, i % 4 == 0 ? ts + 3 * step[u] : INT64_MIN};
			assert_int_equal(fcat__agg_events_push(&e, w, &v), 0);
		}
		round_trip(&o, &e, &len[u]);
		fcat__agg_events_free(&e);
	}
	/* coarser times take fewer bytes */
	assert_true(len[0] < len[1] && len[1] < len[2]);
	/* whole seconds, but a created time one microsecond past: the unit is
	 * the microsecond, and both times come back */
	fcat__agg_events fine = {.ninputs = 1};
	for (int i = 0; i < 3; i++) {
		fcat__aval v = {.u.d = 1.5};
		int64_t ts = (int64_t)(i + 1) * 60 * sec;
		fcat__agg_when w = {ts, i == 1 ? ts + 1 : ts};
		assert_int_equal(fcat__agg_events_push(&fine, w, &v), 0);
	}
	size_t fine_len;
	round_trip(&o, &fine, &fine_len);
	fcat__agg_events_free(&fine);
	/* a price in whole seconds: about 8 bytes an event, not 17 */
	fcat__agg_events p = {.ninputs = 1};
	for (int i = 0; i < 100; i++) {
		fcat__aval v = {.u.d = (double)(1 + next() % 99999) / 100.0};
		fcat__agg_when w = {1767225600LL * sec + (int64_t)i * 3600 * sec, INT64_MIN};
		assert_int_equal(fcat__agg_events_push(&p, w, &v), 0);
	}
	size_t plen;
	round_trip(&o, &p, &plen);
	assert_true(plen < 24 + 32 + 10 + 100 * 9);
	fcat__agg_events_free(&p);
}

/* A row written before times had units and reals decimals (body 0xA1)
 * still reads. */
static void test_agg_row__rows_of_the_first_body_still_decode(void **state)
{
	(void)state;
	one_agg o;
	make(&o, FCAT__AGG_SUM, REAL, REAL, 0);
	unsigned char row[24 + 32 + 1 + 2 + 2 * 11] = {0xFC, 2};
	size_t at = 24 + 32;
	row[at++] = 0xA1;
	row[at++] = 1; /* inputs */
	row[at++] = 2; /* events */
	const double x[2] = {0.5, -2.25};
	/* ts 3 (zigzag 6), no created, a value; then ts 2 (delta -1: zigzag 1) */
	const unsigned char deltas[2] = {6, 1};
	for (int i = 0; i < 2; i++) {
		row[at++] = deltas[i];
		row[at++] = 0;
		row[at++] = 1;
		memcpy(row + at, &x[i], 8);
		at += 8;
	}
	assert_int_equal(at, sizeof row);
	fcat__agg_events back = {.ninputs = 1};
	int64_t newest;
	const unsigned char *hash;
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &o.v, row, sizeof row), 0);
	assert_int_equal(back.n, 2); /* sorted on the way in */
	assert_true(back.when[0].ts == 2 && back.vals[0].u.d == -2.25);
	assert_true(back.when[1].ts == 3 && back.vals[1].u.d == 0.5);
	/* a decimal tag belongs to the second body only */
	row[24 + 32 + 3 + 2] = 4;
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &o.v, row, sizeof row),
	                 FCAT_EINVALID);
	fcat__agg_events_free(&back);
}

/* A view of two inputs, a real and a text (the second's tag has a byte
 * of its own). */
typedef struct two_inputs {
	fcat__view v;
	const char *inputs[2];
	fcat_type types[2];
} two_inputs;

static void make_two(two_inputs *t)
{
	memset(t, 0, sizeof *t);
	t->inputs[0] = "x";
	t->inputs[1] = "s";
	t->types[0] = REAL;
	t->types[1] = TEXT;
	t->v.agg_interval = 600;
	t->v.agg_span = 3600;
	t->v.agg_inputs = t->inputs;
	t->v.agg_input_types = t->types;
	t->v.nagg_inputs = 2;
	t->v.base.name = "two";
}

/* Every truncation and every change of one byte of a row gives its events
 * or FCAT_EINVALID (run under ASan: nothing read out of bounds); a body a
 * newer fcat would write is FCAT_EVERSION, not a damaged row. */
static void test_agg_row__damaged_rows_are_refused_not_misread(void **state)
{
	(void)state;
	two_inputs t;
	make_two(&t);
	fcat__agg_events e = {.ninputs = 2};
	const int64_t sec = 1000000;
	for (int i = 0; i < 6; i++) {
		fcat__aval v[2] = {{.null = i == 4, .u.d = i == 2 ? 0.1 + 0.2 : (double)i / 4},
		                   {.null = i == 1, .u.s = {"abcdef", (size_t)i}}};
		fcat__agg_when w = {(int64_t)i * 90 * sec - 30 * sec, i % 2 ? INT64_MIN : i * sec};
		assert_int_equal(fcat__agg_events_push(&e, w, v), 0);
	}
	fcat__buf row = {0};
	fcat__agg_row_encode(&row, &t.v, &e);
	unsigned char *copy = malloc(row.len);
	fcat__agg_events back = {.ninputs = 2};
	int64_t newest;
	const unsigned char *hash;
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &t.v,
	                                      (const unsigned char *)row.ptr, row.len),
	                 0);
	assert_int_equal(back.n, 6);
	const double third = 0.1 + 0.2; /* not a decimal of 4 digits: 8 bytes */
	assert_memory_equal(&back.vals[2 * 2].u.d, &third, sizeof third);
	assert_true(back.vals[4 * 2].null && back.vals[1 * 2 + 1].null);
	assert_int_equal(back.vals[5 * 2 + 1].u.s.len, 5);
	assert_memory_equal(back.vals[5 * 2 + 1].u.s.ptr, "abcde", 5);
	for (size_t cut = 0; cut < row.len; cut++) {
		memcpy(copy, row.ptr, cut);
		int rc = fcat__agg_row_decode(&back, &newest, &hash, &t.v, copy, cut);
		assert_int_equal(rc, FCAT_EINVALID);
	}
	const unsigned char flips[] = {0x01, 0x80, 0xFF, 0x7F};
	for (size_t at = 0; at < row.len; at++)
		for (size_t f = 0; f < sizeof flips; f++) {
			memcpy(copy, row.ptr, row.len);
			copy[at] ^= flips[f];
			int rc = fcat__agg_row_decode(&back, &newest, &hash, &t.v, copy, row.len);
			assert_true(rc == 0 || rc == FCAT_EINVALID || rc == FCAT_EVERSION);
			assert_true(rc == 0 || back.n <= 6);
		}
	memcpy(copy, row.ptr, row.len);
	copy[24 + 32] = 0xA3; /* the body mark of a later fcat */
	assert_int_equal(fcat__agg_row_decode(&back, &newest, &hash, &t.v, copy, row.len),
	                 FCAT_EVERSION);
	assert_non_null(strstr(fcat_error_last(), "newer fcat"));
	free(copy);
	fcat__buf_free(&row);
	fcat__agg_events_free(&e);
	fcat__agg_events_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_xsum__any_order_gives_the_same_bits),
	    cmocka_unit_test(test_xsum__the_sum_is_exact_then_rounded_once),
	    cmocka_unit_test(test_xsum__removing_what_was_added_leaves_exactly_the_rest),
	    cmocka_unit_test(test_agg_state__each_function_merged_from_a_split_equals_one_pass),
	    cmocka_unit_test(test_agg_row__events_survive_encode_decode_and_pruning),
	    cmocka_unit_test(test_agg_row__reals_and_times_keep_their_bits_in_fewer_bytes),
	    cmocka_unit_test(test_agg_row__rows_of_the_first_body_still_decode),
	    cmocka_unit_test(test_agg_row__damaged_rows_are_refused_not_misread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
