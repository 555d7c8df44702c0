/* dsl_read.c - reading the arguments of definition calls (names, strings,
 * tags, fields, types, references) from the Lua stack into the catalog. */
#include "catalog/dsl_read.h"

#include "lua/function_source.h"

#include "util/error.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA(d) (&(d)->dsl->catalog->arena)

void fcat__def_error(fcat__def *d, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fcat__buf *e = d->dsl->errors;
	fcat__buf_printf(e, "%s:%d: %s", d->dsl->file, line, d->kind);
	if (d->name)
		fcat__buf_printf(e, " '%s'", d->name);
	fcat__buf_printf(e, ": %s\n", msg);
	d->failed = true;
	d->dsl->problems++;
}

int fcat__caller_line(lua_State *L)
{
	lua_Debug ar;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		return ar.currentline;
	return 0;
}

static bool is_identifier(const char *s)
{
	if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* An arena copy; on failure the file's run is marked out of memory. */
static char *copy(fcat__def *d, const char *s)
{
	char *p = fcat__arena_strdup(ARENA(d), s);
	if (!p) {
		d->dsl->oom = true;
		return "";
	}
	return p;
}

/* Converts a tag value (string, boolean or number) to text. */
static const char *tag_text(lua_State *L, int idx)
{
	switch (lua_type(L, idx)) {
	case LUA_TSTRING: return lua_tostring(L, idx);
	case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? "true" : "false";
	case LUA_TNUMBER: return luaL_tolstring(L, idx, NULL); /* pushes */
	default: return NULL;
	}
}

static int cmp_tag(const void *a, const void *b)
{
	return strcmp(((const fcat__tag *)a)->key, ((const fcat__tag *)b)->key);
}

/* Reads the `tags` map of the table at `idx` into the object. */
static void read_tags(fcat__def *d, lua_State *L, int idx, fcat_object *o, int line)
{
	int top = lua_gettop(L);
	lua_getfield(L, idx, "tags");
	if (lua_isnil(L, -1)) {
		lua_settop(L, top);
		return;
	}
	if (!lua_istable(L, -1)) {
		fcat__def_error(d, line, "'tags' must be a table of name = value, got %s",
		                luaL_typename(L, -1));
		lua_settop(L, top);
		return;
	}
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		n++;
		lua_pop(L, 1);
	}
	o->tags = fcat__arena_alloc(ARENA(d), (n + 1) * sizeof *o->tags);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		int vtop = lua_gettop(L);
		if (lua_type(L, -2) != LUA_TSTRING) {
			fcat__def_error(d, line, "tag names must be strings");
		} else {
			const char *v = tag_text(L, vtop);
			if (!v)
				fcat__def_error(
				    d, line, "tag '%s' must be a string, boolean or number, got %s",
				    lua_tostring(L, -2), luaL_typename(L, vtop));
			else if (o->tags) {
				o->tags[o->ntags].key = copy(d, lua_tostring(L, vtop - 1));
				o->tags[o->ntags].value = copy(d, v);
				o->ntags++;
			}
		}
		lua_settop(L, vtop - 1);
	}
	if (o->ntags > 1)
		qsort(o->tags, o->ntags, sizeof *o->tags, cmp_tag);
	lua_settop(L, top);
}

/* Reads an optional string field of the table at idx (line for errors). */
static const char *opt_string(fcat__def *d, lua_State *L, int idx, const char *key, int line)
{
	lua_getfield(L, idx, key);
	const char *s = NULL;
	if (lua_type(L, -1) == LUA_TSTRING)
		s = copy(d, lua_tostring(L, -1));
	else if (!lua_isnil(L, -1))
		fcat__def_error(d, line, "'%s' must be a string, got %s", key,
		                luaL_typename(L, -1));
	lua_pop(L, 1);
	return s;
}

