/* view_columns.h - the columns a view's source scan reads, in the one order
 * materialize and verify both read them. */
#ifndef FCAT_MATERIALIZE_VIEW_COLUMNS_H
#define FCAT_MATERIALIZE_VIEW_COLUMNS_H

#include "catalog/model.h"

/* Where the parts of a view's scan row are. */
typedef struct fcat__view_layout {
	size_t nkeys;     /* join key columns come first (at most 64) */
	int ts_col;       /* the event time */
	int created_col;  /* the created time, -1 when the source has none */
	size_t feat_col;  /* the first feature (or, with a transform, source) column */
	bool transformed; /* the rest are the source's other declared columns */
} fcat__view_layout;

/* Fills cols and types (room for cap, at least 66) with the join keys, the
 * event time, the created time when the source has one, then the features,
 * or with a transform the source's declared columns not already read.
 * Returns the number of columns. */
size_t fcat__view_columns(const char **cols, fcat_type *types, size_t cap, fcat__view_layout *out,
                          const fcat__view *v);

#endif
