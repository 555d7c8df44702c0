/* repo.c - the feature repo's git repository through libgit2: resolving
 * revisions, reading definition files from a commit's tree, the applied ref,
 * uncommitted changes. */
#include "git/repo.h"

#include "util/error.h"
#include "util/grow.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fcat__git_error(const char *what)
{
	const git_error *e = git_error_last();
	return fcat__error(FCAT_EIO, "%s: %s", what, e && e->message ? e->message : "git error");
}

/* libgit2 is initialised once per process and stays so: initialising it
 * costs milliseconds (it loads TLS certificates), too much for every open. */
static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void git_init(void)
{
	git_libgit2_init();
}

int fcat__git_open(fcat__git *g, const char *root)
{
	*g = (fcat__git){0};
	pthread_once(&git_once, git_init);
	char *real = realpath(root, NULL);
	if (!real)
		return fcat__error(FCAT_ENOTFOUND, "%s: no such directory", root);
	if (git_repository_open_ext(&g->repo, real, 0, NULL) < 0) {
		int rc = fcat__error(FCAT_ENOTFOUND,
		                     "%s is not in a git repository (run `git init` "
		                     "and commit the catalog)",
		                     real);
		free(real);
		return rc;
	}
	const char *wd = git_repository_workdir(g->repo);
	if (!wd) {
		free(real);
		fcat__git_close(g);
		return fcat__error(FCAT_EINVALID, "%s: a bare git repository has no work tree",
		                   root);
	}
	char *wdreal = realpath(wd, NULL);
	size_t wl = wdreal ? strlen(wdreal) : 0;
	if (!wdreal || strncmp(real, wdreal, wl) != 0) {
		free(real);
		free(wdreal);
		fcat__git_close(g);
		return fcat__error(FCAT_EIO, "%s: cannot place it in its git work tree", root);
	}
	const char *rest = real + wl;
	while (*rest == '/')
		rest++;
	size_t rl = strlen(rest);
	g->prefix = malloc(rl + 2);
	if (g->prefix) {
		memcpy(g->prefix, rest, rl);
		if (rl)
			g->prefix[rl++] = '/';
		g->prefix[rl] = '\0';
	}
	free(real);
	free(wdreal);
	if (!g->prefix) {
		fcat__git_close(g);
		return fcat__error_oom();
	}
	return 0;
}

void fcat__git_close(fcat__git *g)
{
	if (!g->repo && !g->prefix)
		return;
	git_repository_free(g->repo);
	free(g->prefix);
	*g = (fcat__git){0};
}

const char *fcat__git_dir(const fcat__git *g)
{
	return git_repository_path(g->repo);
}

int fcat__git_resolve(fcat__git *g, const char *rev, git_oid *out)
{
	git_object *obj = NULL, *commit = NULL;
	if (git_revparse_single(&obj, g->repo, rev) < 0)
		return fcat__error(FCAT_ENOTFOUND, "unknown revision '%s'", rev);
	int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return fcat__error(FCAT_EINVALID, "'%s' does not name a commit", rev);
	git_oid_cpy(out, git_object_id(commit));
	git_object_free(commit);
	return 0;
}

int fcat__git_entry_at(git_tree_entry **out, fcat__git *g, const git_oid *commit, const char *path)
{
	*out = NULL;
	git_commit *c = NULL;
	git_tree *root = NULL;
	if (git_commit_lookup(&c, g->repo, commit) < 0 || git_commit_tree(&root, c) < 0) {
		git_commit_free(c);
		return fcat__git_error("reading a commit");
	}
	char full[PATH_MAX];
	snprintf(full, sizeof full, "%s%s", g->prefix, path);
	if (git_tree_entry_bypath(out, root, full) != 0)
		*out = NULL;
	git_tree_free(root);
	git_commit_free(c);
	return 0;
}

/* The tree of `dir` (relative to the feature repo) in a commit, or NULL. */
static int dir_tree(fcat__git *g, const git_oid *commit, const char *dir, git_tree **out)
{
	*out = NULL;
	git_tree_entry *entry;
	int rc = fcat__git_entry_at(&entry, g, commit, dir);
	if (rc == 0 && entry && git_tree_entry_type(entry) == GIT_OBJECT_TREE &&
	    git_tree_lookup(out, g->repo, git_tree_entry_id(entry)) < 0)
		rc = fcat__git_error("reading a tree");
	git_tree_entry_free(entry);
	return rc;
}

int fcat__git_dir_tree(fcat__git *g, const git_oid *commit, const char *dir, git_oid *out)
{
	git_tree *t;
	memset(out, 0, sizeof *out);
	int rc = dir_tree(g, commit, dir, &t);
	if (rc == 0 && t)
		git_oid_cpy(out, git_tree_id(t));
	git_tree_free(t);
	return rc;
}

