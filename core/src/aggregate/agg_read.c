/* agg_read.c - an online read of an aggregation view: the entity's stored
 * tiles decoded, and each feature computed over its window ending at the
 * moment of the read, so the value is right when it is read, not as of the
 * last write. */
#include "aggregate/agg.h"

#include "encoding/encoding.h"
#include "util/error.h"

int fcat__agg_row_values(fcat_value *out, fcat__row_header *h, const fcat__view *v,
                         const unsigned char *row, size_t len, int64_t now,
                         fcat__agg_events *events, fcat__arena *scratch)
{
	int64_t newest;
	const unsigned char *hash = v->data_hash;
	int rc = 0;
	events->n = 0;
	events->ninputs = v->nagg_inputs;
	if (row && (rc = fcat__agg_row_decode(events, &newest, &hash, v, row, len)))
		return rc;
	h->data_hash = hash;
	h->count = v->nfeatures;
	/* the newest event the read can see */
	size_t upto = fcat__agg_events_after(events, now);
	h->event_ts = upto ? events->when[upto - 1].ts : 0;
	h->created_ts = upto ? events->when[upto - 1].created : 0;
	for (size_t f = 0; f < v->naggs; f++) {
		fcat__agg_state st;
		if ((rc = fcat__agg_state_init(&st, &v->aggs[f], scratch)) ||
		    (rc = fcat__agg_eval(&out[f], v, f, &st, events, now, scratch)))
			return fcat__error_wrap(rc, "feature '%s'", v->features[f].base.name);
	}
	return 0;
}
