/* cmd_get_historical.c - `fcat get-historical`: a training set, every entity
 * row joined with the features as they were at its time. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat get-historical --entities FILE.csv (--features VIEW:FEATURE,... |\n"
    "                           --service NAME) [--full-names] -o OUT.csv [--repo DIR]\n\n"
    "For every row of FILE.csv (join keys, an event_timestamp column, and any\n"
    "other columns such as labels, kept as they are), the value of each feature\n"
    "as it was at that time: the latest source row at or before it within the\n"
    "view's ttl, ties to the latest created time, after the view's transform;\n"
    "empty when there is none. Rows keep their input order. OUT.csv.meta.json\n"
    "records the catalog commit and every feature's version.\n";

int cmd_get_historical(cli_ctx *ctx, int argc, char **argv)
{
	const char *entities = NULL, *features = NULL, *service = NULL, *out = NULL, *full = NULL;
	const cli_opt opts[] = {{"entities", 1, &entities, NULL},
	                        {"features", 1, &features, NULL},
	                        {"service", 1, &service, NULL},
	                        {"full-names", 0, &full, NULL},
	                        {"output", 1, &out, NULL},
	                        CLI_VERSION_OPTS(ctx),
	                        {NULL, 0, NULL, NULL}};
	for (int i = 1; i < argc; i++) /* -o is the short form of --output */
		if (!strcmp(argv[i], "-o"))
			argv[i] = "--output";
	const cli_spec spec = {"get-historical", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	if (!entities || !out)
		return cli_usage_error("get-historical", "give --entities FILE.csv and -o OUT.csv");
	if (!features == !service)
		return cli_usage_error("get-historical", "give either --features or --service");
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	char *copy = features ? strdup(features) : NULL;
	const char *refs[512];
	size_t n = 0;
	for (char *tok = copy ? strtok(copy, ",") : NULL; tok && n < 512; tok = strtok(NULL, ","))
		refs[n++] = tok;
	fcat_historical_stats st;
	fcat_historical_options ho = FCAT_HISTORICAL_OPTIONS_INIT;
	ho.principal = ctx->principal;
	ho.full_names = full != NULL;
	rc = fcat_get_historical(&st, store, entities, refs, n, service, out, &ho);
	free(copy);
	fcat_store_free(store);
	if (rc)
		return cli_fail(rc);
	printf("wrote %s: %zu rows, %zu features (and %s.meta.json)\n", out, st.rows, st.features,
	       out);
	return EXIT_OK;
}
