/* history.c - `fcat log`: the versions of an object, i.e. the commits where
 * its content hash changed, found by walking first parents. */
#include "config/config.h"
#include "git/catalog_at.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fcat_history {
	fcat__arena arena;
	fcat_object_version *items;
	size_t len, cap;
};

/* The state of the object at one commit: present with a hash, or absent. */
typedef struct state {
	bool known;
	char hash[65];
} state;

static bool is_path(const char *name)
{
	return strchr(name, '/') != NULL;
}

/* The object's hash at a commit; `dir_tree` memoizes the catalog tree. */
static int object_state(fcat__git *g, const git_oid *commit, const char *dir, const char *name,
                        state *s)
{
	fcat_catalog *c;
	int rc = fcat__catalog_at_commit(&c, g, commit, dir, false);
	if (rc == FCAT_EINVALID || rc == FCAT_ENOTFOUND) {
		s->known = false; /* a broken catalog says nothing about the object */
		fcat__error_clear();
		return 0;
	}
	if (rc)
		return rc;
	const fcat_object *o;
	s->known = true;
	if (fcat_catalog_lookup(&o, c, name) == 0)
		fcat_object_hash(s->hash, o);
	else
		s->hash[0] = '\0';
	fcat_catalog_free(c);
	fcat__error_clear();
	return 0;
}

static int file_state(fcat__git *g, git_commit *commit, const char *name, state *s)
{
	git_tree *root = NULL;
	git_tree_entry *e = NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s%s", g->prefix, name);
	if (git_commit_tree(&root, commit) < 0)
		return fcat__git_error("reading a commit");
	s->known = true;
	if (git_tree_entry_bypath(&e, root, path) == 0)
		git_oid_tostr(s->hash, sizeof s->hash, git_tree_entry_id(e));
	else
		s->hash[0] = '\0';
	git_tree_entry_free(e);
	git_tree_free(root);
	return 0;
}

static int record(fcat_history *h, git_commit *commit, const char *hash)
{
	if (!fcat__grow(&h->items, &h->cap, h->len, sizeof *h->items, 16))
		return fcat__error_oom();
	fcat_object_version *v = &h->items[h->len];
	git_oid_tostr(v->commit, sizeof v->commit, git_commit_id(commit));
	snprintf(v->hash, sizeof v->hash, "%s", hash);
	const git_signature *a = git_commit_author(commit);
	char who[512];
	snprintf(who, sizeof who, "%s <%s>", a->name, a->email);
	v->author = fcat__arena_strdup(&h->arena, who);
	v->time = (int64_t)git_commit_time(commit);
	const char *summary = git_commit_summary(commit);
	v->message = fcat__arena_strdup(&h->arena, summary ? summary : "");
	if (!v->author || !v->message)
		return fcat__error_oom();
	h->len++;
	return 0;
}

static int walk(fcat_history *h, fcat__git *g, const char *dir, const char *name, const char *rev)
{
	git_oid start, oid, last_tree;
	int rc = fcat__git_resolve(g, rev ? rev : "HEAD", &start);
	if (rc)
		return rc;
	git_revwalk *w = NULL;
	if (git_revwalk_new(&w, g->repo) < 0 || git_revwalk_push(w, &start) < 0)
		return fcat__git_error("walking the history");
	git_revwalk_simplify_first_parent(w);
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	state prev = {false, ""}, cur;
	bool have_tree = false;
	while (rc == 0 && git_revwalk_next(&oid, w) == 0) {
		git_commit *commit;
		if (git_commit_lookup(&commit, g->repo, &oid) < 0) {
			rc = fcat__git_error("reading a commit");
			break;
		}
		if (is_path(name)) {
			rc = file_state(g, commit, name, &cur);
		} else {
			git_oid tree;
			rc = fcat__git_dir_tree(g, &oid, dir, &tree);
			if (rc == 0 && have_tree && git_oid_equal(&tree, &last_tree)) {
				git_commit_free(commit);
				continue; /* the catalog did not change in this commit */
			}
			git_oid_cpy(&last_tree, &tree);
			have_tree = true;
			if (rc == 0)
				rc = object_state(g, &oid, dir, name, &cur);
		}
		if (rc == 0 && cur.known && strcmp(cur.hash, prev.hash) != 0) {
			if (cur.hash[0] || prev.known)
				rc = record(h, commit, cur.hash);
			prev = cur;
		}
		git_commit_free(commit);
	}
	git_revwalk_free(w);
	return rc;
}

int fcat_history_of(fcat_history **out, const char *repo_path, const char *name, const char *rev)
{
	*out = NULL;
	char *yaml = fcat__path_join(repo_path, "fcat.yaml");
	fcat_config *config;
	int rc = yaml ? fcat_config_load(&config, yaml) : fcat__error_oom();
	free(yaml);
	if (rc)
		return rc;
	fcat__git g;
	if ((rc = fcat__git_open(&g, repo_path))) {
		fcat_config_free(config);
		return rc;
	}
	fcat_history *h = calloc(1, sizeof *h);
	if (!h)
		rc = fcat__error_oom();
	else
		fcat__arena_init(&h->arena, 4096);
	if (rc == 0)
		rc = walk(h, &g, fcat_config_catalog_dir(config), name, rev);
	fcat__git_close(&g);
	fcat_config_free(config);
	if (rc == 0 && h->len == 0)
		rc = fcat__error(FCAT_ENOTFOUND, "'%s' has no versions in the history of %s", name,
		                 rev ? rev : "HEAD");
	if (rc) {
		fcat_history_free(h);
		return rc;
	}
	/* newest first */
	for (size_t i = 0; i < h->len / 2; i++) {
		fcat_object_version t = h->items[i];
		h->items[i] = h->items[h->len - 1 - i];
		h->items[h->len - 1 - i] = t;
	}
	*out = h;
	return 0;
}

size_t fcat_history_count(const fcat_history *h)
{
	return h->len;
}

const fcat_object_version *fcat_history_at(const fcat_history *h, size_t i)
{
	return i < h->len ? &h->items[i] : NULL;
}

void fcat_history_free(fcat_history *h)
{
	if (!h)
		return;
	fcat__arena_release(&h->arena);
	free(h->items);
	free(h);
}
