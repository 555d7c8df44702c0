/* compiled_cache.c - the compiled catalog: a binary image of a validated catalog, so
 * that opening a store needs no Lua and no git tree walk. Strings are stored
 * NUL-terminated and used in place; the image stays alive with the catalog. */
#include "catalog/compiled_cache.h"

#include "util/error.h"
#include "util/fs.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC          "FCATCAT\0"
#define FORMAT_VERSION 5u
/* magic, version, then the SHA-256 of everything after it */
#define HEADER_SIZE 44
#define NO_STRING   0xffffffffu

static const fcat_object_kind stored_kinds[] = {FCAT_OBJ_ENTITY,  FCAT_OBJ_SOURCE,
                                                FCAT_OBJ_VIEW,    FCAT_OBJ_ON_DEMAND_VIEW,
                                                FCAT_OBJ_SERVICE, FCAT_OBJ_PUSH_SOURCE};

/* ---- writing ---------------------------------------------------------- */

static void w_u32(fcat__buf *b, uint32_t v)
{
	fcat__buf_append(b, &v, 4);
}
static void w_i64(fcat__buf *b, int64_t v)
{
	fcat__buf_append(b, &v, 8);
}

static void w_str(fcat__buf *b, const char *s)
{
	if (!s) {
		w_u32(b, NO_STRING);
		return;
	}
	uint32_t n = (uint32_t)strlen(s);
	w_u32(b, n);
	fcat__buf_append(b, s, n + 1);
}

static void w_common(fcat__buf *b, const fcat_object *o)
{
	w_str(b, o->name);
	w_str(b, o->description);
	w_str(b, o->owner);
	w_u32(b, (uint32_t)o->ntags);
	for (size_t i = 0; i < o->ntags; i++) {
		w_str(b, o->tags[i].key);
		w_str(b, o->tags[i].value);
	}
	w_str(b, o->loc.file);
	w_u32(b, (uint32_t)o->loc.line);
	fcat__buf_append(b, o->hash, 32);
}

static void w_fields(fcat__buf *b, const fcat__field *f, size_t n)
{
	w_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		w_common(b, &f[i].base);
		w_u32(b, (uint32_t)f[i].type.scalar | (f[i].type.is_array ? 0x100u : 0));
		w_u32(b, f[i].type.dim);
	}
}

static void w_refs(fcat__buf *b, const fcat__ref *r, size_t n)
{
	w_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		w_str(b, r[i].name);
		w_u32(b, (uint32_t)r[i].loc.line);
	}
}

static void w_transform(fcat__buf *b, const fcat__transform *t)
{
	w_str(b, t->code);
	if (!t->code)
		return;
	w_u32(b, (uint32_t)t->loc.line);
	w_u32(b, (uint32_t)t->last_line);
}

static bool body_digest(unsigned char out[32], const void *body, size_t len)
{
	unsigned int n = 32;
	return EVP_Digest(body, len, out, &n, EVP_sha256(), NULL) == 1;
}

