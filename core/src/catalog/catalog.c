/* catalog.c - loading a catalog directory, and the public accessors of
 * catalog objects. */
#include "catalog/model.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/fs.h"

#include <stdlib.h>
#include <string.h>

fcat_catalog *fcat__catalog_new(void)
{
	fcat_catalog *c = calloc(1, sizeof *c);
	if (c)
		fcat__arena_init(&c->arena, 64 * 1024);
	return c;
}

int fcat__catalog_add(fcat_catalog *c, fcat_object *o)
{
	fcat__objvec *v = &c->objects[o->kind];
	if (!fcat__grow(&v->items, &v->cap, v->len, sizeof *v->items, 16))
		return fcat__error_oom();
	v->items[v->len++] = o;
	return 0;
}

void fcat_catalog_free(fcat_catalog *c)
{
	if (!c)
		return;
	for (int k = 0; k < FCAT_OBJ_KIND_COUNT; k++)
		free(c->objects[k].items);
	fcat__strmap_free(&c->by_name);
	fcat__strmap_free(&c->features);
	fcat__arena_release(&c->arena);
	free(c->image);
	free(c);
}

/* Drops the final newline of a report and makes it the last error. */
static int report(fcat__buf *errors)
{
	if (errors->len && errors->ptr[errors->len - 1] == '\n')
		errors->ptr[--errors->len] = '\0';
	return fcat__error_set(FCAT_EINVALID, errors->ptr ? errors->ptr : "invalid catalog");
}

int fcat__catalog_build(fcat_catalog **out, const fcat__def_file *files, size_t n)
{
	*out = NULL;
	fcat_catalog *c = fcat__catalog_new();
	if (!c)
		return fcat__error_oom();
	fcat__buf errors = {0};
	int problems = 0, rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int got =
		    fcat__dsl_run_file(c, files[i].path, files[i].text, files[i].len, &errors);
		if (got < 0)
			rc = got;
		else
			problems += got;
	}
	/* Checking references only makes sense once every file ran cleanly:
	 * otherwise a broken file would show up again as unknown names. */
	if (rc == 0 && problems == 0) {
		int got = fcat__catalog_resolve(c, &errors);
		if (got < 0)
			rc = got;
		else
			problems += got;
	}
	if (rc == 0 && problems)
		rc = report(&errors);
	if (rc == 0)
		rc = fcat__catalog_hash_all(c);
	fcat__buf_free(&errors);
	if (rc) {
		fcat_catalog_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int fcat_catalog_load_dir(fcat_catalog **out, const char *repo_root, const char *catalog_dir)
{
	*out = NULL;
	char *dir = fcat__path_join(repo_root, catalog_dir);
	if (!dir)
		return fcat__error_oom();
	char **names = NULL;
	size_t n = 0;
	int rc = fcat__list_files(&names, &n, dir, ".lua");
	free(dir);
	if (rc)
		return rc == FCAT_ENOTFOUND ? fcat__error(rc, "no catalog directory '%s' in %s",
		                                          catalog_dir, repo_root)
		                            : rc;
	fcat__def_file *files = calloc(n + 1, sizeof *files);
	if (!files)
		rc = fcat__error_oom();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *rel = fcat__path_join(catalog_dir, names[i]);
		char *path = rel ? fcat__path_join(repo_root, rel) : NULL;
		files[i].path = rel;
		rc =
		    path ? fcat__read_file(&files[i].text, &files[i].len, path) : fcat__error_oom();
		free(path);
	}
	if (rc == 0)
		rc = fcat__catalog_build(out, files, n);
	for (size_t i = 0; files && i < n; i++) {
		free(files[i].path);
		free(files[i].text);
	}
	free(files);
	fcat__strv_free(names);
	return rc;
}

size_t fcat_catalog_count(const fcat_catalog *c, fcat_object_kind kind)
{
	return (unsigned)kind < FCAT_OBJ_KIND_COUNT ? c->objects[kind].len : 0;
}

const fcat_object *fcat_catalog_at(const fcat_catalog *c, fcat_object_kind kind, size_t i)
{
	if ((unsigned)kind >= FCAT_OBJ_KIND_COUNT || i >= c->objects[kind].len)
		return NULL;
	return c->objects[kind].items[i];
}

int fcat_catalog_lookup(const fcat_object **out, const fcat_catalog *c, const char *name)
{
	*out = strchr(name, ':') ? fcat__strmap_get(&c->features, name)
	                         : fcat__strmap_get(&c->by_name, name);
	if (!*out)
		return fcat__error(FCAT_ENOTFOUND, "no object named '%s' in the catalog", name);
	return 0;
}

