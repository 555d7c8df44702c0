/* csv_write.h - writing CSV, the exact inverse of the csv plugin's reader:
 * a null cell is empty, an empty text is "", a cell holding a comma, a
 * quote, CR or LF, or starting with a UTF-8 BOM, is quoted with its quotes
 * doubled, any other as it is. */
#ifndef FCAT_OFFLINE_CSV_WRITE_H
#define FCAT_OFFLINE_CSV_WRITE_H

#include "util/buf.h"

#include "fcat.h"

#include <stdio.h>

/* Appends one cell (null: nothing) to `out`. */
void fcat__csv_cell(fcat__buf *out, const char *text, size_t len, bool null);

/* Writes a training set as CSV to `path` (through path.tmp, renamed when
 * whole): a header of its column names, then a row per entity row, every
 * value in fcat_value_format's text (strings as they are). One caveat of
 * the format: a row of one column holding null is an empty line, which
 * readers skip. FCAT_EIO naming the file, FCAT_ENOMEM. */
int fcat__csv_write_set(const fcat_training_set *set, const char *path);

#endif
