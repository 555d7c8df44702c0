/* entities.c - the entity rows of a training set, as columns: checked
 * once, then read per row as the typed keys, times and request values the
 * join needs (a column of the declared type as it is, a text column parsed
 * as a CSV cell is). */
#include "training/entities.h"

#include "training/column.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static bool is_text(fcat_type t)
{
	return t.scalar == FCAT_STRING && !t.is_array;
}

static bool valid_type(fcat_type t)
{
	return t.scalar >= FCAT_INT32 && t.scalar <= FCAT_TIMESTAMP;
}

static int check_column(const fcat_column *c, size_t rows, const char *first)
{
	char type[64];
	if (!valid_type(c->type))
		return fcat__error(FCAT_EINVALID, "entity column '%s' has no valid type", c->name);
	if (c->type.is_array) {
		fcat_type_format(type, sizeof type, c->type);
		return fcat__error(FCAT_EINVALID,
		                   "entity column '%s' is an array (%s): entity columns are "
		                   "scalars; give it as text",
		                   c->name, type);
	}
	if (c->length != rows)
		return fcat__error(FCAT_EINVALID,
		                   "entity column '%s' has %zu rows where column '%s' has %zu",
		                   c->name, c->length, first, rows);
	bool text = c->type.scalar == FCAT_STRING || c->type.scalar == FCAT_BYTES;
	if (rows && ((text && (!c->offsets || !c->data)) || (!text && !c->values)))
		return fcat__error(FCAT_EUSAGE, "entity column '%s' lacks its %s", c->name,
		                   text ? "offsets or data" : "values");
	return 0;
}

int fcat__entities_init(fcat__entities *e, const fcat_column *cols, size_t ncols, const char *file)
{
	memset(e, 0, sizeof *e);
	e->cols = cols;
	e->ncols = ncols;
	e->ts_col = -1;
	if (ncols && !cols)
		return fcat__error(FCAT_EUSAGE, "entity columns: NULL");
	for (size_t c = 0; c < ncols; c++)
		if (!cols[c].name)
			return fcat__error(FCAT_EUSAGE, "entity column %zu has no name", c + 1);
	e->nrows = ncols ? cols[0].length : 0;
	for (size_t c = 0; c < ncols; c++) {
		int rc = check_column(&cols[c], e->nrows, cols[0].name);
		if (rc)
			return rc;
	}
	e->ts_col = fcat__entities_find(e, FCAT__TIME_COLUMN);
	if (e->ts_col < 0) {
		if (file)
			return fcat__error(FCAT_EINVALID,
			                   "%s:1: the entity file needs a column '%s' (the "
			                   "time of each row)",
			                   file, FCAT__TIME_COLUMN);
		return fcat__error(FCAT_EINVALID,
		                   "the entity rows need a column '%s' (the time of each row)",
		                   FCAT__TIME_COLUMN);
	}
	const fcat_column *t = &cols[e->ts_col];
	if (t->type.scalar != FCAT_TIMESTAMP && t->type.scalar != FCAT_STRING) {
		char type[64];
		fcat_type_format(type, sizeof type, t->type);
		return fcat__error(FCAT_EINVALID,
		                   "entity column '%s' is %s: it must be timestamp, or string "
		                   "(RFC 3339 or epoch seconds)",
		                   FCAT__TIME_COLUMN, type);
	}
	if (!(e->ts = malloc((e->nrows + 1) * sizeof *e->ts)))
		return fcat__error_oom();
	for (size_t r = 0; r < e->nrows; r++) {
		e->ts[r] = INT64_MIN;
		if (!fcat__bit(t->validity, r))
			continue;
		if (t->type.scalar == FCAT_TIMESTAMP) {
			e->ts[r] = ((const int64_t *)t->values)[r];
			continue;
		}
		const char *text = t->data + t->offsets[r];
		size_t len = (size_t)(t->offsets[r + 1] - t->offsets[r]);
		if (len && fcat_timestamp_parse(&e->ts[r], text, len) != 0)
			return fcat__error_wrap(FCAT_EINVALID, "%s%sentity row %zu, column '%s'",
			                        file ? file : "", file ? ": " : "", r + 1,
			                        FCAT__TIME_COLUMN);
	}
	return 0;
}

void fcat__entities_free(fcat__entities *e)
{
	free(e->ts);
	e->ts = NULL;
}

int fcat__entities_find(const fcat__entities *e, const char *name)
{
	for (size_t c = 0; c < e->ncols; c++)
		if (!strcmp(e->cols[c].name, name))
			return (int)c;
	return -1;
}

int fcat__entities_check(const fcat__entities *e, int col, fcat_type type)
{
	const fcat_column *c = &e->cols[col];
	if (fcat_type_equal(c->type, type) || is_text(c->type))
		return 0;
	char have[64], want[64];
	fcat_type_format(have, sizeof have, c->type);
	fcat_type_format(want, sizeof want, type);
	return fcat__error(FCAT_EINVALID, "entity column '%s' is %s: it must be %s, or string",
	                   c->name, have, want);
}

int fcat__entities_value(fcat_value *out, bool *owned, const fcat__entities *e, int col, size_t row,
                         fcat_type type, const char *what)
{
	const fcat_column *c = &e->cols[col];
	*owned = false;
	fcat__buf none = {0};
	int rc = fcat__column_cell(out, c, row, &none); /* scalars: no scratch */
	if (rc || fcat_type_equal(c->type, type) || out->is_null)
		return rc;
	/* text, parsed as a CSV cell is (an empty one is null) */
	fcat_bytes text = out->u.str;
	if (fcat_value_parse(out, type, text.ptr, text.len) != 0)
		return fcat__error_wrap(FCAT_EINVALID, "entity row %zu, %s '%s'", row + 1, what,
		                        c->name);
	*owned = !out->is_null;
	return 0;
}
