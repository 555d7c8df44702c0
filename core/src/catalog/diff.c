/* diff.c - what changed between two catalog versions: added, removed and
 * changed objects, the fields that changed, and which changes break readers
 * (fcat plan, fcat diff). */
#include "catalog/model.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fcat_diff {
	fcat__arena arena;
	fcat_change *items;
	size_t len, cap, breaking;
	bool oom;
};

static const fcat_object *find(const fcat_catalog *c, const fcat_object *o)
{
	if (o->kind == FCAT_OBJ_FEATURE)
		return fcat__strmap_get(&c->features, ((const fcat__field *)o)->qualified);
	const fcat_object *x = fcat__strmap_get(&c->by_name, o->name);
	return x && x->kind == o->kind ? x : NULL;
}

static const char *qualified_name(const fcat_object *o)
{
	return o->kind == FCAT_OBJ_FEATURE ? ((const fcat__field *)o)->qualified : o->name;
}

static fcat_change *add(fcat_diff *d, fcat_change_kind change, const fcat_object *before,
                        const fcat_object *after)
{
	if (!fcat__grow(&d->items, &d->cap, d->len, sizeof *d->items, 32)) {
		d->oom = true;
		return NULL;
	}
	const fcat_object *o = after ? after : before;
	fcat_change *c = &d->items[d->len++];
	*c = (fcat_change){change, o->kind, qualified_name(o), before, after, "", NULL};
	return c;
}

static json_t *describe(const fcat_object *o)
{
	char *text;
	if (fcat_object_describe_json(&text, o, false))
		return NULL;
	json_t *j = json_loads(text, 0, NULL);
	fcat_free(text);
	if (j) {
		json_object_del(j, "defined_at");
		json_object_del(j, "hash");
		json_object_del(j, "index");
	}
	return j;
}

/* "type, description": the top-level fields whose values differ. */
static const char *changed_fields(fcat_diff *d, json_t *a, json_t *b)
{
	fcat__buf out = {0};
	const char *key;
	json_t *v;
	json_object_foreach(a, key, v)
	{
		if (!json_equal(v, json_object_get(b, key)))
			fcat__buf_printf(&out, "%s%s", out.len ? ", " : "", key);
	}
	json_object_foreach(b, key, v)
	{
		if (!json_object_get(a, key))
			fcat__buf_printf(&out, "%s%s", out.len ? ", " : "", key);
	}
	if (!out.len)
		fcat__buf_puts(&out, "computation (entities, source or transform of its view)");
	char *s = fcat__arena_strdup(&d->arena, out.ptr ? out.ptr : "");
	fcat__buf_free(&out);
	if (!s)
		d->oom = true;
	return s ? s : "";
}

static const char *say(fcat_diff *d, const char *fmt, const char *a, const char *b)
{
	char buf[512];
	snprintf(buf, sizeof buf, fmt, a, b);
	char *s = fcat__arena_strdup(&d->arena, buf);
	if (!s)
		d->oom = true;
	d->breaking++;
	return s;
}

static void judge_change(fcat_diff *d, fcat_change *c, json_t *a, json_t *b)
{
	if (c->kind == FCAT_OBJ_FEATURE &&
	    !json_equal(json_object_get(a, "type"), json_object_get(b, "type"))) {
		c->breaking = say(d, "type changed from %s to %s",
		                  json_string_value(json_object_get(a, "type")),
		                  json_string_value(json_object_get(b, "type")));
	} else if (c->kind == FCAT_OBJ_ENTITY &&
	           !json_equal(json_object_get(a, "join_keys"), json_object_get(b, "join_keys"))) {
		c->breaking = say(d, "join keys changed%s%s", "", "");
	} else if (c->kind == FCAT_OBJ_VIEW &&
	           !json_equal(json_object_get(a, "entities"), json_object_get(b, "entities"))) {
		c->breaking = say(d, "entities changed%s%s", "", "");
	}
}

/* Who in `from` reads this feature: a service serving it, or an on-demand
 * view taking its view as a source. */
static const char *user_of(const fcat_catalog *from, const fcat__field *f, const char **kind)
{
	const fcat__objvec *v = &from->objects[FCAT_OBJ_SERVICE];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__service *s = (const fcat__service *)v->items[i];
		for (size_t j = 0; j < s->nfeatures; j++)
			if (s->features[j] == f) {
				*kind = "feature service";
				return s->base.name;
			}
	}
	v = &from->objects[FCAT_OBJ_ON_DEMAND_VIEW];
	for (size_t i = 0; i < v->len; i++) {
		const fcat__odv *o = (const fcat__odv *)v->items[i];
		for (size_t j = 0; j < o->nsources; j++)
			if (&o->sources[j]->base == f->parent) {
				*kind = "on-demand view";
				return o->base.name;
			}
	}
	return NULL;
}

static int cmp_change(const void *pa, const void *pb)
{
	const fcat_change *a = pa, *b = pb;
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return strcmp(a->name, b->name);
}

int fcat_catalog_diff(fcat_diff **out, const fcat_catalog *from, const fcat_catalog *to)
{
	*out = NULL;
	fcat_diff *d = calloc(1, sizeof *d);
	if (!d)
		return fcat__error_oom();
	fcat__arena_init(&d->arena, 8192);
	for (int k = 0; k < FCAT_OBJ_KIND_COUNT && !d->oom; k++) {
		const fcat__objvec *v = &from->objects[k];
		for (size_t i = 0; i < v->len && !d->oom; i++) {
			const fcat_object *a = v->items[i], *b = find(to, a);
			fcat_change *c;
			if (!b) {
				if (!(c = add(d, FCAT_CHANGE_REMOVED, a, NULL)))
					break;
				const char *kind = NULL, *user = NULL;
				if (k == FCAT_OBJ_FEATURE &&
				    (user = user_of(from, (const fcat__field *)a, &kind)))
					c->breaking =
					    say(d, "removed while the %s '%s' uses it", kind, user);
			} else if (memcmp(a->hash, b->hash, 32) != 0) {
				if (!(c = add(d, FCAT_CHANGE_CHANGED, a, b)))
					break;
				json_t *ja = describe(a), *jb = describe(b);
				c->fields = changed_fields(d, ja, jb);
				judge_change(d, c, ja, jb);
				json_decref(ja);
				json_decref(jb);
			}
		}
		v = &to->objects[k];
		for (size_t i = 0; i < v->len && !d->oom; i++)
			if (!find(from, v->items[i]))
				add(d, FCAT_CHANGE_ADDED, NULL, v->items[i]);
	}
	if (d->oom) {
		fcat_diff_free(d);
		return fcat__error_oom();
	}
	if (d->len > 1)
		qsort(d->items, d->len, sizeof *d->items, cmp_change);
	*out = d;
	return 0;
}

size_t fcat_diff_count(const fcat_diff *d)
{
	return d->len;
}

const fcat_change *fcat_diff_at(const fcat_diff *d, size_t i)
{
	return i < d->len ? &d->items[i] : NULL;
}

size_t fcat_diff_breaking_count(const fcat_diff *d)
{
	return d->breaking;
}

void fcat_diff_free(fcat_diff *d)
{
	if (!d)
		return;
	fcat__arena_release(&d->arena);
	free(d->items);
	free(d);
}
