/* cmd_diff.c - `fcat plan` and `fcat diff REV1 REV2`: what changes between
 * two catalog versions, with breaking changes flagged. */
#include "cli.h"

#include <string.h>

static const char plan_help[] =
    "usage: fcat plan [--repo DIR]\n\n"
    "Shows what applying HEAD would change against the applied version: added,\n"
    "removed and changed objects with the changed fields. Breaking changes (a\n"
    "feature's type changed, an entity's join keys changed, a feature removed\n"
    "while a service or an on-demand view uses it) are flagged.\n"
    "Exit code: 0 nothing breaks, 3 something breaks, 1 an error.\n";

static const char diff_help[] =
    "usage: fcat diff REV1 REV2 [--repo DIR]\n\n"
    "Shows what changed in the catalog between two revisions (REV may also be\n"
    "APPLIED or WORKTREE): added, removed and changed objects with the changed\n"
    "fields, breaking changes flagged. Exit code: 0 nothing breaks, 3 something\n"
    "breaks, 1 an error. Objects the principal may not describe are left out.\n";

/* Exit code of plan and diff when a change breaks readers. */
enum { EXIT_BREAKING = 3 };

static const char *sign[] = {"+", "-", "~"};

/* A change is shown only when the principal may describe the object on
 * both sides (the applied policies decide, with the applied tags). */
static bool visible(const fcat_store *a, const fcat_store *b, const fcat_change *c)
{
	return (!c->before || fcat_store_may_describe(a, c->before)) &&
	       (!c->after || fcat_store_may_describe(b, c->after));
}

static int print_diff(fcat_store *a, fcat_store *b, const char *what)
{
	fcat_diff *d;
	int rc = fcat_catalog_diff(&d, fcat_store_catalog(a), fcat_store_catalog(b));
	if (rc)
		return cli_fail(rc);
	size_t n = 0, breaking = 0;
	for (size_t i = 0; i < fcat_diff_count(d); i++) {
		const fcat_change *c = fcat_diff_at(d, i);
		if (!visible(a, b, c))
			continue; /* what a principal may not describe is not shown */
		n++;
		breaking += c->breaking != NULL;
		printf("%s %s %s", sign[c->change], fcat_object_kind_name(c->kind), c->name);
		if (c->change == FCAT_CHANGE_CHANGED)
			printf("  (%s)", c->fields);
		if (c->breaking)
			printf("  BREAKING: %s", c->breaking);
		printf("\n");
	}
	if (!n)
		printf("no changes %s\n", what);
	else
		printf("%zu change%s %s, %zu breaking\n", n, n == 1 ? "" : "s", what, breaking);
	fcat_diff_free(d);
	return breaking ? EXIT_BREAKING : EXIT_OK;
}

/* APPLIED -> NULL (the applied version); anything else as given */
static const char *rev_arg(const char *rev)
{
	return strcmp(rev, "APPLIED") == 0 ? NULL : rev;
}

int cmd_plan(cli_ctx *ctx, int argc, char **argv)
{
	const cli_spec spec = {"plan", plan_help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, NULL, &first);
	if (rc >= 0)
		return rc;
	fcat_store *applied = NULL, *head = NULL;
	if ((rc = cli_open_store_at(&applied, ctx, NULL)) ||
	    (rc = cli_open_store_at(&head, ctx, "HEAD"))) {
		fcat_store_free(applied);
		return rc;
	}
	printf("plan: applied %.12s -> HEAD %.12s\n",
	       fcat_catalog_commit(fcat_store_catalog(applied)),
	       fcat_catalog_commit(fcat_store_catalog(head)));
	rc = print_diff(applied, head, "to apply");
	fcat_store_free(applied);
	fcat_store_free(head);
	return rc;
}

int cmd_diff(cli_ctx *ctx, int argc, char **argv)
{
	const cli_spec spec = {"diff", diff_help, 2, 2, "give two revisions: fcat diff REV1 REV2"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, NULL, &first);
	if (rc >= 0)
		return rc;
	fcat_store *a = NULL, *b = NULL;
	if ((rc = cli_open_store_at(&a, ctx, rev_arg(argv[first]))) ||
	    (rc = cli_open_store_at(&b, ctx, rev_arg(argv[first + 1])))) {
		fcat_store_free(a);
		return rc;
	}
	char what[256];
	snprintf(what, sizeof what, "from %s to %s", argv[first], argv[first + 1]);
	rc = print_diff(a, b, what);
	fcat_store_free(a);
	fcat_store_free(b);
	return rc;
}
