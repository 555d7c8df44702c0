/* feature_set.h - a resolved list of features to serve: which views to
 * read, which join keys each needs, where each value goes. */
#ifndef FCAT_SERVE_FEATURE_SET_H
#define FCAT_SERVE_FEATURE_SET_H

#include "catalog/model.h"

/* One view read by a feature set. */
typedef struct fcat__set_view {
	const fcat__view *view;
	size_t *key_index;  /* view join key k -> index in the set's keys */
	size_t nkeys;
	size_t *feature_out; /* view feature i -> position in the set, or SIZE_MAX */
	fcat_type *types;    /* the view's feature types, for decoding */
} fcat__set_view;

struct fcat_feature_set {
	const fcat__field **features; /* in the set's order */
	size_t nfeatures;
	const fcat__field **keys; /* distinct join keys (by name) */
	size_t nkeys;
	fcat__set_view *views;
	size_t nviews;
};

#endif
