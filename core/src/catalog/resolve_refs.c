/* resolve_refs.c - after all files ran: resolves references between definitions
 * and checks the catalog as a whole (unique names, known entities, sources,
 * views and features, timestamp fields, name clashes, push schemas). */
#include "catalog/model.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct resolver {
	fcat_catalog *c;
	fcat__buf *errors;
	int problems;
	bool oom;
	bool *view_failed; /* per view: it had problems of its own */
} resolver;

static void problem(resolver *r, const fcat_object *o, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(resolver *r, const fcat_object *o, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fcat__buf_printf(r->errors, "%s:%d: %s '%s': %s\n", o->loc.file, line ? line : o->loc.line,
	                 fcat_object_kind_name(o->kind), o->name, msg);
	r->problems++;
}

static fcat__objvec *vec(fcat_catalog *c, fcat_object_kind k)
{
	return &c->objects[k];
}

static void register_names(resolver *r)
{
	static const fcat_object_kind named[] = {FCAT_OBJ_ENTITY,  FCAT_OBJ_SOURCE,
	                                         FCAT_OBJ_VIEW,    FCAT_OBJ_ON_DEMAND_VIEW,
	                                         FCAT_OBJ_SERVICE, FCAT_OBJ_PUSH_SOURCE};
	for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
		fcat__objvec *v = vec(r->c, named[k]);
		for (size_t i = 0; i < v->len; i++) {
			fcat_object *o = v->items[i], *old = NULL;
			int rc = fcat__strmap_put(&r->c->by_name, o->name, o, (void **)&old);
			if (rc < 0)
				r->oom = true;
			else if (rc == 1)
				problem(
				    r, o, 0, "the name is already used by the %s defined at %s:%d",
				    fcat_object_kind_name(old->kind), old->loc.file, old->loc.line);
		}
	}
}

/* Looks a name up and checks its kind; reports a problem when it fails. */
static fcat_object *lookup(resolver *r, const fcat_object *from, const fcat__ref *ref,
                           fcat_object_kind want, int want_also)
{
	fcat_object *o = fcat__strmap_get(&r->c->by_name, ref->name);
	const char *wname = fcat_object_kind_name(want);
	if (want == FCAT_OBJ_VIEW)
		wname = want_also >= 0 ? "feature view or on-demand view" : "feature view";
	if (!o) {
		problem(r, from, ref->loc.line, "unknown %s '%s'", wname, ref->name);
		return NULL;
	}
	if (o->kind != want && (int)o->kind != want_also) {
		problem(r, from, ref->loc.line, "'%s' is %s %s, not %s %s", ref->name,
		        fcat__article(fcat_object_kind_name(o->kind)),
		        fcat_object_kind_name(o->kind), fcat__article(wname), wname);
		return NULL;
	}
	return o;
}

static void add_feature(resolver *r, fcat__field *f)
{
	char qualified[512];
	snprintf(qualified, sizeof qualified, "%s:%s", f->parent->name, f->base.name);
	f->qualified = fcat__arena_strdup(&r->c->arena, qualified);
	if (!f->qualified || fcat__strmap_put(&r->c->features, f->qualified, f, NULL) < 0 ||
	    fcat__catalog_add(r->c, &f->base) != 0)
		r->oom = true;
}

/* The source's column of this name: through `by_name` when it was built
 * (a wide source: linear time over its views' features), else by a scan. */
static const fcat__field *source_column(const fcat__source *s, const fcat__strmap *by_name,
                                        const char *name)
{
	if (by_name->cap)
		return fcat__strmap_get(by_name, name);
	for (size_t i = 0; i < s->nschema; i++)
		if (strcmp(s->schema[i].base.name, name) == 0)
			return &s->schema[i];
	return NULL;
}

