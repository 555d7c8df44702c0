/* key_batch.c - a batch of source rows' entity keys encoded and hashed
 * before any is looked up, each key's slot in the map asked for ahead, so
 * the lookups that follow rarely wait on memory (materialize's latest rows
 * and the events of aggregation views). */
#include "latest/latest.h"

#include "encoding/encoding.h"
#include "util/error.h"
#include "util/grow.h"

#include <stdlib.h>

int fcat__key_batch_fill(fcat__key_batch *b, const fcat_value *cells, size_t nrows, size_t ncols,
                         size_t nkeys, int ts_col, const fcat__latest_map *m)
{
	if (nrows > b->cap) {
		if (!fcat__resize(&b->end, nrows, sizeof *b->end) ||
		    !fcat__resize(&b->hash, nrows, sizeof *b->hash))
			return fcat__error_oom();
		b->cap = nrows;
	}
	b->keys.len = 0;
	b->next = 0;
	for (size_t i = 0; i < nrows; i++) {
		const fcat_value *row = cells + i * ncols;
		bool null_key = row[ts_col].is_null;
		for (size_t k = 0; k < nkeys; k++)
			null_key |= row[k].is_null;
		size_t start = b->keys.len;
		b->end[i] = 0;
		if (null_key)
			continue;
		int rc = fcat__key_encode(&b->keys, row, nkeys);
		if (rc)
			return rc;
		b->end[i] = b->keys.len;
		b->hash[i] = fcat__latest_hash(b->keys.ptr + start, b->keys.len - start);
		fcat__latest_map_prefetch(m, b->hash[i]);
	}
	return b->keys.oom ? fcat__error_oom() : 0;
}

int fcat__key_batch_entry(fcat__key_batch *b, fcat__latest_map *m, size_t i, size_t n, bool rows,
                          fcat__latest **out)
{
	*out = NULL;
	if (!b->end[i])
		return 0;
	if (i + 8 < n && b->end[i + 8])
		fcat__latest_map_prefetch_entry(m, b->hash[i + 8]);
	if (rows && i + 4 < n && b->end[i + 4])
		fcat__latest_map_prefetch_row(m, b->hash[i + 4]);
	size_t start = b->next;
	b->next = b->end[i];
	*out = fcat__latest_map_get(m, b->keys.ptr + start, b->end[i] - start, b->hash[i]);
	return *out ? 0 : fcat__error_oom();
}

void fcat__key_batch_free(fcat__key_batch *b)
{
	fcat__buf_free(&b->keys);
	free(b->end);
	free(b->hash);
	b->end = NULL;
	b->hash = NULL;
	b->cap = 0;
}
