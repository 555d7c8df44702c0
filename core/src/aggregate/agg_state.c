/* agg_state.c - the one implementation of each aggregation function:
 * count, sum, mean, min, max, last, last_distinct(n), stddev, as a state
 * that takes events, merges with another, and gives the feature's value.
 * Training sets, online reads and pushes all go through these. */
#include "aggregate/agg.h"

#include "util/error.h"

#include <math.h>
#include <string.h>

fcat__aval_kind fcat__aval_kind_of(fcat_type t)
{
	if (t.is_array)
		return FCAT__AV_NONE;
	switch (t.scalar) {
	case FCAT_FLOAT32:
	case FCAT_FLOAT64: return FCAT__AV_REAL;
	case FCAT_STRING:
	case FCAT_BYTES: return FCAT__AV_TEXT;
	default: return FCAT__AV_INT;
	}
}

fcat__aval fcat__aval_of(const fcat_value *v, fcat_type t)
{
	fcat__aval a = {.null = v->is_null};
	if (a.null || t.is_array)
		return a;
	switch (t.scalar) {
	case FCAT_INT32: a.u.i = v->u.i32; break;
	case FCAT_INT64: a.u.i = v->u.i64; break;
	case FCAT_TIMESTAMP: a.u.i = v->u.ts; break;
	case FCAT_BOOL: a.u.i = v->u.b; break;
	case FCAT_FLOAT32: a.u.d = v->u.f32; break;
	case FCAT_FLOAT64: a.u.d = v->u.f64; break;
	default: a.u.s = v->u.str; break;
	}
	return a;
}

int fcat__aval_cmp(const fcat__aval *a, const fcat__aval *b, fcat__aval_kind k)
{
	if (a->null || b->null)
		return (int)!a->null - (int)!b->null;
	switch (k) {
	case FCAT__AV_INT: return (a->u.i > b->u.i) - (a->u.i < b->u.i);
	case FCAT__AV_REAL: {
		/* IEEE total order: flip the magnitude bits of negatives */
		int64_t x, y;
		memcpy(&x, &a->u.d, 8);
		memcpy(&y, &b->u.d, 8);
		x ^= (int64_t)((uint64_t)(x >> 63) >> 1);
		y ^= (int64_t)((uint64_t)(y >> 63) >> 1);
		return (x > y) - (x < y);
	}
	case FCAT__AV_TEXT: {
		size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
		int c = n ? memcmp(a->u.s.ptr, b->u.s.ptr, n) : 0;
		if (c)
			return c < 0 ? -1 : 1;
		return (a->u.s.len > b->u.s.len) - (a->u.s.len < b->u.s.len);
	}
	default: return 0;
	}
}

static int when_cmp(fcat__agg_when a, fcat__agg_when b)
{
	if (a.ts != b.ts)
		return a.ts < b.ts ? -1 : 1;
	return (a.created > b.created) - (a.created < b.created);
}

/* Is (when, v) newer than (bw, bv)? Ties of time go to the larger value,
 * so the answer never depends on the order events came in. */
static bool newer(fcat__agg_when when, const fcat__aval *v, fcat__agg_when bw, const fcat__aval *bv,
                  fcat__aval_kind k)
{
	int c = when_cmp(when, bw);
	return c > 0 || (c == 0 && fcat__aval_cmp(v, bv, k) > 0);
}

bool fcat__agg_invertible(fcat__agg_fn fn)
{
	return fn == FCAT__AGG_COUNT || fn == FCAT__AGG_SUM || fn == FCAT__AGG_MEAN ||
	       fn == FCAT__AGG_STDDEV;
}

int fcat__agg_state_init(fcat__agg_state *st, const fcat__aggregation *a, fcat__arena *arena)
{
	memset(st, 0, sizeof *st);
	st->agg = a;
	st->kind = a->input >= 0 ? fcat__aval_kind_of(a->input_type) : FCAT__AV_NONE;
	bool real = st->kind == FCAT__AV_REAL;
	if ((a->fn == FCAT__AGG_SUM || a->fn == FCAT__AGG_MEAN) && real)
		st->sum = fcat__arena_alloc(arena, sizeof *st->sum);
	if (a->fn == FCAT__AGG_STDDEV) {
		st->sum = fcat__arena_alloc(arena, sizeof *st->sum);
		st->sq = fcat__arena_alloc(arena, sizeof *st->sq);
		if (!st->sq)
			return fcat__error_oom();
	}
	if (a->fn == FCAT__AGG_LAST_DISTINCT)
		st->seen = fcat__arena_alloc(arena, 2 * (size_t)a->n * sizeof *st->seen);
	if (((a->fn == FCAT__AGG_SUM || a->fn == FCAT__AGG_MEAN) && real && !st->sum) ||
	    (a->fn == FCAT__AGG_LAST_DISTINCT && !st->seen))
		return fcat__error_oom();
	fcat__agg_state_reset(st);
	return 0;
}

