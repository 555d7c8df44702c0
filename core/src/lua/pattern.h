/* pattern.h - Lua 5.4 pattern matching (string.find, match, gmatch and gsub)
 * that counts its work and charges it to the sandbox's instruction budget,
 * so that a backtracking pattern cannot run unbounded in C, out of reach of
 * the count hook. Same results and error messages as Lua's string library. */
#ifndef FCAT_LUA_PATTERN_H
#define FCAT_LUA_PATTERN_H

#include <lua.h>

/* string.find(s, pattern [, init [, plain]]) */
int fcat__pattern_find(lua_State *L);
/* string.match(s, pattern [, init]) */
int fcat__pattern_match(lua_State *L);
/* string.gmatch(s, pattern [, init]) */
int fcat__pattern_gmatch(lua_State *L);
/* string.gsub(s, pattern, repl [, n]) */
int fcat__pattern_gsub(lua_State *L);

#endif
