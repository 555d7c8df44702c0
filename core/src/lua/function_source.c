/* function_source.c - compiling a transform from its source text, with the
 * line numbers of the file it came from. */
#include "lua/function_source.h"

#include <lauxlib.h>
#include <string.h>

int fcat__lua_load_function(lua_State *L, const char *code, const char *file, int line)
{
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int i = 1; i < line; i++)
		luaL_addchar(&b, '\n');
	luaL_addstring(&b, "return ");
	luaL_addstring(&b, code);
	luaL_pushresult(&b);
	lua_pushfstring(L, "@%s", file);
	size_t len;
	const char *chunk = lua_tolstring(L, -2, &len);
	int status = luaL_loadbufferx(L, chunk, len, lua_tostring(L, -1), "t");
	lua_replace(L, -3); /* the function or the message, over the text */
	lua_pop(L, 1);
	if (status != LUA_OK)
		return status;
	/* the chunk only makes the closure: `return function ... end` */
	lua_call(L, 0, 1);
	if (!lua_isfunction(L, -1)) {
		lua_pop(L, 1);
		lua_pushliteral(L, "the source text is not a function");
		return LUA_ERRSYNTAX;
	}
	return LUA_OK;
}
