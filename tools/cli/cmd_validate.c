/* cmd_validate.c - `fcat validate`: checks fcat.yaml and every definition,
 * reporting each problem as FILE:LINE: message. */
#include "cli.h"

static const char help[] =
    "usage: fcat validate [--commit REV] [--repo DIR]\n\n"
    "Reads fcat.yaml and runs every catalog/*.lua definition file of the work\n"
    "tree (or of a commit), then checks the catalog as a whole. Each problem is\n"
    "printed on its own line as FILE:LINE: what is wrong. Exits 0 when\n"
    "everything is valid, 1 otherwise.\n";

int cmd_validate(cli_ctx *ctx, int argc, char **argv)
{
	const cli_opt opts[] = {{"commit", 1, &ctx->commit, NULL}, {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"validate", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	fcat_store *store;
	if ((rc = cli_open_store_at(&store, ctx, ctx->commit ? ctx->commit : "WORKTREE")))
		return rc;
	const fcat_catalog *c = fcat_store_catalog(store);
	printf("valid: project %s: %zu entities, %zu sources, %zu feature views, "
	       "%zu on-demand views, %zu features, %zu feature services\n",
	       fcat_config_project(fcat_store_config(store)),
	       fcat_catalog_count(c, FCAT_OBJ_ENTITY), fcat_catalog_count(c, FCAT_OBJ_SOURCE),
	       fcat_catalog_count(c, FCAT_OBJ_VIEW), fcat_catalog_count(c, FCAT_OBJ_ON_DEMAND_VIEW),
	       fcat_catalog_count(c, FCAT_OBJ_FEATURE), fcat_catalog_count(c, FCAT_OBJ_SERVICE));
	fcat_store_free(store);
	return EXIT_OK;
}
