/* latest_asof.c - the latest row of a key at many times T (the
 * point-in-time join of training sets): sort the questions and the source
 * rows by key and time, then per key fold the rows up to each T in time
 * order and answer from the state. Sort-merge over compact records, so any
 * scan-only source gets it for free. */
#include "latest/latest.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int cmp_key(uint64_t a1, uint64_t a2, uint64_t b1, uint64_t b2)
{
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	if (a2 != b2)
		return a2 < b2 ? -1 : 1;
	return 0;
}

static int cmp_ask(const void *pa, const void *pb)
{
	const fcat__latest_ask *a = pa, *b = pb;
	int c = cmp_key(a->h1, a->h2, b->h1, b->h2);
	if (c)
		return c;
	return (a->at > b->at) - (a->at < b->at);
}

static int cmp_row(const void *pa, const void *pb)
{
	const fcat__latest_row *a = pa, *b = pb;
	int c = cmp_key(a->h1, a->h2, b->h1, b->h2);
	if (c)
		return c;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->created != b->created)
		return a->created < b->created ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

/* LSD radix sort on h1, 16 bits a pass, then the short runs of equal h1
 * (one key's rows, about as many as it has events) by the full order:
 * qsort's comparisons dominated the join at 10M rows. */
#define RADIX_SORT(NAME, T, CMP)                                                                   \
	static void NAME(T *a, size_t n)                                                           \
	{                                                                                          \
		if (n < 2) /* sorted; `a` may be NULL (an empty source) */                         \
			return;                                                                    \
		T *tmp = n > 64 ? malloc(n * sizeof *tmp) : NULL;                                  \
		if (!tmp) {                                                                        \
			qsort(a, n, sizeof *a, CMP);                                               \
			return;                                                                    \
		}                                                                                  \
		size_t *count = malloc(65536 * sizeof *count);                                     \
		if (!count) {                                                                      \
			free(tmp);                                                                 \
			qsort(a, n, sizeof *a, CMP);                                               \
			return;                                                                    \
		}                                                                                  \
		T *src = a, *dst = tmp;                                                            \
		for (int shift = 0; shift < 64; shift += 16) {                                     \
			memset(count, 0, 65536 * sizeof *count);                                   \
			for (size_t i = 0; i < n; i++)                                             \
				count[(src[i].h1 >> shift) & 0xffff]++;                            \
			size_t sum = 0;                                                            \
			for (size_t d = 0; d < 65536; d++) {                                       \
				size_t c = count[d];                                               \
				count[d] = sum;                                                    \
				sum += c;                                                          \
			}                                                                          \
			for (size_t i = 0; i < n; i++)                                             \
				dst[count[(src[i].h1 >> shift) & 0xffff]++] = src[i];              \
			T *t = src;                                                                \
			src = dst;                                                                 \
			dst = t;                                                                   \
		}                                                                                  \
		/* four passes: the sorted data is back in `a` */                                  \
		free(count);                                                                       \
		free(tmp);                                                                         \
		for (size_t i = 0; i < n;) {                                                       \
			size_t j = i + 1;                                                          \
			while (j < n && a[j].h1 == a[i].h1)                                        \
				j++;                                                               \
			for (size_t k = i + 1; k < j; k++) { /* insertion sort */                  \
				T x = a[k];                                                        \
				size_t m = k;                                                      \
				while (m > i && CMP(&a[m - 1], &x) > 0) {                          \
					a[m] = a[m - 1];                                           \
					m--;                                                       \
				}                                                                  \
				a[m] = x;                                                          \
			}                                                                          \
			i = j;                                                                     \
		}                                                                                  \
	}

RADIX_SORT(sort_asks, fcat__latest_ask, cmp_ask)
RADIX_SORT(sort_rows, fcat__latest_row, cmp_row)

void fcat__latest_asof(fcat__latest_ask *asks, size_t nasks, fcat__latest_row *rows, size_t nrows,
                       int64_t ttl_us, uint32_t *match)
{
	sort_asks(asks, nasks);
	sort_rows(rows, nrows);
	fcat__latest_state st = {0, 0, FCAT_LATEST_NONE};
	size_t j = 0;
	for (size_t i = 0; i < nasks; i++) {
		const fcat__latest_ask *a = &asks[i];
		if (i == 0 || cmp_key(a->h1, a->h2, asks[i - 1].h1, asks[i - 1].h2) != 0) {
			/* a new key: skip the rows of smaller keys, start empty */
			while (j < nrows && cmp_key(rows[j].h1, rows[j].h2, a->h1, a->h2) < 0)
				j++;
			st = (fcat__latest_state){0, 0, FCAT_LATEST_NONE};
		}
		/* the key's rows up to T, in time order; later asks of the
		 * key only fold more */
		while (j < nrows && rows[j].ts <= a->at &&
		       cmp_key(rows[j].h1, rows[j].h2, a->h1, a->h2) == 0)
			fcat__latest_fold(&st, &rows[j++]);
		match[a->idx] =
		    a->at == INT64_MIN ? FCAT_LATEST_NONE : fcat__latest_answer(&st, a->at, ttl_us);
	}
}