/* With a declared source schema, the columns a view reads must exist. */
static void check_against_source(resolver *r, fcat__view *v)
{
	const fcat__source *s = v->source;
	if (!s->nschema)
		return;
	fcat__strmap by_name = {0};
	for (size_t i = 0; s->nschema > 16 && i < s->nschema; i++)
		if (fcat__strmap_put(&by_name, s->schema[i].base.name, &s->schema[i], NULL) < 0) {
			fcat__strmap_free(&by_name); /* out of memory: scan instead */
			by_name = (fcat__strmap){0};
			break;
		}
	for (size_t e = 0; e < v->nentities; e++)
		for (size_t k = 0; k < v->entities[e]->nkeys; k++) {
			const fcat__field *key = &v->entities[e]->keys[k];
			const fcat__field *col = source_column(s, &by_name, key->base.name);
			if (!col)
				problem(r, &v->base, 0,
				        "join key '%s' is not a column of source '%s'",
				        key->base.name, s->base.name);
			else if (!fcat_type_equal(col->type, key->type))
				problem(r, &v->base, 0,
				        "join key '%s' is %s in entity '%s' but %s in "
				        "source '%s'",
				        key->base.name, fcat_scalar_name(key->type.scalar),
				        v->entities[e]->base.name,
				        fcat_scalar_name(col->type.scalar), s->base.name);
		}
	/* a transform may compute features from any columns */
	for (size_t i = 0; !v->transform.code && !v->aggs && i < v->nfeatures; i++) {
		const fcat__field *f = &v->features[i];
		const fcat__field *col = source_column(s, &by_name, f->base.name);
		char a[64], b[64];
		if (!col) {
			problem(r, &v->base, f->base.loc.line,
			        "feature '%s' is not a column of source '%s' (and the view has no "
			        "transform)",
			        f->base.name, s->base.name);
		} else if (!fcat_type_equal(col->type, f->type)) {
			fcat_type_format(a, sizeof a, f->type);
			fcat_type_format(b, sizeof b, col->type);
			problem(r, &v->base, f->base.loc.line,
			        "feature '%s' is %s but the source column is %s", f->base.name, a,
			        b);
		}
	}
	fcat__strmap_free(&by_name);
}

typedef struct view_problem {
	resolver *r;
	const fcat__view *v;
} view_problem;

static void agg_problem(void *ctx, int line, const char *msg)
{
	view_problem *p = ctx;
	problem(p->r, &p->v->base, line, "%s", msg);
}

