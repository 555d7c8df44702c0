/* latest_rows.h - a view's row transform over the latest source row of
 * every key, as materialize runs it before writing. */
#ifndef FCAT_TRANSFORM_LATEST_ROWS_H
#define FCAT_TRANSFORM_LATEST_ROWS_H

#include "catalog/model.h"
#include "latest/latest.h"

#include "fcat.h"

/* The transform's input columns: join keys first, then the event time,
 * the created time (when the source has one), then the rest from feat_col.
 * An entry's row holds columns [feat_col, ncols) only: the keys and times
 * are the entry's own (a created time of INT64_MIN is a null one). */
typedef struct fcat__latest_input {
	const char *const *names;
	const fcat_type *types;
	size_t ncols, nkeys;
	int ts_col, created_col; /* created_col -1: none */
	size_t feat_col;
} fcat__latest_input;

/* Replaces every entry's source row by the view's features computed from
 * it. On error (the message names the view and the entity key), entries may
 * hold either form and the map must not be written. */
int fcat__transform_latest(fcat_store *s, const fcat__view *v, fcat__latest_map *m,
                           const fcat__latest_input *input);

#endif
