/* resolve_aggregations.c - once a view's source is known: each window
 * aggregation's column and its type (from the source's declared schema),
 * whether the function takes that type, the feature's type, and the view's
 * distinct aggregated columns (its inputs). */
#include "catalog/model.h"

#include <stdio.h>
#include <string.h>

typedef void (*problem_fn)(void *ctx, int line, const char *msg);

static bool is_number(fcat_type t)
{
	return !t.is_array && (t.scalar == FCAT_INT32 || t.scalar == FCAT_INT64 ||
	                       t.scalar == FCAT_FLOAT32 || t.scalar == FCAT_FLOAT64);
}

static bool is_integer(fcat_type t)
{
	return !t.is_array && (t.scalar == FCAT_INT32 || t.scalar == FCAT_INT64);
}

/* The feature's type, or FCAT_INVALID with `why` set. */
static fcat_type result_type(const fcat__aggregation *a, fcat_type in, const char **why)
{
	fcat_type out = {FCAT_INVALID, false, 0};
	if (a->fn != FCAT__AGG_COUNT && in.is_array) {
		*why = "an array column can only be counted";
		return out;
	}
	switch (a->fn) {
	case FCAT__AGG_COUNT: out.scalar = FCAT_INT64; return out;
	case FCAT__AGG_SUM:
		if (!is_number(in))
			*why = "sum needs a number column (int32, int64, float32 or float64)";
		else
			out.scalar = is_integer(in) ? FCAT_INT64 : FCAT_FLOAT64;
		return out;
	case FCAT__AGG_MEAN:
	case FCAT__AGG_STDDEV:
		if (!is_number(in))
			*why = "mean and stddev need a number column (int32, int64, float32 or "
			       "float64)";
		else
			out.scalar = FCAT_FLOAT64;
		return out;
	case FCAT__AGG_MIN:
	case FCAT__AGG_MAX:
		if (!is_number(in) && in.scalar != FCAT_TIMESTAMP)
			*why = "min and max need a number or timestamp column";
		else
			out = in;
		return out;
	case FCAT__AGG_LAST: return in;
	case FCAT__AGG_LAST_DISTINCT:
		out = in;
		out.is_array = true;
		out.dim = 0;
		return out;
	default: *why = "unknown function"; return out;
	}
}

int fcat__resolve_aggregations(fcat__arena *arena, fcat__view *v, problem_fn problem, void *ctx)
{
	const fcat__source *s = v->source;
	char msg[512];
	v->agg_inputs = fcat__arena_alloc(arena, (v->naggs + 1) * sizeof *v->agg_inputs);
	v->agg_input_types = fcat__arena_alloc(arena, (v->naggs + 1) * sizeof *v->agg_input_types);
	if (!v->agg_inputs || !v->agg_input_types)
		return -1;
	v->nagg_inputs = 0;
	for (size_t i = 0; i < v->naggs; i++) {
		fcat__aggregation *a = &v->aggs[i];
		fcat__field *f = &v->features[i];
		a->input = -1;
		fcat_type in = {FCAT_INT64, false, 0};
		if (a->column) {
			const fcat__field *col = NULL;
			for (size_t k = 0; k < s->nschema && !col; k++)
				if (strcmp(s->schema[k].base.name, a->column) == 0)
					col = &s->schema[k];
			if (!col) {
				snprintf(
				    msg, sizeof msg,
				    "aggregations[%zu] ('%s'): column '%s' is not a declared "
				    "column of source '%s' (an aggregated column takes its type "
				    "from the source's schema)",
				    i + 1, f->base.name, a->column, s->base.name);
				problem(ctx, a->loc.line, msg);
				continue;
			}
			in = col->type;
			size_t k = 0;
			while (k < v->nagg_inputs && strcmp(v->agg_inputs[k], a->column) != 0)
				k++;
			if (k == v->nagg_inputs) {
				v->agg_inputs[k] = a->column;
				v->agg_input_types[k] = in;
				v->nagg_inputs++;
			}
			a->input = (int)k;
		}
		a->input_type = in;
		const char *why = NULL;
		fcat_type out = result_type(a, in, &why);
		if (out.scalar == FCAT_INVALID) {
			char t[64];
			fcat_type_format(t, sizeof t, in);
			snprintf(msg, sizeof msg, "aggregations[%zu] ('%s'): column '%s' is %s: %s",
			         i + 1, f->base.name, a->column ? a->column : "", t,
			         why ? why : "not allowed");
			problem(ctx, a->loc.line, msg);
			continue;
		}
		f->type = out;
	}
	return 0;
}
