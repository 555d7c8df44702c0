/* csv_scan.h - the csv plugin's store handle and its scan (its append is
 * in csv_append.h). */
#ifndef FCAT_CSV_SCAN_H
#define FCAT_CSV_SCAN_H

#include "fcat_plugin.h"

#include <stddef.h>

#define CSV_BATCH_ROWS 4096

typedef struct csv_store {
	const fcat_plugin_host *host;
	char *root;        /* relative paths are read from here */
	size_t chunk;      /* read buffer size; 0: the reader's default */
	size_t batch_rows; /* rows per callback, at most */
} csv_store;

/* `path` below the store's root (as is when absolute); malloc'd, NULL when
 * out of memory. */
char *csv_full_path(const csv_store *st, const char *path);

/* fcat_offline_ops.scan over the file request->path. */
int csv_scan(void *store, const fcat_scan_request *request, fcat_scan_fn fn, void *ctx);

/* fcat_offline_ops.scan_part: the records that start in one of
 * span->nparts equal byte ranges of the data after the header (a range
 * other than the first starts after the first newline in it). */
int csv_scan_part(void *store, const fcat_scan_request *request, fcat_scan_span *span,
                  fcat_scan_fn fn, void *ctx);

/* fcat_offline_ops.columns: the header row of request->path, through the
 * scan's reader. */
int csv_columns(void *store, const fcat_scan_request *request, fcat_columns_fn fn, void *ctx);

#endif
