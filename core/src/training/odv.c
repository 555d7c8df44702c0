/* odv.c - a training set's on-demand views: each over every entity row, as
 * one batch through the transform engine: its source views' features of
 * the row, then its request fields taken from the entity columns of the
 * same names (null when there is no such column). */
#include "training/request.h"
#include "transform/engine.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct odv_run {
	fcat__treq *q;
	const fcat__odv *o;
	int *req_col; /* per request field: its entity column, or -1 */
	bool *owned;  /* per request field: the last row's value was parsed */
	fcat_value *in;
	fcat_value *out; /* the view's rows of q->odv_out */
} odv_run;

static int odv_input(void *ctx, size_t r, fcat_value *in)
{
	odv_run *x = ctx;
	const fcat__odv *o = x->o;
	fcat__treq *q = x->q;
	size_t n = 0;
	for (size_t s = 0; s < o->nsources; s++) {
		const fcat__hview *hv = fcat__treq_view(q, o->sources[s]);
		size_t nf = o->sources[s]->nfeatures;
		memcpy(&in[n], &hv->values[r * nf], nf * sizeof *in);
		n += nf;
	}
	for (size_t k = 0; k < o->nrequest; k++) {
		if (x->owned[k])
			fcat_value_clear(&in[n + k]);
		x->owned[k] = false;
	}
	for (size_t k = 0; k < o->nrequest; k++) {
		const fcat__field *req = &o->request[k];
		in[n + k] = (fcat_value){.type = req->type, .is_null = true};
		if (x->req_col[k] < 0)
			continue;
		int rc = fcat__entities_value(&in[n + k], &x->owned[k], q->ent, x->req_col[k], r,
		                              req->type, "request column");
		if (rc)
			return rc;
	}
	return 0;
}

static int odv_output(void *ctx, size_t r, const fcat_value *out)
{
	odv_run *x = ctx;
	/* strings and arrays are in q->arena already: the engine's arena */
	memcpy(&x->out[r * x->o->nfeatures], out, x->o->nfeatures * sizeof *out);
	return 0;
}

int fcat__compute_odv(fcat__treq *q, size_t oi)
{
	const fcat__odv *o = q->odvs[oi];
	fcat__tx *tx;
	int rc = fcat__store_tx(q->s, &tx);
	size_t nin = o->nrequest;
	for (size_t i = 0; i < o->nsources; i++)
		nin += o->sources[i]->nfeatures;
	const char **names = calloc(nin + 1, sizeof *names);
	fcat_value *in = calloc(nin + 1, sizeof *in);
	fcat_value *out = calloc(o->nfeatures + 1, sizeof *out);
	int *req_col = calloc(o->nrequest + 1, sizeof *req_col);
	bool *owned = calloc(o->nrequest + 1, sizeof *owned);
	q->odv_out[oi] = fcat__arena_alloc(&q->arena, (q->ent->nrows * o->nfeatures + 1) *
	                                                  sizeof *q->odv_out[oi]);
	if (!rc && (!names || !in || !out || !req_col || !owned || !q->odv_out[oi]))
		rc = fcat__error_oom();
	odv_run x = {q, o, req_col, owned, in, q->odv_out[oi]};
	if (rc == 0) {
		size_t n = 0;
		for (size_t s = 0; s < o->nsources; s++)
			for (size_t f = 0; f < o->sources[s]->nfeatures; f++)
				names[n++] = o->sources[s]->features[f].base.name;
		for (size_t k = 0; k < o->nrequest; k++) {
			names[n++] = o->request[k].base.name;
			req_col[k] = fcat__entities_find(q->ent, o->request[k].base.name);
			if (rc == 0 && req_col[k] >= 0)
				rc = fcat__entities_check(q->ent, req_col[k], o->request[k].type);
		}
		fcat__tx_rows b = {.names = names,
		                   .nin = nin,
		                   .out_fields = o->features,
		                   .nout = o->nfeatures,
		                   .nrows = q->ent->nrows,
		                   .input = odv_input,
		                   .output = odv_output,
		                   .ctx = &x,
		                   .in = in,
		                   .out = out,
		                   .arena = &q->arena};
		if (rc == 0 && (rc = fcat__tx_run(tx, &o->transform, &b)) != 0)
			rc = fcat__error_wrap(rc, "on-demand view '%s', entity row %zu",
			                      o->base.name, b.row + 1);
		for (size_t k = 0; k < o->nrequest; k++)
			if (owned[k])
				fcat_value_clear(&in[nin - o->nrequest + k]);
	}
	free(req_col);
	free(owned);
	free(out);
	free(names);
	free(in);
	return rc;
}
