/* json_value.h - typed values to and from jansson trees: the one JSON form of
 * values (Feast's wire format) behind the public fcat_json_* functions. */
#ifndef FCAT_JSON_JSON_VALUE_H
#define FCAT_JSON_JSON_VALUE_H

#include "util/arena.h"

#include "fcat.h"

#include <jansson.h>

/* The flags every JSON text of fcat's wire format is written with. */
#define FCAT__JSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* Decodes `j` as a value of `type` into *out; strings, bytes and arrays are
 * allocated in `a`. Messages start with where the value is: `name`, then
 * "[row]" when row >= 0, then "[item]" for an array item. Returns 0,
 * FCAT_EINVALID or FCAT_ENOMEM. */
int fcat__json_to_value(fcat_value *out, fcat__arena *a, const json_t *j, fcat_type type,
                        const char *name, long row);

/* What a JSON value is, for messages: "object", "array", "string",
 * "integer", "real", "bool" or "null". */
const char *fcat__json_kind(const json_t *j);

/* Parses JSON text (any value at the top when `any`). A syntax error is
 * FCAT_EINVALID naming `what`, jansson's reason, the line and the column. */
int fcat__json_load(json_t **out, const char *text, size_t len, bool any, const char *what);

#endif
