/* dsl.c - runs the catalog's definition files (*.lua) in a sandbox whose only
 * vocabulary is entity, source, feature_view, on_demand_view,
 * feature_service, push_source, field, the type names, array() and
 * durations. */
#include "catalog/dsl_read.h"
#include "lua/sandbox.h"
#include "util/error.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

/* Limits for running definition files (not transforms). The fuzz build
 * (tests/fuzz) runs the same paths with a budget 100 times smaller, so that
 * a looping input costs milliseconds instead of a second. */
#define DSL_MEMORY (256u << 20)
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define DSL_INSTRUCTIONS 2000000ull
#else
#define DSL_INSTRUCTIONS 200000000ull
#endif

static fcat__dsl *ctx(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

static void *alloc_obj(lua_State *L, fcat__dsl *x, size_t size)
{
	void *p = fcat__arena_alloc(&x->catalog->arena, size);
	if (!p)
		luaL_error(L, "out of memory");
	return p;
}

/* Adds the object unless its definition failed; returns its handle. */
static int finish(lua_State *L, fcat__def *d, fcat_object *o)
{
	if (!d->failed && fcat__catalog_add(d->dsl->catalog, o) != 0)
		return luaL_error(L, "out of memory");
	fcat__push_handle(L, o->kind, o->name);
	return 1;
}

static const char *const entity_keys[] = {"name",  "join_keys", "description",
                                          "owner", "tags",      NULL};

static void read_entity(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__entity *e = (fcat__entity *)obj;
	e->keys = fcat__def_fields(d, L, "join_keys", true, FCAT_OBJ_ENTITY, &e->nkeys);
	for (size_t i = 0; i < e->nkeys; i++) {
		fcat_type t = e->keys[i].type;
		if (t.is_array || t.scalar == FCAT_FLOAT32 || t.scalar == FCAT_FLOAT64 ||
		    t.scalar == FCAT_BOOL)
			fcat__def_error(d, e->keys[i].base.loc.line,
			                "join key '%s' must be a string, bytes, int32, int64 or "
			                "timestamp, not %s",
			                e->keys[i].base.name,
			                t.is_array ? "an array" : fcat_scalar_name(t.scalar));
	}
}

static const char *const source_keys[] = {"name",
                                          "path",
                                          "table",
                                          "query",
                                          "timestamp_field",
                                          "created_timestamp_field",
                                          "schema",
                                          "description",
                                          "owner",
                                          "tags",
                                          NULL};

static void read_source(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__source *s = (fcat__source *)obj;
	s->path = fcat__def_string(d, L, "path");
	s->table = fcat__def_string(d, L, "table");
	s->query = fcat__def_string(d, L, "query");
	int where = (s->path != NULL) + (s->table != NULL) + (s->query != NULL);
	if (where != 1)
		fcat__def_error(d, d->line,
		                "needs exactly one of 'path' (a file), 'table' or "
		                "'query' (in the offline store)");
	if (s->path && (s->path[0] == '/' || strstr(s->path, "..")))
		fcat__def_error(d, d->line, "'path' must be relative and inside the repo, got '%s'",
		                s->path);
	s->timestamp_field = fcat__def_string(d, L, "timestamp_field");
	s->created_timestamp_field = fcat__def_string(d, L, "created_timestamp_field");
	s->schema = fcat__def_fields(d, L, "schema", false, FCAT_OBJ_SOURCE, &s->nschema);
}

/* push_source { name, batch_source = <source or name>, schema = {...}? } */
static const char *const push_source_keys[] = {"name",  "batch_source", "schema", "description",
                                               "owner", "tags",         NULL};

static void read_push_source(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__push_source *p = (fcat__push_source *)obj;
	fcat__def_ref(d, L, "batch_source", FCAT_OBJ_SOURCE, &p->batch_ref);
	p->own_schema = fcat__def_fields(d, L, "schema", false, FCAT_OBJ_PUSH_SOURCE, &p->nown);
}

/* The parts of feature_view and on_demand_view that name features. */
static void set_parent(fcat__field *f, size_t n, fcat_object *parent)
{
	for (size_t i = 0; i < n; i++)
		f[i].parent = parent;
}

static const char *const feature_view_keys[] = {"name",
                                                "entities",
                                                "source",
                                                "ttl",
                                                "online",
                                                "offline",
                                                "schema",
                                                "transform",
                                                "timestamp_field",
                                                "description",
                                                "owner",
                                                "tags",
                                                "aggregations",
                                                "aggregation_interval",
                                                NULL};

static void read_feature_view(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__view *v = (fcat__view *)obj;
	v->entity_refs = fcat__def_refs(d, L, "entities", true, FCAT_OBJ_ENTITY, -1, &v->nentities);
	fcat__def_ref(d, L, "source", FCAT_OBJ_SOURCE, &v->source_ref);
	v->ttl_seconds = fcat__def_seconds(d, L, "ttl");
	v->online = fcat__def_bool(d, L, "online", true);
	v->offline = fcat__def_bool(d, L, "offline", true);
	v->timestamp_field = fcat__def_string(d, L, "timestamp_field");
	lua_getfield(L, 1, "aggregations");
	bool aggregates = !lua_isnil(L, -1);
	lua_pop(L, 1);
	if (aggregates) {
		/* the features are the aggregations' */
		fcat__def_aggregations(d, L, v);
		lua_getfield(L, 1, "schema");
		if (!lua_isnil(L, -1))
			fcat__def_error(d, d->line,
			                "has 'aggregations', whose results are its features: leave "
			                "out 'schema' (the aggregated columns' types are the "
			                "source's)");
		lua_pop(L, 1);
		if (v->ttl_seconds)
			fcat__def_error(
			    d, d->line,
			    "has 'aggregations': their windows bound what they read, so "
			    "'ttl' does not apply");
	} else {
		fcat__def_aggregations(d, L, v); /* reports a lone interval */
		v->features =
		    fcat__def_fields(d, L, "schema", true, FCAT_OBJ_FEATURE, &v->nfeatures);
	}
	set_parent(v->features, v->nfeatures, &v->base);
	fcat__def_transform(d, L, "transform", false, &v->transform);
}

static const char *const on_demand_view_keys[] = {
    "name", "sources", "request", "schema", "transform", "description", "owner", "tags", NULL};

static void read_on_demand_view(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__odv *o = (fcat__odv *)obj;
	o->source_refs = fcat__def_refs(d, L, "sources", false, FCAT_OBJ_VIEW, -1, &o->nsources);
	o->request =
	    fcat__def_fields(d, L, "request", false, FCAT_OBJ_ON_DEMAND_VIEW, &o->nrequest);
	if (!o->nsources && !o->nrequest && !d->failed)
		fcat__def_error(d, d->line,
		                "needs inputs: 'sources' (feature views) and/or "
		                "'request' (fields the caller passes)");
	o->features = fcat__def_fields(d, L, "schema", true, FCAT_OBJ_FEATURE, &o->nfeatures);
	set_parent(o->features, o->nfeatures, &o->base);
	fcat__def_transform(d, L, "transform", true, &o->transform);
}

static const char *const feature_service_keys[] = {"name",  "features", "description",
                                                   "owner", "tags",     NULL};

static void read_feature_service(fcat__def *d, lua_State *L, fcat_object *obj)
{
	fcat__service *s = (fcat__service *)obj;
	s->feature_refs = fcat__def_refs(d, L, "features", true, FCAT_OBJ_VIEW,
	                                 FCAT_OBJ_ON_DEMAND_VIEW, &s->nrefs);
}

/* A definition function: the object it makes, the keys it accepts (its own
 * and those every definition has: name, description, owner, tags) and
 * what reads its own. */
typedef struct def_kind {
	const char *word; /* as written: entity { ... } */
	fcat_object_kind kind;
	size_t size; /* of the object, its fcat_object first */
	const char *const *keys;
	void (*read)(fcat__def *d, lua_State *L, fcat_object *o);
} def_kind;

static const def_kind def_kinds[] = {
    {"entity", FCAT_OBJ_ENTITY, sizeof(fcat__entity), entity_keys, read_entity},
    {"source", FCAT_OBJ_SOURCE, sizeof(fcat__source), source_keys, read_source},
    {"push_source", FCAT_OBJ_PUSH_SOURCE, sizeof(fcat__push_source), push_source_keys,
     read_push_source},
    {"feature_view", FCAT_OBJ_VIEW, sizeof(fcat__view), feature_view_keys, read_feature_view},
    {"on_demand_view", FCAT_OBJ_ON_DEMAND_VIEW, sizeof(fcat__odv), on_demand_view_keys,
     read_on_demand_view},
    {"feature_service", FCAT_OBJ_SERVICE, sizeof(fcat__service), feature_service_keys,
     read_feature_service},
};

/* entity { ... }, source { ... }, ...: upvalue 2 is the def_kind. */
static int l_define(lua_State *L)
{
	fcat__dsl *x = ctx(L);
	const def_kind *k = lua_touserdata(L, lua_upvalueindex(2));
	fcat__def d = {x, k->word, NULL, 0, false};
	fcat_object *o = alloc_obj(L, x, k->size);
	if (fcat__def_begin(&d, L, o, k->kind, k->keys))
		k->read(&d, L, o);
	return finish(L, &d, o);
}

/* field(name, type [, { description = ..., owner = ..., tags = {...} }]) */
static int l_field(lua_State *L)
{
	lua_settop(L, 3); /* name, type, options (maybe nil), then the result */
	const char *name = luaL_checkstring(L, 1);
	char what[160];
	snprintf(what, sizeof what, "field '%s'", name);
	if (lua_isnoneornil(L, 2))
		return luaL_error(L, "%s needs a type: field(\"%s\", int64)", what, name);
	fcat_type t = fcat__check_type(L, 2, what);
	char tname[64];
	fcat_type_format(tname, sizeof tname, t);
	lua_createtable(L, 0, 6);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "name");
	lua_pushstring(L, tname);
	lua_setfield(L, -2, "type");
	lua_pushinteger(L, fcat__caller_line(L));
	lua_setfield(L, -2, "line");
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lua_pushnil(L);
		while (lua_next(L, 3)) {
			lua_pop(L, 1);
			const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
			if (strcmp(k, "description") && strcmp(k, "owner") && strcmp(k, "tags"))
				return luaL_error(L,
				                  "%s: unknown option '%s' (known: description, "
				                  "owner, tags)",
				                  what, luaL_tolstring(L, -1, NULL));
			lua_pushvalue(L, -1);
			lua_gettable(L, 3);
			lua_setfield(L, -3, k); /* the new table is below key and value */
		}
	}
	luaL_setmetatable(L, FCAT_MT_FIELD);
	return 1;
}

