/* source_columns.h - the names of a source's columns, from the plugin that
 * reads it (for a CSV file, its header, through the csv plugin's reader). */
#ifndef FCAT_OFFLINE_SOURCE_COLUMNS_H
#define FCAT_OFFLINE_SOURCE_COLUMNS_H

#include "store/store.h"

/* Calls fn once with the source's column names, in order (none for an
 * empty file). FCAT_EINVALID when the plugin cannot list them; errors are
 * prefixed with the source's name. */
int fcat__source_columns(fcat_store *s, const fcat__source *src, fcat_columns_fn fn, void *ctx);

#endif
