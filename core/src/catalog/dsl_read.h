/* dsl_read.h - reading the arguments of definition calls (names, strings,
 * tags, fields, types, references) from the Lua stack into the catalog. */
#ifndef FCAT_CATALOG_DSL_READ_H
#define FCAT_CATALOG_DSL_READ_H

#include "catalog/model.h"
#include "util/buf.h"

#include <lua.h>

/* The state of one definition file being run. */
typedef struct fcat__dsl {
	fcat_catalog *catalog;
	fcat__buf *errors;
	const char *file; /* arena copy, relative to the repo root */
	const char *text; /* the file's source, to cut out transforms */
	size_t text_len;
	int problems;
	bool oom; /* an arena allocation failed */
} fcat__dsl;

/* One definition call being read: where it is and whether it failed. */
typedef struct fcat__def {
	fcat__dsl *dsl;
	const char *kind; /* "feature_view", ... */
	const char *name; /* may be NULL before the name is read */
	int line;
	bool failed;
} fcat__def;

/* Registry names of the metatables that mark fcat values in Lua. */
#define FCAT_MT_HANDLE      "fcat.handle"
#define FCAT_MT_FIELD       "fcat.field"
#define FCAT_MT_TYPE        "fcat.type"
#define FCAT_MT_STRING_TYPE "fcat.type.string"

/* Records "file:line: kind 'name': message" and marks the definition failed. */
void fcat__def_error(fcat__def *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Starts reading a definition whose table is at stack index 1: checks it is
 * a table, that every key is in `allowed` (NULL-terminated), reads name,
 * description, owner and tags into `o`. Returns false when the call is so
 * wrong (no table, no name) that nothing more can be read. */
bool fcat__def_begin(fcat__def *d, lua_State *L, fcat_object *o, fcat_object_kind kind,
                     const char *const *allowed);

/* Optional string key of the definition table: NULL when absent. */
const char *fcat__def_string(fcat__def *d, lua_State *L, const char *key);

/* Optional boolean key; `dflt` when absent. */
bool fcat__def_bool(fcat__def *d, lua_State *L, const char *key, bool dflt);

/* Optional duration key in whole seconds (>= 0); 0 when absent. */
int64_t fcat__def_seconds(fcat__def *d, lua_State *L, const char *key);

/* A list of fields (field(...) values) under `key`. `required` asks for at
 * least one. Each field is copied into the arena with kind `kind`. */
fcat__field *fcat__def_fields(fcat__def *d, lua_State *L, const char *key, bool required,
                              fcat_object_kind kind, size_t *n);

/* A list of references under `key`: handles of kind `want` (or of
 * `want_also` when >= 0) or name strings. */
fcat__ref *fcat__def_refs(fcat__def *d, lua_State *L, const char *key, bool required, int want,
                          int want_also, size_t *n);

/* A single reference under `key`. Returns false when absent or wrong. */
bool fcat__def_ref(fcat__def *d, lua_State *L, const char *key, int want, fcat__ref *out);

/* The function under `key`, kept as source text (checked to compile to the
 * same function). */
void fcat__def_transform(fcat__def *d, lua_State *L, const char *key, bool required,
                         fcat__transform *out);

/* A feature view's window aggregations (aggregations and
 * aggregation_interval), when it has them: fills v's aggs and features. */
void fcat__def_aggregations(fcat__def *d, lua_State *L, fcat__view *v);

/* Pushes a handle for a definition: a table {kind=..., name=...}. */
void fcat__push_handle(lua_State *L, fcat_object_kind kind, const char *name);

/* Reads a type argument at stack index `idx`: a type value (int64,
 * array(float32, 16)) or a type name string. Returns 0, or raises a Lua
 * error naming `what`. */
fcat_type fcat__check_type(lua_State *L, int idx, const char *what);

/* The line of the Lua code that called the running C function. */
int fcat__caller_line(lua_State *L);

#endif