static void push_type(lua_State *L, const char *name, const char *mt)
{
	lua_createtable(L, 0, 1);
	lua_pushstring(L, name);
	lua_setfield(L, -2, ".fcat_type");
	luaL_setmetatable(L, mt);
}

/* array(type [, dim]) */
static int l_array(lua_State *L)
{
	fcat_type t = fcat__check_type(L, 1, "array");
	if (t.is_array)
		return luaL_error(L, "array: arrays of arrays are not supported");
	lua_Integer dim = 0;
	if (!lua_isnoneornil(L, 2)) {
		int isint = 0;
		dim = lua_tointegerx(L, 2, &isint);
		if (!isint || dim < 1 || dim > 1000000)
			return luaL_error(L,
			                  "array: the length must be a whole number from 1 to "
			                  "1000000, got %s",
			                  luaL_tolstring(L, 2, NULL));
	}
	t.is_array = true;
	t.dim = (uint32_t)dim;
	char name[64];
	fcat_type_format(name, sizeof name, t);
	push_type(L, name, FCAT_MT_TYPE);
	return 1;
}

static int duration(lua_State *L, lua_Integer unit, const char *fn)
{
	if (lua_type(L, 1) != LUA_TNUMBER)
		return luaL_error(L, "%s() expects a number, got %s", fn, luaL_typename(L, 1));
	if (lua_isinteger(L, 1)) {
		lua_Integer n = lua_tointeger(L, 1);
		if (n < 0 || n > INT64_MAX / unit / 1000000)
			return luaL_error(L, "%s(%I) is out of range", fn, n);
		lua_pushinteger(L, n * unit);
		return 1;
	}
	lua_Number n = lua_tonumber(L, 1) * (lua_Number)unit;
	if (!(n >= 0 && n < 9.2e12) || n != (lua_Number)(lua_Integer)n)
		return luaL_error(L, "%s(%f) is not a whole number of seconds", fn,
		                  lua_tonumber(L, 1));
	lua_pushinteger(L, (lua_Integer)n);
	return 1;
}

