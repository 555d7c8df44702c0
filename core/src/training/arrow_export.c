/* arrow_export.c - a training set as an Arrow struct array through the
 * Arrow C data interface: the set's own buffers, no copy; every array node
 * holds a reference to the set, so the data lives until the consumer has
 * released each node it kept, whatever it does with the handle. */
#include "training/training_set.h"

#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrow wants a buffer where fcat has none (an empty column). */
static const int64_t no_data[2];

/* What one node of an export owns. */
typedef struct anode {
	fcat_training_set *set; /* arrays only */
	const void *buffers[3];
	struct ArrowArray *array_children[1];
	struct ArrowSchema *schema_children[1];
	char format[32];
	char *name;
} anode;

static const char *scalar_format(fcat_scalar s)
{
	switch (s) {
	case FCAT_INT32: return "i";
	case FCAT_INT64: return "l";
	case FCAT_FLOAT32: return "f";
	case FCAT_FLOAT64: return "g";
	case FCAT_BOOL: return "b";
	case FCAT_STRING: return "U";
	case FCAT_BYTES: return "Z";
	case FCAT_TIMESTAMP: return "tsu:UTC";
	default: return "n";
	}
}

static const void *buffer(const void *p)
{
	return p ? p : no_data;
}

/* ---- schemas ---- */

static void release_schema(struct ArrowSchema *s)
{
	anode *n = s->private_data;
	for (int64_t i = 0; i < s->n_children; i++) {
		if (s->children[i]->release)
			s->children[i]->release(s->children[i]);
		free(s->children[i]);
	}
	if (s->children != n->schema_children)
		free(s->children);
	free(n->name);
	free(n);
	s->release = NULL;
}

static int schema_node(struct ArrowSchema *s, const char *format, const char *name, int64_t flags)
{
	anode *n = calloc(1, sizeof *n);
	if (!n || !(n->name = strdup(name))) {
		free(n);
		return fcat__error_oom();
	}
	snprintf(n->format, sizeof n->format, "%s", format);
	*s = (struct ArrowSchema){.format = n->format,
	                          .name = n->name,
	                          .flags = flags,
	                          .release = release_schema,
	                          .private_data = n};
	return 0;
}

static int column_schema(struct ArrowSchema *s, const fcat_column *c)
{
	fcat_type t = c->type;
	char format[32];
	if (!t.is_array)
		snprintf(format, sizeof format, "%s", scalar_format(t.scalar));
	else if (t.dim)
		snprintf(format, sizeof format, "+w:%u", (unsigned)t.dim);
	else
		snprintf(format, sizeof format, "+L");
	int rc = schema_node(s, format, c->name, ARROW_FLAG_NULLABLE);
	if (rc || !t.is_array)
		return rc;
	anode *n = s->private_data;
	struct ArrowSchema *item = calloc(1, sizeof *item);
	if (!item || (rc = schema_node(item, scalar_format(t.scalar), "item", 0)) != 0) {
		free(item);
		s->release(s);
		return rc ? rc : fcat__error_oom();
	}
	n->schema_children[0] = item;
	s->children = n->schema_children;
	s->n_children = 1;
	return 0;
}

/* ---- arrays ---- */

static void release_array(struct ArrowArray *a)
{
	for (int64_t i = 0; i < a->n_children; i++)
		if (a->children[i]->release)
			a->children[i]->release(a->children[i]);
	anode *n = a->private_data;
	for (int64_t i = 0; i < a->n_children; i++)
		free(a->children[i]);
	if (a->children != n->array_children)
		free(a->children);
	fcat__training_set_unref(n->set);
	free(n);
	a->release = NULL;
}

static int array_node(struct ArrowArray *a, fcat_training_set *set, int64_t length, int64_t nulls,
                      int64_t nbuffers)
{
	anode *n = calloc(1, sizeof *n);
	if (!n)
		return fcat__error_oom();
	n->set = set;
	fcat__training_set_ref(set);
	*a = (struct ArrowArray){.length = length,
	                         .null_count = nulls,
	                         .n_buffers = nbuffers,
	                         .buffers = n->buffers,
	                         .release = release_array,
	                         .private_data = n};
	return 0;
}

