/* apply.c - `fcat apply`: validates the definitions at a commit and records
 * it as the applied catalog version, with its compiled cache. */
#include "config/config.h"
#include "git/catalog_at.h"
#include "util/error.h"
#include "util/fs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fcat_apply(char out_commit[41], const char *repo_path, const char *rev)
{
	out_commit[0] = '\0';
	char *yaml = fcat__path_join(repo_path, "fcat.yaml");
	if (!yaml)
		return fcat__error_oom();
	fcat_config *config;
	int rc = fcat_config_load(&config, yaml);
	free(yaml);
	if (rc)
		return rc;
	fcat__git g;
	if ((rc = fcat__git_open(&g, repo_path))) {
		fcat_config_free(config);
		return rc;
	}
	const char *dirs[] = {fcat_config_catalog_dir(config), fcat_config_policies_dir(config)};
	fcat__buf dirty = {0};
	int n = fcat__git_dirty(&g, dirs, 2, &dirty);
	if (n > 0) {
		if (dirty.len && dirty.ptr[dirty.len - 1] == '\n')
			dirty.ptr[--dirty.len] = '\0';
		rc = fcat__error(FCAT_EINVALID,
		                 "refusing to apply: %s/ or %s/ has uncommitted "
		                 "changes; commit them first:\n%s",
		                 dirs[0], dirs[1], dirty.ptr);
	} else if (n < 0) {
		rc = n;
	}
	fcat__buf_free(&dirty);
	git_oid commit;
	fcat_catalog *c = NULL;
	if (rc == 0)
		rc = fcat__git_resolve(&g, rev ? rev : "HEAD", &commit);
	/* always validated from the tree, and the cache written anew */
	if (rc == 0)
		rc = fcat__catalog_at_commit(&c, &g, &commit, dirs[0], false);
	if (rc == 0)
		rc = fcat__catalog_save_cache(&g, c, dirs[0]);
	if (rc == 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "fcat apply %s", c->commit);
		rc = fcat__git_set_applied(&g, &commit, msg);
	}
	if (rc == 0)
		memcpy(out_commit, c->commit, 41);
	fcat_catalog_free(c);
	fcat__git_close(&g);
	fcat_config_free(config);
	return rc;
}