bool fcat__def_begin(fcat__def *d, lua_State *L, fcat_object *o, fcat_object_kind kind,
                     const char *const *allowed)
{
	d->line = fcat__caller_line(L);
	o->kind = kind;
	o->loc.file = d->dsl->file;
	o->loc.line = d->line;
	o->description = o->owner = "";
	if (lua_gettop(L) != 1 || !lua_istable(L, 1)) {
		fcat__def_error(d, d->line, "expects one table: %s { name = \"...\", ... }",
		                d->kind);
		return false;
	}
	lua_getfield(L, 1, "name");
	if (lua_type(L, -1) != LUA_TSTRING) {
		fcat__def_error(d, d->line, "needs a 'name' string");
		lua_pop(L, 1);
		return false;
	}
	d->name = o->name = copy(d, lua_tostring(L, -1));
	lua_pop(L, 1);
	if (!is_identifier(o->name))
		fcat__def_error(d, d->line,
		                "the name must be an identifier (letters, digits, '_')");
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			fcat__def_error(d, d->line, "has a key that is not a name (%s)",
			                luaL_typename(L, -1));
			continue;
		}
		const char *key = lua_tostring(L, -1);
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (!ok) {
			char known[512] = "";
			for (const char *const *a = allowed; *a; a++)
				snprintf(known + strlen(known), sizeof known - strlen(known),
				         "%s%s", a == allowed ? "" : ", ", *a);
			fcat__def_error(d, d->line, "unknown key '%s' (known: %s)", key, known);
		}
	}
	const char *s;
	if ((s = opt_string(d, L, 1, "description", d->line)))
		o->description = s;
	if ((s = opt_string(d, L, 1, "owner", d->line)))
		o->owner = s;
	read_tags(d, L, 1, o, d->line);
	return true;
}

const char *fcat__def_string(fcat__def *d, lua_State *L, const char *key)
{
	return opt_string(d, L, 1, key, d->line);
}

bool fcat__def_bool(fcat__def *d, lua_State *L, const char *key, bool dflt)
{
	lua_getfield(L, 1, key);
	bool v = dflt;
	if (lua_isboolean(L, -1))
		v = lua_toboolean(L, -1);
	else if (!lua_isnil(L, -1))
		fcat__def_error(d, d->line, "'%s' must be true or false, got %s", key,
		                luaL_typename(L, -1));
	lua_pop(L, 1);
	return v;
}

#define MAX_SECONDS (10000LL * 366 * 86400)

int64_t fcat__def_seconds(fcat__def *d, lua_State *L, const char *key)
{
	int top = lua_gettop(L);
	lua_getfield(L, 1, key);
	int64_t v = 0;
	if (!lua_isnil(L, -1)) {
		int isint = 0;
		lua_Integer i = lua_tointegerx(L, -1, &isint);
		/* at most 10,000 years: every time sum in microseconds stays far
		 * inside int64 (a timestamp plus or minus a ttl) */
		if (lua_type(L, -1) != LUA_TNUMBER || !isint || i < 0 || i > MAX_SECONDS)
			fcat__def_error(d, d->line,
			                "'%s' must be a whole number of seconds from 0 to "
			                "10,000 years, such as days(7) or hours(12), got %s",
			                key, luaL_tolstring(L, -1, NULL));
		else
			v = i;
	}
	lua_settop(L, top);
	return v;
}

fcat_type fcat__check_type(lua_State *L, int idx, const char *what)
{
	fcat_type t;
	if (lua_type(L, idx) == LUA_TSTRING) {
		if (fcat_type_parse(&t, lua_tostring(L, idx)) != 0)
			luaL_error(L, "%s: %s", what, fcat_error_last());
		return t;
	}
	if (lua_getmetatable(L, idx)) {
		luaL_getmetatable(L, FCAT_MT_TYPE);
		luaL_getmetatable(L, FCAT_MT_STRING_TYPE);
		bool marker = lua_rawequal(L, -1, -3) || lua_rawequal(L, -2, -3);
		lua_pop(L, 3);
		if (marker) {
			lua_getfield(L, idx, ".fcat_type");
			int rc = fcat_type_parse(&t, lua_tostring(L, -1));
			lua_pop(L, 1);
			if (rc == 0)
				return t;
		}
	}
	luaL_error(L,
	           "%s: expected a type (int32, int64, float32, float64, string, bytes, "
	           "bool, timestamp, array(TYPE, N) or a type name), got %s",
	           what, luaL_typename(L, idx));
	return (fcat_type){0};
}

