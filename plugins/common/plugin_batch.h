/* plugin_batch.h - a batch of typed cells for a scan (or join) callback and
 * the memory behind them: an arena for strings and arrays the plugin makes,
 * and the cells the host parsed, cleared on reset. */
#ifndef FCAT_PLUGIN_BATCH_H
#define FCAT_PLUGIN_BATCH_H

#include "fcat_plugin.h"

#include <stddef.h>

typedef struct fcatp_block fcatp_block;

/*
 * Cells of up to rows_cap rows, row-major (nrows is the caller's to count).
 * Memory from fcatp_batch_alloc lives in blocks of at least block_size bytes,
 * reused from batch to batch; cells kept with fcatp_batch_keep are cleared
 * with host->value_clear by fcatp_batch_reset.
 */
typedef struct fcatp_batch {
	const fcat_plugin_host *host;
	fcat_value *cells;
	size_t ncols, rows_cap, nrows;
	fcat_value **owned; /* cells to clear with host->value_clear */
	size_t nowned, owned_cap;
	fcatp_block *blocks, *cur;
	size_t block_size;
} fcatp_batch;

/* Allocates the cells; on failure sets "<prefix>out of memory" (prefix such
 * as "sqlite: ", or "") and returns FCAT_ENOMEM. */
int fcatp_batch_init(fcatp_batch *b, const fcat_plugin_host *host, size_t ncols, size_t rows_cap,
                     size_t block_size, const char *prefix);

/* Clears what the cells own and empties the batch. */
void fcatp_batch_reset(fcatp_batch *b);

void fcatp_batch_free(fcatp_batch *b);

/* Hands the batch's rows, if it has any, to a scan callback and resets it;
 * what the callback returns (0 without rows). */
int fcatp_batch_flush(fcatp_batch *b, fcat_scan_fn fn, void *ctx);

/* n bytes, aligned for any type, that live until the batch is reset; NULL
 * (no error set) when out of memory. */
void *fcatp_batch_alloc(fcatp_batch *b, size_t n);

/* A copy of n bytes that lives until the batch is reset ("" when n is 0);
 * NULL (no error set) when out of memory. */
const char *fcatp_batch_copy(fcatp_batch *b, const void *src, size_t n);

/* Keeps `cell`, just set by host->value_parse as `type`, to be cleared on
 * reset when it owns memory (a string, bytes or an array that is not null).
 * Returns 0, or FCAT_ENOMEM (no error set) after clearing the cell. */
int fcatp_batch_keep(fcatp_batch *b, fcat_value *cell, fcat_type type);

#endif
