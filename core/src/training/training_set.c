/* training_set.c - the training set handle: its columns (the entity columns
 * as given, then the features) laid out from a built request, read one at a
 * time, its metadata, and its lifetime shared with Arrow exports. */
#include "training/training_set.h"

#include "util/error.h"
#include "util/parallel.h"

#include <stdlib.h>
#include <string.h>

/* Feature f's value for entity row r. */
static const fcat_value *feature_value(const fcat__treq *q, size_t r, const fcat__field *f)
{
	if (f->parent->kind == FCAT_OBJ_VIEW) {
		for (size_t i = 0; i < q->nviews; i++)
			if (&q->views[i].view->base == f->parent)
				return &q->views[i]
				            .values[r * q->views[i].view->nfeatures + f->index];
		return NULL;
	}
	for (size_t i = 0; i < q->nodvs; i++)
		if (&q->odvs[i]->base == f->parent)
			return &q->odv_out[i][r * q->odvs[i]->nfeatures + f->index];
	return NULL;
}

static char *feature_name(const fcat__field *f, bool full)
{
	size_t n = strlen(f->parent->name) + strlen(f->base.name) + 3;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", full ? f->parent->name : "", full ? "__" : "",
		         f->base.name);
	return s;
}

/* Column c of the set from entity column c or feature c - nentity. */
static int fill_column(fcat_training_set *t, const fcat__treq *q, size_t c, bool full)
{
	const fcat__entities *ent = q->ent;
	fcat__colbuild *b = &t->builds[c];
	fcat__buf scratch = {0};
	int rc = 0;
	if (c < ent->ncols) {
		const fcat_column *in = &ent->cols[c];
		fcat__colbuild_init(b, in->type);
		t->names[c] = strdup(in->name);
		for (size_t r = 0; rc == 0 && r < t->nrows; r++) {
			fcat_value v;
			rc = fcat__column_cell(&v, in, r, &scratch);
			if (rc == 0)
				rc = fcat__colbuild_add(b, &v);
		}
	} else {
		const fcat__field *f = q->features[c - ent->ncols];
		fcat__colbuild_init(b, f->type);
		t->names[c] = feature_name(f, full);
		for (size_t r = 0; rc == 0 && r < t->nrows; r++) {
			const fcat_value *v = feature_value(q, r, f);
			fcat_value null = {.type = f->type, .is_null = true};
			rc = fcat__colbuild_add(b, v ? v : &null);
			if (rc)
				rc = fcat__error_wrap(rc, "feature '%s:%s', entity row %zu",
				                      f->parent->name, f->base.name, r + 1);
		}
	}
	fcat__buf_free(&scratch);
	if (rc == 0 && !t->names[c])
		rc = fcat__error_oom();
	if (rc == 0)
		t->cols[c] = fcat__colbuild_column(b, t->names[c]);
	return rc;
}

typedef struct fill_job {
	fcat_training_set *t;
	const fcat__treq *q;
	bool full;
} fill_job;

/* The columns of one part, a contiguous range: the first failing part
 * then holds the first failing column, whose error comes back. */
static int fill_part(void *ctx, size_t part, size_t nparts)
{
	const fill_job *j = ctx;
	size_t n = j->t->ncols;
	int rc = 0;
	for (size_t c = n * part / nparts; rc == 0 && c < n * (part + 1) / nparts; c++)
		rc = fill_column(j->t, j->q, c, j->full);
	return rc;
}

static int fill_meta(fcat_training_set *t, const fcat__treq *q)
{
	t->commit = strdup(fcat_catalog_commit(q->s->catalog));
	t->features = calloc(q->nfeatures + 1, sizeof *t->features);
	if (!t->commit || !t->features)
		return fcat__error_oom();
	t->nfeatures = q->nfeatures;
	for (size_t i = 0; i < q->nfeatures; i++) {
		const fcat__field *f = q->features[i];
		fcat__tset_feature *m = &t->features[i];
		char type[64];
		fcat_object_hash(m->hash, &f->base);
		fcat_type_format(type, sizeof type, f->type);
		m->view = strdup(f->parent->name);
		m->name = strdup(f->base.name);
		m->type = strdup(type);
		if (!m->view || !m->name || !m->type)
			return fcat__error_oom();
	}
	return 0;
}

