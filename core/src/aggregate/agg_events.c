/* agg_events.c - an entity's events in time order: appending, sorting,
 * finding a window's bounds, evaluating a feature over a window, keeping
 * only the tiles a window can still reach, and splicing fresh events in
 * (materialize replaces a time range, a push adds). */
#include "aggregate/agg.h"

#include "util/error.h"
#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

void fcat__agg_events_free(fcat__agg_events *e)
{
	if (!e->view) { /* a view into another's arrays owns nothing */
		free(e->when);
		free(e->vals);
	}
	e->when = NULL;
	e->vals = NULL;
	e->n = e->cap = 0;
}

static int reserve(fcat__agg_events *e, size_t n)
{
	if (n <= e->cap)
		return 0;
	if (e->view) { /* copied out before it grows */
		fcat__agg_when *w = malloc(e->n * sizeof *w);
		fcat__aval *v = malloc(e->n * (e->ninputs ? e->ninputs : 1) * sizeof *v);
		if (!w || !v) {
			free(w);
			free(v);
			return fcat__error_oom();
		}
		memcpy(w, e->when, e->n * sizeof *w);
		if (e->ninputs)
			memcpy(v, e->vals, e->n * e->ninputs * sizeof *v);
		e->when = w;
		e->vals = v;
		e->cap = e->n;
		e->view = false;
	}
	size_t cap = e->cap ? e->cap : 16;
	while (cap < n)
		cap *= 2;
	fcat__agg_when *w = realloc(e->when, cap * sizeof *w);
	if (!w)
		return fcat__error_oom();
	e->when = w;
	size_t nv = cap * (e->ninputs ? e->ninputs : 1);
	fcat__aval *v = realloc(e->vals, nv * sizeof *v);
	if (!v)
		return fcat__error_oom();
	e->vals = v;
	e->cap = cap;
	return 0;
}

int fcat__agg_events_push(fcat__agg_events *e, fcat__agg_when when, const fcat__aval *vals)
{
	int rc = reserve(e, e->n + 1);
	if (rc)
		return rc;
	e->when[e->n] = when;
	if (e->ninputs)
		memcpy(e->vals + e->n * e->ninputs, vals, e->ninputs * sizeof *vals);
	e->n++;
	return 0;
}

static bool before(fcat__agg_when a, fcat__agg_when b)
{
	return a.ts < b.ts || (a.ts == b.ts && a.created < b.created);
}

int fcat__agg_events_sort(fcat__agg_events *e)
{
	size_t k = e->ninputs;
	bool sorted = true;
	for (size_t i = 1; i < e->n && sorted; i++)
		sorted = !before(e->when[i], e->when[i - 1]);
	if (sorted)
		return 0;
	/* a stable merge sort of an index, then the events moved once (in
	 * place: a view into shared arrays is sorted where it is) */
	size_t n = e->n;
	if (n < 24) { /* insertion sort: small entities, and nearly sorted ones */
		fcat__aval tmp[FCAT__MAX_VIEW_COLUMNS];
		for (size_t i = 1; i < n; i++) {
			fcat__agg_when w = e->when[i];
			if (k)
				memcpy(tmp, e->vals + i * k, k * sizeof *tmp);
			size_t j = i;
			for (; j > 0 && before(w, e->when[j - 1]); j--) {
				e->when[j] = e->when[j - 1];
				if (k)
					memcpy(e->vals + j * k, e->vals + (j - 1) * k,
					       k * sizeof *tmp);
			}
			e->when[j] = w;
			if (k)
				memcpy(e->vals + j * k, tmp, k * sizeof *tmp);
		}
		return 0;
	}
	size_t *idx = malloc(2 * n * sizeof *idx);
	fcat__agg_when *w = malloc(n * sizeof *w);
	fcat__aval *v = malloc((n * k > 0 ? n * k : 1) * sizeof *v);
	if (!idx || !w || !v) {
		free(idx);
		free(w);
		free(v);
		return fcat__error_oom();
	}
	size_t *a = idx, *b = idx + n;
	for (size_t i = 0; i < n; i++)
		a[i] = i;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				b[o++] = before(e->when[a[j]], e->when[a[i]]) ? a[j++] : a[i++];
			while (i < mid)
				b[o++] = a[i++];
			while (j < hi)
				b[o++] = a[j++];
		}
		size_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		w[i] = e->when[a[i]];
		if (k)
			memcpy(v + i * k, e->vals + a[i] * k, k * sizeof *v);
	}
	memcpy(e->when, w, n * sizeof *w);
	if (k)
		memcpy(e->vals, v, n * k * sizeof *v);
	free(idx);
	free(w);
	free(v);
	return 0;
}

size_t fcat__agg_events_after(const fcat__agg_events *e, int64_t t)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->when[mid].ts <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* at - window, saturating */
static int64_t window_start(int64_t at, int64_t window_s)
{
	int64_t w = window_s * 1000000;
	return at < INT64_MIN + w ? INT64_MIN : at - w;
}

int fcat__agg_eval(fcat_value *out, const fcat__view *v, size_t f, fcat__agg_state *st,
                   const fcat__agg_events *e, int64_t at, fcat__arena *out_arena)
{
	const fcat__aggregation *a = &v->aggs[f];
	fcat__agg_state_reset(st);
	size_t hi = fcat__agg_events_after(e, at);
	size_t lo = fcat__agg_events_after(e, window_start(at, a->window));
	for (size_t i = lo; i < hi; i++)
		fcat__agg_state_add(st, fcat__agg_event_value(e, i, a), e->when[i], 1);
	return fcat__agg_state_value(out, st, v->features[f].type, out_arena);
}

void fcat__agg_events_prune(fcat__agg_events *e, const fcat__view *v, int64_t newest)
{
	/* the first tile a read at `newest` or later can reach */
	int64_t iv = v->agg_interval * 1000000;
	int64_t from = window_start(newest, v->agg_span);
	if (from == INT64_MIN)
		return;
	int64_t tile = from / iv - (from % iv < 0);
	int64_t keep_from = tile * iv; /* events before it are out of every window */
	size_t drop = 0;
	while (drop < e->n && e->when[drop].ts < keep_from)
		drop++;
	if (!drop)
		return;
	size_t k = e->ninputs;
	memmove(e->when, e->when + drop, (e->n - drop) * sizeof *e->when);
	if (k)
		memmove(e->vals, e->vals + drop * k, (e->n - drop) * k * sizeof *e->vals);
	e->n -= drop;
}

int fcat__agg_events_splice(fcat__agg_events *into, const fcat__agg_events *fresh, int64_t start,
                            int64_t end)
{
	size_t k = into->ninputs;
	bool replace = end > start;
	/* drop the range being replaced */
	if (replace) {
		size_t o = 0;
		for (size_t i = 0; i < into->n; i++) {
			int64_t ts = into->when[i].ts;
			if (ts >= start && ts < end)
				continue;
			into->when[o] = into->when[i];
			if (k)
				memmove(into->vals + o * k, into->vals + i * k,
				        k * sizeof *into->vals);
			o++;
		}
		into->n = o;
	}
	int rc = reserve(into, into->n + fresh->n);
	for (size_t i = 0; rc == 0 && i < fresh->n; i++) {
		int64_t ts = fresh->when[i].ts;
		if (replace && (ts < start || ts >= end))
			continue;
		rc = fcat__agg_events_push(into, fresh->when[i], fresh->vals + i * k);
	}
	return rc ? rc : fcat__agg_events_sort(into);
}
