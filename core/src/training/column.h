/* column.h - fcat_column, the columnar layout of training sets (Arrow's):
 * reading one cell as a value, and building a column from values. */
#ifndef FCAT_TRAINING_COLUMN_H
#define FCAT_TRAINING_COLUMN_H

#include "util/buf.h"

#include "fcat.h"

/* The C size of one scalar item (bools: 0, they are bits). */
size_t fcat__scalar_size(fcat_scalar s);

/* True when bit i of a bitmap is set (NULL: every bit is). */
static inline bool fcat__bit(const uint8_t *bits, size_t i)
{
	return !bits || (bits[i >> 3] >> (i & 7) & 1);
}

/* Row `row` of a column as a value. Strings and numeric array items point
 * into the column; bool and string array items are unpacked into `scratch`
 * (reset it between cells), so the value lives as long as both. */
int fcat__column_cell(fcat_value *out, const fcat_column *c, size_t row, fcat__buf *scratch);

/* A column being built, one value at a time, in fcat_column's layout. */
typedef struct fcat__colbuild {
	fcat_type type;
	size_t rows, items, nulls;
	fcat__buf validity, values, offsets, item_offsets, data;
} fcat__colbuild;

void fcat__colbuild_init(fcat__colbuild *b, fcat_type type);

/* Appends a value of the column's type (or null). FCAT_ENOMEM; FCAT_EINVALID
 * for a fixed-length array of another length. */
int fcat__colbuild_add(fcat__colbuild *b, const fcat_value *v);

/* The column over the builder's buffers (which stay the builder's). */
fcat_column fcat__colbuild_column(const fcat__colbuild *b, const char *name);

void fcat__colbuild_free(fcat__colbuild *b);

#endif
