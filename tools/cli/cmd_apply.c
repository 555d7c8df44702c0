/* cmd_apply.c - `fcat apply [--commit REV]`: validate a committed catalog
 * version and make it the one stores serve. */
#include "cli.h"

#include <limits.h>

static const char help[] =
    "usage: fcat apply [--commit REV] [--repo DIR]\n\n"
    "Validates the definitions at a commit (default HEAD) and records it as the\n"
    "applied version (the ref refs/fcat/applied, plus a compiled cache that makes\n"
    "opening a store fast). Refuses while catalog/ or policies/ has uncommitted\n"
    "changes, naming each file. Stores opened before keep serving the version\n"
    "they opened. The principal (--as, $FCAT_PRINCIPAL) needs `apply` on\n"
    "`project` under the applied policies, and `admin` on `project` to change\n"
    "a policy setting of fcat.yaml (policies, policy.trusted_keys,\n"
    "policy.audit_log).\n";

int cmd_apply(cli_ctx *ctx, int argc, char **argv)
{
	const char *rev = NULL;
	const cli_opt opts[] = {{"commit", 1, &rev, NULL}, {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"apply", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	char dir[PATH_MAX], commit[41];
	if ((rc = cli_find_repo(dir, sizeof dir, ctx)))
		return rc;
	if ((rc = fcat_apply_as(commit, dir, rev, ctx->principal)))
		return cli_fail(rc);
	printf("applied %s\n", commit);
	return EXIT_OK;
}
