/* push_check.c - everything fcat_push checks before it writes: the columns
 * against the push schema, every value of every row, and the principal's
 * `write` on each view the rows feed. */
#include "push/push.h"

#include "store/access.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *ps_name(const fcat__push *p)
{
	return p->ps->base.name;
}

static const fcat__field *schema_field(const fcat__push_source *ps, const char *name)
{
	for (size_t i = 0; i < ps->nschema; i++)
		if (strcmp(ps->schema[i].base.name, name) == 0)
			return &ps->schema[i];
	return NULL;
}

static int unknown_column(const fcat__push *p, size_t i)
{
	fcat__buf list = {0};
	for (size_t k = 0; k < p->ps->nschema; k++)
		fcat__buf_printf(&list, "%s%s", k ? ", " : "", p->ps->schema[k].base.name);
	int rc = fcat__error(FCAT_EINVALID,
	                     "push source '%s': column '%s' (column %zu of the push) is not in its "
	                     "schema (columns: %s)",
	                     ps_name(p), p->in[i].name, i + 1, list.ptr ? list.ptr : "");
	fcat__buf_free(&list);
	return rc;
}

int fcat__push_check_columns(fcat__push *p)
{
	const fcat__push_source *ps = p->ps;
	const fcat__objvec *all = &p->store->catalog->objects[FCAT_OBJ_VIEW];
	p->views = calloc(all->len + 1, sizeof *p->views);
	p->field = calloc(p->ncols + 1, sizeof *p->field);
	if (!p->views || !p->field)
		return fcat__error_oom();
	for (size_t i = 0; i < all->len; i++)
		if (((const fcat__view *)all->items[i])->source == ps->batch)
			p->views[p->nviews++] = (const fcat__view *)all->items[i];
	for (size_t i = 0; i < p->ncols; i++) {
		if (!p->in[i].name)
			return fcat__error(FCAT_EUSAGE, "push: column %zu has no name", i + 1);
		if (!p->in[i].values && p->nrows)
			return fcat__error(FCAT_EUSAGE, "push: column '%s' has no values",
			                   p->in[i].name);
		p->field[i] = schema_field(ps, p->in[i].name);
		if (!p->field[i])
			return unknown_column(p, i);
		for (size_t j = 0; j < i; j++)
			if (p->field[j] == p->field[i])
				return fcat__error(FCAT_EINVALID,
				                   "push source '%s': column '%s' is given twice "
				                   "(columns %zu and %zu of the push)",
				                   ps_name(p), p->in[i].name, j + 1, i + 1);
	}
	const char *created = ps->batch->created_timestamp_field;
	for (size_t k = 0; k < ps->nschema; k++) {
		const char *name = ps->schema[k].base.name;
		bool given = false;
		for (size_t i = 0; i < p->ncols && !given; i++)
			given = p->field[i] == &ps->schema[k];
		if (!given && !(created && strcmp(name, created) == 0))
			return fcat__error(FCAT_EINVALID,
			                   "push source '%s': no column '%s' in the push (every "
			                   "column of the schema is needed%s%s%s)",
			                   ps_name(p), name, created ? "; only '" : "",
			                   created ? created : "",
			                   created ? "' may be left out" : "");
	}
	return 0;
}

/* Must this column's values be non-null: a join key or event timestamp of
 * a view over the batch source? "a join key" / "the event timestamp". */
static const char *required(const fcat__push *p, const char *name)
{
	if (p->ps->batch->timestamp_field && strcmp(p->ps->batch->timestamp_field, name) == 0)
		return "the event timestamp";
	for (size_t v = 0; v < p->nviews; v++) {
		const fcat__view *view = p->views[v];
		if (view->timestamp_field && strcmp(view->timestamp_field, name) == 0)
			return "the event timestamp";
		for (size_t e = 0; e < view->nentities; e++)
			for (size_t k = 0; k < view->entities[e]->nkeys; k++)
				if (strcmp(view->entities[e]->keys[k].base.name, name) == 0)
					return "a join key";
	}
	return NULL;
}

static int bad_value(const fcat__push *p, size_t row, size_t col, const char *fmt, const char *a,
                     const char *b)
{
	char what[256];
	snprintf(what, sizeof what, fmt, a, b);
	return fcat__error(FCAT_EINVALID, "push source '%s', row %zu, column '%s': %s", ps_name(p),
	                   row + 1, p->in[col].name, what);
}

/* One value against its column's type. */
static int check_value(const fcat__push *p, size_t row, size_t col, const fcat_value *v,
                       const char *must)
{
	const fcat_type want = p->field[col]->type;
	char a[64], b[64];
	if (v->is_null)
		return must ? bad_value(p, row, col, "%s%s must not be null", must, "") : 0;
	if (v->type.scalar != want.scalar || v->type.is_array != want.is_array) {
		fcat_type_format(a, sizeof a, want);
		fcat_type_format(b, sizeof b, (fcat_type){v->type.scalar, v->type.is_array, 0});
		return bad_value(p, row, col, "expected %s, got %s", a, b);
	}
	if (want.is_array && want.dim && v->u.array.len != want.dim) {
		fcat_type_format(a, sizeof a, want);
		snprintf(b, sizeof b, "%zu", v->u.array.len);
		return bad_value(p, row, col, "expected %s, got an array of %s items", a, b);
	}
	if (want.is_array && v->u.array.len && !v->u.array.items)
		return bad_value(p, row, col, "%s%sthe array has no items", "", "");
	if (!want.is_array && (want.scalar == FCAT_STRING || want.scalar == FCAT_BYTES) &&
	    v->u.str.len && !v->u.str.ptr)
		return bad_value(p, row, col, "%s%sthe string has no bytes", "", "");
	return 0;
}

int fcat__push_check_rows(fcat__push *p)
{
	size_t n = p->nrows * p->ncols;
	if (p->ncols && n / p->ncols != p->nrows)
		return fcat__error(FCAT_EUSAGE, "push: too many rows");
	const char **must = calloc(p->ncols + 1, sizeof *must);
	p->cells = calloc(n + 1, sizeof *p->cells);
	if (!must || !p->cells) {
		free(must);
		return fcat__error_oom();
	}
	for (size_t c = 0; c < p->ncols; c++)
		must[c] = required(p, p->in[c].name);
	int rc = 0;
	for (size_t r = 0; r < p->nrows && rc == 0; r++) {
		for (size_t c = 0; c < p->ncols && rc == 0; c++) {
			const fcat_value *v = &p->in[c].values[r];
			rc = check_value(p, r, c, v, must[c]);
			fcat_value *cell = &p->cells[r * p->ncols + c];
			*cell = *v;
			cell->type = p->field[c]->type; /* a null of any type, a dim */
		}
	}
	free(must);
	return rc;
}

int fcat__push_check_access(const fcat__push *p)
{
	if (!p->nviews)
		return fcat__access_project(p->store, &p->who, FCAT__PA_WRITE);
	for (size_t v = 0; v < p->nviews; v++) {
		int rc = fcat__access_view(p->store, &p->who, FCAT__PA_WRITE, p->views[v]);
		if (rc)
			return fcat__error_wrap(rc, "push source '%s'", ps_name(p));
	}
	return 0;
}
