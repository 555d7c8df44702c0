/* describe_json.c - the JSON description of a catalog object (fcat describe). */
#include "catalog/model.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static json_t *type_json(fcat_type t)
{
	char name[64];
	fcat_type_format(name, sizeof name, t);
	return json_string(name);
}

static void put_common(json_t *j, const fcat_object *o)
{
	json_object_set_new(j, "kind", json_string(fcat_object_kind_name(o->kind)));
	json_object_set_new(j, "name", json_string(o->name));
	json_object_set_new(j, "description", json_string(o->description));
	json_object_set_new(j, "owner", json_string(o->owner));
	json_t *tags = json_object();
	for (size_t i = 0; i < o->ntags; i++)
		json_object_set_new(tags, o->tags[i].key, json_string(o->tags[i].value));
	json_object_set_new(j, "tags", tags);
	json_t *at = json_object();
	json_object_set_new(at, "file", json_string(o->loc.file));
	json_object_set_new(at, "line", json_integer(o->loc.line));
	json_object_set_new(j, "defined_at", at);
	char hash[65];
	fcat_object_hash(hash, o);
	json_object_set_new(j, "hash", json_string(hash));
}

static json_t *fields_json(const fcat__field *f, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "name", json_string(f[i].base.name));
		json_object_set_new(x, "type", type_json(f[i].type));
		if (f[i].base.description[0])
			json_object_set_new(x, "description", json_string(f[i].base.description));
		if (f[i].base.owner[0])
			json_object_set_new(x, "owner", json_string(f[i].base.owner));
		if (f[i].base.ntags) {
			json_t *tags = json_object();
			for (size_t t = 0; t < f[i].base.ntags; t++)
				json_object_set_new(tags, f[i].base.tags[t].key,
				                    json_string(f[i].base.tags[t].value));
			json_object_set_new(x, "tags", tags);
		}
		json_array_append_new(a, x);
	}
	return a;
}

static json_t *transform_json(const fcat__transform *t)
{
	if (!t->code)
		return json_null();
	json_t *j = json_object();
	json_object_set_new(j, "file", json_string(t->loc.file));
	json_object_set_new(j, "line", json_integer(t->loc.line));
	json_object_set_new(j, "code", json_string(t->code));
	return j;
}

static json_t *names_json(fcat_object *const *objs, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(objs[i]->name));
	return a;
}

static void put_view(json_t *j, const fcat__view *v)
{
	json_object_set_new(j, "entities",
	                    names_json((fcat_object *const *)v->entities, v->nentities));
	json_t *keys = json_array();
	for (size_t e = 0; e < v->nentities; e++) {
		json_t *ks = fields_json(v->entities[e]->keys, v->entities[e]->nkeys);
		json_array_extend(keys, ks);
		json_decref(ks);
	}
	json_object_set_new(j, "join_keys", keys);
	json_object_set_new(j, "source", json_string(v->source->base.name));
	json_object_set_new(j, "timestamp_field", json_string(v->timestamp_field));
	json_object_set_new(j, "created_timestamp_field",
	                    v->source->created_timestamp_field
	                        ? json_string(v->source->created_timestamp_field)
	                        : json_null());
	json_object_set_new(j, "ttl_seconds", json_integer(v->ttl_seconds));
	json_object_set_new(j, "online", json_boolean(v->online));
	json_object_set_new(j, "offline", json_boolean(v->offline));
	json_object_set_new(j, "schema", fields_json(v->features, v->nfeatures));
	if (v->aggs) {
		json_object_set_new(j, "aggregation_interval_seconds",
		                    json_integer(v->agg_interval));
		json_t *aggs = json_array();
		for (size_t i = 0; i < v->naggs; i++) {
			const fcat__aggregation *a = &v->aggs[i];
			char fn[48];
			if (a->fn == FCAT__AGG_LAST_DISTINCT)
				snprintf(fn, sizeof fn, "last_distinct(%u)", a->n);
			else
				snprintf(fn, sizeof fn, "%s", fcat__agg_fn_name(a->fn));
			json_array_append_new(
			    aggs, json_pack("{s:s, s:s, s:o, s:I}", "feature",
			                    v->features[i].base.name, "function", fn, "column",
			                    a->column ? json_string(a->column) : json_null(),
			                    "window_seconds", (json_int_t)a->window));
		}
		json_object_set_new(j, "aggregations", aggs);
	}
	json_object_set_new(j, "transform", transform_json(&v->transform));
}

static void put_source(json_t *j, const fcat__source *s)
{
	if (s->path)
		json_object_set_new(j, "path", json_string(s->path));
	if (s->table)
		json_object_set_new(j, "table", json_string(s->table));
	if (s->query)
		json_object_set_new(j, "query", json_string(s->query));
	json_object_set_new(j, "timestamp_field",
	                    s->timestamp_field ? json_string(s->timestamp_field) : json_null());
	json_object_set_new(j, "created_timestamp_field",
	                    s->created_timestamp_field ? json_string(s->created_timestamp_field)
	                                               : json_null());
	json_object_set_new(j, "schema", fields_json(s->schema, s->nschema));
}

static void put_feature(json_t *j, const fcat__field *f)
{
	json_object_set_new(j, "view", json_string(f->parent->name));
	json_object_set_new(j, "type", type_json(f->type));
	json_object_set_new(j, "index", json_integer((json_int_t)f->index));
}

static void put_odv(json_t *j, const fcat__odv *o)
{
	json_object_set_new(j, "sources",
	                    names_json((fcat_object *const *)o->sources, o->nsources));
	json_object_set_new(j, "request", fields_json(o->request, o->nrequest));
	json_object_set_new(j, "schema", fields_json(o->features, o->nfeatures));
	json_object_set_new(j, "transform", transform_json(&o->transform));
}

static void put_service(json_t *j, const fcat__service *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nfeatures; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "view", json_string(s->features[i]->parent->name));
		json_object_set_new(x, "name", json_string(s->features[i]->base.name));
		json_object_set_new(x, "type", type_json(s->features[i]->type));
		json_array_append_new(a, x);
	}
	json_object_set_new(j, "features", a);
}

static void put_push_source(json_t *j, const fcat__push_source *p)
{
	json_object_set_new(j, "batch_source", json_string(p->batch_ref.name));
	json_object_set_new(j, "schema_declared", json_boolean(p->nown > 0));
	json_object_set_new(j, "schema", fields_json(p->schema, p->nschema));
}

int fcat_object_describe_json(char **out, const fcat_object *o, bool pretty)
{
	*out = NULL;
	json_t *j = json_object();
	if (!j)
		return fcat__error_oom();
	put_common(j, o);
	switch (o->kind) {
	case FCAT_OBJ_ENTITY: {
		const fcat__entity *e = (const fcat__entity *)o;
		json_object_set_new(j, "join_keys", fields_json(e->keys, e->nkeys));
		break;
	}
	case FCAT_OBJ_SOURCE: put_source(j, (const fcat__source *)o); break;
	case FCAT_OBJ_VIEW: put_view(j, (const fcat__view *)o); break;
	case FCAT_OBJ_ON_DEMAND_VIEW: put_odv(j, (const fcat__odv *)o); break;
	case FCAT_OBJ_SERVICE: put_service(j, (const fcat__service *)o); break;
	case FCAT_OBJ_FEATURE: put_feature(j, (const fcat__field *)o); break;
	case FCAT_OBJ_PUSH_SOURCE: put_push_source(j, (const fcat__push_source *)o); break;
	default: break;
	}
	*out = json_dumps(j, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(j);
	return *out ? 0 : fcat__error_oom();
}
