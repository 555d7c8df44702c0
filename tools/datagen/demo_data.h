/* demo_data.h - deterministic generator of the demo's conversations CSV. */
#ifndef FCAT_DEMO_DATA_H
#define FCAT_DEMO_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What to generate. The output is a pure function of these fields. */
typedef struct fcat_demo_options {
	uint64_t seed;          /**< PRNG seed */
	uint32_t users;         /**< number of users (u0001, u0002, ...) */
	uint32_t rows_per_user; /**< rows per user */
	int64_t end_seconds;    /**< events fall in [end - days*86400, end) */
	uint32_t days;          /**< length of the time window in days */
} fcat_demo_options;

/**
 * Fills in the defaults: seed 42, 1000 users, 10 rows per user, 30 days,
 * end at the start of the current UTC day.
 */
void fcat_demo_options_default(fcat_demo_options *o);

/**
 * Writes the conversations CSV (RFC 4180, LF line ends) with the header
 *   user_id,event_timestamp,created_at,total_conversations,
 *   avg_response_rating,preferred_language,user_embedding
 * and users * rows_per_user rows in a shuffled, deterministic order. The
 * same options always produce the same bytes. Does not close `out`; flushes
 * it.
 * @return 0, or -1 with errno set (EINVAL for bad options, or the error of
 *         the failed write).
 */
int fcat_demo_write_conversations(FILE *out, const fcat_demo_options *o);

/**
 * Formats a float32 with the shortest of %.6g, %.7g, %.8g, %.9g that reads
 * back (strtof) as the same float.
 * @return the length written (buf needs at least 32 bytes).
 */
int fcat_demo_format_float(char *buf, size_t size, float v);

#ifdef __cplusplus
}
#endif

#endif /* FCAT_DEMO_DATA_H */
