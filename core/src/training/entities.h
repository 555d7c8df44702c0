/* entities.h - the entity rows of a training set, as columns: checked
 * once, then read per row as the typed keys, times and request values the
 * join needs (a column of the declared type as it is, a text column parsed
 * as a CSV cell is). */
#ifndef FCAT_TRAINING_ENTITIES_H
#define FCAT_TRAINING_ENTITIES_H

#include "fcat.h"

#define FCAT__TIME_COLUMN "event_timestamp"

typedef struct fcat__entities {
	const fcat_column *cols; /* borrowed */
	size_t ncols, nrows;
	int ts_col;
	int64_t *ts; /* per row; INT64_MIN when null */
} fcat__entities;

/* Checks the columns (names, lengths, the time column and its type) and
 * reads every row's time. `file` (or NULL) names the entity file in
 * messages of the time column. FCAT_EINVALID naming the column (and row),
 * FCAT_EUSAGE, FCAT_ENOMEM. */
int fcat__entities_init(fcat__entities *e, const fcat_column *cols, size_t ncols, const char *file);

void fcat__entities_free(fcat__entities *e);

/* The column named `name`, or -1. */
int fcat__entities_find(const fcat__entities *e, const char *name);

/* Checks column `col` can give values of `type`: it has that type, or it
 * is text. FCAT_EINVALID naming the column and both types. */
int fcat__entities_check(const fcat__entities *e, int col, fcat_type type);

/* Row `row` of column `col` as a value of `type` (checked before): *owned
 * is true when it was parsed from text (fcat_value_clear it), false when it
 * points into the column. FCAT_EINVALID naming the row and the column, as
 * "entity row R, WHAT 'NAME'". */
int fcat__entities_value(fcat_value *out, bool *owned, const fcat__entities *e, int col, size_t row,
                         fcat_type type, const char *what);

#endif