static int by_name_then_index(const void *a, const void *b)
{
	const fcat__field *x = *(const fcat__field *const *)a, *y = *(const fcat__field *const *)b;
	int c = strcmp(x->base.name ? x->base.name : "", y->base.name ? y->base.name : "");
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Refuses a name given twice in a list of fields, naming the first place.
 * Sorted by name (in the definition's arena, which a Lua error cannot
 * leak), so a view of 100,000 features is checked in n log n. */
static void check_twice(fcat__def *d, fcat__field *f, size_t n, const char *key)
{
	const fcat__field **by = n > 1 ? fcat__arena_alloc(ARENA(d), n * sizeof *by) : NULL;
	if (!by)
		return;
	for (size_t i = 0; i < n; i++)
		by[i] = &f[i];
	qsort(by, n, sizeof *by, by_name_then_index);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(by[first]->base.name ? by[first]->base.name : "",
		           by[i]->base.name ? by[i]->base.name : "") != 0) {
			first = i; /* the earliest of a new name */
			continue;
		}
		fcat__def_error(d, by[i]->base.loc.line,
		                "field '%s' appears twice in '%s' (first at line %d)",
		                by[i]->base.name, key, by[first]->base.loc.line);
	}
}

/* Is the value at idx a table with the given metatable? */
static bool has_mt(lua_State *L, int idx, const char *mt)
{
	if (!lua_getmetatable(L, idx))
		return false;
	luaL_getmetatable(L, mt);
	bool eq = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return eq;
}

/* Pushes the definition's list at `key` and returns its stack index; or,
 * with the stack as it was, 0 when it is absent (an error when required:
 * "needs 'KEY', WHAT") or not a list: not a table, or a table marked `mt`
 * (one element where a list of them belongs): "'KEY' must be a list SHAPE". */
static int push_list(fcat__def *d, lua_State *L, const char *key, bool required, const char *what,
                     const char *mt, const char *shape)
{
	int top = lua_gettop(L);
	lua_getfield(L, 1, key);
	if (lua_isnil(L, -1)) {
		if (required)
			fcat__def_error(d, d->line, "needs '%s', %s", key, what);
		lua_settop(L, top);
		return 0;
	}
	if (!lua_istable(L, -1) || has_mt(L, -1, mt)) {
		fcat__def_error(d, d->line, "'%s' must be a list %s, got %s", key, shape,
		                has_mt(L, -1, FCAT_MT_HANDLE) ? "one object"
		                                              : luaL_typename(L, -1));
		lua_settop(L, top);
		return 0;
	}
	return lua_gettop(L);
}

fcat__field *fcat__def_fields(fcat__def *d, lua_State *L, const char *key, bool required,
                              fcat_object_kind kind, size_t *n)
{
	*n = 0;
	int top = lua_gettop(L);
	int list = push_list(d, L, key, required, "a list of field(name, type)", FCAT_MT_FIELD,
	                     "{ field(...), ... }");
	if (!list)
		return NULL;
	size_t len = (size_t)lua_rawlen(L, list);
	lua_pushnil(L);
	size_t entries = 0;
	while (lua_next(L, list)) {
		entries++;
		lua_pop(L, 1);
	}
	if (entries != len) {
		fcat__def_error(d, d->line,
		                "'%s' must be a list (keys 1..n) so that its order "
		                "is kept; write { field(\"a\", int64), ... }",
		                key);
		lua_settop(L, top);
		return NULL;
	}
	if (required && len == 0)
		fcat__def_error(d, d->line, "'%s' must not be empty", key);
	fcat__field *f = fcat__arena_alloc(ARENA(d), (len + 1) * sizeof *f);
	for (size_t i = 0; f && i < len; i++) {
		lua_rawgeti(L, list, (lua_Integer)i + 1);
		int fi = lua_gettop(L);
		if (!has_mt(L, fi, FCAT_MT_FIELD)) {
			fcat__def_error(d, d->line, "%s[%zu] must be field(name, type), got %s",
			                key, i + 1, luaL_typename(L, fi));
			lua_settop(L, list);
			continue;
		}
		fcat__field *x = &f[*n];
		lua_getfield(L, fi, "line");
		x->base.loc.line = (int)lua_tointeger(L, -1);
		lua_getfield(L, fi, "name");
		x->base.name = copy(d, lua_tostring(L, -1));
		lua_getfield(L, fi, "type");
		fcat_type_parse(&x->type, lua_tostring(L, -1)); /* checked by field() */
		lua_settop(L, fi);
		x->base.kind = kind;
		x->base.loc.file = d->dsl->file;
		x->base.description = opt_string(d, L, fi, "description", x->base.loc.line);
		x->base.owner = opt_string(d, L, fi, "owner", x->base.loc.line);
		if (!x->base.description)
			x->base.description = "";
		if (!x->base.owner)
			x->base.owner = "";
		read_tags(d, L, fi, &x->base, x->base.loc.line);
		x->index = *n;
		(*n)++;
		lua_settop(L, list);
	}
	lua_settop(L, top);
	if (f)
		check_twice(d, f, *n, key);
	return f;
}

