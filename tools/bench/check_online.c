/* check_online.c - fcat-bench-check-online: reads every user of the demo data
 * back from the online store and checks that each holds one whole row, from
 * the old dataset or from the new one (the crash-safety check).
 *
 * fcat-bench-check-online --repo DIR --users N --old-end TIME
 *                         [--new-end TIME] [--days 30] [--view user_features]
 *                         [--expect-new]
 *
 * Users are fcat-datagen's: u0001 .. uN, zero-padded to at least 4 digits
 * and one more for each power of ten from 10000 up to N. Each is read through
 * fcat_online_read (the applied catalog), in batches. A row is whole when no
 * feature is NOT_FOUND or INVALID (NULL_VALUE cells are data: the generator
 * writes some empty cells) and every feature carries the same event time. It
 * is old when its event time lies in the old dataset's window
 * [old-end - days, old-end), new when in the new one's (after old-end, when
 * --new-end is not given). Prints the counts and PASS or FAIL; exits 1 when a
 * key is missing, undecodable, torn or of neither dataset, or (with
 * --expect-new) when any row is old.
 */
#include "bench_util.h"
#include "fcat.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 1000

static const char usage[] =
    "--repo DIR --users N --old-end TIME [--new-end TIME] [--days N] [--view VIEW] "
    "[--expect-new]";

static int64_t parse_time(const char *s, const char *opt)
{
	int64_t v;
	if (fcat_timestamp_parse(&v, s, strlen(s)) != 0)
		bench_die("%s: not a time: '%s'", opt, s);
	return v;
}

typedef struct counts {
	uint64_t old, new_, not_found, partial, invalid, torn, neither;
	uint64_t present, outside_max_age, null_cells, stale;
	char first_bad[64];
} counts;

static void bad(counts *c, const char *id, const char *why)
{
	if (!c->first_bad[0])
		snprintf(c->first_bad, sizeof c->first_bad, "%s (%s)", id, why);
}

/* Judges row `r` of a read. */
static void judge(counts *c, const fcat_online_result *res, size_t r, size_t nfeatures,
                  const char *id, int64_t old_lo, int64_t old_hi, int64_t new_lo, int64_t new_hi)
{
	size_t missing = 0, invalid = 0, outside = 0;
	int64_t ts = 0;
	bool torn = false, stale = false;
	for (size_t f = 0; f < nfeatures; f++) {
		const fcat_feature_value *v = fcat_online_result_at(res, r, f);
		switch (v->status) {
		case FCAT_STATUS_NOT_FOUND: missing++; continue;
		case FCAT_STATUS_INVALID: invalid++; continue;
		case FCAT_STATUS_NULL_VALUE: c->null_cells++; break;
		case FCAT_STATUS_OUTSIDE_MAX_AGE: outside++; break;
		case FCAT_STATUS_PRESENT: break;
		}
		stale |= v->stale_version;
		if (f == 0)
			ts = v->event_ts;
		else
			torn |= v->event_ts != ts;
	}
	if (missing == nfeatures) {
		c->not_found++;
		bad(c, id, "NOT_FOUND");
		return;
	}
	if (missing) {
		c->partial++;
		bad(c, id, "some features NOT_FOUND");
		return;
	}
	if (invalid) {
		c->invalid++;
		bad(c, id, "INVALID");
		return;
	}
	if (torn) {
		c->torn++;
		bad(c, id, "features with different event times");
		return;
	}
	c->stale += stale;
	if (outside)
		c->outside_max_age++;
	else
		c->present++;
	if (ts >= old_lo && ts < old_hi) {
		c->old++;
	} else if (ts >= new_lo && ts < new_hi) {
		c->new_++;
	} else {
		c->neither++;
		bad(c, id, "event time in neither dataset");
	}
}