static int l_days(lua_State *L)
{
	return duration(L, 86400, "days");
}
static int l_hours(lua_State *L)
{
	return duration(L, 3600, "hours");
}
static int l_minutes(lua_State *L)
{
	return duration(L, 60, "minutes");
}
static int l_seconds(lua_State *L)
{
	return duration(L, 1, "seconds");
}

static int l_handle_newindex(lua_State *L)
{
	return luaL_error(L, "definitions are read-only once made");
}

/* __index of a file's environment: the vocabulary, else an error. */
static int l_env_index(lua_State *L)
{
	lua_pushvalue(L, 2);
	lua_rawget(L, lua_upvalueindex(1));
	if (!lua_isnil(L, -1))
		return 1;
	if (lua_type(L, 2) == LUA_TSTRING)
		return luaL_error(L,
		                  "unknown name '%s' (a typo, or something the definition "
		                  "sandbox does not offer)",
		                  lua_tostring(L, 2));
	return 0;
}

/* Builds the vocabulary table and leaves it on the stack. */
static void push_vocabulary(lua_State *L, fcat__dsl *x)
{
	luaL_newmetatable(L, FCAT_MT_HANDLE);
	lua_pushcfunction(L, l_handle_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pop(L, 1);
	luaL_newmetatable(L, FCAT_MT_FIELD);
	lua_pop(L, 1);
	luaL_newmetatable(L, FCAT_MT_TYPE);
	lua_pop(L, 1);
	luaL_newmetatable(L, FCAT_MT_STRING_TYPE);
	lua_getfield(L, LUA_REGISTRYINDEX, "fcat.safe_globals");
	lua_getfield(L, -1, "string");
	lua_setfield(L, -3, "__index"); /* `string` also works as the library */
	lua_pop(L, 2);

	lua_newtable(L);
	lua_getfield(L, LUA_REGISTRYINDEX, "fcat.safe_globals");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -5);
	}
	lua_pop(L, 1);
	for (size_t i = 0; i < sizeof def_kinds / sizeof *def_kinds; i++) {
		lua_pushlightuserdata(L, x);
		lua_pushlightuserdata(L, (void *)&def_kinds[i]);
		lua_pushcclosure(L, l_define, 2);
		lua_setfield(L, -2, def_kinds[i].word);
	}
	static const luaL_Reg helpers[] = {
	    {"field", l_field},     {"array", l_array},     {"days", l_days}, {"hours", l_hours},
	    {"minutes", l_minutes}, {"seconds", l_seconds}, {NULL, NULL},
	};
	luaL_setfuncs(L, helpers, 0);
	static const char *const types[] = {"int32", "int64", "float32",   "float64",
	                                    "bytes", "bool",  "timestamp", NULL};
	for (const char *const *t = types; *t; t++) {
		push_type(L, *t, FCAT_MT_TYPE);
		lua_setfield(L, -2, *t);
	}
	push_type(L, "string", FCAT_MT_STRING_TYPE);
	lua_setfield(L, -2, "string");
}

