/* csv_message.h - error messages that say where in the file a cell is. */
#ifndef FCAT_CSV_MESSAGE_H
#define FCAT_CSV_MESSAGE_H

#include "fcat_plugin.h"

#include <stddef.h>
#include <stdint.h>

/* Where a cell is: "FILE:LINE:FIELD (COLUMN)". */
typedef struct csv_where {
	const char *file;
	int64_t line;
	size_t field;       /* 1-based */
	const char *column; /* its header name */
} csv_where;

/*
 * Raises the error of a cell the host could not parse:
 * "FILE:LINE:FIELD (COLUMN): " and the host's own message (host->error_last).
 * Returns `code`.
 */
int csv_cell_error(const fcat_plugin_host *host, int code, const csv_where *where, fcat_type type,
                   const char *text, size_t len);

#endif
