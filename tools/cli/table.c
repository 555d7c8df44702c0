/* table.c - printing aligned text tables for people. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

struct cli_table {
	size_t ncols, nrows, cap;
	char **cells; /* row-major, header first */
};

static void put(cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
		if (!t->cells) {
			perror("fcat");
			exit(1);
		}
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = strdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

cli_table *cli_table_new(size_t ncols, const char *const *header)
{
	cli_table *t = calloc(1, sizeof *t);
	if (!t) {
		perror("fcat");
		exit(1);
	}
	t->ncols = ncols;
	put(t, header);
	return t;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
	put(t, cells);
}

void cli_table_print(cli_table *t, FILE *f)
{
	size_t width[32] = {0};
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 32; c++) {
			size_t w = strlen(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			if (c + 1 < t->ncols)
				fprintf(f, "%-*s  ", (int)width[c], cell);
			else
				fprintf(f, "%s", cell);
			free(t->cells[r * t->ncols + c]);
		}
		fputc('\n', f);
	}
	free(t->cells);
	free(t);
}
