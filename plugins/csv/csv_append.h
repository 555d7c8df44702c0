/* csv_append.h - the csv plugin's append: pushed rows added to a file. */
#ifndef FCAT_CSV_APPEND_H
#define FCAT_CSV_APPEND_H

#include "csv_scan.h"

/* fcat_offline_ops.append to the file request->path: under an exclusive
 * flock, after its last byte, with one field per column of its header (the
 * request's columns become the header of a file that has none, or that
 * does not exist yet), fsynced; on failure the file is truncated back. */
int csv_append(void *store, const fcat_append_request *request);

#endif
