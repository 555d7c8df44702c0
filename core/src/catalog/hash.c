/* hash.c - content hashes of catalog objects: SHA-256 over a canonical,
 * unambiguous text form of each definition (its location excluded, its
 * transform's source included), so "did this change?" is a comparison. */
#include "catalog/model.h"
#include "util/buf.h"
#include "util/error.h"

#include <openssl/evp.h>
#include <string.h>

/* key=<length>:<bytes>; the length makes the form unambiguous */
static void put(fcat__buf *b, const char *key, const char *value)
{
	if (!value)
		value = "";
	fcat__buf_printf(b, "%s=%zu:", key, strlen(value));
	fcat__buf_puts(b, value);
	fcat__buf_putc(b, '\n');
}

static void put_int(fcat__buf *b, const char *key, long long v)
{
	fcat__buf_printf(b, "%s=%lld\n", key, v);
}

static void put_common(fcat__buf *b, const fcat_object *o)
{
	put(b, "kind", fcat_object_kind_name(o->kind));
	put(b, "name", o->name);
	put(b, "description", o->description);
	put(b, "owner", o->owner);
	put_int(b, "tags", (long long)o->ntags);
	for (size_t i = 0; i < o->ntags; i++) {
		put(b, "tag", o->tags[i].key);
		put(b, "value", o->tags[i].value);
	}
}

static void put_field(fcat__buf *b, const fcat__field *f)
{
	char type[64];
	fcat_type_format(type, sizeof type, f->type);
	put_common(b, &f->base);
	put(b, "type", type);
}

static void put_fields(fcat__buf *b, const char *key, const fcat__field *f, size_t n)
{
	put_int(b, key, (long long)n);
	for (size_t i = 0; i < n; i++)
		put_field(b, &f[i]);
}

static void put_refs(fcat__buf *b, const char *key, const fcat__ref *r, size_t n)
{
	put_int(b, key, (long long)n);
	for (size_t i = 0; i < n; i++)
		put(b, "ref", r[i].name);
}

/* What decides a view's values: its inputs and its transform. */
static void put_view_computation(fcat__buf *b, const fcat__view *v)
{
	put_refs(b, "entities", v->entity_refs, v->nentities);
	for (size_t e = 0; e < v->nentities; e++)
		put_fields(b, "join_keys", v->entities[e]->keys, v->entities[e]->nkeys);
	put(b, "source", v->source_ref.name);
	put(b, "timestamp_field", v->timestamp_field);
	put(b, "transform", v->transform.code);
	if (v->transform.code && v->source) /* the transform's input columns */
		put_fields(b, "source_schema", v->source->schema, v->source->nschema);
	if (v->aggs) {
		put_int(b, "aggregation_interval", v->agg_interval);
		for (size_t i = 0; i < v->naggs; i++) {
			put(b, "aggregation_column", v->aggs[i].column);
			put(b, "aggregation_fn", fcat__agg_fn_name(v->aggs[i].fn));
			put_int(b, "aggregation_window", v->aggs[i].window);
			put_int(b, "aggregation_n", v->aggs[i].n);
		}
	}
}

