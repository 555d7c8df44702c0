/* push_body.h - the body of POST /push read against the served catalog:
 * Feast's {"push_source_name", "df", "to"}, every cell decoded by the
 * library's JSON value decoder with its column's type; what fcat_push then
 * takes. Apart from the handler so that it can be fuzzed (tests/fuzz). */
#ifndef FCAT_SERVER_PUSH_BODY_H
#define FCAT_SERVER_PUSH_BODY_H

#include "server_int.h"

#include <jansson.h>

typedef struct srv_push_body {
	json_t *root;
	const char *source; /* push_source_name, borrowed from root */
	fcat_push_to to;
	size_t ncols, nrows;
	fcat_push_column *cols; /* names borrowed from root */
	fcat_value *values;     /* ncols * nrows, column-major */
} srv_push_body;

/* Parses `body` and decodes its columns with the types of the push source
 * it names in `catalog`. Returns 0, or -1 with the error reply in *err (400
 * for a malformed body, a wrong type or an unknown column, 404 for an
 * unknown push source, 500 when out of memory). Free *out with
 * srv_push_body_free in both cases. */
int srv_push_body_parse(srv_push_body *out, srv_reply *err, const fcat_catalog *catalog,
                        const char *body, size_t len);

/* Frees what the body holds (its values and JSON) and zeroes it. */
void srv_push_body_free(srv_push_body *b);

#endif
