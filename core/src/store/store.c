/* store.c - the store handle: a feature repo's configuration and the
 * catalog version it serves (applied, a commit, or the work tree). */
#include "store/store.h"

#include "git/catalog_at.h"
#include "store/access.h"
#include "store/audit.h"
#include "util/error.h"
#include "util/fs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *setting(const fcat_plugin_config *base, const char *key)
{
	const fcat__plugin_config *pc = (const fcat__plugin_config *)base;
	if (pc->role < 0)
		return NULL;
	return fcat_config_store_setting(pc->config, (fcat_store_role)pc->role, key);
}

void fcat__plugin_config_init_at(fcat__plugin_config *pc, const char *root,
                                 const fcat_config *config, int role)
{
	memset(pc, 0, sizeof *pc);
	pc->base.repo_root = root;
	pc->base.project = fcat_config_project(config);
	pc->base.section = role == FCAT_ONLINE_STORE    ? "online_store"
	                   : role == FCAT_OFFLINE_STORE ? "offline_store"
	                                                : "source";
	pc->base.get = setting;
	pc->base.impl = pc;
	pc->config = config;
	pc->role = role;
}

void fcat__plugin_config_init(fcat__plugin_config *pc, const fcat_store *s, int role)
{
	fcat__plugin_config_init_at(pc, s->root, s->config, role);
}

/* A thread's engine, linked into its store's list. */
typedef struct fcat__store_tx {
	fcat__tx *tx;
	fcat_store *store;
	struct fcat__store_tx *next, **prev;
} store_engine;

static void unlink_engine(store_engine *e)
{
	*e->prev = e->next;
	if (e->next)
		e->next->prev = e->prev;
	fcat__tx_free(e->tx);
	free(e);
}

/* Runs when a thread that used the store exits. */
static void engine_destructor(void *p)
{
	store_engine *e = p;
	pthread_mutex_lock(&e->store->lock);
	fcat_store *s = e->store;
	unlink_engine(e);
	pthread_mutex_unlock(&s->lock);
}

int fcat__store_tx(fcat_store *s, fcat__tx **out)
{
	store_engine *e = pthread_getspecific(s->tx_key);
	if (e) {
		*out = e->tx;
		return 0;
	}
	e = calloc(1, sizeof *e);
	if (!e)
		return fcat__error_oom();
	fcat__sandbox_limits limits = {s->config->transform_memory,
	                               s->config->transform_instructions};
	int rc = fcat__tx_new(&e->tx, &limits);
	if (rc) {
		free(e);
		return rc;
	}
	e->store = s;
	pthread_mutex_lock(&s->lock);
	e->next = s->engines;
	if (e->next)
		e->next->prev = &e->next;
	e->prev = &s->engines;
	s->engines = e;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->tx_key, e);
	*out = e->tx;
	return 0;
}

int fcat__store_online(fcat_store *s, const fcat_online_ops **ops, void **handle)
{
	return fcat__online_conn_get(s->online, ops, handle);
}

/* The version the store reads, and the policies of that version (for
 * check, explain and test; they never decide). */
static int load_version(fcat_store *s, const fcat_open_options *o, fcat__git *g,
                        const git_oid *applied)
{
	if (o->catalog == FCAT_CATALOG_WORKTREE) {
		int rc =
		    fcat_catalog_load_dir(&s->catalog, s->root, fcat_config_catalog_dir(s->config));
		return rc ? rc
		          : fcat__access_read_set(&s->version_policy, s->root, s->config, NULL,
		                                  NULL, "the work tree");
	}
	if (o->catalog == FCAT_CATALOG_APPLIED) {
		/* the catalog directory as committed, like the policy settings */
		s->version_policy = s->policy;
		return fcat__catalog_at_commit(&s->catalog, g, applied,
		                               fcat_config_catalog_dir(s->applied_config), true);
	}
	git_oid commit;
	int rc = fcat__git_resolve(g, o->commit ? o->commit : "HEAD", &commit);
	if (rc)
		return rc;
	fcat_config *c = NULL;
	rc = fcat__git_config_at(&c, g, &commit);
	if (rc == FCAT_ENOTFOUND) { /* a commit from before fcat.yaml was committed */
		fcat__error_clear();
		rc = 0;
	}
	const fcat_config *use = c ? c : s->config;
	char id[GIT_OID_HEXSZ + 1], what[64];
	git_oid_tostr(id, sizeof id, &commit);
	snprintf(what, sizeof what, "commit %.12s", id);
	if (rc == 0)
		rc = fcat__catalog_at_commit(&s->catalog, g, &commit, fcat_config_catalog_dir(use),
		                             true);
	if (rc == 0)
		rc = fcat__access_read_set(&s->version_policy, s->root, use, g, &commit, what);
	fcat_config_free(c);
	return rc;
}

static const char not_applied[] =
    "nothing has been applied yet, and reads are denied until `fcat apply` (the applied "
    "policies decide)";
static const char not_versioned[] =
    "this repo is not in a git repository, so no policies are applied, and with policy "
    "files present every read is denied";

/* The policies that decide come from the applied commit, whatever version
 * the store reads: see policy_load.c. */
