/* entity_file.h - a training set's entity file (CSV with a header) read
 * through the csv plugin, every column as text: its header from the
 * plugin's columns probe, its cells from its scan. */
#ifndef FCAT_OFFLINE_ENTITY_FILE_H
#define FCAT_OFFLINE_ENTITY_FILE_H

#include "store/store.h"
#include "training/column.h"

typedef struct fcat__entity_file {
	char **names;
	size_t ncols;
	fcat__colbuild *builds;
	fcat_column *cols; /* ncols text columns, over builds */
} fcat__entity_file;

/* Reads the file at `path` (absolute). FCAT_EINVALID for a file without a
 * header or a bad row (named file:line); FCAT_ENOTFOUND, FCAT_EIO. */
int fcat__entity_file_read(fcat__entity_file *out, fcat_store *s, const char *path);

void fcat__entity_file_free(fcat__entity_file *e);

#endif
