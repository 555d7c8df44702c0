/* dsl_aggregations.c - reading a feature view's window aggregations:
 *   aggregation_interval = hours(1),
 *   aggregations = { { column = "rating", fn = "mean", window = days(7) },
 *                    { fn = "count", window = hours(1), name = "n_1h" }, ... }
 * into the view's aggs and its features (named column_fn_window unless
 * named); their types are set when the source is resolved. */
#include "catalog/dsl_read.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#define MAX_SECONDS (10000LL * 366 * 86400)

static const char *const fn_names[FCAT__AGG_FN_COUNT] = {
    "count", "sum", "mean", "min", "max", "last", "last_distinct", "stddev"};

const char *fcat__agg_fn_name(fcat__agg_fn fn)
{
	return (unsigned)fn < FCAT__AGG_FN_COUNT ? fn_names[fn] : "invalid";
}

void fcat__window_text(char *buf, size_t size, int64_t seconds)
{
	if (seconds > 0 && seconds % 86400 == 0)
		snprintf(buf, size, "%lldd", (long long)(seconds / 86400));
	else if (seconds > 0 && seconds % 3600 == 0)
		snprintf(buf, size, "%lldh", (long long)(seconds / 3600));
	else if (seconds > 0 && seconds % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(seconds / 60));
	else
		snprintf(buf, size, "%llds", (long long)seconds);
}

/* A whole number of seconds in (0, 10,000 years] at the top of the stack,
 * or -1 after an error naming `what`. */
static int64_t seconds_at_top(fcat__def *d, lua_State *L, const char *what)
{
	int isint = 0;
	lua_Integer v = lua_tointegerx(L, -1, &isint);
	if (lua_type(L, -1) != LUA_TNUMBER || !isint || v <= 0 || v > MAX_SECONDS) {
		fcat__def_error(d, d->line,
		                "%s must be a whole number of seconds above 0, such as hours(1) or "
		                "days(7), got %s",
		                what, luaL_tolstring(L, -1, NULL));
		return -1;
	}
	return v;
}

static const char *arena_copy(fcat__def *d, const char *s)
{
	char *p = fcat__arena_strdup(&d->dsl->catalog->arena, s);
	if (!p)
		d->dsl->oom = true;
	return p ? p : "";
}

/* fn = "last_distinct(3)", or fn = "last_distinct" with n = 3. */
static bool read_fn(fcat__def *d, lua_State *L, int entry, const char *where, fcat__aggregation *a)
{
	lua_getfield(L, entry, "fn");
	const char *fn = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	if (!fn) {
		fcat__def_error(d, d->line,
		                "%s needs 'fn', one of count, sum, mean, min, max, last, "
		                "last_distinct(n), stddev",
		                where);
		lua_pop(L, 1);
		return false;
	}
	unsigned n = 0;
	char name[32] = "";
	int used = 0;
	if (sscanf(fn, "last_distinct(%u)%n", &n, &used) == 1 && fn[used] == '\0')
		snprintf(name, sizeof name, "last_distinct");
	else
		snprintf(name, sizeof name, "%s", fn);
	int k = 0;
	while (k < FCAT__AGG_FN_COUNT && strcmp(fn_names[k], name) != 0)
		k++;
	if (k == FCAT__AGG_FN_COUNT) {
		fcat__def_error(d, d->line,
		                "%s: unknown function '%s' (count, sum, mean, min, max, last, "
		                "last_distinct(n), stddev)",
		                where, fn);
		lua_pop(L, 1);
		return false;
	}
	lua_pop(L, 1);
	a->fn = (fcat__agg_fn)k;
	lua_getfield(L, entry, "n");
	if (!lua_isnil(L, -1)) {
		int isint = 0;
		lua_Integer v = lua_tointegerx(L, -1, &isint);
		if (a->fn != FCAT__AGG_LAST_DISTINCT || n || !isint || v < 1 || v > 1000) {
			fcat__def_error(d, d->line,
			                "%s: 'n' goes with fn = \"last_distinct\" and is a whole "
			                "number from 1 to 1000",
			                where);
			lua_pop(L, 1);
			return false;
		}
		n = (unsigned)v;
	}
	lua_pop(L, 1);
	if (a->fn == FCAT__AGG_LAST_DISTINCT && (n < 1 || n > 1000)) {
		fcat__def_error(d, d->line,
		                "%s: last_distinct needs how many values, from 1 to 1000: "
		                "fn = \"last_distinct(3)\"",
		                where);
		return false;
	}
	a->n = n;
	return true;
}

static const char *const entry_keys[] = {"column", "fn", "window", "name", "n", NULL};