void fcat__object_canonical(fcat__buf *b, const fcat_object *o)
{
	switch (o->kind) {
	case FCAT_OBJ_ENTITY: {
		const fcat__entity *e = (const fcat__entity *)o;
		put_common(b, o);
		put_fields(b, "join_keys", e->keys, e->nkeys);
		break;
	}
	case FCAT_OBJ_SOURCE: {
		const fcat__source *s = (const fcat__source *)o;
		put_common(b, o);
		put(b, "path", s->path);
		put(b, "table", s->table);
		put(b, "query", s->query);
		put(b, "timestamp_field", s->timestamp_field);
		put(b, "created_timestamp_field", s->created_timestamp_field);
		put_fields(b, "schema", s->schema, s->nschema);
		break;
	}
	case FCAT_OBJ_VIEW: {
		const fcat__view *v = (const fcat__view *)o;
		put_common(b, o);
		put_view_computation(b, v);
		put_int(b, "ttl", v->ttl_seconds);
		put_int(b, "online", v->online);
		put_int(b, "offline", v->offline);
		put_fields(b, "schema", v->features, v->nfeatures);
		break;
	}
	case FCAT_OBJ_ON_DEMAND_VIEW: {
		const fcat__odv *d = (const fcat__odv *)o;
		put_common(b, o);
		put_refs(b, "sources", d->source_refs, d->nsources);
		put_fields(b, "request", d->request, d->nrequest);
		put_fields(b, "schema", d->features, d->nfeatures);
		put(b, "transform", d->transform.code);
		break;
	}
	case FCAT_OBJ_SERVICE: {
		const fcat__service *s = (const fcat__service *)o;
		put_common(b, o);
		put_refs(b, "features", s->feature_refs, s->nrefs);
		break;
	}
	case FCAT_OBJ_PUSH_SOURCE: {
		/* the declared schema only: the batch source's has its own hash */
		const fcat__push_source *p = (const fcat__push_source *)o;
		put_common(b, o);
		put(b, "batch_source", p->batch_ref.name);
		put_fields(b, "schema", p->own_schema, p->nown);
		break;
	}
	case FCAT_OBJ_FEATURE: {
		/* the feature itself, and what computes it, not its siblings */
		const fcat__field *f = (const fcat__field *)o;
		put_field(b, f);
		put(b, "view", f->parent->name);
		if (f->parent->kind == FCAT_OBJ_VIEW) {
			put_view_computation(b, (const fcat__view *)f->parent);
		} else {
			const fcat__odv *d = (const fcat__odv *)f->parent;
			put_refs(b, "sources", d->source_refs, d->nsources);
			put_fields(b, "request", d->request, d->nrequest);
			put(b, "transform", d->transform.code);
		}
		break;
	}
	default: break;
	}
}

static int sha256(unsigned char out[32], const fcat__buf *b, const char *name)
{
	unsigned int n = 0;
	if (b->oom || !EVP_Digest(b->ptr ? b->ptr : "", b->len, out, &n, EVP_sha256(), NULL))
		return fcat__error(FCAT_ENOMEM, "hashing '%s' failed", name);
	return 0;
}

/* The data hash of a view: its computation and its features' names and
 * types, in order. */
static int view_data_hash(fcat__buf *b, fcat__view *v)
{
	b->len = 0;
	put_view_computation(b, v);
	put_int(b, "features", (long long)v->nfeatures);
	for (size_t i = 0; i < v->nfeatures; i++) {
		char type[64];
		fcat_type_format(type, sizeof type, v->features[i].type);
		put(b, "feature", v->features[i].base.name);
		put(b, "type", type);
	}
	return sha256(v->data_hash, b, v->base.name);
}

int fcat__catalog_hash_all(fcat_catalog *c)
{
	fcat__buf b = {0};
	for (size_t i = 0; i < c->objects[FCAT_OBJ_VIEW].len; i++) {
		if (view_data_hash(&b, (fcat__view *)c->objects[FCAT_OBJ_VIEW].items[i])) {
			fcat__buf_free(&b);
			return FCAT_ENOMEM;
		}
	}
	for (int k = 0; k < FCAT_OBJ_KIND_COUNT; k++) {
		for (size_t i = 0; i < c->objects[k].len; i++) {
			fcat_object *o = c->objects[k].items[i];
			b.len = 0;
			fcat__object_canonical(&b, o);
			if (sha256(o->hash, &b, o->name)) {
				fcat__buf_free(&b);
				return FCAT_ENOMEM;
			}
		}
	}
	fcat__buf_free(&b);
	return 0;
}

void fcat_object_hash(char out[65], const fcat_object *o)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[o->hash[i] >> 4];
		out[2 * i + 1] = hex[o->hash[i] & 15];
	}
	out[64] = '\0';
}
