/* csv_batch.h - a batch of typed cells and the memory behind them. */
#ifndef FCAT_CSV_BATCH_H
#define FCAT_CSV_BATCH_H

#include "fcat_plugin.h"

#include <stddef.h>

typedef struct csv_block csv_block;

/*
 * Cells of up to rows_cap rows, row-major. Strings point into the reader's
 * buffer; numeric arrays live in blocks reused from batch to batch; other
 * values the host parsed (bytes, other arrays) are cleared by
 * csv_batch_reset.
 */
typedef struct csv_batch {
	const fcat_plugin_host *host;
	fcat_value *cells;
	size_t ncols, rows_cap, nrows;
	fcat_value **owned; /* cells to clear with host->value_clear */
	size_t nowned, owned_cap;
	csv_block *blocks, *cur;
} csv_batch;

int csv_batch_init(csv_batch *b, const fcat_plugin_host *host, size_t ncols, size_t rows_cap);

/* Clears what the cells own and empties the batch. */
void csv_batch_reset(csv_batch *b);

void csv_batch_free(csv_batch *b);

/* Parses the text of a cell as `type` (empty text: null). Returns 0, or the
 * host's error code with the host's message set. */
int csv_cell_parse(csv_batch *b, fcat_value *cell, fcat_type type, const char *text, size_t len);

#endif
