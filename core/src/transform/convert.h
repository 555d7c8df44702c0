/* convert.h - the one conversion between fcat values and Lua values, used by
 * every path that runs a transform (batch and serving alike). */
#ifndef FCAT_TRANSFORM_CONVERT_H
#define FCAT_TRANSFORM_CONVERT_H

#include "util/arena.h"

#include "fcat.h"

#include <lua.h>

/* Pushes a value: int32/int64 -> integer, float32 -> float (widened
 * exactly), float64 -> float, string/bytes -> string, bool -> boolean,
 * timestamp -> integer microseconds since the epoch, arrays -> sequences,
 * null -> nil. */
void fcat__lua_push_value(lua_State *L, const fcat_value *v);

/* Converts the Lua value at idx to `type`; strings and arrays are copied
 * into `arena`. A float32 is rounded from the Lua float once, the same way
 * everywhere. Integers accept integral floats; floats accept integers.
 * Returns 0, or FCAT_EINVALID with `why` filled ("expected int64, got
 * string"). `is_null_marker` tells whether idx holds fcat's `null`. */
int fcat__lua_to_value(lua_State *L, int idx, fcat_type type, fcat_value *out, fcat__arena *arena,
                       char *why, size_t why_size);

#endif
