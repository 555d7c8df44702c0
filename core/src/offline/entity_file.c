/* entity_file.c - a training set's entity file (CSV with a header) read
 * through the csv plugin, every column as text: its header from the
 * plugin's columns probe, its cells from its scan. */
#include "offline/entity_file.h"

#include "offline/source_columns.h"
#include "offline/source_scan.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int take_header(void *ctx, const fcat_bytes *names, size_t n)
{
	fcat__entity_file *e = ctx;
	e->names = calloc(n + 1, sizeof *e->names);
	e->builds = calloc(n + 1, sizeof *e->builds);
	e->cols = calloc(n + 1, sizeof *e->cols);
	if (!e->names || !e->builds || !e->cols)
		return fcat__error_oom();
	for (size_t i = 0; i < n; i++) {
		if (!(e->names[i] = strndup(names[i].ptr, names[i].len)))
			return fcat__error_oom();
		fcat__colbuild_init(&e->builds[i], (fcat_type){FCAT_STRING, false, 0});
		e->ncols = i + 1;
	}
	return 0;
}

static int take_rows(void *ctx, const fcat_value *cells, size_t nrows)
{
	fcat__entity_file *e = ctx;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < e->ncols; c++) {
			int rc = fcat__colbuild_add(&e->builds[c], &cells[r * e->ncols + c]);
			if (rc)
				return rc;
		}
	return 0;
}

int fcat__entity_file_read(fcat__entity_file *e, fcat_store *s, const char *path)
{
	memset(e, 0, sizeof *e);
	fcat__source src = {.base = {.name = "entity file"}, .path = path};
	int rc = fcat__source_columns(s, &src, take_header, e);
	if (rc == 0 && !e->ncols)
		rc = fcat__error(FCAT_EINVALID, "%s:1: the entity file has no header", path);
	fcat_type *types = rc == 0 ? calloc(e->ncols, sizeof *types) : NULL;
	if (rc == 0 && !types)
		rc = fcat__error_oom();
	for (size_t c = 0; rc == 0 && c < e->ncols; c++)
		types[c] = (fcat_type){FCAT_STRING, false, 0};
	if (rc == 0)
		rc = fcat__source_scan(s, &src, (const char *const *)e->names, types, e->ncols, -1,
		                       0, 0, take_rows, e);
	for (size_t c = 0; rc == 0 && c < e->ncols; c++)
		e->cols[c] = fcat__colbuild_column(&e->builds[c], e->names[c]);
	free(types);
	return rc;
}

void fcat__entity_file_free(fcat__entity_file *e)
{
	for (size_t c = 0; c < e->ncols; c++) {
		free(e->names[c]);
		fcat__colbuild_free(&e->builds[c]);
	}
	free(e->names);
	free(e->builds);
	free(e->cols);
	memset(e, 0, sizeof *e);
}
