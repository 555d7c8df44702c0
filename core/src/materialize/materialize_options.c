/* materialize_options.c - the options of fcat_materialize_ext: taking the
 * caller's struct, and the default number of jobs (the online cores). */
#include "serve/online_target.h"

#include "util/error.h"
#include "util/options.h"

#include <unistd.h>

int fcat__materialize_jobs(unsigned *out, const fcat_materialize_options *options)
{
	fcat_materialize_options o = FCAT_MATERIALIZE_OPTIONS_INIT;
	int rc = fcat__options_take(&o, sizeof o, options, sizeof o, "fcat_materialize_options");
	if (rc)
		return rc;
	if (o.jobs > FCAT__MAX_JOBS)
		return fcat__error(FCAT_EUSAGE, "materialize: %u jobs, more than %d", o.jobs,
		                   FCAT__MAX_JOBS);
	if (o.jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		o.jobs = cores < 1 ? 1 : cores > FCAT__MAX_JOBS ? FCAT__MAX_JOBS : (unsigned)cores;
	}
	*out = o.jobs;
	return 0;
}
