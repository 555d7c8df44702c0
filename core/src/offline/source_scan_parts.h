/* source_scan_parts.h - reading a source in several parts at once, one
 * thread and one plugin handle per part, through the plugin's scan_part. */
#ifndef FCAT_OFFLINE_SOURCE_SCAN_PARTS_H
#define FCAT_OFFLINE_SOURCE_SCAN_PARTS_H

#include "store/store.h"

/* What fcat__source_scan_parts returns when the caller must read the source
 * with one fcat__source_scan instead (positive: never an error code). */
#define FCAT__SCAN_ONE 1

/* Scans the source as fcat__source_scan would (same columns, same time
 * filter), cut in `nparts` consecutive parts read at once: part i's rows go
 * to fn(ctxs[i], ...) from a thread of its own, in scan order; read one
 * after another, parts 0 .. nparts-1 are the rows of one scan.
 *
 * Returns 0 when every part was read and the parts line up; FCAT__SCAN_ONE
 * when they could not be used: the plugin has no scan_part, a thread could
 * not start, the parts do not line up (the plugin's guess of where a part
 * starts was wrong), or a part other than the first failed (a plugin MAY
 * name a wrong place then) or any fn failed; the caller then drops what
 * the fns received and scans once, which reports any error exactly as it
 * does without parts. A negative code is the first part's own error, as
 * fcat__source_scan reports it. Any failure stops every part. */
int fcat__source_scan_parts(fcat_store *s, const fcat__source *src, const char *const *columns,
                            const fcat_type *types, size_t ncolumns, int ts_column, int64_t start,
                            int64_t end, unsigned nparts, fcat_scan_fn fn, void *const *ctxs);

#endif
