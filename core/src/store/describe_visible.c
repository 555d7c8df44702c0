/* describe_visible.c - an object's description as the store's principal may see
 * it: the features, sources and services it may not describe are left out
 * (as list leaves them out), and so is the transform that computes them. */
#include "store/access.h"

#include "util/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char hidden_transform[] = "hidden: it computes what you may not describe";

/* Keeps the items of array `key` whose object the principal may describe;
 * `objs(i)` is the object of item i. Returns how many were left out. */
static size_t keep_visible(const fcat_store *s, json_t *j, const char *key,
                           const fcat_object *(*objs)(const void *, size_t), const void *ctx)
{
	json_t *a = json_object_get(j, key);
	json_t *kept = json_array();
	size_t left_out = 0, i;
	json_t *item;
	json_array_foreach(a, i, item)
	{
		const fcat_object *o = objs(ctx, i);
		if (o && fcat__access_describe(s, o))
			json_array_append(kept, item);
		else
			left_out++;
	}
	if (a)
		json_object_set_new(j, key, kept);
	else
		json_decref(kept);
	return left_out;
}

static const fcat_object *view_feature(const void *v, size_t i)
{
	const fcat__view *view = v;
	return i < view->nfeatures ? &view->features[i].base : NULL;
}

static const fcat_object *odv_feature(const void *v, size_t i)
{
	const fcat__odv *odv = v;
	return i < odv->nfeatures ? &odv->features[i].base : NULL;
}

static const fcat_object *odv_source(const void *v, size_t i)
{
	const fcat__odv *odv = v;
	return i < odv->nsources ? &odv->sources[i]->base : NULL;
}

static const fcat_object *service_feature(const void *v, size_t i)
{
	const fcat__service *svc = v;
	return i < svc->nfeatures ? &svc->features[i]->base : NULL;
}

static void hide_transform(json_t *j)
{
	json_t *t = json_object_get(j, "transform");
	if (t && !json_is_null(t))
		json_object_set_new(j, "transform", json_string(hidden_transform));
}

/* A view's source and entities are project-level objects. */
static void hide_project_parts(const fcat_store *s, json_t *j)
{
	if (fcat__access_describe_project(s))
		return;
	if (json_object_get(j, "source"))
		json_object_set_new(j, "source", json_null());
	if (json_object_get(j, "entities"))
		json_object_set_new(j, "entities", json_array());
}

static void filter(const fcat_store *s, json_t *j, const fcat_object *o)
{
	size_t hidden = 0;
	switch (o->kind) {
	case FCAT_OBJ_VIEW:
		hidden = keep_visible(s, j, "schema", view_feature, o);
		hide_project_parts(s, j);
		break;
	case FCAT_OBJ_ON_DEMAND_VIEW:
		hidden = keep_visible(s, j, "schema", odv_feature, o) +
		         keep_visible(s, j, "sources", odv_source, o);
		break;
	case FCAT_OBJ_SERVICE: keep_visible(s, j, "features", service_feature, o); break;
	default: break;
	}
	if (hidden)
		hide_transform(j);
}

int fcat_store_describe_json(char **out, const fcat_store *s, const fcat_object *o, bool pretty)
{
	*out = NULL;
	if (!fcat__access_describe(s, o))
		return fcat__error(FCAT_EDENIED, "%s may not describe '%s'", s->principal, o->name);
	char *text;
	int rc = fcat_object_describe_json(&text, o, false);
	if (rc)
		return rc;
	json_t *j = json_loads(text, 0, NULL);
	free(text);
	if (!j)
		return fcat__error_oom();
	if (s->policy)
		filter(s, j, o);
	*out = json_dumps(j, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(j);
	return *out ? 0 : fcat__error_oom();
}

int fcat_store_history_of(fcat_history **out, const fcat_store *s, const char *name,
                          const char *rev)
{
	*out = NULL;
	int rc = fcat__access_describe_name(s, name);
	return rc ? rc : fcat_history_of(out, s->root, name, rev);
}
