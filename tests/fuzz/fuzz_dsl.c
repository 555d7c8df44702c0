/* fuzz_dsl.c - fuzzes the definition DSL: Lua source run in the definition
 * sandbox (fcat__catalog_build: the vocabulary of catalog/dsl.c, the
 * resolution and checks of a whole catalog, hashes), then what a built
 * catalog feeds: lineage, the compiled cache image, and each feature view's
 * transform called once in a transform sandbox (transform/engine.c and the
 * Lua -> value conversion). Also the sandbox's own Lua pattern matcher
 * (lua/pattern.c) on a fuzzed subject and pattern.
 *
 * Input: the Lua text of catalog/fuzz.lua; optionally, after FUZZ_SEP, a
 * subject and (after another FUZZ_SEP) a pattern for string.find, match,
 * gmatch and gsub.
 * Properties: no crash, UB or leak, whatever the Lua does (errors, loops
 * and memory hogs end at the sandbox's limits: the fuzz build gives
 * definitions a budget of 2e6 instructions); a refused catalog is
 * FCAT_EINVALID, FCAT_ETIMEOUT or FCAT_ENOMEM; a built catalog's compiled
 * image reads back with the same objects and hashes. */
#include "fuzz_util.h"

#include "catalog/compiled_cache.h"
#include "catalog/model.h"
#include "lua/sandbox.h"
#include "transform/engine.h"
#include "util/arena.h"
#include "util/buf.h"

#include "fcat.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

static const fcat__sandbox_limits tx_limits = {16u << 20, 200000};

/* The compiled image reads back as the same catalog. */
static void image_round_trip(const fcat_catalog *c)
{
	fcat__buf b = {0};
	fcat__cache_write(&b, c);
	if (b.oom) {
		fcat__buf_free(&b);
		return;
	}
	size_t len = b.len;
	fcat_catalog *back = NULL;
	int rc = fcat__cache_read(&back, fcat__buf_detach(&b), len);
	fuzz_check(rc == 0, "the image of a catalog does not read back: %s", fcat_error_last());
	for (int k = 0; k < FCAT_OBJ_KIND_COUNT; k++) {
		fuzz_check(c->objects[k].len == back->objects[k].len,
		           "kind %d: %zu objects, not %zu", k, back->objects[k].len,
		           c->objects[k].len);
		for (size_t i = 0; i < c->objects[k].len; i++) {
			const fcat_object *a = c->objects[k].items[i],
			                  *z = back->objects[k].items[i];
			fuzz_check(strcmp(a->name, z->name) == 0 &&
			               memcmp(a->hash, z->hash, sizeof a->hash) == 0,
			           "'%s' reads back with another name or hash", a->name);
		}
	}
	fcat_catalog_free(back);
}

static void lineage_of_all(const fcat_catalog *c)
{
	for (int k = 0; k < FCAT_OBJ_KIND_COUNT; k++) {
		if (k == FCAT_OBJ_FEATURE)
			continue;
		for (size_t i = 0; i < c->objects[k].len && i < 8; i++) {
			char *out = NULL;
			int rc = fcat_lineage(&out, c, c->objects[k].items[i]->name,
			                      (fcat_lineage_format)((i + (size_t)k) % 3));
			fuzz_check(rc == 0 || rc == FCAT_ENOMEM, "lineage of '%s': %d",
			           c->objects[k].items[i]->name, rc);
			fcat_free(out);
		}
	}
}

/* A plain value of a type: 7, 2.5, "ab", true, a time; arrays of two. */
static fcat_value sample(fcat_type t, size_t i, void *items)
{
	static const fcat_bytes ab[2] = {{"ab", 2}, {"c", 1}};
	fcat_value v = {.type = t, .is_null = i % 4 == 3};
	if (t.is_array) {
		size_t n = t.dim ? (t.dim < 2 ? t.dim : 2) : 2;
		switch (t.scalar) {
		case FCAT_INT32: memcpy(items, (int32_t[]){7, -1}, n * 4); break;
		case FCAT_FLOAT32: memcpy(items, (float[]){2.5f, 0}, n * 4); break;
		case FCAT_FLOAT64: memcpy(items, (double[]){2.5, -0.0}, n * 8); break;
		case FCAT_STRING:
		case FCAT_BYTES: memcpy(items, ab, n * sizeof *ab); break;
		case FCAT_BOOL: memcpy(items, (bool[]){true, false}, n); break;
		default: memcpy(items, (int64_t[]){7, 1767323045000000}, n * 8); break;
		}
		v.u.array.items = items;
		v.u.array.len = t.dim && t.dim > 2 ? 0 : n;
		if (t.dim > 2)
			v.is_null = true; /* no sample that long */
		return v;
	}
	switch (t.scalar) {
	case FCAT_INT32: v.u.i32 = 7; break;
	case FCAT_INT64: v.u.i64 = 7; break;
	case FCAT_FLOAT32: v.u.f32 = 2.5f; break;
	case FCAT_FLOAT64: v.u.f64 = 2.5; break;
	case FCAT_STRING:
	case FCAT_BYTES: v.u.str = ab[0]; break;
	case FCAT_BOOL: v.u.b = true; break;
	default: v.u.ts = 1767323045000000; break;
	}
	return v;
}