void fcat__agg_state_reset(fcat__agg_state *st)
{
	st->n = 0;
	st->isum = 0;
	st->have = st->nan = false;
	st->nseen = 0;
	if (st->sum)
		fcat__xsum_init(st->sum);
	if (st->sq)
		fcat__xsum_init(st->sq);
}

static double as_real(const fcat__agg_state *st, const fcat__aval *v)
{
	return st->kind == FCAT__AV_REAL ? v->u.d : (double)v->u.i;
}

/* last_distinct: takes value v seen at `when`, keeping the newest time of
 * each value and the n newest values (ordered newest first). */
static void seen_add(fcat__agg_state *st, const fcat__aval *v, fcat__agg_when when)
{
	uint32_t n = st->agg->n, i;
	for (i = 0; i < st->nseen; i++)
		if (fcat__aval_cmp(&st->seen[i].v, v, st->kind) == 0)
			break;
	if (i < st->nseen) {
		if (!newer(when, v, st->seen[i].when, v, st->kind))
			return;
		memmove(&st->seen[i], &st->seen[i + 1], (st->nseen - i - 1) * sizeof *st->seen);
		st->nseen--;
	}
	/* its place, newest first */
	uint32_t at = 0;
	while (at < st->nseen && newer(st->seen[at].when, &st->seen[at].v, when, v, st->kind))
		at++;
	if (at >= n)
		return; /* older than the n kept: it can never be among them */
	if (st->nseen == n)
		st->nseen--; /* the oldest falls out */
	memmove(&st->seen[at + 1], &st->seen[at], (st->nseen - at) * sizeof *st->seen);
	st->seen[at] = (fcat__agg_seen){*v, when};
	st->nseen++;
}

void fcat__agg_state_add(fcat__agg_state *st, const fcat__aval *v, fcat__agg_when when, int sign)
{
	const fcat__aggregation *a = st->agg;
	if (a->input < 0) { /* count of events */
		st->n += sign;
		return;
	}
	if (v->null)
		return;
	st->n += sign;
	switch (a->fn) {
	case FCAT__AGG_COUNT: return;
	case FCAT__AGG_SUM:
	case FCAT__AGG_MEAN:
		if (st->sum)
			fcat__xsum_add(st->sum, v->u.d, sign);
		else
			st->isum += sign * (__int128)v->u.i;
		return;
	case FCAT__AGG_STDDEV: {
		double x = as_real(st, v);
		fcat__xsum_add(st->sum, x, sign);
		fcat__xsum_add_square(st->sq, x, sign);
		return;
	}
	case FCAT__AGG_MIN:
	case FCAT__AGG_MAX: {
		if (st->kind == FCAT__AV_REAL && isnan(v->u.d)) {
			st->nan = true;
			return;
		}
		int c = st->have ? fcat__aval_cmp(v, &st->best, st->kind) : 0;
		if (!st->have || (a->fn == FCAT__AGG_MIN ? c < 0 : c > 0)) {
			st->best = *v;
			st->have = true;
		}
		return;
	}
	case FCAT__AGG_LAST:
		if (!st->have || newer(when, v, st->best_when, &st->best, st->kind)) {
			st->best = *v;
			st->best_when = when;
			st->have = true;
		}
		return;
	case FCAT__AGG_LAST_DISTINCT: seen_add(st, v, when); return;
	default: return;
	}
}

void fcat__agg_state_merge(fcat__agg_state *a, const fcat__agg_state *b)
{
	switch (a->agg->fn) {
	case FCAT__AGG_MIN:
	case FCAT__AGG_MAX:
	case FCAT__AGG_LAST:
		a->nan |= b->nan;
		if (b->have) {
			int64_t n = a->n;
			fcat__agg_state_add(a, &b->best, b->best_when, 1);
			a->n = n;
		}
		break;
	case FCAT__AGG_LAST_DISTINCT:
		for (uint32_t i = 0; i < b->nseen; i++)
			seen_add(a, &b->seen[i].v, b->seen[i].when);
		break;
	default:
		a->isum += b->isum;
		if (a->sum && b->sum)
			fcat__xsum_merge(a->sum, b->sum);
		if (a->sq && b->sq)
			fcat__xsum_merge(a->sq, b->sq);
		break;
	}
	a->n += b->n;
}

