/* engine.h - running transforms: one sandboxed Lua state per thread, each
 * transform compiled once into it and called with the one value conversion. */
#ifndef FCAT_TRANSFORM_ENGINE_H
#define FCAT_TRANSFORM_ENGINE_H

#include "catalog/model.h"
#include "lua/sandbox.h"

typedef struct fcat__tx fcat__tx;

/* A new engine with a memory cap for the state and an instruction budget per
 * call. Returns 0 or FCAT_ENOMEM. */
int fcat__tx_new(fcat__tx **out, const fcat__sandbox_limits *limits);
void fcat__tx_free(fcat__tx *tx);

/* Calls a transform with one table argument holding `in` under `names`, and
 * converts the returned table's fields to `out_fields`' types into `out`
 * (strings and arrays in `arena`). The transform must return a value for
 * every output field (`null` for an explicit null) and nothing else.
 * Returns 0, FCAT_EINVALID (an error raised, a wrong or missing value: the
 * message names the feature and, for Lua errors, file:line), FCAT_ETIMEOUT
 * (instruction budget) or FCAT_ENOMEM (memory cap). */
int fcat__tx_call(fcat__tx *tx, const fcat__transform *t, const char *const *names,
                  const fcat_value *in, size_t nin, const fcat__field *out_fields, size_t nout,
                  fcat_value *out, fcat__arena *arena);

#endif