/* Reads one reference at stack index idx; element describes it in errors. */
static bool read_ref(fcat__def *d, lua_State *L, int idx, int want, int want_also,
                     const char *element, fcat__ref *out)
{
	out->loc.file = d->dsl->file;
	out->loc.line = d->line;
	if (lua_type(L, idx) == LUA_TSTRING) {
		out->name = copy(d, lua_tostring(L, idx));
		return true;
	}
	if (has_mt(L, idx, FCAT_MT_HANDLE)) {
		lua_getfield(L, idx, "kind");
		lua_getfield(L, idx, "name");
		const char *kind = lua_tostring(L, -2);
		bool ok = strcmp(kind, fcat_object_kind_name((fcat_object_kind)want)) == 0 ||
		          (want_also >= 0 &&
		           strcmp(kind, fcat_object_kind_name((fcat_object_kind)want_also)) == 0);
		if (ok)
			out->name = copy(d, lua_tostring(L, -1));
		else
			fcat__def_error(
			    d, d->line, "%s is the %s '%s', not %s %s", element, kind,
			    lua_tostring(L, -1),
			    fcat__article(fcat_object_kind_name((fcat_object_kind)want)),
			    fcat_object_kind_name((fcat_object_kind)want));
		lua_pop(L, 2);
		return ok;
	}
	fcat__def_error(d, d->line, "%s must be %s %s or its name, got %s", element,
	                fcat__article(fcat_object_kind_name((fcat_object_kind)want)),
	                fcat_object_kind_name((fcat_object_kind)want), luaL_typename(L, idx));
	return false;
}

fcat__ref *fcat__def_refs(fcat__def *d, lua_State *L, const char *key, bool required, int want,
                          int want_also, size_t *n)
{
	*n = 0;
	int top = lua_gettop(L);
	int list = push_list(d, L, key, required, "a list", FCAT_MT_HANDLE, "{ ... }");
	if (!list)
		return NULL;
	size_t len = (size_t)lua_rawlen(L, list);
	if (required && len == 0)
		fcat__def_error(d, d->line, "'%s' must not be empty", key);
	fcat__ref *r = fcat__arena_alloc(ARENA(d), (len + 1) * sizeof *r);
	for (size_t i = 0; r && i < len; i++) {
		char element[128];
		snprintf(element, sizeof element, "%s[%zu]", key, i + 1);
		lua_rawgeti(L, list, (lua_Integer)i + 1);
		if (read_ref(d, L, lua_gettop(L), want, want_also, element, &r[*n]))
			(*n)++;
		lua_settop(L, list);
	}
	lua_settop(L, top);
	return r;
}

bool fcat__def_ref(fcat__def *d, lua_State *L, const char *key, int want, fcat__ref *out)
{
	int top = lua_gettop(L);
	lua_getfield(L, 1, key);
	bool ok = false;
	if (lua_isnil(L, -1))
		fcat__def_error(d, d->line, "needs '%s'", key);
	else
		ok = read_ref(d, L, lua_gettop(L), want, -1, key, out);
	lua_settop(L, top);
	return ok;
}

