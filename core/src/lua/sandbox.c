/* sandbox.c - a Lua 5.4 state with only the safe libraries, a memory cap and
 * an instruction budget; used for definitions and for transforms. */
#include "lua/sandbox.h"

#include "lua/pattern.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>

/* How often the count hook runs, in VM instructions. */
#define HOOK_STEP 1000

typedef struct sandbox {
	size_t used, limit;
	uint64_t budget, spent;
	int exhausted; /* 1: memory, 2: instructions */
} sandbox;

static sandbox *get(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	sandbox *s = ud;
	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		s->used -= osize;
		return NULL;
	}
	if (s->limit && nsize > osize && s->used + (nsize - osize) > s->limit) {
		s->exhausted = 1;
		return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (p)
		s->used = s->used - osize + nsize;
	return p;
}

static void budget_hook(lua_State *L, lua_Debug *ar);

static void budget_exceeded(lua_State *L, sandbox *s)
{
	s->exhausted = 2;
	/* Fire on every line from now on, so a pcall inside the script
	 * cannot swallow the error and carry on. */
	lua_sethook(L, budget_hook, LUA_MASKCOUNT | LUA_MASKLINE, 1);
	luaL_error(L, "instruction budget of %I exceeded", (lua_Integer)s->budget);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
	sandbox *s = get(L);
	if (ar->event == LUA_HOOKCOUNT)
		s->spent += HOOK_STEP;
	if (s->spent >= s->budget)
		budget_exceeded(L, s);
}

void fcat__sandbox_charge(lua_State *L, uint64_t steps)
{
	sandbox *s = get(L);
	/* charged only where the hook counts too: inside a budgeted call */
	if (!s->budget || lua_gethook(L) != budget_hook)
		return;
	s->spent += steps;
	if (s->spent >= s->budget)
		budget_exceeded(L, s);
}

static const luaL_Reg safe_libs[] = {
    {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
    {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
    {LUA_UTF8LIBNAME, luaopen_utf8}, {NULL, NULL},
};

static const luaL_Reg pattern_funcs[] = {
    {"find", fcat__pattern_find},
    {"match", fcat__pattern_match},
    {"gmatch", fcat__pattern_gmatch},
    {"gsub", fcat__pattern_gsub},
    {NULL, NULL},
};

static const char *const unsafe_globals[] = {"dofile", "loadfile", "load", "collectgarbage",
                                             "print",  "require",  NULL};

static int open_safe(lua_State *L)
{
	for (const luaL_Reg *lib = safe_libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	lua_pushglobaltable(L);
	for (const char *const *g = unsafe_globals; *g; g++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *g);
	}
	/* string.dump hands out a function's bytecode, which nothing may load */
	lua_getfield(L, -1, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	/* Lua's pattern matcher runs in C, beyond the count hook: ours charges
	 * its work to the budget. The strings' metatable indexes this same
	 * table, so method calls get them too. */
	luaL_setfuncs(L, pattern_funcs, 0);
	lua_pop(L, 1);
	lua_getfield(L, -1, "math");
	lua_pushnil(L);
	lua_setfield(L, -2, "random");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	/* the package library was never opened; drop its loaded-table alias */
	lua_pushnil(L);
	lua_setfield(L, -2, "package");
	lua_setfield(L, LUA_REGISTRYINDEX, "fcat.safe_globals");
	return 0;
}

lua_State *fcat__sandbox_new(const fcat__sandbox_limits *limits)
{
	sandbox *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->limit = limits ? limits->memory_bytes : 0;
	s->budget = limits ? limits->instructions : 0;
	lua_State *L = lua_newstate(capped_alloc, s);
	if (!L) {
		free(s);
		return NULL;
	}
	lua_pushcfunction(L, open_safe);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
		fcat__sandbox_free(L);
		return NULL;
	}
	return L;
}

void fcat__sandbox_free(lua_State *L)
{
	if (!L)
		return;
	sandbox *s = get(L);
	lua_close(L);
	free(s);
}

int fcat__sandbox_pcall(lua_State *L, int nargs, int nresults)
{
	sandbox *s = get(L);
	s->exhausted = 0;
	s->spent = 0;
	/* the count hook stays armed between calls (it only counts VM
	 * instructions, which only calls run); it is set again only after a
	 * call that ran out, whose hook fires on every line */
	if (s->budget && lua_gethook(L) != budget_hook)
		lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
	int rc = lua_pcall(L, nargs, nresults, 0);
	if (s->budget && s->exhausted == 2)
		lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_STEP);
	if (rc != LUA_OK && s->exhausted == 1) {
		/* lift the cap while the message is built, so that it fits */
		size_t limit = s->limit;
		s->limit = 0;
		lua_pop(L, 1);
		lua_gc(L, LUA_GCCOLLECT);
		lua_pushfstring(L, "memory cap of %d KiB exceeded", (int)(limit / 1024));
		s->limit = limit;
	}
	return rc;
}

void fcat__sandbox_budget_restart(lua_State *L)
{
	get(L)->spent = 0;
}

int fcat__sandbox_exhausted(lua_State *L)
{
	return get(L)->exhausted;
}
