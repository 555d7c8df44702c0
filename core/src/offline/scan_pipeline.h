/* scan_pipeline.h - runs a scan's batch consumer on a second thread: the
 * scanning thread copies each batch into a free buffer and goes on parsing
 * while the consumer works on the previous one. */
#ifndef FCAT_OFFLINE_SCAN_PIPELINE_H
#define FCAT_OFFLINE_SCAN_PIPELINE_H

#include "fcat_plugin.h"

/* Scans through `scan` (which calls its fn with batches, as
 * fcat__source_scan does) and hands every batch, copied, to `consume` on
 * another thread. The consumer's error stops the scan and is returned with
 * its message. */
typedef int (*fcat__scan_run_fn)(void *scan_ctx, fcat_scan_fn fn, void *fn_ctx);

int fcat__scan_pipelined(fcat__scan_run_fn scan, void *scan_ctx, size_t ncols, fcat_scan_fn consume,
                         void *consume_ctx);

#endif
