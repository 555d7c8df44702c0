/* source_scan.h - reading a source's rows through the offline plugin that
 * serves it: the csv plugin for file sources, the offline store for tables
 * and queries. */
#ifndef FCAT_OFFLINE_SOURCE_SCAN_H
#define FCAT_OFFLINE_SOURCE_SCAN_H

#include "store/store.h"

/* Scans `columns` of a source, with rows start <= ts < end when ts_column
 * >= 0. Errors are prefixed with the source's name. */
int fcat__source_scan(fcat_store *s, const fcat__source *src, const char *const *columns,
                      const fcat_type *types, size_t ncolumns, int ts_column, int64_t start,
                      int64_t end, fcat_scan_fn fn, void *ctx);

/* fcat__source_scan parsing on this thread while `consume` takes the rows
 * on another (offline/scan_pipeline.h): materialize and the windows of
 * training sets. */
int fcat__source_scan_pipelined(fcat_store *s, const fcat__source *src, const char *const *columns,
                                const fcat_type *types, size_t ncolumns, int ts_column,
                                int64_t start, int64_t end, fcat_scan_fn consume, void *ctx);

/* Which plugin reads a source, and the role whose settings it gets (-1: a
 * file source, none). FCAT_EINVALID for a file the plugin cannot read. */
int fcat__source_plugin(const fcat_store *s, const fcat__source *src, const char **plugin,
                        int *role);

#endif
