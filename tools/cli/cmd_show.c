/* cmd_show.c - `fcat show NAME[@REV]`: an object as defined at a revision,
 * and `fcat lineage NAME`: where its data comes from and goes. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char show_help[] =
    "usage: fcat show NAME[@REV] [--json] [--repo DIR]\n\n"
    "Shows an object as it is defined at a revision (a commit, a branch, HEAD~2;\n"
    "without @REV the applied version), as fcat describe does.\n";

static const char lineage_help[] =
    "usage: fcat lineage NAME [--format text|json|dot] [--commit REV | --worktree]\n"
    "                    [--repo DIR]\n\n"
    "Shows where an object's data comes from (entities and sources -> views ->\n"
    "features) and where it goes (features -> on-demand views -> services).\n"
    "--format dot writes a Graphviz graph: fcat lineage X --format dot | dot -Tpng\n";

int cmd_show(cli_ctx *ctx, int argc, char **argv)
{
	const char *as_json = NULL;
	const cli_opt opts[] = {{"json", 0, &as_json, NULL}, {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"show", show_help, 1, 1, "give one NAME[@REV]"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	char *name = strdup(argv[first]);
	char *at = strrchr(name, '@');
	if (at)
		*at++ = '\0';
	/* describe does the rest, on the store opened at that revision */
	ctx->commit = at && *at ? at : NULL;
	char *args[] = {"describe", name, as_json ? "--json" : NULL, NULL};
	rc = cmd_describe(ctx, as_json ? 3 : 2, args);
	free(name);
	return rc;
}

int cmd_lineage(cli_ctx *ctx, int argc, char **argv)
{
	const char *format = "text";
	const cli_opt opts[] = {
	    {"format", 1, &format, NULL}, CLI_VERSION_OPTS(ctx), {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"lineage", lineage_help, 1, 1, "give one NAME"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	/* in the order of fcat_lineage_format */
	static const char *const formats[] = {"text", "json", "dot", NULL};
	int f;
	if ((rc = cli_choice(&f, "lineage", "format", format, formats)))
		return rc;
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	char *text;
	rc = fcat_store_lineage(&text, store, argv[first], (fcat_lineage_format)f);
	fcat_store_free(store);
	if (rc)
		return cli_fail(rc);
	fputs(text, stdout);
	if (f == FCAT_LINEAGE_JSON)
		fputc('\n', stdout);
	fcat_free(text);
	return EXIT_OK;
}