int main(int argc, char **argv)
{
	bench_init("fcat-bench-check-online", 2);
	const char *repo = NULL, *view = "user_features", *old_end_s = NULL, *new_end_s = NULL;
	long users = 0, days = 30;
	bool expect_new = false;
	const bench_opt opts[] = {{"--expect-new", NULL, 0, NULL, &expect_new},
	                          {"--repo", NULL, 0, &repo, NULL},
	                          {"--users", &users, 4000000000L, NULL, NULL},
	                          {"--old-end", NULL, 0, &old_end_s, NULL},
	                          {"--new-end", NULL, 0, &new_end_s, NULL},
	                          {"--days", &days, 3650000, NULL, NULL},
	                          {"--view", NULL, 0, &view, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(argc, argv, opts, usage);
	if (!repo || !users || !old_end_s)
		bench_usage(usage);
	int64_t day = 86400LL * 1000000;
	int64_t old_hi = parse_time(old_end_s, "--old-end"), old_lo = old_hi - days * day;
	int64_t new_hi = new_end_s ? parse_time(new_end_s, "--new-end") : INT64_MAX;
	int64_t new_lo = new_end_s ? new_hi - days * day : old_hi;
	if (new_lo < old_hi)
		bench_die("the new dataset's window must start at or after the old one's end");

	/* fcat-datagen's id width */
	int width = 4;
	for (uint64_t v = 10000; v <= (uint64_t)users; v *= 10)
		width++;

	fcat_store *store;
	fcat_feature_set *set;
	fcat_online_result *res;
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = getenv("FCAT_PRINCIPAL"); /* the repo may have policies */
	if (fcat_store_open_ext(&store, repo, &o) != 0)
		bench_die("fcat_store_open %s: %s", repo, fcat_error_last());
	const char *refs[] = {view};
	if (fcat_feature_set_new(&set, store, refs, 1) != 0)
		bench_die("%s", fcat_error_last());
	if (fcat_online_result_new(&res) != 0)
		bench_die("%s", fcat_error_last());
	size_t nfeatures = fcat_feature_set_count(set);

	char *ids = malloc((size_t)BATCH * (size_t)(width + 2));
	fcat_value *keys = malloc(BATCH * sizeof *keys);
	if (!ids || !keys)
		bench_die("out of memory");
	counts c = {0};
	for (long first = 1; first <= users; first += BATCH) {
		size_t n = users - first + 1 < BATCH ? (size_t)(users - first + 1) : BATCH;
		for (size_t i = 0; i < n; i++) {
			char *id = ids + i * (size_t)(width + 2);
			int len = snprintf(id, (size_t)width + 2, "u%0*ld", width, first + (long)i);
			keys[i] = (fcat_value){.type = {FCAT_STRING, false, 0},
			                       .u.str = {id, (size_t)len}};
		}
		if (fcat_online_read(res, store, set, keys, n, NULL) == 0) {
			for (size_t i = 0; i < n; i++)
				judge(&c, res, i, nfeatures, ids + i * (size_t)(width + 2), old_lo,
				      old_hi, new_lo, new_hi);
			continue;
		}
		/* a row that does not decode fails the batch: find it */
		for (size_t i = 0; i < n; i++) {
			const char *id = ids + i * (size_t)(width + 2);
			if (fcat_online_read(res, store, set, keys + i, 1, NULL) != 0) {
				c.invalid++;
				bad(&c, id, fcat_error_last());
				continue;
			}
			judge(&c, res, 0, nfeatures, id, old_lo, old_hi, new_lo, new_hi);
		}
	}
	free(ids);
	free(keys);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(store);

	uint64_t failures = c.not_found + c.partial + c.invalid + c.torn + c.neither;
	bool pass = failures == 0 && (!expect_new || c.old == 0);
	printf("checked %ld users of view '%s': old %" PRIu64 ", new %" PRIu64
	       " | NOT_FOUND %" PRIu64 ", partial %" PRIu64 ", INVALID %" PRIu64 ", torn %" PRIu64
	       ", neither dataset %" PRIu64 " | rows PRESENT %" PRIu64 ", OUTSIDE_MAX_AGE %" PRIu64
	       ", null cells %" PRIu64 ", stale version %" PRIu64 "\n",
	       users, view, c.old, c.new_, c.not_found, c.partial, c.invalid, c.torn, c.neither,
	       c.present, c.outside_max_age, c.null_cells, c.stale);
	if (c.first_bad[0])
		printf("first bad key: %s\n", c.first_bad);
	if (expect_new && c.old)
		printf("%" PRIu64 " rows are still old, all new expected\n", c.old);
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
