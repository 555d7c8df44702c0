/* engine.c - running transforms: one sandboxed Lua state per thread, each
 * transform compiled once into it (from the source text kept with its
 * definition) and run in a read-only environment, so no call can leave state
 * behind for the next one. */
#include "transform/engine.h"

#include "lua/function_source.h"
#include "transform/convert.h"
#include "util/error.h"

#include <lauxlib.h>
#include <stddef.h>
#include <stdint.h>
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
	/* transforms make short-lived tables and strings: what a generational
	 * collector is for */
	lua_gc(tx->L, LUA_GCGEN, 0, 0);
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

/* Pushes the compiled function of t, compiling it from its source text on
 * first use. */
static int push_function(fcat__tx *tx, const fcat__transform *t)
{
	lua_State *L = tx->L;
	lua_getfield(L, LUA_REGISTRYINDEX, REG_FUNCS);
	if (lua_rawgetp(L, -1, t) == LUA_TFUNCTION) {
		lua_remove(L, -2);
		return 0;
	}
	lua_pop(L, 1);
	if (fcat__lua_load_function(L, t->code, t->loc.file, t->loc.line) != LUA_OK) {
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

/* Everything that touches Lua values of the transform runs in here, under
 * one lua_pcall per batch: building each input, the call, and reading each
 * result, so no error, metamethod or allocation failure can escape to the
 * host. The names are pushed once per batch and reused from the stack. */
typedef struct call {
	fcat__tx *tx;
	const fcat__transform *t;
	fcat__tx_rows *b;
	int rc;             /* a problem found while reading a result */
	char message[1024]; /* and its message */
} call;

/* Output names by the address of their Lua string: a result's keys made
 * from the same short strings are the same interned objects, so one walk
 * over the result finds each output without a lookup per name. Long names
 * (not interned) are found by their text. `seen` holds, per output, the
 * number of the last row that had it. */
typedef struct out_index {
	size_t mask;
	struct {
		const char *name; /* NULL: empty */
		size_t output;
	} * slots;
	size_t *seen;
} out_index;

static size_t slot_of(const out_index *x, const char *p)
{
	uintptr_t h = (uintptr_t)p >> 4;
	h ^= h >> 17;
	return (size_t)(h * 0x9E3779B97F4A7C15ull) & x->mask;
}

/* Builds the index in `local` when it fits (most views: no allocation per
 * call, which an online read of an on-demand view would feel), else in a
 * userdata left on the stack (collected with it). */
static void index_outputs(lua_State *L, out_index *x, int names, size_t n, char *local,
                          size_t local_size)
{
	size_t cap = 8;
	while (cap < 2 * n)
		cap *= 2;
	size_t size = cap * sizeof *x->slots + n * sizeof *x->seen + 1;
	char *mem = size <= local_size ? local : lua_newuserdatauv(L, size, 0);
	x->mask = cap - 1;
	x->slots = (void *)mem;
	x->seen = (size_t *)(mem + cap * sizeof *x->slots);
	memset(mem, 0, cap * sizeof *x->slots + n * sizeof *x->seen);
	for (size_t i = 0; i < n; i++) {
		const char *p = lua_tostring(L, names + (int)i);
		size_t at = slot_of(x, p);
		while (x->slots[at].name)
			at = (at + 1) & x->mask;
		x->slots[at].name = p;
		x->slots[at].output = i;
	}
}

/* The output a result key names, or -1. */
static long output_of(const out_index *x, lua_State *L, int key, const fcat__field *f, size_t n)
{
	if (lua_type(L, key) != LUA_TSTRING)
		return -1;
	size_t len;
	const char *p = lua_tolstring(L, key, &len);
	for (size_t at = slot_of(x, p); x->slots[at].name; at = (at + 1) & x->mask)
		if (x->slots[at].name == p)
			return (long)x->slots[at].output;
	for (size_t i = 0; i < n; i++) /* a long name, not interned */
		if (strlen(f[i].base.name) == len && memcmp(f[i].base.name, p, len) == 0)
			return (long)i;
	return -1;
}

/* Reads the result table at res into b->out, walking it once: every key
 * must be an output (anything else is most likely a typo) and every output
 * must be there (`null` for a null). Sets c->rc and returns nonzero on a
 * bad result. */
static int read_outputs(lua_State *L, call *c, int res, const out_index *x, size_t row)
{
	fcat__tx_rows *b = c->b;
	char why[256];
	size_t found = 0;
	lua_pushnil(L);
	while (lua_next(L, res)) { /* raw: no metamethod of the transform's runs */
		long i = output_of(x, L, -2, b->out_fields, b->nout);
		if (i < 0) {
			c->rc =
			    fcat__error(FCAT_EINVALID,
			                "the transform returned '%s', which is not a feature of "
			                "the view",
			                lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2)
			                                               : luaL_typename(L, -2));
			return 1;
		}
		const fcat__field *f = &b->out_fields[i];
		if (lua_touserdata(L, -1) == (void *)&null_marker) {
			memset(&b->out[i], 0, sizeof b->out[i]);
			b->out[i].type = f->type;
			b->out[i].is_null = true;
		} else {
			int rc = fcat__lua_to_value(L, -1, f->type, &b->out[i], b->arena, why,
			                            sizeof why);
			if (rc) {
				c->rc = fcat__error(rc,
				                    "feature '%s': the transform returned a wrong "
				                    "value: %s",
				                    f->base.name, why);
				return 1;
			}
		}
		x->seen[i] = row + 1;
		found++;
		lua_pop(L, 1);
	}
	if (found == b->nout)
		return 0;
	for (size_t i = 0; i < b->nout; i++)
		if (x->seen[i] != row + 1) {
			c->rc = fcat__error(FCAT_EINVALID,
			                    "feature '%s': the transform returned no value for it "
			                    "(return null for a null)",
			                    b->out_fields[i].base.name);
			return 1;
		}
	return 0;
}

/* __newindex of the input table: a transform may add fields to its input
 * (`row.extra = ...`, or set a column that was null), and then gets a
 * fresh input table on its next call, so nothing it wrote outlives the
 * call. Setting a column that holds a value needs no metamethod: every
 * column is set again before each call. */
static int input_newindex(lua_State *L)
{
	bool *dirty = lua_touserdata(L, lua_upvalueindex(1));
	*dirty = true;
	lua_rawset(L, 1);
	return 0;
}

static int protected_rows(lua_State *L)
{
	call *c = lua_touserdata(L, 1);
	fcat__tx_rows *b = c->b;
	lua_settop(L, 0);
	int rc = push_function(c->tx, c->t);
	if (rc)
		return luaL_error(L, "%s", fcat_error_last());
	luaL_checkstack(L, (int)(b->nin + b->nout) + 8, "too many columns");
	int fn = lua_gettop(L);
	int in_names = fn + 1;
	for (size_t i = 0; i < b->nin; i++)
		lua_pushstring(L, b->names[i]);
	int out_names = in_names + (int)b->nin;
	for (size_t i = 0; i < b->nout; i++)
		lua_pushstring(L, b->out_fields[i].base.name);
	out_index outputs;
	_Alignas(max_align_t) char local[2048];
	index_outputs(L, &outputs, out_names, b->nout, local, sizeof local);
	/* the input table is reused from row to row while the transform
	 * leaves it as it was given (the common case): no table to allocate
	 * and collect per row */
	bool dirty = true;
	lua_pushnil(L); /* the metatable: none for a single row */
	int meta = lua_gettop(L);
	if (b->nrows > 1) {
		lua_createtable(L, 0, 2);
		lua_pushlightuserdata(L, &dirty);
		lua_pushcclosure(L, input_newindex, 1);
		lua_setfield(L, -2, "__newindex");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_replace(L, meta);
	}
	lua_pushnil(L);
	int input = lua_gettop(L);
	int top = input;
	for (b->row = 0; b->row < b->nrows; b->row++) {
		if ((c->rc = b->input(b->ctx, b->row, b->in)) != 0) {
			snprintf(c->message, sizeof c->message, "%s", fcat_error_last());
			return 0;
		}
		fcat__sandbox_budget_restart(L);
		if (dirty) {
			lua_createtable(L, 0, (int)b->nin);
			if (b->nrows > 1) {
				lua_pushvalue(L, meta);
				lua_setmetatable(L, -2);
			}
			lua_replace(L, input);
			dirty = false;
		}
		for (size_t i = 0; i < b->nin; i++) {
			lua_pushvalue(L, in_names + (int)i);
			fcat__lua_push_value(L, &b->in[i]);
			lua_rawset(L, input);
		}
		lua_pushvalue(L, fn);
		lua_pushvalue(L, input);
		lua_call(L, 1, 1);
		/* the input itself may have a metatable (ours) */
		if (b->may_drop && lua_isnil(L, -1)) {
			c->rc = b->output(b->ctx, b->row, NULL);
		} else if (!lua_istable(L, -1) ||
		           (!lua_rawequal(L, -1, input) && lua_getmetatable(L, -1))) {
			c->rc = fcat__error(
			    FCAT_EINVALID, "the transform returned %s, not a table of features",
			    lua_istable(L, -1) ? "a table with a metatable" : luaL_typename(L, -1));
		} else if (read_outputs(L, c, top + 1, &outputs, b->row) == 0) {
			c->rc = b->output(b->ctx, b->row, b->out);
		}
		if (c->rc) {
			snprintf(c->message, sizeof c->message, "%s", fcat_error_last());
			return 0;
		}
		lua_settop(L, top);
	}
	return 0;
}

int fcat__tx_run(fcat__tx *tx, const fcat__transform *t, fcat__tx_rows *b)
{
	lua_State *L = tx->L;
	int top = lua_gettop(L);
	call c = {tx, t, b, 0, ""};
	b->row = 0;
	if (!lua_checkstack(L, 4))
		return fcat__error_oom();
	lua_pushcfunction(L, protected_rows);
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

/* One row: a batch whose input array is the caller's, already filled. */
static int one_input(void *ctx, size_t i, fcat_value *in)
{
	(void)ctx, (void)i, (void)in;
	return 0;
}

static int one_output(void *ctx, size_t i, const fcat_value *out)
{
	(void)ctx, (void)i, (void)out;
	return 0;
}

int fcat__tx_call(fcat__tx *tx, const fcat__transform *t, const char *const *names,
                  const fcat_value *in, size_t nin, const fcat__field *out_fields, size_t nout,
                  fcat_value *out, fcat__arena *arena)
{
	fcat__tx_rows b = {.names = names,
	                   .nin = nin,
	                   .out_fields = out_fields,
	                   .nout = nout,
	                   .nrows = 1,
	                   .input = one_input,
	                   .output = one_output,
	                   .ctx = NULL,
	                   .in = (fcat_value *)in, /* one_input writes nothing */
	                   .out = out,
	                   .arena = arena};
	return fcat__tx_run(tx, t, &b);
}
