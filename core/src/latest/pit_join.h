/* pit_join.h - the point-in-time join: for every entity row, the source row
 * with the same key and the latest event time at or before the entity's
 * time (within the ttl), ties to the latest created time. Sort-merge over
 * compact records, so any scan-only source gets it for free. */
#ifndef FCAT_LATEST_PIT_JOIN_H
#define FCAT_LATEST_PIT_JOIN_H

#include <stddef.h>
#include <stdint.h>

#define FCAT_PIT_NONE UINT32_MAX

/* An entity row: its key's 128-bit hash, its time, its input position. */
typedef struct fcat__pit_left {
	uint64_t h1, h2;
	int64_t ts;
	uint32_t idx;
} fcat__pit_left;

/* A source row: its key's hash, its event and created times, its position
 * in the scan. */
typedef struct fcat__pit_right {
	uint64_t h1, h2;
	int64_t ts, created;
	uint32_t row;
} fcat__pit_right;

/* Sorts both arrays and writes match[left.idx] = the matching right row, or
 * FCAT_PIT_NONE. The window is T - ttl <= ts <= T (no lower bound when
 * ttl_us is 0 or less, or T - ttl_us is below INT64_MIN). Keys are compared
 * by their 128-bit hashes. */
void fcat__pit_join(fcat__pit_left *left, size_t nleft, fcat__pit_right *right, size_t nright,
                    int64_t ttl_us, uint32_t *match);

/* The 128-bit hash of an encoded key. */
void fcat__pit_hash(const void *key, size_t len, uint64_t *h1, uint64_t *h2);

#endif