static void resolve_view(resolver *r, fcat__view *v)
{
	v->entities = fcat__arena_alloc(&r->c->arena, (v->nentities + 1) * sizeof *v->entities);
	if (!v->entities) {
		r->oom = true;
		return;
	}
	int before = r->problems;
	size_t n = 0;
	for (size_t i = 0; i < v->nentities; i++) {
		fcat_object *e = lookup(r, &v->base, &v->entity_refs[i], FCAT_OBJ_ENTITY, -1);
		if (e)
			v->entities[n++] = (fcat__entity *)e;
	}
	v->nentities = n;
	v->source = (fcat__source *)lookup(r, &v->base, &v->source_ref, FCAT_OBJ_SOURCE, -1);
	if (v->nfeatures > FCAT__MAX_VIEW_COLUMNS)
		problem(r, &v->base, 0,
		        "has %zu features; a feature view holds at most %d: split it into "
		        "several views over the same source",
		        v->nfeatures, FCAT__MAX_VIEW_COLUMNS);
	if (v->source && v->source->nschema > FCAT__MAX_VIEW_COLUMNS)
		problem(r, &v->base, 0,
		        "reads source '%s' of %zu columns; a view reads a source of at most %d "
		        "(%s:%d)",
		        v->source->base.name, v->source->nschema, FCAT__MAX_VIEW_COLUMNS,
		        v->source->base.loc.file, v->source->base.loc.line);
	if (v->source && !v->timestamp_field)
		v->timestamp_field = v->source->timestamp_field;
	if (v->source && !v->timestamp_field)
		problem(r, &v->base, 0,
		        "has no timestamp field: set 'timestamp_field' on source "
		        "'%s' or on the view",
		        v->source->base.name);
	/* join keys and features share one namespace in every output row */
	for (size_t e = 0; e < v->nentities; e++) {
		for (size_t k = 0; k < v->entities[e]->nkeys; k++) {
			const char *key = v->entities[e]->keys[k].base.name;
			for (size_t e2 = 0; e2 < e; e2++)
				for (size_t k2 = 0; k2 < v->entities[e2]->nkeys; k2++)
					if (strcmp(key, v->entities[e2]->keys[k2].base.name) == 0)
						problem(r, &v->base, 0,
						        "entities '%s' and '%s' both have "
						        "the join key '%s'",
						        v->entities[e2]->base.name,
						        v->entities[e]->base.name, key);
			for (size_t i = 0; i < v->nfeatures; i++)
				if (strcmp(key, v->features[i].base.name) == 0)
					problem(r, &v->base, v->features[i].base.loc.line,
					        "feature '%s' has the name of a join key of entity "
					        "'%s'",
					        key, v->entities[e]->base.name);
		}
	}
	for (size_t i = 0; i < v->nfeatures; i++) {
		const char *name = v->features[i].base.name;
		if (v->timestamp_field && strcmp(name, v->timestamp_field) == 0)
			problem(r, &v->base, v->features[i].base.loc.line,
			        "feature '%s' has the name of the timestamp field", name);
	}
	if (v->source && v->transform.code && !v->source->nschema)
		problem(r, &v->base, v->transform.loc.line,
		        "has a transform, so its source '%s' must declare its columns "
		        "(schema = { field(...), ... }): they are the transform's input",
		        v->source->base.name);
	if (r->problems == before && v->source)
		check_against_source(r, v);
	if (v->aggs && v->source && !v->source->nschema)
		problem(r, &v->base, 0,
		        "has aggregations, so its source '%s' must declare its columns (schema = "
		        "{ field(...), ... }): they give the aggregated columns' types",
		        v->source->base.name);
	else if (v->aggs && v->source) {
		view_problem p = {r, v};
		if (fcat__resolve_aggregations(&r->c->arena, v, agg_problem, &p) != 0)
			r->oom = true;
	}
	for (size_t i = 0; i < v->nfeatures; i++)
		add_feature(r, &v->features[i]);
}

static void resolve_odv(resolver *r, fcat__odv *o)
{
	o->sources = fcat__arena_alloc(&r->c->arena, (o->nsources + 1) * sizeof *o->sources);
	if (!o->sources) {
		r->oom = true;
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < o->nsources; i++) {
		fcat_object *v = lookup(r, &o->base, &o->source_refs[i], FCAT_OBJ_VIEW, -1);
		if (v)
			o->sources[n++] = (fcat__view *)v;
	}
	o->nsources = n;
	/* the transform sees its inputs by feature name: they must be unique */
	for (size_t a = 0; a < n; a++)
		for (size_t fa = 0; fa < o->sources[a]->nfeatures; fa++) {
			const char *name = o->sources[a]->features[fa].base.name;
			for (size_t b = a + 1; b < n; b++)
				for (size_t fb = 0; fb < o->sources[b]->nfeatures; fb++)
					if (!strcmp(name, o->sources[b]->features[fb].base.name))
						problem(r, &o->base, 0,
						        "views '%s' and '%s' both have a "
						        "feature '%s'; the transform's input would "
						        "be ambiguous",
						        o->sources[a]->base.name,
						        o->sources[b]->base.name, name);
			for (size_t q = 0; q < o->nrequest; q++)
				if (!strcmp(name, o->request[q].base.name))
					problem(r, &o->base, o->request[q].base.loc.line,
					        "request field '%s' has the name of a feature of "
					        "view '%s'",
					        name, o->sources[a]->base.name);
		}
	for (size_t i = 0; i < o->nrequest; i++)
		for (size_t j = 0; j < o->nfeatures; j++)
			if (strcmp(o->request[i].base.name, o->features[j].base.name) == 0)
				problem(r, &o->base, o->features[j].base.loc.line,
				        "feature '%s' has the name of a request field",
				        o->features[j].base.name);
	for (size_t i = 0; i < o->nfeatures; i++)
		add_feature(r, &o->features[i]);
}

