/* apply.c - `fcat apply`, the mechanics: validates the definitions at a
 * commit and records it as the applied catalog version, with its compiled
 * cache. Who may apply is decided before, in store/apply_access.c. */
#include "config/config.h"
#include "git/apply.h"
#include "git/catalog_at.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Refuses while the directories have uncommitted changes. */
static int check_clean(fcat__git *g, const char *const *dirs, size_t n)
{
	fcat__buf dirty = {0};
	int count = fcat__git_dirty(g, dirs, n, &dirty);
	int rc = count < 0 ? count : 0;
	if (count > 0) {
		if (dirty.len && dirty.ptr[dirty.len - 1] == '\n')
			dirty.ptr[--dirty.len] = '\0';
		rc = fcat__error(FCAT_EINVALID,
		                 "refusing to apply: %s/ or %s/ has uncommitted "
		                 "changes; commit them first:\n%s",
		                 dirs[0], dirs[1], dirty.ptr);
	}
	fcat__buf_free(&dirty);
	return rc;
}

int fcat__apply_commit(char out_commit[41], fcat__git *g, const fcat_config *worktree,
                       const fcat_config *committed, const git_oid *commit)
{
	out_commit[0] = '\0';
	/* the directories as committed (what is applied) and as in the work
	 * tree (what the author may think is applied) */
	const char *dirs[] = {
	    fcat_config_catalog_dir(committed), fcat_config_policies_dir(committed),
	    fcat_config_catalog_dir(worktree), fcat_config_policies_dir(worktree)};
	int rc = check_clean(g, dirs, 4);
	fcat_catalog *c = NULL;
	/* always validated from the tree, and the cache written anew */
	if (rc == 0)
		rc = fcat__catalog_at_commit(&c, g, commit, dirs[0], false);
	if (rc == 0)
		rc = fcat__catalog_save_cache(g, c, dirs[0]);
	if (rc == 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "fcat apply %s", c->commit);
		rc = fcat__git_set_applied(g, commit, msg);
	}
	if (rc == 0)
		memcpy(out_commit, c->commit, 41);
	fcat_catalog_free(c);
	return rc;
}
