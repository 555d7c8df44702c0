/* bench_fcat.h - the glue every benchmark that opens a store shares: an
 * fcat call's failure as a bench_die, opening a generated repo's store, and
 * writing the repo's catalog file. Header-only and inline, so that a check
 * after a timed call costs what it did when each program had its own.
 */
#ifndef FCAT_BENCH_FCAT_H
#define FCAT_BENCH_FCAT_H

#include "bench_util.h"
#include "fcat.h"

#include <stdio.h>

/* bench_die with the call's name, fcat's message and the code's text. */
static inline void bench_fcat_check(int rc, const char *what)
{
	if (rc)
		bench_die("%s: %s (%s)", what, fcat_error_last(), fcat_strerror(rc));
}

/* The store of a generated repo, its catalog read from the working tree
 * (the repo is not a git repository); bench_die on failure. */
static inline fcat_store *bench_open_store(const char *root)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE;
	fcat_store *s;
	bench_fcat_check(fcat_store_open_ext(&s, root, &o), "fcat_store_open_ext");
	return s;
}

/* Writes the text as the repo's catalog/bench.lua; bench_die on failure. */
static inline void bench_write_catalog(const char *root, const char *lua)
{
	FILE *f = bench_create(root, "catalog/bench.lua");
	fputs(lua, f);
	bench_finish(f, "catalog/bench.lua");
}

#endif