/* The features of a view or on-demand view. */
static void features_of(fcat_object *o, fcat__field **f, size_t *n)
{
	if (o->kind == FCAT_OBJ_VIEW) {
		*f = ((fcat__view *)o)->features;
		*n = ((fcat__view *)o)->nfeatures;
	} else {
		*f = ((fcat__odv *)o)->features;
		*n = ((fcat__odv *)o)->nfeatures;
	}
}

static void service_add(fcat__service *s, fcat__field *f)
{
	for (size_t i = 0; i < s->nfeatures; i++)
		if (s->features[i] == f)
			return;
	s->features[s->nfeatures++] = f;
}

static void resolve_service(resolver *r, fcat__service *s)
{
	size_t cap = 0;
	for (size_t i = 0; i < s->nrefs; i++) {
		char view[512];
		snprintf(view, sizeof view, "%.*s", (int)strcspn(s->feature_refs[i].name, ":"),
		         s->feature_refs[i].name);
		fcat_object *o = fcat__strmap_get(&r->c->by_name, view);
		if (o && (o->kind == FCAT_OBJ_VIEW || o->kind == FCAT_OBJ_ON_DEMAND_VIEW)) {
			fcat__field *f;
			size_t n;
			features_of(o, &f, &n);
			cap += n;
		}
	}
	s->features = fcat__arena_alloc(&r->c->arena, (cap + 1) * sizeof *s->features);
	if (!s->features) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < s->nrefs; i++) {
		const fcat__ref *ref = &s->feature_refs[i];
		const char *colon = strchr(ref->name, ':');
		char view[512];
		snprintf(view, sizeof view, "%.*s",
		         (int)(colon ? colon - ref->name : (long)strlen(ref->name)), ref->name);
		fcat__ref vref = {view, ref->loc};
		fcat_object *o = lookup(r, &s->base, &vref, FCAT_OBJ_VIEW, FCAT_OBJ_ON_DEMAND_VIEW);
		if (!o)
			continue;
		fcat__field *f;
		size_t n;
		features_of(o, &f, &n);
		if (!colon) {
			for (size_t j = 0; j < n; j++)
				service_add(s, &f[j]);
			continue;
		}
		fcat__field *one = fcat__strmap_get(&r->c->features, ref->name);
		if (one)
			service_add(s, one);
		else
			problem(r, &s->base, ref->loc.line, "unknown feature '%s' in %s '%s'",
			        colon + 1, fcat_object_kind_name(o->kind), view);
	}
}

static const fcat__field *push_column(const fcat__push_source *p, const char *name)
{
	for (size_t i = 0; i < p->nschema; i++)
		if (strcmp(p->schema[i].base.name, name) == 0)
			return &p->schema[i];
	return NULL;
}

/* A column view `v` reads must be in the push schema, of its type. */
static void push_needs(resolver *r, const fcat__push_source *p, const fcat__view *v,
                       const char *name, fcat_type type, bool optional)
{
	const fcat__field *col = push_column(p, name);
	char a[64], b[64];
	if (!col) {
		if (!optional)
			problem(r, &p->base, 0,
			        "feature_view '%s' (%s:%d) reads column '%s' of source '%s', "
			        "which the push schema lacks",
			        v->base.name, v->base.loc.file, v->base.loc.line, name,
			        p->batch->base.name);
		return;
	}
	if (fcat_type_equal(col->type, type))
		return;
	fcat_type_format(a, sizeof a, col->type);
	fcat_type_format(b, sizeof b, type);
	problem(r, &p->base, col->base.loc.line,
	        "column '%s' is %s here but feature_view '%s' (%s:%d) reads it as %s", name, a,
	        v->base.name, v->base.loc.file, v->base.loc.line, b);
}

/* Every view over the batch source must find its columns in the push
 * schema, as materialize would read them from the source. */
