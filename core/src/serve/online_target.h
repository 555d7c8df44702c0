/* online_target.h - the serving paths with an explicit online backend, so that
 * fcat verify can run them against a scratch store. */
#ifndef FCAT_SERVE_ONLINE_TARGET_H
#define FCAT_SERVE_ONLINE_TARGET_H

#include "store/store.h"

/* An opened online store: its plugin's functions and handle. */
typedef struct fcat__online {
	const fcat_online_ops *ops;
	void *handle;
} fcat__online;

/* Materializes one view into `target` (see fcat_materialize), its source
 * read in `jobs` parts at once (fcat_materialize_options.jobs; 1: one
 * scan; 0: one per online core). */
int fcat__materialize_view(fcat_store *s, const fcat__view *v, int64_t start, int64_t end,
                           const fcat__online *target, fcat_materialize_stats *st,
                           fcat_progress_fn progress, void *ctx, unsigned jobs);

/* The jobs `options` ask for (NULL: the defaults): 0 is the number of
 * online cores; at most FCAT__MAX_JOBS. FCAT_EUSAGE for options of an
 * unknown size or too many jobs. */
#define FCAT__MAX_JOBS 256
int fcat__materialize_jobs(unsigned *out, const fcat_materialize_options *options);

/* Reads from `target` (see fcat_online_read; the caller has checked the policies). */
int fcat__online_read(fcat_online_result *r, fcat_store *store, const fcat__online *target,
                      const fcat_feature_set *set, const fcat_value *keys,
                      const fcat_value *request, size_t nrows, int64_t now);

#endif