/* Calls each feature view's transform once, on its source's declared
 * columns (or, without a declared schema, its own feature names). */
static void run_transforms(const fcat_catalog *c)
{
	fcat__tx *tx = NULL;
	if (fcat__tx_new(&tx, &tx_limits) != 0)
		return;
	fcat__arena arena;
	fcat__arena_init(&arena, 4096);
	for (size_t i = 0; i < c->objects[FCAT_OBJ_VIEW].len && i < 4; i++) {
		const fcat__view *v = (const fcat__view *)c->objects[FCAT_OBJ_VIEW].items[i];
		if (!v->transform.code)
			continue;
		const fcat__field *cols = v->source->nschema ? v->source->schema : v->features;
		size_t n = v->source->nschema ? v->source->nschema : v->nfeatures;
		const char **names = calloc(n + 1, sizeof *names);
		fcat_value *in = calloc(n + 1, sizeof *in);
		fcat_value *out = calloc(v->nfeatures + 1, sizeof *out);
		int64_t(*items)[2] = calloc(n + 1, sizeof *items);
		fuzz_check(names && in && out && items, "out of memory");
		for (size_t k = 0; k < n; k++) {
			names[k] = cols[k].base.name;
			in[k] = sample(cols[k].type, k, items[k]);
		}
		fcat__arena_reset(&arena);
		int rc = fcat__tx_call(tx, &v->transform, names, in, n, v->features, v->nfeatures,
		                       out, &arena);
		fuzz_check(rc == 0 || rc == FCAT_EINVALID || rc == FCAT_ETIMEOUT ||
		               rc == FCAT_ENOMEM,
		           "transform of '%s': %d (%s)", v->base.name, rc, fcat_error_last());
		free(names);
		free(in);
		free(out);
		free(items);
	}
	fcat__arena_release(&arena);
	fcat__tx_free(tx);
}

/* string.find, match, gmatch and gsub of a fuzzed pattern on a subject. */
static void run_patterns(const fuzz_part *subject, const fuzz_part *pattern)
{
	static const char code[] = "local s, p = ...\n"
	                           "string.find(s, p) string.find(s, p, 2)\n"
	                           "string.match(s, p) string.match(s, p, -3)\n"
	                           "for a in string.gmatch(s, p) do end\n"
	                           "string.gsub(s, p, '%0%1') string.gsub(s, p, {}, 3)\n"
	                           "string.gsub(s, p, function(x) return x end)\n";
	lua_State *L = fcat__sandbox_new(&tx_limits);
	if (!L)
		return;
	if (luaL_loadbufferx(L, code, sizeof code - 1, "=patterns", "t") == LUA_OK) {
		lua_pushlstring(L, subject->ptr, subject->len);
		lua_pushlstring(L, pattern->ptr, pattern->len);
		(void)fcat__sandbox_pcall(L, 2, 0);
	}
	fcat__sandbox_free(L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_part parts[3];
	size_t nparts = fuzz_split(parts, 3, data, size);
	char *text = fuzz_strndup(parts[0].ptr, parts[0].len);
	fcat__def_file f = {"catalog/fuzz.lua", text, parts[0].len};
	fcat_catalog *c = NULL;
	int rc = fcat__catalog_build(&c, &f, 1);
	if (rc != 0) {
		fuzz_check(c == NULL, "a refused catalog was returned");
		fuzz_check(rc == FCAT_EINVALID || rc == FCAT_ETIMEOUT || rc == FCAT_ENOMEM,
		           "build: %d (%s)", rc, fcat_error_last());
	} else {
		lineage_of_all(c);
		image_round_trip(c);
		run_transforms(c);
		fcat_catalog_free(c);
	}
	free(text);
	if (nparts == 3)
		run_patterns(&parts[1], &parts[2]);
	return 0;
}
