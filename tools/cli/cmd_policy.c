/* cmd_policy.c - `fcat policy check|explain|test|sign`: the access policies,
 * validated, explained, tested and signed. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat policy check [--commit REV | --worktree]\n"
    "       fcat policy explain PRINCIPAL ACTION RESOURCE [--commit REV | --worktree]\n"
    "       fcat policy test [--commit REV | --worktree]\n"
    "       fcat policy sign --key PRIVATE.pem\n\n"
    "check validates the policies of the applied version (or of REV, or of the\n"
    "work tree); every problem is named FILE:LINE:COLUMN.\n"
    "explain shows the decision for PRINCIPAL doing ACTION (describe,\n"
    "read_online, read_offline, write, apply, admin) on RESOURCE (project,\n"
    "view:NAME, feature:VIEW:NAME, service:NAME) and every rule that matched.\n"
    "test runs the test cases kept beside the policies (policies/tests/*.yaml or\n"
    "*_test.yaml: principal, action, resource, expect allow|deny); exit 1 when\n"
    "one fails.\n"
    "check, explain and test read the policies of the version given; reads are\n"
    "always decided by the applied policies.\n"
    "sign signs the policy files of the work tree with an Ed25519 key and writes\n"
    "policies/SIGNATURE; with policy.trusted_keys in fcat.yaml, stores refuse to\n"
    "open policies that are unsigned or changed since. Signing needs `admin` on\n"
    "`project` under the applied policies.\n";

int cmd_policy(cli_ctx *ctx, int argc, char **argv)
{
	const char *key = NULL;
	const cli_opt opts[] = {
	    {"key", 1, &key, NULL}, CLI_VERSION_OPTS(ctx), {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"policy", help, 1, -1, "what? check, explain, test or sign"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	const char *what = argv[first];
	int nargs = argc - first - 1;
	if (!strcmp(what, "sign")) {
		if (!key || nargs)
			return cli_usage_error("policy",
			                       "sign takes --key PRIVATE.pem and nothing else");
		char dir[4096], *path;
		if ((rc = cli_find_repo(dir, sizeof dir, ctx)))
			return rc;
		if ((rc = fcat_policy_sign_as(&path, dir, key, ctx->principal)))
			return cli_fail(rc);
		printf("signed: %s (commit it with the policies)\n", path);
		fcat_free(path);
		return EXIT_OK;
	}
	bool check = !strcmp(what, "check"), explain = !strcmp(what, "explain"),
	     test = !strcmp(what, "test");
	if (!check && !explain && !test)
		return cli_usage_error("policy", "unknown policy command '%s'", what);
	if (explain ? nargs != 3 : nargs != 0)
		return cli_usage_error("policy",
		                       explain ? "explain takes PRINCIPAL ACTION RESOURCE"
		                               : "%s takes no arguments",
		                       what);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc; /* opening validates the policies (and their signature) */
	int exit_code = EXIT_OK;
	char *text = NULL;
	if (check) {
		printf("policies valid\n");
	} else if (explain) {
		rc = fcat_policy_explain(&text, store, argv[first + 1], argv[first + 2],
		                         argv[first + 3]);
		if (rc)
			exit_code = cli_fail(rc);
		else
			fputs(text, stdout);
	} else {
		size_t failures = 0;
		rc = fcat_policy_test(&text, &failures, store);
		if (rc)
			exit_code = cli_fail(rc);
		else {
			fputs(text, stdout);
			exit_code = failures ? EXIT_USER : EXIT_OK;
		}
	}
	fcat_free(text);
	fcat_store_free(store);
	return exit_code;
}