/* The C size of an array item of scalar s (fcat_value's array layout). */
static size_t item_size(fcat_scalar s)
{
	switch (s) {
	case FCAT_INT32: return sizeof(int32_t);
	case FCAT_FLOAT32: return sizeof(float);
	case FCAT_FLOAT64: return sizeof(double);
	case FCAT_STRING:
	case FCAT_BYTES: return sizeof(fcat_bytes);
	case FCAT_BOOL: return sizeof(bool);
	default: return sizeof(int64_t);
	}
}

static fcat_value null_of(fcat_type t)
{
	return (fcat_value){.type = t, .is_null = true};
}

/* Sets out (of scalar type t) from an aval. */
static void scalar_value(fcat_value *out, fcat_type t, const fcat__aval *v)
{
	*out = (fcat_value){.type = t};
	switch (t.scalar) {
	case FCAT_INT32: out->u.i32 = (int32_t)v->u.i; break;
	case FCAT_INT64: out->u.i64 = v->u.i; break;
	case FCAT_TIMESTAMP: out->u.ts = v->u.i; break;
	case FCAT_BOOL: out->u.b = v->u.i != 0; break;
	case FCAT_FLOAT32: out->u.f32 = (float)v->u.d; break;
	case FCAT_FLOAT64: out->u.f64 = v->u.d; break;
	default: out->u.str = v->u.s; break;
	}
}

/* Sample standard deviation from exact sums: n*Q - S^2 in double-double,
 * over n(n-1), then the square root. The same exact sums always give the
 * same bits. */
static double stddev_of(const fcat__agg_state *st)
{
	double n = (double)st->n;
	double sh, sl, qh, ql;
	fcat__xsum_round2(st->sum, &sh, &sl);
	fcat__xsum_round2(st->sq, &qh, &ql);
	if (!isfinite(sh) || !isfinite(qh))
		return NAN;
	/* n*Q, exactly as two doubles (n is an integer below 2^53) */
	double nq = n * qh, nq_err = fma(n, qh, -nq) + n * ql;
	/* S^2 */
	double ss = sh * sh, ss_err = fma(sh, sh, -ss) + 2 * sh * sl;
	double num = (nq - ss) + (nq_err - ss_err);
	if (num < 0)
		num = 0;
	return sqrt(num / (n * (n - 1)));
}

int fcat__agg_state_value(fcat_value *out, const fcat__agg_state *st, fcat_type type,
                          fcat__arena *out_arena)
{
	const fcat__aggregation *a = st->agg;
	*out = null_of(type);
	switch (a->fn) {
	case FCAT__AGG_COUNT: *out = (fcat_value){.type = type, .u.i64 = st->n}; return 0;
	case FCAT__AGG_SUM:
		if (st->sum) {
			*out = (fcat_value){.type = type, .u.f64 = fcat__xsum_round(st->sum)};
			return 0;
		}
		if (st->isum > INT64_MAX || st->isum < INT64_MIN)
			return fcat__error(FCAT_EINVALID, "the sum overflows int64");
		*out = (fcat_value){.type = type, .u.i64 = (int64_t)st->isum};
		return 0;
	case FCAT__AGG_MEAN:
		if (st->n > 0) {
			double s = st->sum ? fcat__xsum_round(st->sum) : (double)st->isum;
			*out = (fcat_value){.type = type, .u.f64 = s / (double)st->n};
		}
		return 0;
	case FCAT__AGG_STDDEV:
		if (st->n > 1)
			*out = (fcat_value){.type = type, .u.f64 = stddev_of(st)};
		return 0;
	case FCAT__AGG_MIN:
	case FCAT__AGG_MAX:
		if (st->nan) {
			fcat__aval nan = {.u.d = NAN};
			scalar_value(out, type, &nan);
		} else if (st->have) {
			scalar_value(out, type, &st->best);
		}
		return 0;
	case FCAT__AGG_LAST:
		if (st->have)
			scalar_value(out, type, &st->best);
		return 0;
	case FCAT__AGG_LAST_DISTINCT: {
		fcat_type item = type;
		item.is_array = false;
		size_t size = item_size(item.scalar);
		unsigned char *items =
		    fcat__arena_alloc(out_arena, (st->nseen ? st->nseen : 1) * size);
		if (!items)
			return fcat__error_oom();
		for (uint32_t i = 0; i < st->nseen; i++) {
			fcat_value x;
			scalar_value(&x, item, &st->seen[i].v);
			memcpy(items + i * size, &x.u, size);
		}
		*out = (fcat_value){.type = type, .u.array = {items, st->nseen}};
		return 0;
	}
	default: return fcat__error(FCAT_EINVALID, "unknown aggregation function");
	}
}
