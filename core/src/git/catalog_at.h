/* catalog_at.h - the catalog as it is in a git commit, through the compiled
 * cache when there is one. */
#ifndef FCAT_GIT_CATALOG_AT_H
#define FCAT_GIT_CATALOG_AT_H

#include "git/repo.h"

/* Loads (and validates) the catalog in `catalog_dir` at a commit. With
 * `use_cache`, reads the compiled image when present and writes it when not
 * (a failure to write it is not an error). */
int fcat__catalog_at_commit(fcat_catalog **out, fcat__git *g, const git_oid *commit,
                            const char *catalog_dir, bool use_cache);

/* Writes the compiled image of a catalog read from a commit. */
int fcat__catalog_save_cache(fcat__git *g, const fcat_catalog *c, const char *catalog_dir);

#endif
