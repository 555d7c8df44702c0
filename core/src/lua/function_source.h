/* function_source.h - compiling a transform from its source text, the one
 * form kept with a definition (bytecode is never stored or loaded: Lua does
 * not verify it, so a damaged or crafted image could crash or escape the
 * sandbox). */
#ifndef FCAT_LUA_FUNCTION_SOURCE_H
#define FCAT_LUA_FUNCTION_SOURCE_H

#include <lua.h>

/* Compiles `code` (the text of one `function ... end` expression that
 * starts on line `line` of `file`) so that its line numbers are the file's,
 * and pushes the function; or pushes the error message. Returns a lua_load
 * status. Runs no code of the function's. Must run where a Lua error may be
 * raised (inside a protected call): out of memory raises. */
int fcat__lua_load_function(lua_State *L, const char *code, const char *file, int line);

#endif
