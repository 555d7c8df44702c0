/* online_request.h - the parsed /get-online-features request, shared by its
 * parser and the binding of its columns to a feature set. */
#ifndef FCAT_JSON_ONLINE_REQUEST_H
#define FCAT_JSON_ONLINE_REQUEST_H

#include "util/arena.h"

#include "fcat.h"

#include <jansson.h>

struct fcat_json_online_request {
	json_t *root;
	const char *service;   /* borrowed from root, or NULL */
	const char **features; /* borrowed from root */
	size_t nfeatures;
	bool full_names;
	size_t rows;
	const json_t *entities, *context; /* context may be NULL */
	fcat__arena arena;                /* the features list */
	fcat__arena values;               /* what the last bind decoded */
	fcat_value *keys, *request;       /* in `values` */
};

#endif