/* Runs in protected mode: stack holds the compiled chunk. */
static int run_chunk(lua_State *L)
{
	fcat__dsl *x = lua_touserdata(L, 1);
	lua_remove(L, 1);
	push_vocabulary(L, x);
	/* the file's environment: own globals, reads fall back to vocabulary */
	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushvalue(L, -3);
	lua_pushcclosure(L, l_env_index, 1);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_setupvalue(L, 1, 1);
	lua_pop(L, 1); /* vocabulary */
	lua_call(L, 0, 0);
	return 0;
}

int fcat__dsl_run_file(fcat_catalog *c, const char *file, const char *text, size_t len,
                       fcat__buf *errors)
{
	fcat__dsl x = {c, errors, NULL, text, len, 0, false};
	x.file = fcat__arena_strdup(&c->arena, file);
	fcat__sandbox_limits limits = {DSL_MEMORY, DSL_INSTRUCTIONS};
	lua_State *L = x.file ? fcat__sandbox_new(&limits) : NULL;
	if (!L)
		return fcat__error_oom();
	char chunkname[4096];
	snprintf(chunkname, sizeof chunkname, "@%s", file);
	int rc = luaL_loadbufferx(L, text, len, chunkname, "t");
	if (rc == LUA_OK) {
		lua_pushcfunction(L, run_chunk);
		lua_insert(L, -2);
		lua_pushlightuserdata(L, &x);
		lua_insert(L, -2);
		rc = fcat__sandbox_pcall(L, 2, 0);
	}
	if (rc != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		if (!msg)
			msg = "error object is not a string";
		/* Lua prefixes "file:line:" when it knows the place */
		if (strncmp(msg, file, strlen(file)) == 0 && msg[strlen(file)] == ':')
			fcat__buf_printf(errors, "%s\n", msg);
		else
			fcat__buf_printf(errors, "%s: %s\n", file, msg);
		x.problems++;
	}
	fcat__sandbox_free(L);
	if (x.oom || errors->oom)
		return fcat__error_oom();
	return x.problems;
}