int fcat__treq_result(fcat_training_set **out, const fcat__treq *q, bool full_names)
{
	*out = NULL;
	fcat_training_set *t = calloc(1, sizeof *t);
	if (!t)
		return fcat__error_oom();
	t->refs = 1;
	t->nrows = q->ent->nrows;
	t->ncols = q->ent->ncols + q->nfeatures;
	t->names = calloc(t->ncols + 1, sizeof *t->names);
	t->builds = calloc(t->ncols + 1, sizeof *t->builds);
	t->cols = calloc(t->ncols + 1, sizeof *t->cols);
	int rc = t->names && t->builds && t->cols ? 0 : fcat__error_oom();
	/* a large set's columns are filled at once, a small one's on this
	 * thread (starting threads would cost more) */
	fill_job job = {t, q, full_names};
	size_t parts = t->nrows >= 65536 ? fcat__parallel_parts(t->ncols < 8 ? t->ncols : 8) : 1;
	if (rc == 0)
		rc = fcat__parallel(parts, fill_part, &job);
	if (rc == 0)
		rc = fill_meta(t, q);
	if (rc) {
		fcat_training_set_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void fcat__training_set_ref(fcat_training_set *set)
{
	__atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
}

void fcat__training_set_unref(fcat_training_set *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->names)
			free(t->names[c]);
		if (t->builds)
			fcat__colbuild_free(&t->builds[c]);
	}
	for (size_t i = 0; t->features && i < t->nfeatures; i++) {
		free(t->features[i].view);
		free(t->features[i].name);
		free(t->features[i].type);
	}
	free(t->features);
	free(t->names);
	free(t->builds);
	free(t->cols);
	free(t->commit);
	free(t);
}

void fcat_training_set_free(fcat_training_set *set)
{
	fcat__training_set_unref(set);
}

size_t fcat_training_set_rows(const fcat_training_set *set)
{
	return set ? set->nrows : 0;
}

size_t fcat_training_set_column_count(const fcat_training_set *set)
{
	return set ? set->ncols : 0;
}

int fcat_training_set_column(fcat_column *out, const fcat_training_set *set, size_t i)
{
	if (!out || !set || i >= set->ncols)
		return fcat__error(FCAT_EUSAGE,
		                   "training set column %zu: out of range (%zu columns)", i,
		                   set ? set->ncols : 0);
	*out = set->cols[i];
	return 0;
}

const char *fcat_training_set_catalog_commit(const fcat_training_set *set)
{
	return set && set->commit ? set->commit : "";
}

json_t *fcat__training_set_meta(const fcat_training_set *t, const char *entity_file)
{
	json_t *j = json_object(), *fs = json_array();
	json_object_set_new(j, "catalog_commit", json_string(t->commit));
	if (entity_file)
		json_object_set_new(j, "entity_file", json_string(entity_file));
	json_object_set_new(j, "rows", json_integer((json_int_t)t->nrows));
	for (size_t i = 0; i < t->nfeatures; i++) {
		const fcat__tset_feature *f = &t->features[i];
		json_t *x = json_object();
		json_object_set_new(x, "view", json_string(f->view));
		json_object_set_new(x, "name", json_string(f->name));
		json_object_set_new(x, "type", json_string(f->type));
		json_object_set_new(x, "hash", json_string(f->hash));
		json_array_append_new(fs, x);
	}
	json_object_set_new(j, "features", fs);
	return j;
}

int fcat_training_set_meta_json(char **out, const fcat_training_set *set)
{
	if (!out || !set)
		return fcat__error(FCAT_EUSAGE, "fcat_training_set_meta_json: NULL argument");
	json_t *j = fcat__training_set_meta(set, NULL);
	char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	*out = text ? strdup(text) : NULL;
	free(text);
	return *out ? 0 : fcat__error_oom();
}
