/* materialize_parts.h - a view's source rows read in parts at once, each
 * part folded into latest rows of its own, merged in scan order. */
#ifndef FCAT_MATERIALIZE_MATERIALIZE_PARTS_H
#define FCAT_MATERIALIZE_MATERIALIZE_PARTS_H

#include "materialize/view_rows.h"

/* Reads the rows of view `v` in [start, end) into new latest rows (*out,
 * free with fcat__view_rows_free), the source in `jobs` parts at once
 * (fcat__source_scan_parts), with `progress` (may be NULL) told of the rows
 * read so far, from one thread at a time. Returns 0; FCAT__SCAN_ONE, with
 * *out NULL, when the source must be read with one scan; or a negative
 * error (as one scan reports it), with *out holding what was read before
 * (for the counts). */
int fcat__view_rows_scan_parts(fcat__view_rows **out, fcat_store *s, const fcat__view *v,
                               int64_t start, int64_t end, unsigned jobs, fcat_progress_fn progress,
                               void *ctx);

#endif
