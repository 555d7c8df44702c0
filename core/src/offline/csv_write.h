/* csv_write.h - writing CSV, the exact inverse of the csv plugin's reader:
 * a null cell is empty, an empty text is "", a cell holding a comma, a
 * quote, CR or LF is quoted with its quotes doubled, any other as it is. */
#ifndef FCAT_OFFLINE_CSV_WRITE_H
#define FCAT_OFFLINE_CSV_WRITE_H

#include "util/buf.h"

#include "fcat.h"

#include <stdio.h>

/* Appends one cell (null: nothing) to `out`. */
void fcat__csv_cell(fcat__buf *out, const char *text, size_t len, bool null);

#endif
