/* audit.h - the audit log: every policy decision on a read, appended as a
 * JSON line by a background writer, so a slow disk never holds up a read. */
#ifndef FCAT_STORE_AUDIT_H
#define FCAT_STORE_AUDIT_H

#include <stdbool.h>

typedef struct fcat__audit fcat__audit;

/* Opens (appends to) the log and starts its writer. FCAT_EIO naming the
 * path when it cannot be opened. */
int fcat__audit_open(fcat__audit **out, const char *path);

/* Queues one decision. Never waits for the disk: when the bounded queue is
 * full the record is dropped and counted, and the count is logged later. */
void fcat__audit_record(fcat__audit *a, const char *principal, const char *action,
                        const char *resource, bool allowed, const char *rule);

/* Writes what is queued, stops the writer, closes the file. NULL is fine. */
void fcat__audit_close(fcat__audit *a);

#endif
