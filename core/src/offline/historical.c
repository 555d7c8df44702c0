/* historical.c - training sets from files (fcat_get_historical): the
 * entity CSV read into text columns, the in-memory engine over them
 * (training/), then the set written as CSV with OUT.meta.json beside it. */
#include "offline/csv_write.h"
#include "offline/entity_file.h"
#include "training/training_set.h"
#include "util/error.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* OUT.meta.json: the catalog commit and the version of every feature used,
 * so the training set can be reproduced exactly. */
static int write_meta(const fcat_training_set *set, const char *path, const char *entity_path)
{
	json_t *j = fcat__training_set_meta(set, entity_path);
	char meta[PATH_MAX + 16];
	snprintf(meta, sizeof meta, "%s.meta.json", path);
	int rc = !j || json_dump_file(j, meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
	             ? fcat__error(FCAT_EIO, "%s: cannot write", meta)
	             : 0;
	json_decref(j);
	return rc;
}

int fcat_get_historical(fcat_historical_stats *stats, fcat_store *s, const char *entity_file,
                        const char *const *refs, size_t nrefs, const char *service,
                        const char *out_path, const fcat_historical_options *options)
{
	fcat_historical_options o;
	fcat__treq q;
	fcat__entity_file file = {0};
	fcat__entities ent = {0};
	fcat_training_set *set = NULL;
	char *abs = realpath(entity_file, NULL);
	/* the features, checked against the policies before anything is read */
	int rc = fcat__treq_start(&q, &o, s, options, refs, nrefs, service);
	if (rc == 0 && !abs)
		rc = fcat__error(FCAT_ENOTFOUND, "%s: no such entity file", entity_file);
	/* the entity rows, every column as text */
	if (rc == 0)
		rc = fcat__entity_file_read(&file, s, abs);
	if (rc == 0)
		rc = fcat__entities_init(&ent, file.cols, file.ncols, entity_file);
	if (rc == 0)
		rc = fcat__treq_run(&q, &ent);
	if (rc == 0)
		rc = fcat__treq_result(&set, &q, o.full_names);
	if (rc == 0)
		rc = fcat__csv_write_set(set, out_path);
	if (rc == 0)
		rc = write_meta(set, out_path, abs);
	fcat__treq_stats(stats, &q);
	fcat_training_set_free(set);
	fcat__entities_free(&ent);
	fcat__entity_file_free(&file);
	fcat__treq_free(&q);
	free(abs);
	return rc;
}