static int load_catalog(fcat_store *s, const fcat_open_options *o)
{
	fcat__git g;
	int rc = fcat__git_open(&g, s->root);
	bool git = rc == 0;
	if (!git && o->catalog != FCAT_CATALOG_WORKTREE)
		return rc;
	fcat__error_clear();
	git_oid applied;
	bool have_applied = false;
	if (git) {
		rc = fcat__git_applied(&g, &applied);
		have_applied = rc == 0;
		if (rc == FCAT_ENOTFOUND && o->catalog != FCAT_CATALOG_APPLIED) {
			fcat__error_clear();
			rc = 0;
		}
		if (rc == 0)
			rc = have_applied ? fcat__access_load_applied(s, &g, &applied) : 0;
	} else {
		rc = 0;
	}
	if (rc == 0)
		rc = load_version(s, o, git ? &g : NULL, &applied);
	if (rc == 0 && have_applied && o->catalog != FCAT_CATALOG_APPLIED)
		rc = fcat__catalog_at_commit(&s->applied_catalog, &g, &applied,
		                             fcat_config_catalog_dir(s->applied_config), true);
	if (rc == 0 && !have_applied)
		s->closed = git ? not_applied : s->version_policy ? not_versioned : NULL;
	if (git)
		fcat__git_close(&g);
	return rc;
}

/* Opens the store; with `share`, reads through its online connection. */
static int store_open(fcat_store **out, const char *repo_path, const fcat_open_options *options,
                      fcat__online_conn *share)
{
	static const fcat_open_options defaults = FCAT_OPEN_OPTIONS_INIT;
	const fcat_open_options *o = options ? options : &defaults;
	*out = NULL;
	if (o->version != FCAT_OPEN_OPTIONS_VERSION)
		return fcat__error(FCAT_EVERSION,
		                   "fcat_open_options version %u, this library "
		                   "knows %u",
		                   o->version, FCAT_OPEN_OPTIONS_VERSION);
	if ((unsigned)o->catalog > FCAT_CATALOG_WORKTREE)
		return fcat__error(FCAT_EUSAGE, "unknown catalog source %d", (int)o->catalog);
	fcat_store *s = calloc(1, sizeof *s);
	if (!s)
		return fcat__error_oom();
	pthread_mutex_init(&s->lock, NULL);
	if (pthread_key_create(&s->tx_key, engine_destructor) != 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return fcat__error_oom();
	}
	int rc = 0;
	s->root = realpath(repo_path, NULL);
	if (!s->root) {
		rc = fcat__error(FCAT_ENOTFOUND, "%s: no such directory", repo_path);
		goto fail;
	}
	char *yaml = fcat__path_join(s->root, "fcat.yaml");
	if (!yaml) {
		rc = fcat__error_oom();
		goto fail;
	}
	rc = fcat_config_load(&s->config, yaml);
	if (rc == FCAT_ENOTFOUND)
		fcat__error(rc, "%s is not a feature repo: it has no fcat.yaml", s->root);
	if (rc == 0 && share)
		s->online = fcat__online_conn_ref(share);
	else if (rc == 0)
		rc = fcat__online_conn_new(&s->online, s->root, yaml);
	free(yaml);
	s->source = o->catalog;
	s->principal = strdup(o->principal && *o->principal ? o->principal : "anonymous");
	s->caller = (fcat__caller){.name = s->principal};
	if (!s->principal || (o->commit && !(s->commit = strdup(o->commit))))
		rc = rc ? rc : fcat__error_oom();
	if (rc || (rc = load_catalog(s, o)))
		goto fail;
	*out = s;
	return 0;
fail:
	fcat_store_free(s);
	return rc;
}

int fcat_store_open_ext(fcat_store **out, const char *repo_path, const fcat_open_options *options)
{
	return store_open(out, repo_path, options, NULL);
}

int fcat_store_reopen(fcat_store **out, const fcat_store *from)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = from->source;
	o.commit = from->commit;
	o.principal = from->principal;
	return store_open(out, from->root, &o, from->online);
}

int fcat_store_open(fcat_store **out, const char *repo_path)
{
	return fcat_store_open_ext(out, repo_path, NULL);
}

void fcat_store_free(fcat_store *s)
{
	if (!s)
		return;
	fcat__store_audit_close(s); /* first: it reports what was lost */
	fcat__online_conn_unref(s->online);
	pthread_key_delete(s->tx_key); /* no destructor runs after this */
	while (s->engines)
		unlink_engine(s->engines);
	pthread_mutex_destroy(&s->lock);
	if (s->version_policy != s->policy)
		fcat__policy_free(s->version_policy);
	fcat__policy_free(s->policy);
	fcat_catalog_free(s->applied_catalog);
	fcat_config_free(s->applied_config);
	free(s->principal);
	free(s->commit);
	fcat_catalog_free(s->catalog);
	fcat_config_free(s->config);
	free(s->root);
	free(s);
}

const fcat_config *fcat_store_config(const fcat_store *s)
{
	return s->config;
}
const fcat_catalog *fcat_store_catalog(const fcat_store *s)
{
	return s->catalog;
}
const char *fcat_store_root(const fcat_store *s)
{
	return s->root;
}

bool fcat_store_may_describe(const fcat_store *s, const fcat_object *o)
{
	return fcat__access_describe(s, o);
}

static bool visible(const void *ctx, const fcat_object *o)
{
	return fcat__access_describe(ctx, o);
}

int fcat_store_lineage(char **out, const fcat_store *s, const char *name,
                       fcat_lineage_format format)
{
	const fcat_object *o;
	*out = NULL;
	if (fcat_catalog_lookup(&o, s->catalog, name) == 0 && !fcat__access_describe(s, o))
		return fcat__error(FCAT_EDENIED, "%s may not describe '%s'", s->principal, name);
	return fcat__lineage(out, s->catalog, name, format, visible, s);
}

const char *fcat_store_principal(const fcat_store *s)
{
	return s->principal;
}
