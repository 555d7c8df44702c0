/* parallel.h - one job split into parts run at once on threads: part 0 on
 * the caller's, the others on their own, each told its part and the count;
 * the first failing part's error (in part order) comes back on the caller's
 * thread, message included. */
#ifndef FCAT_UTIL_PARALLEL_H
#define FCAT_UTIL_PARALLEL_H

#include <stddef.h>

/* The parts worth running on this machine: the online processors, at
 * least 1 and at most `most`. */
size_t fcat__parallel_parts(size_t most);

/* Runs fn(ctx, part, nparts) for part 0 .. nparts-1 at once and waits for
 * all. Returns 0, or the first failing part's code with its message. A
 * thread that cannot be started runs its part on the caller's thread. */
int fcat__parallel(size_t nparts, int (*fn)(void *ctx, size_t part, size_t nparts), void *ctx);

#endif
