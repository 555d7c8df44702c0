/* training_set.h - the training set handle (fcat_training_set): its columns
 * in fcat_column's layout, its metadata, and the reference count that lets
 * an Arrow export outlive fcat_training_set_free; and the steps that build
 * one, for fcat_get_historical_columns and fcat_get_historical. */
#ifndef FCAT_TRAINING_TRAINING_SET_H
#define FCAT_TRAINING_TRAINING_SET_H

#include "training/column.h"
#include "training/request.h"

#include <jansson.h>

typedef struct fcat__tset_feature {
	char *view, *name, *type;
	char hash[65];
} fcat__tset_feature;

struct fcat_training_set {
	int refs; /* the handle, plus one per live Arrow export */
	size_t nrows, ncols;
	char **names;
	fcat__colbuild *builds; /* the columns' buffers */
	fcat_column *cols;      /* over builds */
	char *commit;
	fcat__tset_feature *features;
	size_t nfeatures;
};

/* Takes one more reference; fcat__training_set_unref drops one and frees
 * the set with the last. */
void fcat__training_set_ref(fcat_training_set *set);
void fcat__training_set_unref(fcat_training_set *set);

/* The metadata of OUT.meta.json; entity_file (or NULL) is recorded too. */
json_t *fcat__training_set_meta(const fcat_training_set *set, const char *entity_file);

/* The steps of a build: a request for the options' caller (principal NULL:
 * the store's; with the groups a token vouches for), its
 * features (resolved and checked against the policies before anything is
 * read), the join over entity rows, and the set. fcat__treq_free accepts
 * a request at any step. */
int fcat__treq_init(fcat__treq *q, fcat_store *s, const fcat_historical_options *o);
int fcat__treq_add(fcat__treq *q, const char *const *refs, size_t nrefs, const char *service);
int fcat__treq_run(fcat__treq *q, const fcat__entities *ent);
int fcat__treq_result(fcat_training_set **out, const fcat__treq *q, bool full_names);
void fcat__treq_stats(fcat_historical_stats *stats, const fcat__treq *q);
void fcat__treq_free(fcat__treq *q);

/* The first steps of fcat_get_historical and its in-memory form: takes the
 * caller's options into *o (FCAT_HISTORICAL_OPTIONS_INIT when NULL), then
 * init and add as the options' principal. q is freeable on any return. */
int fcat__treq_start(fcat__treq *q, fcat_historical_options *o, fcat_store *s,
                     const fcat_historical_options *options, const char *const *refs, size_t nrefs,
                     const char *service);

#endif
