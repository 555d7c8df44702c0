/* audit.h - the audit log: every policy decision on a read, appended as a
 * JSON line by a background writer, so a slow or full disk never holds up a
 * read. Each record reaches the file in one write(2) of the whole line on an
 * O_APPEND descriptor, so concurrent writers (threads, processes) never
 * interleave inside a line; what cannot be written is counted. */
#ifndef FCAT_STORE_AUDIT_H
#define FCAT_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fcat__audit fcat__audit;

/* What happened to the records so far. */
typedef struct fcat__audit_stats {
	uint64_t written; /* records written whole */
	uint64_t dropped; /* not queued: the bounded queue was full (or no memory) */
	uint64_t failed;  /* queued, but write(2) failed or wrote part of the line */
	int last_errno;   /* of the last failed write; 0 for a short write */
} fcat__audit_stats;

/* Opens (appends to, creating it) the log and starts its writer. FCAT_EIO
 * naming the path when it cannot be opened. */
int fcat__audit_open(fcat__audit **out, const char *path);

/* Queues one decision of `principal`'s (with the `ngroups` groups a token
 * vouched for, recorded as "groups" when there are some). Never waits for
 * the disk: when the bounded queue is full the record is dropped and
 * counted (and the count is logged later). */
void fcat__audit_record(fcat__audit *a, const char *principal, const char *const *groups,
                        size_t ngroups, const char *action, const char *resource, bool allowed,
                        const char *rule);

/* Waits (at most timeout_ms) until every queued record has been written or
 * has failed, then fills *stats. Returns true when the queue drained. */
bool fcat__audit_sync(fcat__audit *a, int timeout_ms, fcat__audit_stats *stats);

/* The log's path, borrowed. */
const char *fcat__audit_path(const fcat__audit *a);

/* Writes what is queued, stops the writer, closes the file; *stats (when
 * not NULL) gets the final counts. NULL is fine. */
void fcat__audit_close(fcat__audit *a, fcat__audit_stats *stats);

#endif
