/* applied.c - fcat_applied_commit: which version is applied now, read from
 * refs/fcat/applied alone (cheap enough to poll). */
#include "git/repo.h"
#include "util/error.h"

int fcat_applied_commit(char out[41], const char *repo_path)
{
	out[0] = '\0';
	fcat__git g;
	int rc = fcat__git_open(&g, repo_path);
	if (rc)
		return rc;
	git_oid id;
	rc = fcat__git_applied(&g, &id);
	if (rc == 0)
		git_oid_tostr(out, 41, &id);
	fcat__git_close(&g);
	return rc;
}
