/* feature_set.h - a resolved list of features to serve: which views to
 * read, which join keys each needs, where each value goes. */
#ifndef FCAT_SERVE_FEATURE_SET_H
#define FCAT_SERVE_FEATURE_SET_H

#include "catalog/model.h"
#include "policy/policy.h"

#include <stdatomic.h>

/* One view read by a feature set. */
typedef struct fcat__set_view {
	const fcat__view *view;
	size_t *key_index; /* view join key k -> index in the set's keys */
	size_t nkeys;
	size_t *feature_out; /* view feature i -> position in the set, or SIZE_MAX */
	fcat_type *types;    /* the view's feature types, for decoding */
	bool keep;           /* an on-demand view reads all its values */
} fcat__set_view;

/* One on-demand view computed by a feature set. */
typedef struct fcat__set_odv {
	const fcat__odv *odv;
	size_t *views;       /* source view s -> index in the set's views */
	size_t *request;     /* request field q -> index in the set's requests */
	size_t *feature_out; /* odv feature i -> position in the set, or SIZE_MAX */
	const char **names;  /* the transform's input names: view features, requests */
	size_t ninputs;
} fcat__set_odv;

/* Callers a set has been allowed for (set_access.c). */
#define FCAT__SET_GRANTS 16

typedef struct fcat__set_grant {
	size_t len;
	char key[]; /* the principal and its groups, each NUL-terminated */
} fcat__set_grant;

struct fcat_feature_set {
	const struct fcat_store *store; /* whose catalog the set borrows */
	char *service;                /* the service the set serves (its grant opens it), or NULL */
	const fcat__field **features; /* in the set's order */
	size_t nfeatures;
	const fcat__field **keys; /* distinct join keys (by name) */
	size_t nkeys;
	fcat__set_view *views;
	size_t nviews;
	fcat__set_odv *odvs;
	size_t nodvs;
	const fcat__field **requests; /* distinct request fields (by name) */
	size_t nrequests;
	/* principals allowed to read the set, filled once each, never removed:
	 * the store's policies do not change while it is open */
	_Atomic(fcat__set_grant *) grants[FCAT__SET_GRANTS];
};

struct fcat_store;

/* May `who` read every feature of the set online (and every input of its
 * on-demand views)? Remembered per caller (principal and groups) once
 * allowed; a denial is decided (and audited) anew each time. 0, or
 * FCAT_EDENIED naming who, the feature and the rule. */
int fcat__set_authorize(const fcat_feature_set *set, const struct fcat_store *store,
                        const fcat__caller *who);

/* Forgets the remembered principals (when the set is freed). */
void fcat__set_grants_free(fcat_feature_set *set);

#endif
