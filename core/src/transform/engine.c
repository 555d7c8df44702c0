/* engine.c - running transforms: one sandboxed Lua state per thread, each
 * transform compiled once into it (from the bytecode kept with its
 * definition) and run in a read-only environment, so no call can leave state
 * behind for the next one. */
#include "transform/engine.h"

#include "transform/convert.h"
#include "util/error.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fcat__tx {
	lua_State *L;
};

#define REG_FUNCS "fcat.tx.functions" /* lightuserdata(transform) -> function */
#define REG_ENV   "fcat.tx.env"

static int deny_write(lua_State *L)
{
	return luaL_error(L, "transforms cannot change globals or libraries (tried to set '%s')",
	                  luaL_tolstring(L, 2, NULL));
}

/* Pushes a read-only proxy of the table at idx. */
static void push_readonly(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_newtable(L);
	lua_createtable(L, 0, 3);
	lua_pushvalue(L, idx);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, deny_write);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

static const char null_marker = 0;

static int safe_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		static const char *const banned[] = {"__gc", "__close", "__mode"};
		for (size_t i = 0; i < 3; i++) {
			lua_pushstring(L, banned[i]);
			if (lua_rawget(L, 2) != LUA_TNIL)
				return luaL_error(L, "transforms may not set %s metamethods",
				                  banned[i]);
			lua_pop(L, 1);
		}
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int setup(lua_State *L)
{
	/* globals: the safe ones, libraries behind read-only proxies */
	lua_newtable(L);
	int env = lua_gettop(L);
	lua_getfield(L, LUA_REGISTRYINDEX, "fcat.safe_globals");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		const char *k = lua_tostring(L, -2);
		if (!strcmp(k, "rawset") || !strcmp(k, "_G")) {
			lua_pop(L, 1);
			continue;
		}
		if (lua_istable(L, -1)) {
			push_readonly(L, -1);
			lua_replace(L, -2);
		}
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, env);
	}
	lua_pop(L, 1);
	lua_pushlightuserdata(L, (void *)&null_marker); /* `null`: immutable, no fields */
	lua_setfield(L, env, "null");
	/* setmetatable without finalizers: a __gc runs with hooks off, beyond
	 * the instruction budget, and could outlive the call */
	lua_getfield(L, env, "setmetatable");
	lua_pushcclosure(L, safe_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");
	push_readonly(L, env);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_ENV);
	/* strings' metatable must not hand out the string library either */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, REG_FUNCS);
	return 0;
}

int fcat__tx_new(fcat__tx **out, const fcat__sandbox_limits *limits)
{
	*out = NULL;
	fcat__tx *tx = calloc(1, sizeof *tx);
	if (!tx || !(tx->L = fcat__sandbox_new(limits))) {
		free(tx);
		return fcat__error_oom();
	}
	lua_pushcfunction(tx->L, setup);
	if (lua_pcall(tx->L, 0, 0, 0) != LUA_OK) {
		fcat__tx_free(tx);
		return fcat__error_oom();
	}
	*out = tx;
	return 0;
}

void fcat__tx_free(fcat__tx *tx)
{
	if (!tx)
		return;
	fcat__sandbox_free(tx->L);
	free(tx);
}

/* Pushes the compiled function of t, compiling it on first use. */
static int push_function(fcat__tx *tx, const fcat__transform *t)
{
	lua_State *L = tx->L;
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FUNCS);
	if (lua_rawgetp(L, -1, t) == LUA_TFUNCTION) {
		lua_remove(L, -2);
		return 0;
	}
	lua_pop(L, 1);
	/* our own bytecode, made from checked source when the catalog loaded */
	if (luaL_loadbufferx(L, (const char *)t->bytecode, t->bytecode_len, t->loc.file, "b") !=
	    LUA_OK) {
		int rc = fcat__error(FCAT_EINVALID, "%s:%d: cannot load the transform: %s",
		                     t->loc.file, t->loc.line, lua_tostring(L, -1));
		lua_pop(L, 2);
		return rc;
	}
	if (lua_getupvalue(L, -1, 1)) { /* _ENV, the only upvalue a transform may have */
		lua_pop(L, 1);
		lua_getfield(L, LUA_REGISTRYINDEX, REG_ENV);
		lua_setupvalue(L, -2, 1);
	}
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, t);
	lua_remove(L, -2);
	return 0;
}

/* Pushes the reusable input table of t. */
static bool is_output(const fcat__field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].base.name, name) == 0)
			return true;
	return false;
}

