/* sandbox.h - a Lua 5.4 state with only the safe libraries, a memory cap and
 * an instruction budget; used for definitions and for transforms. */
#ifndef FCAT_LUA_SANDBOX_H
#define FCAT_LUA_SANDBOX_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fcat__sandbox_limits {
	size_t memory_bytes;   /* 0: no cap */
	uint64_t instructions; /* per call; 0: no budget */
} fcat__sandbox_limits;

/* A new state: base (without dofile, loadfile, load, collectgarbage,
 * print), string (without dump; its find, match, gmatch and gsub charge the
 * instruction budget, see pattern.h), table, math (without random,
 * randomseed) and utf8. The safe globals are copied into a table kept as the registry field
 * "fcat.safe_globals" so callers can build per-chunk environments from it.
 * Returns NULL when out of memory. */
lua_State *fcat__sandbox_new(const fcat__sandbox_limits *limits);
void fcat__sandbox_free(lua_State *L);

/* lua_pcall with the instruction budget armed for this call only. On
 * failure the error message is on the stack, as with lua_pcall; a budget or
 * memory overrun gives a message saying so. Returns the lua_pcall status. */
int fcat__sandbox_pcall(lua_State *L, int nargs, int nresults);

/* Gives the running call a fresh instruction budget: for a C function that
 * calls many Lua functions in one protected call, each with its own. */
void fcat__sandbox_budget_restart(lua_State *L);

/* Charges steps of work done in C (such as pattern matching) to the running
 * call's instruction budget, raising the same error as the count hook (and
 * marking the state exhausted) once it is spent. Does nothing without a
 * budget, or before the first fcat__sandbox_pcall has armed it. */
void fcat__sandbox_charge(lua_State *L, uint64_t steps);

/* Whether the last failed call ran out of memory or instructions. */
int fcat__sandbox_exhausted(lua_State *L);

#endif
