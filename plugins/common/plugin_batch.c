/* plugin_batch.c - a batch of typed cells and the memory behind them. */
#include "plugin_batch.h"

#include <stdlib.h>
#include <string.h>

struct fcatp_block {
	fcatp_block *next;
	size_t cap, used;
	max_align_t data[];
};

int fcatp_batch_init(fcatp_batch *b, const fcat_plugin_host *host, size_t ncols, size_t rows_cap,
                     size_t block_size, const char *prefix)
{
	memset(b, 0, sizeof *b);
	b->host = host;
	b->ncols = ncols;
	b->rows_cap = rows_cap;
	b->block_size = block_size;
	b->cells = calloc(rows_cap * ncols + 1, sizeof *b->cells);
	if (!b->cells)
		return host->error(FCAT_ENOMEM, "%sout of memory", prefix);
	return 0;
}

void fcatp_batch_reset(fcatp_batch *b)
{
	for (size_t i = 0; i < b->nowned; i++)
		b->host->value_clear(b->owned[i]);
	b->nowned = 0;
	for (fcatp_block *k = b->blocks; k; k = k->next)
		k->used = 0;
	b->cur = b->blocks;
	b->nrows = 0;
}

int fcatp_batch_flush(fcatp_batch *b, fcat_scan_fn fn, void *ctx)
{
	int rc = 0;
	if (b->nrows)
		rc = fn(ctx, b->cells, b->nrows);
	fcatp_batch_reset(b);
	return rc;
}

void fcatp_batch_free(fcatp_batch *b)
{
	if (b->cells)
		fcatp_batch_reset(b);
	while (b->blocks) {
		fcatp_block *next = b->blocks->next;
		free(b->blocks);
		b->blocks = next;
	}
	free(b->owned);
	free(b->cells);
	memset(b, 0, sizeof *b);
}

void *fcatp_batch_alloc(fcatp_batch *b, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	while (b->cur && b->cur->cap - b->cur->used < n && b->cur->next)
		b->cur = b->cur->next;
	if (!b->cur || b->cur->cap - b->cur->used < n) {
		/* after the last block: the ones before it are full */
		size_t cap = n > b->block_size ? n : b->block_size;
		fcatp_block *k = malloc(sizeof *k + cap);
		if (!k)
			return NULL;
		k->next = NULL;
		k->cap = cap;
		k->used = 0;
		if (b->cur)
			b->cur->next = k;
		else
			b->blocks = k;
		b->cur = k;
	}
	void *p = (char *)b->cur->data + b->cur->used;
	b->cur->used += n;
	return p;
}

const char *fcatp_batch_copy(fcatp_batch *b, const void *src, size_t n)
{
	if (n == 0)
		return "";
	char *p = fcatp_batch_alloc(b, n);
	if (p)
		memcpy(p, src, n);
	return p;
}

int fcatp_batch_keep(fcatp_batch *b, fcat_value *cell, fcat_type type)
{
	if (cell->is_null ||
	    (!type.is_array && type.scalar != FCAT_STRING && type.scalar != FCAT_BYTES))
		return 0;
	if (b->nowned == b->owned_cap) {
		size_t cap = b->owned_cap ? b->owned_cap * 2 : 64;
		fcat_value **no = realloc(b->owned, cap * sizeof *no);
		if (!no) {
			b->host->value_clear(cell);
			return FCAT_ENOMEM;
		}
		b->owned = no;
		b->owned_cap = cap;
	}
	b->owned[b->nowned++] = cell;
	return 0;
}