static int read_outputs(lua_State *L, int res, const fcat__field *fields, size_t n, fcat_value *out,
                        fcat__arena *arena)
{
	int null = lua_gettop(L) + 1; /* the stack top to return to, plus one */
	lua_pushnil(L);
	char why[256];
	for (size_t i = 0; i < n; i++) {
		lua_pushstring(L, fields[i].base.name);
		lua_rawget(L, res); /* raw: no metamethod of the transform's runs here */
		if (lua_isnil(L, -1)) {
			lua_settop(L, null - 1);
			return fcat__error(FCAT_EINVALID,
			                   "feature '%s': the transform returned no "
			                   "value for it (return null for a null)",
			                   fields[i].base.name);
		}
		if (lua_touserdata(L, -1) == (void *)&null_marker) {
			memset(&out[i], 0, sizeof out[i]);
			out[i].type = fields[i].type;
			out[i].is_null = true;
		} else {
			int rc = fcat__lua_to_value(L, -1, fields[i].type, &out[i], arena, why,
			                            sizeof why);
			if (rc) {
				lua_settop(L, null - 1);
				return fcat__error(
				    rc, "feature '%s': the transform returned a wrong value: %s",
				    fields[i].base.name, why);
			}
		}
		lua_pop(L, 1);
	}
	/* nothing else: an unknown name is most likely a typo */
	size_t keys = 0;
	lua_pushnil(L);
	while (lua_next(L, res)) {
		lua_pop(L, 1);
		keys++;
		if (keys > n || lua_type(L, -1) != LUA_TSTRING ||
		    !is_output(fields, n, lua_tostring(L, -1))) {
			int rc = fcat__error(FCAT_EINVALID,
			                     "the transform returned '%s', which is not a "
			                     "feature of the view",
			                     lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
			                                                    : luaL_typename(L, -1));
			lua_settop(L, null - 1);
			return rc;
		}
	}
	lua_settop(L, null - 1);
	return 0;
}

/* Everything that touches Lua values of the transform runs in here, under
 * lua_pcall: building the input, the call, and reading the result, so no
 * error, metamethod or allocation failure can escape to the host. */
typedef struct call {
	fcat__tx *tx;
	const fcat__transform *t;
	const char *const *names;
	const fcat_value *in;
	size_t nin;
	const fcat__field *out_fields;
	size_t nout;
	fcat_value *out;
	fcat__arena *arena;
	int rc;             /* a problem found while reading the result */
	char message[1024]; /* and its message */
} call;

static int protected_call(lua_State *L)
{
	call *c = lua_touserdata(L, 1);
	lua_settop(L, 0);
	int rc = push_function(c->tx, c->t);
	if (rc)
		return luaL_error(L, "%s", fcat_error_last());
	lua_createtable(L, 0, (int)c->nin); /* a fresh input every call */
	for (size_t i = 0; i < c->nin; i++) {
		lua_pushstring(L, c->names[i]);
		fcat__lua_push_value(L, &c->in[i]);
		lua_rawset(L, -3);
	}
	lua_call(L, 1, 1);
	if (!lua_istable(L, -1) || lua_getmetatable(L, -1)) {
		c->rc = fcat__error(FCAT_EINVALID,
		                    "the transform returned %s, not a table of "
		                    "features",
		                    lua_istable(L, -1) ? "a table with a metatable"
		                                       : luaL_typename(L, -1));
	} else {
		c->rc = read_outputs(L, lua_gettop(L), c->out_fields, c->nout, c->out, c->arena);
	}
	if (c->rc)
		snprintf(c->message, sizeof c->message, "%s", fcat_error_last());
	return 0;
}

int fcat__tx_call(fcat__tx *tx, const fcat__transform *t, const char *const *names,
                  const fcat_value *in, size_t nin, const fcat__field *out_fields, size_t nout,
                  fcat_value *out, fcat__arena *arena)
{
	lua_State *L = tx->L;
	int top = lua_gettop(L);
	call c = {tx, t, names, in, nin, out_fields, nout, out, arena, 0, ""};
	if (!lua_checkstack(L, 4))
		return fcat__error_oom();
	lua_pushcfunction(L, protected_call);
	lua_pushlightuserdata(L, &c);
	int status = fcat__sandbox_pcall(L, 1, 0);
	int rc = 0;
	if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		int exhausted = fcat__sandbox_exhausted(L);
		rc = fcat__error(exhausted == 2   ? FCAT_ETIMEOUT
		                 : exhausted == 1 ? FCAT_ENOMEM
		                                  : FCAT_EINVALID,
		                 "the transform failed: %s",
		                 msg ? msg : "(an error that is not a string)");
	} else if (c.rc) {
		rc = fcat__error_set(c.rc, c.message);
	}
	lua_settop(L, top);
	return rc;
}
