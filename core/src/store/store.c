/* store.c - the store handle: a feature repo's configuration and the
 * catalog version it serves (applied, a commit, or the work tree). */
#include "config/config.h"
#include "git/catalog_at.h"
#include "util/error.h"
#include "util/fs.h"

#include <limits.h>
#include <stdlib.h>

struct fcat_store {
	char *root;
	fcat_config *config;
	fcat_catalog *catalog;
};

static int load_catalog(fcat_store *s, const fcat_open_options *o)
{
	const char *dir = fcat_config_catalog_dir(s->config);
	if (o->catalog == FCAT_CATALOG_WORKTREE)
		return fcat_catalog_load_dir(&s->catalog, s->root, dir);
	fcat__git g;
	git_oid commit;
	int rc = fcat__git_open(&g, s->root);
	if (rc)
		return rc;
	if (o->catalog == FCAT_CATALOG_COMMIT)
		rc = fcat__git_resolve(&g, o->commit ? o->commit : "HEAD", &commit);
	else
		rc = fcat__git_applied(&g, &commit);
	if (rc == 0)
		rc = fcat__catalog_at_commit(&s->catalog, &g, &commit, dir, true);
	fcat__git_close(&g);
	return rc;
}

int fcat_store_open_ext(fcat_store **out, const char *repo_path,
			const fcat_open_options *options)
{
	static const fcat_open_options defaults = FCAT_OPEN_OPTIONS_INIT;
	const fcat_open_options *o = options ? options : &defaults;
	*out = NULL;
	if (o->version != FCAT_OPEN_OPTIONS_VERSION)
		return fcat__error(FCAT_EVERSION, "fcat_open_options version %u, this library "
						  "knows %u", o->version, FCAT_OPEN_OPTIONS_VERSION);
	if ((unsigned)o->catalog > FCAT_CATALOG_WORKTREE)
		return fcat__error(FCAT_EUSAGE, "unknown catalog source %d", (int)o->catalog);
	fcat_store *s = calloc(1, sizeof *s);
	if (!s)
		return fcat__error_oom();
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
	free(yaml);
	if (rc || (rc = load_catalog(s, o)))
		goto fail;
	*out = s;
	return 0;
fail:
	fcat_store_free(s);
	return rc;
}

int fcat_store_open(fcat_store **out, const char *repo_path)
{
	return fcat_store_open_ext(out, repo_path, NULL);
}

void fcat_store_free(fcat_store *s)
{
	if (!s)
		return;
	fcat_catalog_free(s->catalog);
	fcat_config_free(s->config);
	free(s->root);
	free(s);
}

const fcat_config *fcat_store_config(const fcat_store *s) { return s->config; }
const fcat_catalog *fcat_store_catalog(const fcat_store *s) { return s->catalog; }
const char *fcat_store_root(const fcat_store *s) { return s->root; }
