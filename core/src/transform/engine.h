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

/* A batch: one transform over many rows in one protected call, which
 * saves the per-call set-up (the hot path of materialize). Per row i,
 * input() fills in[0..nin) (values valid until the next input call), the
 * transform runs with a fresh input table and its own instruction budget,
 * and output() receives out[0..nout) (strings and arrays in `arena`, which
 * input() may reset). A nonzero return of either stops the batch with that
 * code and message. */
typedef struct fcat__tx_rows {
	const char *const *names; /* input names */
	size_t nin;
	const fcat__field *out_fields;
	size_t nout;
	size_t nrows;
	int (*input)(void *ctx, size_t i, fcat_value *in);
	int (*output)(void *ctx, size_t i, const fcat_value *out);
	void *ctx;
	fcat_value *in;     /* nin values, filled by input() */
	fcat_value *out;    /* nout values, filled by the engine */
	fcat__arena *arena; /* the outputs' strings and arrays */
	size_t row;         /* out: the row being run (the failing one on error) */
	/* A transform that returns nil drops its row: output() is then called
	 * with out NULL (the filters of aggregation views). Else nil is an
	 * error, as any value that is not a table. */
	bool may_drop;
} fcat__tx_rows;

/* Runs a batch. Returns 0 or the first row's error (codes and messages as
 * fcat__tx_call); b->row then says which row failed. */
int fcat__tx_run(fcat__tx *tx, const fcat__transform *t, fcat__tx_rows *b);

#endif