static void check_push_views(resolver *r, const fcat__push_source *p)
{
	const fcat_type ts = {FCAT_TIMESTAMP, false, 0};
	const fcat__objvec *views = vec(r->c, FCAT_OBJ_VIEW);
	for (size_t i = 0; i < views->len; i++) {
		const fcat__view *v = (const fcat__view *)views->items[i];
		if (v->source != p->batch || r->view_failed[i])
			continue; /* a broken view is reported once, as itself */
		for (size_t e = 0; e < v->nentities; e++)
			for (size_t k = 0; k < v->entities[e]->nkeys; k++)
				push_needs(r, p, v, v->entities[e]->keys[k].base.name,
				           v->entities[e]->keys[k].type, false);
		push_needs(r, p, v, v->timestamp_field, ts, false);
		if (p->batch->created_timestamp_field)
			push_needs(r, p, v, p->batch->created_timestamp_field, ts, true);
		if (v->transform.code) {
			for (size_t c = 0; c < p->batch->nschema; c++)
				push_needs(r, p, v, p->batch->schema[c].base.name,
				           p->batch->schema[c].type, false);
		} else if (v->aggs) {
			for (size_t c = 0; c < v->nagg_inputs; c++)
				push_needs(r, p, v, v->agg_inputs[c], v->agg_input_types[c], false);
		} else {
			for (size_t f = 0; f < v->nfeatures; f++)
				push_needs(r, p, v, v->features[f].base.name, v->features[f].type,
				           false);
		}
	}
}

static void resolve_push_source(resolver *r, fcat__push_source *p)
{
	p->batch = (fcat__source *)lookup(r, &p->base, &p->batch_ref, FCAT_OBJ_SOURCE, -1);
	if (!p->batch)
		return;
	const fcat__source *b = p->batch;
	p->schema = p->nown ? p->own_schema : b->schema;
	p->nschema = p->nown ? p->nown : b->nschema;
	if (!p->nschema) {
		problem(r, &p->base, 0,
		        "has no schema: declare 'schema' = { field(...), ... } here or on its "
		        "batch source '%s' (%s:%d)",
		        b->base.name, b->base.loc.file, b->base.loc.line);
		return;
	}
	int before = r->problems;
	/* a declared schema names columns of the batch source, typed alike */
	for (size_t i = 0; p->nown && b->nschema && i < p->nown; i++) {
		const fcat__field *f = &p->own_schema[i];
		const fcat__field *col = source_column(b, &(fcat__strmap){0}, f->base.name);
		char x[64], y[64];
		if (!col) {
			problem(r, &p->base, f->base.loc.line,
			        "field '%s' is not a column of the batch source '%s'", f->base.name,
			        b->base.name);
		} else if (!fcat_type_equal(col->type, f->type)) {
			fcat_type_format(x, sizeof x, f->type);
			fcat_type_format(y, sizeof y, col->type);
			problem(r, &p->base, f->base.loc.line,
			        "field '%s' is %s here but %s in the batch source '%s'",
			        f->base.name, x, y, b->base.name);
		}
	}
	if (r->problems == before)
		check_push_views(r, p);
}

int fcat__catalog_resolve(fcat_catalog *c, fcat__buf *errors)
{
	resolver r = {c, errors, 0, false, NULL};
	register_names(&r);
	fcat__objvec *v = vec(c, FCAT_OBJ_VIEW);
	r.view_failed = calloc(v->len + 1, sizeof *r.view_failed);
	if (!r.view_failed)
		return fcat__error_oom();
	for (size_t i = 0; i < v->len; i++) {
		int before = r.problems;
		resolve_view(&r, (fcat__view *)v->items[i]);
		r.view_failed[i] = r.problems != before;
	}
	v = vec(c, FCAT_OBJ_ON_DEMAND_VIEW);
	for (size_t i = 0; i < v->len; i++)
		resolve_odv(&r, (fcat__odv *)v->items[i]);
	v = vec(c, FCAT_OBJ_SERVICE);
	for (size_t i = 0; i < v->len; i++)
		resolve_service(&r, (fcat__service *)v->items[i]);
	v = vec(c, FCAT_OBJ_PUSH_SOURCE);
	for (size_t i = 0; i < v->len; i++)
		resolve_push_source(&r, (fcat__push_source *)v->items[i]);
	free(r.view_failed);
	if (r.oom || errors->oom)
		return fcat__error_oom();
	return r.problems;
}