void fcat__cache_write(fcat__buf *b, const fcat_catalog *c)
{
	size_t start = b->len;
	fcat__buf_append(b, MAGIC, 8);
	w_u32(b, FORMAT_VERSION);
	unsigned char zero[32] = {0};
	fcat__buf_append(b, zero, 32);
	for (size_t k = 0; k < sizeof stored_kinds / sizeof *stored_kinds; k++) {
		const fcat__objvec *v = &c->objects[stored_kinds[k]];
		w_u32(b, (uint32_t)v->len);
		for (size_t i = 0; i < v->len; i++) {
			const fcat_object *o = v->items[i];
			w_common(b, o);
			switch (o->kind) {
			case FCAT_OBJ_ENTITY: {
				const fcat__entity *e = (const fcat__entity *)o;
				w_fields(b, e->keys, e->nkeys);
				break;
			}
			case FCAT_OBJ_SOURCE: {
				const fcat__source *s = (const fcat__source *)o;
				w_str(b, s->path);
				w_str(b, s->table);
				w_str(b, s->query);
				w_str(b, s->timestamp_field);
				w_str(b, s->created_timestamp_field);
				w_fields(b, s->schema, s->nschema);
				break;
			}
			case FCAT_OBJ_VIEW: {
				const fcat__view *x = (const fcat__view *)o;
				w_refs(b, x->entity_refs, x->nentities);
				w_refs(b, &x->source_ref, 1);
				w_str(b, x->timestamp_field);
				w_i64(b, x->ttl_seconds);
				w_u32(b, (uint32_t)x->online | (uint32_t)x->offline << 1);
				w_fields(b, x->features, x->nfeatures);
				w_transform(b, &x->transform);
				fcat__buf_append(b, x->data_hash, 32);
				w_u32(b, (uint32_t)x->naggs);
				w_i64(b, x->agg_interval);
				for (size_t k = 0; k < x->naggs; k++) {
					const fcat__aggregation *a = &x->aggs[k];
					w_str(b, a->column);
					w_u32(b, (uint32_t)a->fn);
					w_i64(b, a->window);
					w_u32(b, a->n);
					w_u32(b, (uint32_t)a->loc.line);
				}
				break;
			}
			case FCAT_OBJ_ON_DEMAND_VIEW: {
				const fcat__odv *x = (const fcat__odv *)o;
				w_refs(b, x->source_refs, x->nsources);
				w_fields(b, x->request, x->nrequest);
				w_fields(b, x->features, x->nfeatures);
				w_transform(b, &x->transform);
				break;
			}
			case FCAT_OBJ_SERVICE: {
				const fcat__service *x = (const fcat__service *)o;
				w_refs(b, x->feature_refs, x->nrefs);
				break;
			}
			case FCAT_OBJ_PUSH_SOURCE: {
				const fcat__push_source *x = (const fcat__push_source *)o;
				w_refs(b, &x->batch_ref, 1);
				w_fields(b, x->own_schema, x->nown);
				break;
			}
			default: break;
			}
		}
	}
	if (!b->oom && !body_digest((unsigned char *)b->ptr + start + 12,
	                            b->ptr + start + HEADER_SIZE, b->len - start - HEADER_SIZE))
		b->oom = true;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct reader {
	const char *p, *end;
	fcat_catalog *c;
	bool bad;
} reader;

/* Copies the next n bytes to out; when fewer are left, marks the reader bad
 * and leaves out as it was. */
static void r_bytes(reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint32_t r_u32(reader *r)
{
	uint32_t v = 0;
	r_bytes(r, &v, 4);
	return v;
}

static int64_t r_i64(reader *r)
{
	int64_t v = 0;
	r_bytes(r, &v, 8);
	return v;
}

static const char *r_str(reader *r)
{
	uint32_t n = r_u32(r);
	if (n == NO_STRING || r->bad)
		return NULL;
	if ((size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n] != '\0') {
		r->bad = true;
		return NULL;
	}
	const char *s = r->p;
	r->p += n + 1;
	return s;
}

static const char *r_nstr(reader *r)
{
	const char *s = r_str(r);
	if (!s)
		r->bad = true;
	return s ? s : "";
}

static void *r_alloc(reader *r, size_t size)
{
	void *p = fcat__arena_alloc(&r->c->arena, size ? size : 1);
	if (!p)
		r->bad = true;
	return p;
}

/* Bounds a count by the bytes left, so a damaged count cannot make us
 * allocate without limit. */
static uint32_t r_count(reader *r, size_t min_item)
{
	uint32_t n = r_u32(r);
	if ((size_t)n > (size_t)(r->end - r->p) / min_item) {
		r->bad = true;
		return 0;
	}
	return n;
}

static void r_common(reader *r, fcat_object *o, fcat_object_kind kind)
{
	o->kind = kind;
	o->name = r_nstr(r);
	o->description = r_nstr(r);
	o->owner = r_nstr(r);
	o->ntags = r_count(r, 8);
	o->tags = r_alloc(r, o->ntags * sizeof *o->tags);
	for (size_t i = 0; o->tags && i < o->ntags && !r->bad; i++) {
		o->tags[i].key = r_nstr(r);
		o->tags[i].value = r_nstr(r);
	}
	o->loc.file = r_nstr(r);
	o->loc.line = (int)r_u32(r);
	r_bytes(r, o->hash, 32);
}

static fcat__field *r_fields(reader *r, size_t *n, fcat_object_kind kind)
{
	*n = r_count(r, 40);
	fcat__field *f = r_alloc(r, *n * sizeof *f);
	for (size_t i = 0; f && i < *n && !r->bad; i++) {
		r_common(r, &f[i].base, kind);
		uint32_t t = r_u32(r);
		f[i].type.scalar = (fcat_scalar)(t & 0xff);
		f[i].type.is_array = (t & 0x100) != 0;
		f[i].type.dim = r_u32(r);
		f[i].index = i;
	}
	return f;
}

static fcat__ref *r_refs(reader *r, size_t *n, const char *file)
{
	*n = r_count(r, 9);
	fcat__ref *x = r_alloc(r, *n * sizeof *x);
	for (size_t i = 0; x && i < *n && !r->bad; i++) {
		x[i].name = r_nstr(r);
		x[i].loc.file = file;
		x[i].loc.line = (int)r_u32(r);
	}
	return x;
}

static void r_transform(reader *r, fcat__transform *t, const char *file)
{
	t->code = r_str(r);
	if (!t->code)
		return;
	t->loc.file = file;
	t->loc.line = (int)r_u32(r);
	t->last_line = (int)r_u32(r);
}

static void r_object(reader *r, fcat_object_kind kind)
{
	static const size_t sizes[FCAT_OBJ_KIND_COUNT] = {
	    [FCAT_OBJ_ENTITY] = sizeof(fcat__entity),
	    [FCAT_OBJ_SOURCE] = sizeof(fcat__source),
	    [FCAT_OBJ_VIEW] = sizeof(fcat__view),
	    [FCAT_OBJ_ON_DEMAND_VIEW] = sizeof(fcat__odv),
	    [FCAT_OBJ_SERVICE] = sizeof(fcat__service),
	    [FCAT_OBJ_PUSH_SOURCE] = sizeof(fcat__push_source)};
	fcat_object *o = r_alloc(r, sizes[kind]);
	if (!o)
		return;
	r_common(r, o, kind);
	const char *file = o->loc.file;
	switch (kind) {
	case FCAT_OBJ_ENTITY: {
		fcat__entity *e = (fcat__entity *)o;
		e->keys = r_fields(r, &e->nkeys, FCAT_OBJ_ENTITY);
		break;
	}
	case FCAT_OBJ_SOURCE: {
		fcat__source *s = (fcat__source *)o;
		s->path = r_str(r);
		s->table = r_str(r);
		s->query = r_str(r);
		s->timestamp_field = r_str(r);
		s->created_timestamp_field = r_str(r);
		s->schema = r_fields(r, &s->nschema, FCAT_OBJ_SOURCE);
		break;
	}
	case FCAT_OBJ_VIEW: {
		fcat__view *v = (fcat__view *)o;
		size_t one;
		v->entity_refs = r_refs(r, &v->nentities, file);
		fcat__ref *src = r_refs(r, &one, file);
		if (src && one == 1)
			v->source_ref = src[0];
		else
			r->bad = true;
		v->timestamp_field = r_str(r);
		v->ttl_seconds = r_i64(r);
		uint32_t flags = r_u32(r);
		v->online = flags & 1;
		v->offline = (flags >> 1) & 1;
		v->features = r_fields(r, &v->nfeatures, FCAT_OBJ_FEATURE);
		for (size_t i = 0; v->features && i < v->nfeatures; i++)
			v->features[i].parent = o;
		r_transform(r, &v->transform, file);
		r_bytes(r, v->data_hash, 32);
		v->naggs = r_count(r, 24);
		v->agg_interval = r_i64(r);
		if (v->naggs && v->naggs != v->nfeatures)
			r->bad = true;
		v->aggs = v->naggs && !r->bad ? r_alloc(r, v->naggs * sizeof *v->aggs) : NULL;
		for (size_t k = 0; v->aggs && k < v->naggs; k++) {
			fcat__aggregation *a = &v->aggs[k];
			a->column = r_str(r);
			a->fn = (fcat__agg_fn)r_u32(r);
			a->window = r_i64(r);
			a->n = r_u32(r);
			a->loc.file = file;
			a->loc.line = (int)r_u32(r);
			a->input = -1;
			if ((unsigned)a->fn >= FCAT__AGG_FN_COUNT || a->window <= 0)
				r->bad = true;
			if (a->window > v->agg_span)
				v->agg_span = a->window;
		}
		if (!v->aggs)
			v->naggs = 0;
		break;
	}
	case FCAT_OBJ_ON_DEMAND_VIEW: {
		fcat__odv *d = (fcat__odv *)o;
		d->source_refs = r_refs(r, &d->nsources, file);
		d->request = r_fields(r, &d->nrequest, FCAT_OBJ_ON_DEMAND_VIEW);
		d->features = r_fields(r, &d->nfeatures, FCAT_OBJ_FEATURE);
		for (size_t i = 0; d->features && i < d->nfeatures; i++)
			d->features[i].parent = o;
		r_transform(r, &d->transform, file);
		break;
	}
	case FCAT_OBJ_SERVICE: {
		fcat__service *s = (fcat__service *)o;
		s->feature_refs = r_refs(r, &s->nrefs, file);
		break;
	}
	case FCAT_OBJ_PUSH_SOURCE: {
		fcat__push_source *p = (fcat__push_source *)o;
		size_t one;
		fcat__ref *batch = r_refs(r, &one, file);
		if (batch && one == 1)
			p->batch_ref = batch[0];
		else
			r->bad = true;
		p->own_schema = r_fields(r, &p->nown, FCAT_OBJ_PUSH_SOURCE);
		break;
	}
	default: r->bad = true;
	}
	if (!r->bad && fcat__catalog_add(r->c, o) != 0)
		r->bad = true;
}

int fcat__cache_read(fcat_catalog **out, char *blob, size_t len)
{
	*out = NULL;
	if (len < HEADER_SIZE || memcmp(blob, MAGIC, 8) != 0) {
		free(blob);
		return fcat__error(FCAT_EINVALID, "not a compiled catalog");
	}
	uint32_t version;
	memcpy(&version, blob + 8, 4);
	if (version != FORMAT_VERSION) {
		free(blob);
		return fcat__error(FCAT_EVERSION, "compiled catalog format %u, expected %u",
		                   version, FORMAT_VERSION);
	}
	/* a damaged image is refused here, before anything of it is used */
	unsigned char digest[32];
	if (!body_digest(digest, blob + HEADER_SIZE, len - HEADER_SIZE) ||
	    memcmp(digest, blob + 12, 32) != 0) {
		free(blob);
		return fcat__error(FCAT_EINVALID, "the compiled catalog is damaged (checksum)");
	}
	fcat_catalog *c = fcat__catalog_new();
	if (!c) {
		free(blob);
		return fcat__error_oom();
	}
	c->image = blob;
	reader r = {blob + HEADER_SIZE, blob + len, c, false};
	for (size_t k = 0; k < sizeof stored_kinds / sizeof *stored_kinds && !r.bad; k++) {
		uint32_t n = r_count(&r, 40);
		for (uint32_t i = 0; i < n && !r.bad; i++)
			r_object(&r, stored_kinds[k]);
	}
	if (r.bad || r.p != r.end) {
		fcat_catalog_free(c);
		return fcat__error(FCAT_EINVALID, "the compiled catalog is damaged");
	}
	fcat__buf errors = {0};
	int problems = fcat__catalog_resolve(c, &errors);
	fcat__buf_free(&errors);
	if (problems != 0) {
		fcat_catalog_free(c);
		return problems < 0
		           ? problems
		           : fcat__error(FCAT_EINVALID, "the compiled catalog is inconsistent");
	}
	*out = c;
	return 0;
}

int fcat__cache_save(const char *path, const fcat_catalog *c)
{
	fcat__buf b = {0};
	fcat__cache_write(&b, c);
	if (b.oom) {
		fcat__buf_free(&b);
		return fcat__error_oom();
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	int ok = f && fwrite(b.ptr, 1, b.len, f) == b.len;
	ok = f && fclose(f) == 0 && ok;
	fcat__buf_free(&b);
	if (!ok || rename(tmp, path) != 0) {
		int err = errno;
		unlink(tmp);
		return fcat__error(FCAT_EIO, "%s: %s", path, strerror(err));
	}
	return 0;
}

int fcat__cache_load(fcat_catalog **out, const char *path)
{
	char *blob;
	size_t len;
	*out = NULL;
	int rc = fcat__read_file(&blob, &len, path);
	if (rc)
		return rc;
	return fcat__cache_read(out, blob, len);
}
