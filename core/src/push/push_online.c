/* push_online.c - pushed rows into the online store, through the very path
 * materialize takes (view_rows.h): per online view over the batch source,
 * the rows laid out as the view reads its source, the latest per key, the
 * transform; every view computed before the first write. */
#include "push/push.h"

#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* The pushed rows in the view's column layout (a column the push left out,
 * the created time, is null). */
static int add_rows(fcat__view_rows *r, const fcat__push *p)
{
	const char *const *names;
	const fcat_type *types;
	int ts;
	size_t n = fcat__view_rows_columns(r, &names, &types, &ts);
	long *from = calloc(n + 1, sizeof *from);
	fcat_value *cells = calloc(n * (p->nrows ? p->nrows : 1) + 1, sizeof *cells);
	if (!from || !cells) {
		free(from);
		free(cells);
		return fcat__error_oom();
	}
	for (size_t j = 0; j < n; j++) {
		from[j] = -1;
		for (size_t c = 0; c < p->ncols && from[j] < 0; c++)
			if (strcmp(p->field[c]->base.name, names[j]) == 0)
				from[j] = (long)c;
	}
	for (size_t row = 0; row < p->nrows; row++)
		for (size_t j = 0; j < n; j++)
			cells[row * n + j] = from[j] < 0
			                         ? (fcat_value){.type = types[j], .is_null = true}
			                         : p->cells[row * p->ncols + (size_t)from[j]];
	int rc = p->nrows ? fcat__view_rows_add(r, cells, p->nrows) : 0;
	free(from);
	free(cells);
	return rc;
}

int fcat__push_online_prepare(fcat__push_online *o, const fcat__push *p)
{
	memset(o, 0, sizeof *o);
	o->views = calloc(p->nviews + 1, sizeof *o->views);
	o->rows = calloc(p->nviews + 1, sizeof *o->rows);
	if (!o->views || !o->rows)
		return fcat__error_oom();
	int rc = 0;
	for (size_t v = 0; v < p->nviews && rc == 0; v++) {
		if (!p->views[v]->online)
			continue;
		o->views[o->n] = p->views[v];
		rc = fcat__view_rows_new(&o->rows[o->n], p->views[v], NULL, NULL);
		if (rc)
			break;
		fcat__view_rows *r = o->rows[o->n++];
		rc = add_rows(r, p);
		if (rc == 0)
			rc = fcat__view_rows_transform(p->store, r);
	}
	return rc ? fcat__error_wrap(rc, "push source '%s' (nothing was written)", p->ps->base.name)
	          : 0;
}

/* "a, b" of views [from, to), or "none". */
static void list(fcat__buf *b, const fcat__push_online *o, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		fcat__buf_printf(b, "%s'%s'", i > from ? ", " : "", o->views[i]->base.name);
	if (from >= to)
		fcat__buf_puts(b, "none");
}

int fcat__push_online_write(fcat__push_online *o, const fcat__push *p, fcat_push_stats *st,
                            bool offline)
{
	fcat__online target;
	int rc = o->n ? fcat__store_online(p->store, &target.ops, &target.handle) : 0;
	size_t done = 0;
	for (; rc == 0 && done < o->n; done++) {
		rc = fcat__view_rows_write(o->rows[done], &target, &st->keys_written);
		if (rc == 0)
			st->views++;
	}
	if (rc == 0)
		return 0;
	if (done)
		done--; /* the view that failed */
	fcat__buf b = {0};
	fcat__buf_printf(&b, "push source '%s': %sonline views written: ", p->ps->base.name,
	                 offline ? "rows appended offline to its batch source; " : "");
	list(&b, o, 0, done);
	fcat__buf_puts(&b, "; not written: ");
	list(&b, o, done, o->n);
	if (done < o->n)
		fcat__buf_printf(&b, " (writing '%s' failed)", o->views[done]->base.name);
	fcat__error_wrap(rc, "%s", b.oom || !b.ptr ? "push" : b.ptr);
	fcat__buf_free(&b);
	return rc;
}

void fcat__push_online_free(fcat__push_online *o)
{
	for (size_t i = 0; o->rows && i < o->n; i++)
		fcat__view_rows_free(o->rows[i]);
	free(o->rows);
	free(o->views);
	memset(o, 0, sizeof *o);
}