/* The item child of an array column: `items` values. */
static int items_array(struct ArrowArray *a, fcat_training_set *set, const fcat_column *c,
                       int64_t items)
{
	bool text = c->type.scalar == FCAT_STRING || c->type.scalar == FCAT_BYTES;
	int rc = array_node(a, set, items, 0, text ? 3 : 2);
	if (rc)
		return rc;
	anode *n = a->private_data;
	n->buffers[0] = NULL;
	n->buffers[1] = text ? buffer(c->item_offsets) : buffer(c->values);
	n->buffers[2] = text ? buffer(c->data) : NULL;
	return 0;
}

static int column_array(struct ArrowArray *a, fcat_training_set *set, size_t i)
{
	const fcat_column *c = &set->cols[i];
	const fcat__colbuild *b = &set->builds[i];
	fcat_type t = c->type;
	bool text = t.scalar == FCAT_STRING || t.scalar == FCAT_BYTES;
	int64_t nbuf = t.is_array ? (t.dim ? 1 : 2) : text ? 3 : 2;
	int rc = array_node(a, set, (int64_t)c->length, (int64_t)b->nulls, nbuf);
	if (rc)
		return rc;
	anode *n = a->private_data;
	n->buffers[0] = c->validity;
	if (!t.is_array) {
		n->buffers[1] = text ? buffer(c->offsets) : buffer(c->values);
		n->buffers[2] = text ? buffer(c->data) : NULL;
		return 0;
	}
	if (!t.dim)
		n->buffers[1] = buffer(c->offsets);
	struct ArrowArray *item = calloc(1, sizeof *item);
	if (!item || (rc = items_array(item, set, c, (int64_t)b->items)) != 0) {
		free(item);
		a->release(a);
		return rc ? rc : fcat__error_oom();
	}
	n->array_children[0] = item;
	a->children = n->array_children;
	a->n_children = 1;
	return 0;
}

int fcat_training_set_export_arrow(struct ArrowSchema *schema, struct ArrowArray *array,
                                   const fcat_training_set *cset)
{
	if (!schema || !array || !cset)
		return fcat__error(FCAT_EUSAGE, "fcat_training_set_export_arrow: NULL argument");
	fcat_training_set *set = (fcat_training_set *)cset; /* only its count changes */
	size_t nc = set->ncols;
	int rc = schema_node(schema, "+s", "", 0);
	if (rc)
		return rc;
	if ((rc = array_node(array, set, (int64_t)set->nrows, 0, 1)) != 0) {
		schema->release(schema);
		return rc;
	}
	((anode *)array->private_data)->buffers[0] = NULL;
	schema->children = calloc(nc + 1, sizeof *schema->children);
	array->children = calloc(nc + 1, sizeof *array->children);
	rc = schema->children && array->children ? 0 : fcat__error_oom();
	for (size_t i = 0; rc == 0 && i < nc; i++) {
		struct ArrowSchema *s = calloc(1, sizeof *s);
		struct ArrowArray *a = calloc(1, sizeof *a);
		if (!s || !a) {
			free(s);
			free(a);
			rc = fcat__error_oom();
			break;
		}
		if ((rc = column_schema(s, &set->cols[i])) != 0) {
			free(s);
			free(a);
			break;
		}
		if ((rc = column_array(a, set, i)) != 0) {
			s->release(s);
			free(s);
			free(a);
			break;
		}
		schema->children[i] = s;
		array->children[i] = a;
		schema->n_children = array->n_children = (int64_t)i + 1;
	}
	if (rc) {
		if (!schema->children)
			schema->n_children = 0;
		if (!array->children)
			array->n_children = 0;
		schema->release(schema);
		array->release(array);
	}
	return rc;
}
