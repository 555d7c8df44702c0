/* pit_join.c - the point-in-time join: for every entity row, the source row
 * with the same key and the latest event time at or before the entity's
 * time (within the ttl), ties to the latest created time. Sort-merge over
 * compact records, so any scan-only source gets it for free. */
#include "latest/pit_join.h"

#include "util/strmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void fcat__pit_hash(const void *key, size_t len, uint64_t *h1, uint64_t *h2)
{
	/* two independent 64-bit hashes: a collision of both among even 10^9
	 * keys has a probability below 10^-20 */
	*h1 = fcat__hash_bytes(key, len);
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	*h2 = h;
}

static int cmp_key(uint64_t a1, uint64_t a2, uint64_t b1, uint64_t b2)
{
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	if (a2 != b2)
		return a2 < b2 ? -1 : 1;
	return 0;
}

static int cmp_left(const void *pa, const void *pb)
{
	const fcat__pit_left *a = pa, *b = pb;
	int c = cmp_key(a->h1, a->h2, b->h1, b->h2);
	if (c)
		return c;
	return (a->ts > b->ts) - (a->ts < b->ts);
}

static int cmp_right(const void *pa, const void *pb)
{
	const fcat__pit_right *a = pa, *b = pb;
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

RADIX_SORT(sort_left, fcat__pit_left, cmp_left)
RADIX_SORT(sort_right, fcat__pit_right, cmp_right)

void fcat__pit_join(fcat__pit_left *left, size_t nleft, fcat__pit_right *right, size_t nright,
                    int64_t ttl_us, uint32_t *match)
{
	sort_left(left, nleft);
	sort_right(right, nright);
	size_t j = 0;
	for (size_t i = 0; i < nleft; i++) {
		const fcat__pit_left *l = &left[i];
		/* skip source rows of smaller keys */
		while (j < nright && cmp_key(right[j].h1, right[j].h2, l->h1, l->h2) < 0)
			j++;
		/* within the key: the last row at or before T wins (sorted by
		 * event, then created time); later entity rows of the same key
		 * only move forward */
		size_t k = j, best = SIZE_MAX;
		while (k < nright && cmp_key(right[k].h1, right[k].h2, l->h1, l->h2) == 0 &&
		       right[k].ts <= l->ts)
			best = k++;
		if (best != SIZE_MAX && i + 1 < nleft &&
		    cmp_key(left[i + 1].h1, left[i + 1].h2, l->h1, l->h2) == 0)
			j = best; /* the next entity row of this key starts here */
		/* no lower bound without a ttl, or below the first int64 */
		bool inside = best != SIZE_MAX && (ttl_us <= 0 || l->ts < INT64_MIN + ttl_us ||
		                                   right[best].ts >= l->ts - ttl_us);
		match[l->idx] = inside ? right[best].row : FCAT_PIT_NONE;
	}
}
