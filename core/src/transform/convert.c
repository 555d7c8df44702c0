/* convert.c - the one conversion between fcat values and Lua values, used by
 * every path that runs a transform (batch and serving alike). */
#include "transform/convert.h"

#include "values/value_copy.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void push_scalar(lua_State *L, fcat_scalar s, const void *p)
{
	switch (s) {
	case FCAT_INT32: lua_pushinteger(L, *(const int32_t *)p); break;
	case FCAT_INT64:
	case FCAT_TIMESTAMP: lua_pushinteger(L, *(const int64_t *)p); break;
	case FCAT_FLOAT32: lua_pushnumber(L, (lua_Number) * (const float *)p); break;
	case FCAT_FLOAT64: lua_pushnumber(L, *(const double *)p); break;
	case FCAT_BOOL: lua_pushboolean(L, *(const bool *)p); break;
	case FCAT_STRING:
	case FCAT_BYTES: {
		const fcat_bytes *b = p;
		lua_pushlstring(L, b->ptr ? b->ptr : "", b->len);
		break;
	}
	default: lua_pushnil(L);
	}
}

void fcat__lua_push_value(lua_State *L, const fcat_value *v)
{
	if (v->is_null) {
		lua_pushnil(L);
		return;
	}
	if (!v->type.is_array) {
		push_scalar(L, v->type.scalar, &v->u);
		return;
	}
	lua_createtable(L, (int)v->u.array.len, 0);
	size_t w = fcat__scalar_stride(v->type.scalar);
	for (size_t i = 0; i < v->u.array.len; i++) {
		push_scalar(L, v->type.scalar, (const char *)v->u.array.items + i * w);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

static const char *lua_kind(lua_State *L, int idx)
{
	if (lua_type(L, idx) == LUA_TNUMBER)
		return lua_isinteger(L, idx) ? "integer" : "float";
	return luaL_typename(L, idx);
}

/* One scalar into dst (its C representation). */
static int to_scalar(lua_State *L, int idx, fcat_scalar s, void *dst, fcat__arena *arena, char *why,
                     size_t size)
{
	int t = lua_type(L, idx);
	switch (s) {
	case FCAT_INT32:
	case FCAT_INT64:
	case FCAT_TIMESTAMP: {
		int ok = 0;
		lua_Integer i = t == LUA_TNUMBER ? lua_tointegerx(L, idx, &ok) : 0;
		if (!ok) {
			snprintf(why, size, "expected %s (a whole number), got %s %s",
			         fcat_scalar_name(s), lua_kind(L, idx),
			         t == LUA_TNUMBER ? lua_tostring(L, idx) : "");
			return FCAT_EINVALID;
		}
		if (s == FCAT_INT32) {
			if (i < INT32_MIN || i > INT32_MAX) {
				snprintf(why, size, "%lld does not fit in int32", (long long)i);
				return FCAT_EINVALID;
			}
			*(int32_t *)dst = (int32_t)i;
		} else {
			*(int64_t *)dst = (int64_t)i;
		}
		return 0;
	}
	case FCAT_FLOAT32:
	case FCAT_FLOAT64: {
		if (t != LUA_TNUMBER) {
			snprintf(why, size, "expected %s, got %s", fcat_scalar_name(s),
			         lua_kind(L, idx));
			return FCAT_EINVALID;
		}
		lua_Number n = lua_tonumber(L, idx);
		/* a finite number that would round to infinity: FLT_MAX plus
		 * half its last place and beyond */
		if (s == FCAT_FLOAT32 && isfinite(n) && fabs(n) >= 0x1.ffffffp127) {
			snprintf(why, size, "%s does not fit in float32", lua_tostring(L, idx));
			return FCAT_EINVALID;
		}
		if (s == FCAT_FLOAT32)
			*(float *)dst = (float)n; /* the one rounding, on every path */
		else
			*(double *)dst = (double)n;
		return 0;
	}
	case FCAT_BOOL:
		if (t != LUA_TBOOLEAN) {
			snprintf(why, size, "expected bool, got %s", lua_kind(L, idx));
			return FCAT_EINVALID;
		}
		*(bool *)dst = lua_toboolean(L, idx);
		return 0;
	case FCAT_STRING:
	case FCAT_BYTES: {
		if (t != LUA_TSTRING) {
			snprintf(why, size, "expected %s, got %s", fcat_scalar_name(s),
			         lua_kind(L, idx));
			return FCAT_EINVALID;
		}
		size_t len;
		const char *p = lua_tolstring(L, idx, &len);
		fcat_bytes *b = dst;
		b->ptr = fcat__arena_strndup(arena, p, len);
		b->len = len;
		if (!b->ptr) {
			snprintf(why, size, "out of memory");
			return FCAT_ENOMEM;
		}
		return 0;
	}
	default: snprintf(why, size, "unsupported type"); return FCAT_EINVALID;
	}
}

int fcat__lua_to_value(lua_State *L, int idx, fcat_type type, fcat_value *out, fcat__arena *arena,
                       char *why, size_t size)
{
	memset(out, 0, sizeof *out);
	out->type = type;
	if (!type.is_array)
		return to_scalar(L, idx, type.scalar, &out->u, arena, why, size);
	if (!lua_istable(L, idx)) {
		char name[64];
		fcat_type_format(name, sizeof name, type);
		snprintf(why, size, "expected %s (a sequence), got %s", name, lua_kind(L, idx));
		return FCAT_EINVALID;
	}
	size_t n = (size_t)lua_rawlen(L, idx);
	if (type.dim && n != type.dim) {
		snprintf(why, size, "expected %u elements, got %zu", (unsigned)type.dim, n);
		return FCAT_EINVALID;
	}
	size_t w = fcat__scalar_stride(type.scalar);
	char *items = fcat__arena_alloc(arena, w * (n ? n : 1));
	if (!items) {
		snprintf(why, size, "out of memory");
		return FCAT_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		char inner[200];
		int rc = to_scalar(L, -1, type.scalar, items + i * w, arena, inner, sizeof inner);
		lua_pop(L, 1);
		if (rc) {
			snprintf(why, size, "element %zu: %s", i + 1, inner);
			return rc;
		}
	}
	out->u.array.items = items;
	out->u.array.len = n;
	return 0;
}
