/* view_columns.c - the columns a view's source scan reads. */
#include "materialize/view_columns.h"

#include <string.h>

size_t fcat__view_columns(const char **cols, fcat_type *types, size_t cap, fcat__view_layout *out,
                          const fcat__view *v)
{
	size_t n = 0;
	for (size_t e = 0; e < v->nentities; e++)
		for (size_t k = 0; k < v->entities[e]->nkeys && n < 64; k++) {
			cols[n] = v->entities[e]->keys[k].base.name;
			types[n++] = v->entities[e]->keys[k].type;
		}
	out->nkeys = n;
	out->ts_col = (int)n;
	cols[n] = v->timestamp_field;
	types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	out->created_col = -1;
	if (v->source->created_timestamp_field) {
		out->created_col = (int)n;
		cols[n] = v->source->created_timestamp_field;
		types[n++] = (fcat_type){FCAT_TIMESTAMP, false, 0};
	}
	out->feat_col = n;
	out->transformed = v->transform.code != NULL;
	if (!out->transformed) {
		for (size_t f = 0; f < v->nfeatures && n < cap; f++) {
			cols[n] = v->features[f].base.name;
			types[n++] = v->features[f].type;
		}
		return n;
	}
	/* the transform reads the source's declared columns */
	for (size_t c = 0; c < v->source->nschema && n < cap; c++) {
		const fcat__field *col = &v->source->schema[c];
		bool have = false;
		for (size_t j = 0; j < n && !have; j++)
			have = strcmp(cols[j], col->base.name) == 0;
		if (!have) {
			cols[n] = col->base.name;
			types[n++] = col->type;
		}
	}
	return n;
}