static int dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	fcat__buf_append(ud, p, sz);
	return 0;
}

/* Cuts the text of lines [first, last] out of the file, from the word
 * `function` on the first line to the last `end` on the last one. */
static const char *cut_source(fcat__def *d, int first, int last)
{
	const char *t = d->dsl->text, *end = t + d->dsl->text_len;
	const char *start = t;
	for (int line = 1; line < first && start < end; start++)
		if (*start == '\n')
			line++;
	const char *stop = start;
	for (int line = first; stop < end; stop++)
		if (*stop == '\n' && ++line > last)
			break;
	size_t len = (size_t)(stop - start);
	char *s = fcat__arena_strndup(ARENA(d), start, len);
	if (!s)
		return NULL;
	char *fn = strstr(s, "function");
	if (fn)
		s = fn;
	char *e = NULL;
	for (char *p = strstr(s, "end"); p; p = strstr(p + 3, "end"))
		e = p;
	if (e)
		e[3] = '\0';
	return s;
}

void fcat__def_transform(fcat__def *d, lua_State *L, const char *key, bool required,
                         fcat__transform *out)
{
	int top = lua_gettop(L);
	lua_getfield(L, 1, key);
	if (lua_isnil(L, -1)) {
		if (required)
			fcat__def_error(d, d->line, "needs '%s', a function", key);
		lua_settop(L, top);
		return;
	}
	if (!lua_isfunction(L, -1) || lua_iscfunction(L, -1)) {
		fcat__def_error(d, d->line, "'%s' must be a Lua function, got %s", key,
		                luaL_typename(L, -1));
		lua_settop(L, top);
		return;
	}
	int fn = lua_gettop(L);
	for (int i = 1;; i++) {
		const char *up = lua_getupvalue(L, fn, i);
		if (!up)
			break;
		lua_pop(L, 1);
		if (strcmp(up, "_ENV") != 0 || i != 1) {
			fcat__def_error(
			    d, d->line,
			    "'%s' uses the local '%s' from outside the function; a "
			    "transform must be self-contained (define helpers inside it)",
			    key, up);
			lua_settop(L, top);
			return;
		}
	}
	lua_Debug ar;
	lua_pushvalue(L, fn);
	lua_getinfo(L, ">S", &ar);
	out->loc.file = d->dsl->file;
	out->loc.line = ar.linedefined;
	out->last_line = ar.lastlinedefined;
	out->code = cut_source(d, ar.linedefined, ar.lastlinedefined);
	if (!out->code)
		luaL_error(L, "out of memory");
	/* what runs later is compiled from this text: it must be the very
	 * function defined here (same code, constants and nesting) */
	fcat__buf defined = {0}, cut = {0};
	lua_pushvalue(L, fn);
	lua_dump(L, dump_writer, &defined, 1);
	lua_pop(L, 1);
	if (fcat__lua_load_function(L, out->code, out->loc.file, out->loc.line) == LUA_OK)
		lua_dump(L, dump_writer, &cut, 1);
	lua_settop(L, top);
	bool same = defined.len == cut.len && memcmp(defined.ptr, cut.ptr, cut.len) == 0;
	bool oom = defined.oom || cut.oom;
	fcat__buf_free(&defined);
	fcat__buf_free(&cut);
	if (oom)
		luaL_error(L, "out of memory");
	if (!same) {
		fcat__def_error(
		    d, ar.linedefined,
		    "cannot cut the function of '%s' (lines %d-%d) out of the file on its "
		    "own: keep other code off the line where it starts (before "
		    "`function`) and the line where it ends (after `end`)",
		    key, ar.linedefined, ar.lastlinedefined);
		out->code = NULL;
	}
}

void fcat__push_handle(lua_State *L, fcat_object_kind kind, const char *name)
{
	lua_createtable(L, 0, 2);
	lua_pushstring(L, fcat_object_kind_name(kind));
	lua_setfield(L, -2, "kind");
	lua_pushstring(L, name ? name : "");
	lua_setfield(L, -2, "name");
	luaL_setmetatable(L, FCAT_MT_HANDLE);
}