const char *fcat__article(const char *word)
{
	return strchr("aeiou", word[0]) && word[0] ? "an" : "a";
}

fcat_object_kind fcat_object_kind_of(const fcat_object *o)
{
	return o->kind;
}

const char *fcat_object_kind_name(fcat_object_kind kind)
{
	static const char *const names[] = {"entity",         "source",          "feature_view",
	                                    "on_demand_view", "feature_service", "feature",
	                                    "push_source"};
	return (unsigned)kind < FCAT_OBJ_KIND_COUNT ? names[kind] : "unknown";
}

const char *fcat_object_name(const fcat_object *o)
{
	return o->name;
}
const char *fcat_object_description(const fcat_object *o)
{
	return o->description;
}
const char *fcat_object_owner(const fcat_object *o)
{
	return o->owner;
}
const char *fcat_object_file(const fcat_object *o)
{
	return o->loc.file;
}
int fcat_object_line(const fcat_object *o)
{
	return o->loc.line;
}
size_t fcat_object_tag_count(const fcat_object *o)
{
	return o->ntags;
}

int fcat_object_tag(const char **key, const char **value, const fcat_object *o, size_t i)
{
	if (i >= o->ntags)
		return fcat__error(FCAT_ENOTFOUND, "tag index %zu out of range", i);
	*key = o->tags[i].key;
	*value = o->tags[i].value;
	return 0;
}

const char *fcat_object_tag_get(const fcat_object *o, const char *key)
{
	for (size_t i = 0; i < o->ntags; i++)
		if (strcmp(o->tags[i].key, key) == 0)
			return o->tags[i].value;
	return NULL;
}

fcat_type fcat_feature_type(const fcat_object *f)
{
	return f->kind == FCAT_OBJ_FEATURE ? ((const fcat__field *)f)->type : (fcat_type){0};
}

const fcat_object *fcat_feature_view(const fcat_object *f)
{
	return f->kind == FCAT_OBJ_FEATURE ? ((const fcat__field *)f)->parent : NULL;
}

size_t fcat_object_feature_count(const fcat_object *o)
{
	switch (o->kind) {
	case FCAT_OBJ_VIEW: return ((const fcat__view *)o)->nfeatures;
	case FCAT_OBJ_ON_DEMAND_VIEW: return ((const fcat__odv *)o)->nfeatures;
	case FCAT_OBJ_SERVICE: return ((const fcat__service *)o)->nfeatures;
	default: return 0;
	}
}

const fcat_object *fcat_object_feature_at(const fcat_object *o, size_t i)
{
	if (i >= fcat_object_feature_count(o))
		return NULL;
	switch (o->kind) {
	case FCAT_OBJ_VIEW: return &((const fcat__view *)o)->features[i].base;
	case FCAT_OBJ_ON_DEMAND_VIEW: return &((const fcat__odv *)o)->features[i].base;
	case FCAT_OBJ_SERVICE: return &((const fcat__service *)o)->features[i]->base;
	default: return NULL;
	}
}

int64_t fcat_view_ttl_seconds(const fcat_object *o)
{
	return o->kind == FCAT_OBJ_VIEW ? ((const fcat__view *)o)->ttl_seconds : 0;
}

const char *fcat_catalog_commit(const fcat_catalog *c)
{
	return c->commit;
}

const fcat_object *fcat_push_source_batch(const fcat_object *o)
{
	return o->kind == FCAT_OBJ_PUSH_SOURCE ? &((const fcat__push_source *)o)->batch->base
	                                       : NULL;
}

/* The schema of a source or push source; NULL for anything else. */
static const fcat__field *columns_of(const fcat_object *o, size_t *n)
{
	*n = 0;
	if (o->kind == FCAT_OBJ_SOURCE) {
		*n = ((const fcat__source *)o)->nschema;
		return ((const fcat__source *)o)->schema;
	}
	if (o->kind == FCAT_OBJ_PUSH_SOURCE) {
		*n = ((const fcat__push_source *)o)->nschema;
		return ((const fcat__push_source *)o)->schema;
	}
	return NULL;
}

size_t fcat_source_column_count(const fcat_object *o)
{
	size_t n;
	columns_of(o, &n);
	return n;
}

const char *fcat_source_column_name(const fcat_object *o, size_t i)
{
	size_t n;
	const fcat__field *f = columns_of(o, &n);
	return i < n ? f[i].base.name : NULL;
}

fcat_type fcat_source_column_type(const fcat_object *o, size_t i)
{
	size_t n;
	const fcat__field *f = columns_of(o, &n);
	return i < n ? f[i].type : (fcat_type){0};
}