typedef struct walk_ctx {
	fcat__git *g;
	const char *dir, *suffix;
	fcat__def_file *files;
	size_t n, cap;
	int rc;
} walk_ctx;

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	walk_ctx *w = payload;
	const char *name = git_tree_entry_name(entry);
	if (name[0] == '.')
		return git_tree_entry_type(entry) == GIT_OBJECT_TREE ? 1 : 0; /* skip hidden */
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
		return 0;
	size_t nl = strlen(name), sl = strlen(w->suffix);
	if (nl < sl || strcmp(name + nl - sl, w->suffix) != 0)
		return 0;
	git_blob *blob;
	if (git_blob_lookup(&blob, w->g->repo, git_tree_entry_id(entry)) < 0) {
		w->rc = fcat__git_error("reading a file");
		return -1;
	}
	if (!fcat__grow(&w->files, &w->cap, w->n, sizeof *w->files, 16)) {
		git_blob_free(blob);
		w->rc = fcat__error_oom();
		return -1;
	}
	fcat__def_file *f = &w->files[w->n];
	size_t len = (size_t)git_blob_rawsize(blob);
	size_t plen = strlen(w->dir) + 1 + strlen(root) + nl + 1;
	f->path = malloc(plen);
	f->text = malloc(len + 1);
	if (!f->path || !f->text) {
		free(f->path);
		free(f->text);
		git_blob_free(blob);
		w->rc = fcat__error_oom();
		return -1;
	}
	snprintf(f->path, plen, "%s/%s%s", w->dir, root, name);
	memcpy(f->text, git_blob_rawcontent(blob), len);
	f->text[len] = '\0';
	f->len = len;
	w->n++;
	git_blob_free(blob);
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const fcat__def_file *)a)->path, ((const fcat__def_file *)b)->path);
}

int fcat__git_read_dir(fcat__git *g, const git_oid *commit, const char *dir, const char *suffix,
                       fcat__def_file **files, size_t *n)
{
	*files = NULL;
	*n = 0;
	git_tree *t;
	int rc = dir_tree(g, commit, dir, &t);
	if (rc || !t)
		return rc;
	walk_ctx w = {g, dir, suffix, NULL, 0, 0, 0};
	git_tree_walk(t, GIT_TREEWALK_PRE, walk_cb, &w);
	git_tree_free(t);
	if (w.rc) {
		fcat__def_files_free(w.files, w.n);
		return w.rc;
	}
	if (w.n > 1)
		qsort(w.files, w.n, sizeof *w.files, cmp_file);
	*files = w.files;
	*n = w.n;
	return 0;
}

void fcat__def_files_free(fcat__def_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].text);
	}
	free(files);
}

static const char *status_word(unsigned s)
{
	if (s & GIT_STATUS_WT_NEW)
		return "untracked";
	if (s & (GIT_STATUS_INDEX_DELETED | GIT_STATUS_WT_DELETED))
		return "deleted";
	if (s & GIT_STATUS_INDEX_NEW)
		return "added, not committed";
	if (s &
	    (GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE))
		return "staged, not committed";
	return "modified";
}

int fcat__git_dirty(fcat__git *g, const char *const *dirs, size_t ndirs, fcat__buf *out)
{
	char *specs[8];
	size_t n = ndirs < 8 ? ndirs : 8;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(g->prefix) + strlen(dirs[i]) + 2;
		specs[i] = malloc(len);
		if (!specs[i]) { /* libgit2 would read a NULL pathspec */
			while (i > 0)
				free(specs[--i]);
			return fcat__error_oom();
		}
		snprintf(specs[i], len, "%s%s/", g->prefix, dirs[i]);
	}
	git_status_options opts;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
	             GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	opts.pathspec.strings = specs;
	opts.pathspec.count = n;
	git_status_list *list = NULL;
	int rc = git_status_list_new(&list, g->repo, &opts);
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	if (rc < 0)
		return fcat__git_error("reading the status of the work tree");
	int count = 0;
	size_t total = git_status_list_entrycount(list);
	for (size_t i = 0; i < total; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED))
			continue;
		const git_diff_delta *d =
		    e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
		const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;
		if (strncmp(path, g->prefix, strlen(g->prefix)) == 0)
			path += strlen(g->prefix);
		fcat__buf_printf(out, "  %s (%s)\n", path, status_word(e->status));
		count++;
	}
	git_status_list_free(list);
	return count;
}

int fcat__git_applied(fcat__git *g, git_oid *out)
{
	int rc = git_reference_name_to_id(out, g->repo, FCAT_APPLIED_REF);
	if (rc == GIT_ENOTFOUND)
		return fcat__error(FCAT_ENOTFOUND, "no catalog version has been applied yet: run "
		                                   "`fcat apply`");
	return rc < 0 ? fcat__git_error("reading " FCAT_APPLIED_REF) : 0;
}

int fcat__git_set_applied(fcat__git *g, const git_oid *commit, const char *message)
{
	git_reference *ref = NULL;
	int rc = git_reference_create(&ref, g->repo, FCAT_APPLIED_REF, commit, 1, message);
	git_reference_free(ref);
	return rc < 0 ? fcat__git_error("writing " FCAT_APPLIED_REF) : 0;
}
