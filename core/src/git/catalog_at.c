/* catalog_at.c - the catalog as it is in a git commit, through the compiled
 * cache when there is one. */
#include "git/catalog_at.h"

#include "catalog/compiled_cache.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* <git dir>/fcat/cache/<commit>-<hash of the catalog's place>.cat */
static void cache_path(char *buf, size_t size, fcat__git *g, const char *commit, const char *dir)
{
	char place[4096];
	snprintf(place, sizeof place, "%s%s", g->prefix, dir);
	snprintf(buf, size, "%sfcat/cache/%s-%016llx.cat", fcat__git_dir(g), commit,
	         (unsigned long long)fcat__hash_bytes(place, strlen(place)));
}

static void ensure_cache_dir(fcat__git *g)
{
	char path[4096];
	snprintf(path, sizeof path, "%sfcat", fcat__git_dir(g));
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%sfcat/cache", fcat__git_dir(g));
	mkdir(path, 0777);
}

int fcat__catalog_at_commit(fcat_catalog **out, fcat__git *g, const git_oid *commit,
                            const char *catalog_dir, bool use_cache)
{
	char hex[GIT_OID_HEXSZ + 1], path[4096];
	git_oid_tostr(hex, sizeof hex, commit);
	cache_path(path, sizeof path, g, hex, catalog_dir);
	*out = NULL;
	if (use_cache && fcat__cache_load(out, path) == 0) {
		memcpy((*out)->commit, hex, sizeof hex);
		return 0;
	}
	fcat__def_file *files;
	size_t n;
	int rc = fcat__git_read_dir(g, commit, catalog_dir, ".lua", &files, &n);
	if (rc)
		return rc;
	rc = fcat__catalog_build(out, files, n);
	fcat__def_files_free(files, n);
	if (rc)
		return fcat__error_wrap(rc, "the catalog at commit %.12s", hex);
	memcpy((*out)->commit, hex, sizeof hex);
	if (use_cache) {
		fcat__catalog_save_cache(g, *out, catalog_dir); /* best effort: only a speed-up */
		fcat__error_clear();
	}
	return 0;
}

int fcat__catalog_save_cache(fcat__git *g, const fcat_catalog *c, const char *catalog_dir)
{
	char path[4096];
	cache_path(path, sizeof path, g, c->commit, catalog_dir);
	ensure_cache_dir(g);
	return fcat__cache_save(path, c);
}
