/* compiled_cache.h - the compiled catalog: a binary image of a validated catalog, so
 * that opening a store needs no Lua and no git tree walk. */
#ifndef FCAT_CATALOG_COMPILED_CACHE_H
#define FCAT_CATALOG_COMPILED_CACHE_H

#include "catalog/model.h"
#include "util/buf.h"

/* Serializes a catalog. */
void fcat__cache_write(fcat__buf *out, const fcat_catalog *c);

/* Rebuilds a catalog from an image; the catalog takes `blob` (malloc'd) and
 * frees it. Returns 0, or FCAT_EVERSION / FCAT_EINVALID for an image of
 * another format or a damaged one (blob freed in every case). */
int fcat__cache_read(fcat_catalog **out, char *blob, size_t len);

/* Writes the image of `c` to `path` atomically (temporary file + rename). */
int fcat__cache_save(const char *path, const fcat_catalog *c);

/* Reads an image file. FCAT_ENOTFOUND when there is none. */
int fcat__cache_load(fcat_catalog **out, const char *path);

#endif
