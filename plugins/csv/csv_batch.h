/* csv_batch.h - CSV text as typed cells of a batch (plugin_batch.h). */
#ifndef FCAT_CSV_BATCH_H
#define FCAT_CSV_BATCH_H

#include "fcat_plugin.h"
#include "plugin_batch.h"

#include <stddef.h>

/* A scan's batch: cells of up to rows_cap rows, row-major. Strings point into
 * the reader's buffer; numeric arrays live in the batch's blocks (of
 * CSV_BLOCK_SIZE bytes), reused from batch to batch; other values the host
 * parsed (bytes, other arrays) are cleared by fcatp_batch_reset. */
#define CSV_BLOCK_SIZE ((size_t)1 << 20)

/* Parses the text of a cell as `type`. An empty field is null, and so is an
 * empty quoted one ("") of any type but string and bytes, for which it is
 * the empty value. Returns 0, or the host's error code with the host's
 * message set. */
int csv_cell_parse(fcatp_batch *b, fcat_value *cell, fcat_type type, const char *text, size_t len,
                   bool quoted);

#endif
