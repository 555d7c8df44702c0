/* push_body.c - POST /push's body: Feast's {"push_source_name", "df", "to"},
 * each cell decoded by the library's JSON value decoder with its column's
 * type (see push_body.h). */
#include "push_body.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER:
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	default: return "null";
	}
}

/* Feast's `to`: absent is "online". */
static int parse_to(fcat_push_to *out, srv_reply *err, const json_t *to)
{
	static const struct {
		const char *name;
		fcat_push_to to;
	} names[] = {{"online", FCAT_PUSH_ONLINE},
	             {"offline", FCAT_PUSH_OFFLINE},
	             {"online_and_offline", FCAT_PUSH_ONLINE_AND_OFFLINE}};
	*out = FCAT_PUSH_ONLINE;
	if (!to)
		return 0;
	if (json_is_string(to))
		for (size_t i = 0; i < 3; i++)
			if (!strcmp(json_string_value(to), names[i].name)) {
				*out = names[i].to;
				return 0;
			}
	srv_reply_error(err, 400,
	                "/push: \"to\" must be \"online\", \"offline\" or \"online_and_offline\"");
	return -1;
}

/* The push source's column `name`, or -1. */
static long column_of(const fcat_object *ps, const char *name)
{
	for (size_t i = 0; i < fcat_source_column_count(ps); i++)
		if (!strcmp(fcat_source_column_name(ps, i), name))
			return (long)i;
	return -1;
}

/* One cell: its JSON text, decoded with the column's type. */
static int decode_cell(fcat_value *out, srv_reply *err, const json_t *cell, fcat_type type,
                       const char *where)
{
	char *text = json_dumps(cell, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text) {
		srv_reply_error(err, 500, "/push: out of memory");
		return -1;
	}
	int rc = fcat_json_decode_value(out, type, text, strlen(text), where);
	free(text);
	if (rc)
		srv_reply_fcat_error(err, rc, 0);
	return rc ? -1 : 0;
}

/* Decodes "df": every member a column of the push source holding one
 * value per row, all of the same length. */
static int decode_df(srv_push_body *p, srv_reply *err, const fcat_object *ps, json_t *df)
{
	p->ncols = json_object_size(df);
	const char *first = NULL, *name;
	json_t *col;
	json_object_foreach(df, name, col)
	{
		if (!json_is_array(col)) {
			srv_reply_error(err, 400, "/push: df.%s: expected an array, got %s", name,
			                json_kind(col));
			return -1;
		}
		if (!first) {
			first = name;
			p->nrows = json_array_size(col);
		} else if (json_array_size(col) != p->nrows) {
			srv_reply_error(err, 400,
			                "/push: df.%s has %zu values but df.%s has %zu: every "
			                "column needs one value per row",
			                name, json_array_size(col), first, p->nrows);
			return -1;
		}
	}
	p->cols = calloc(p->ncols + 1, sizeof *p->cols);
	p->values = calloc(p->ncols * p->nrows + 1, sizeof *p->values);
	if (!p->cols || !p->values) {
		srv_reply_error(err, 500, "/push: out of memory for %zu rows", p->nrows);
		return -1;
	}
	size_t c = 0;
	json_object_foreach(df, name, col)
	{
		long k = column_of(ps, name);
		if (k < 0) {
			srv_reply_error(err, 400,
			                "/push: df.%s: push source '%s' has no column '%s'", name,
			                p->source, name);
			return -1;
		}
		fcat_type type = fcat_source_column_type(ps, (size_t)k);
		fcat_value *vals = &p->values[c * p->nrows];
		p->cols[c++] = (fcat_push_column){.name = name, .values = vals};
		for (size_t r = 0; r < p->nrows; r++) {
			char where[512];
			snprintf(where, sizeof where, "push source '%s', row %zu, column '%s'",
			         p->source, r + 1, name);
			if (decode_cell(&vals[r], err, json_array_get(col, r), type, where))
				return -1;
		}
	}
	return 0;
}

int srv_push_body_parse(srv_push_body *out, srv_reply *err, const fcat_catalog *catalog,
                        const char *body, size_t len)
{
	*out = (srv_push_body){0};
	json_error_t e;
	json_t *root = out->root = json_loadb(body, len, 0, &e);
	if (!root) {
		srv_reply_error(err, 400, "/push: invalid JSON at line %d, column %d: %s", e.line,
		                e.column, e.text);
		return -1;
	}
	if (!json_is_object(root)) {
		srv_reply_error(err, 400, "/push: the body must be a JSON object, got %s",
		                json_kind(root));
		return -1;
	}
	json_t *name = json_object_get(root, "push_source_name");
	json_t *df = json_object_get(root, "df");
	if (!json_is_string(name) || !json_is_object(df)) {
		srv_reply_error(err, 400,
		                "/push: needs \"push_source_name\" (a string) and \"df\" (an "
		                "object of columns)");
		return -1;
	}
	if (parse_to(&out->to, err, json_object_get(root, "to")))
		return -1;
	out->source = json_string_value(name);
	const fcat_object *ps = NULL;
	fcat_catalog_lookup(&ps, catalog, out->source);
	if (!ps || !fcat_push_source_batch(ps)) {
		srv_reply_error(err, 404, "/push: no push source '%s' in the served catalog",
		                out->source);
		return -1;
	}
	return decode_df(out, err, ps, df);
}

void srv_push_body_free(srv_push_body *b)
{
	for (size_t i = 0; b->values && i < b->ncols * b->nrows; i++)
		fcat_value_clear(&b->values[i]);
	free(b->values);
	free(b->cols);
	json_decref(b->root);
	*b = (srv_push_body){0};
}