/* Reads aggregations[i] (at the top of the stack) into a and f. */
static void read_entry(fcat__def *d, lua_State *L, size_t i, fcat__aggregation *a, fcat__field *f,
                       int64_t interval)
{
	int entry = lua_gettop(L);
	char where[64];
	snprintf(where, sizeof where, "aggregations[%zu]", i + 1);
	a->loc = (fcat__loc){d->dsl->file, d->line};
	a->input = -1;
	if (!lua_istable(L, entry)) {
		fcat__def_error(
		    d, d->line,
		    "%s must be a table { column = ..., fn = ..., window = ... }, got %s", where,
		    luaL_typename(L, entry));
		return;
	}
	lua_pushnil(L);
	while (lua_next(L, entry)) {
		const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		size_t k = 0;
		while (key && entry_keys[k] && strcmp(entry_keys[k], key) != 0)
			k++;
		if (!key || !entry_keys[k])
			fcat__def_error(d, d->line,
			                "%s: unknown key '%s' (column, fn, window, name, n)", where,
			                key ? key : luaL_tolstring(L, -2, NULL));
		lua_settop(L, entry + 1);
	}
	lua_settop(L, entry);
	if (!read_fn(d, L, entry, where, a))
		return;
	lua_getfield(L, entry, "column");
	if (lua_type(L, -1) == LUA_TSTRING)
		a->column = arena_copy(d, lua_tostring(L, -1));
	else if (!lua_isnil(L, -1))
		fcat__def_error(d, d->line, "%s: 'column' must be a column name, got %s", where,
		                luaL_typename(L, -1));
	else if (a->fn != FCAT__AGG_COUNT)
		fcat__def_error(d, d->line, "%s: %s needs 'column', the column it aggregates",
		                where, fn_names[a->fn]);
	lua_settop(L, entry);
	lua_getfield(L, entry, "window");
	char what[96];
	snprintf(what, sizeof what, "%s: 'window'", where);
	a->window = lua_isnil(L, -1) ? -1 : seconds_at_top(d, L, what);
	if (lua_isnil(L, -1))
		fcat__def_error(d, d->line, "%s needs 'window', such as days(7)", where);
	lua_settop(L, entry);
	char w[32], iv[32];
	fcat__window_text(w, sizeof w, a->window);
	fcat__window_text(iv, sizeof iv, interval);
	if (a->window > 0 && interval > 0 && a->window % interval != 0)
		fcat__def_error(d, d->line,
		                "%s: the window (%s) must be a whole number of aggregation "
		                "intervals (%s)",
		                where, w, iv);
	lua_getfield(L, entry, "name");
	char name[256];
	if (lua_type(L, -1) == LUA_TSTRING)
		snprintf(name, sizeof name, "%s", lua_tostring(L, -1));
	else if (a->fn == FCAT__AGG_LAST_DISTINCT)
		snprintf(name, sizeof name, "%s_last_distinct_%u_%s", a->column ? a->column : "",
		         a->n, w);
	else if (a->column)
		snprintf(name, sizeof name, "%s_%s_%s", a->column, fn_names[a->fn], w);
	else
		snprintf(name, sizeof name, "count_%s", w);
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
		fcat__def_error(d, d->line, "%s: 'name' must be a string", where);
	lua_settop(L, entry);
	f->base.kind = FCAT_OBJ_FEATURE;
	f->base.name = arena_copy(d, name);
	f->base.description = "";
	f->base.owner = "";
	f->base.loc = a->loc;
	f->index = i;
}

void fcat__def_aggregations(fcat__def *d, lua_State *L, fcat__view *v)
{
	int top = lua_gettop(L);
	lua_getfield(L, 1, "aggregation_interval");
	bool has_interval = !lua_isnil(L, -1);
	int64_t interval = has_interval ? seconds_at_top(d, L, "'aggregation_interval'") : -1;
	lua_settop(L, top);
	lua_getfield(L, 1, "aggregations");
	if (lua_isnil(L, -1)) {
		if (has_interval)
			fcat__def_error(d, d->line,
			                "has 'aggregation_interval' but no 'aggregations'");
		lua_settop(L, top);
		return;
	}
	int list = lua_gettop(L);
	size_t len = lua_istable(L, list) ? (size_t)lua_rawlen(L, list) : 0;
	if (!lua_istable(L, list) || len == 0) {
		fcat__def_error(d, d->line,
		                "'aggregations' must be a non-empty list of { column = ..., fn = "
		                "..., window = ... }");
		lua_settop(L, top);
		return;
	}
	if (!has_interval)
		fcat__def_error(d, d->line,
		                "has 'aggregations', so it needs 'aggregation_interval', the tile "
		                "size, such as hours(1)");
	if (len > FCAT__MAX_VIEW_COLUMNS) {
		fcat__def_error(d, d->line, "has %zu aggregations; a view holds at most %d", len,
		                FCAT__MAX_VIEW_COLUMNS);
		lua_settop(L, top);
		return;
	}
	fcat__arena *arena = &d->dsl->catalog->arena;
	v->aggs = fcat__arena_alloc(arena, len * sizeof *v->aggs);
	v->features = fcat__arena_alloc(arena, len * sizeof *v->features);
	if (!v->aggs || !v->features) {
		d->dsl->oom = true;
		lua_settop(L, top);
		return;
	}
	memset(v->aggs, 0, len * sizeof *v->aggs);
	memset(v->features, 0, len * sizeof *v->features);
	v->agg_interval = interval;
	for (size_t i = 0; i < len; i++) {
		lua_rawgeti(L, list, (lua_Integer)i + 1);
		read_entry(d, L, i, &v->aggs[i], &v->features[i], interval);
		lua_settop(L, list);
		if (v->aggs[i].window > v->agg_span)
			v->agg_span = v->aggs[i].window;
	}
	v->naggs = v->nfeatures = len;
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(v->features[i].base.name, v->features[k].base.name) == 0)
				fcat__def_error(
				    d, d->line,
				    "aggregations[%zu] and [%zu] both make the feature '%s': "
				    "set 'name' on one",
				    k + 1, i + 1, v->features[i].base.name);
	lua_settop(L, top);
}
