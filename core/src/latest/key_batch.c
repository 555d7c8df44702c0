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

void fcat__key_batch_free(fcat__key_batch *b)
{
	fcat__buf_free(&b->keys);
	free(b->end);
	free(b->hash);
	b->end = NULL;
	b->hash = NULL;
	b->cap = 0;
}
