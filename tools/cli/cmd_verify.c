/* cmd_verify.c - `fcat verify`: the batch and serving paths compute the same
 * features, bit for bit, or every difference is reported. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: fcat verify [--sample N] [--seed S] [--repo DIR]\n\n"
    "Draws about N (default 1000) entity keys and cut-off times per online view\n"
    "(the end of the data, exactly at a row's time, exactly one ttl after a row,\n"
    "mid-way; a few unknown keys), computes their features through the offline\n"
    "path (the latest source row in the ttl window, then the view's transform)\n"
    "and through the online path (materialize into a scratch store, then an\n"
    "online read, on-demand views included), and reports every difference.\n"
    "The repo's own online store is not touched. Exit 0 when there are no\n"
    "differences, 1 otherwise.\n";

int cmd_verify(cli_ctx *ctx, int argc, char **argv)
{
	const char *sample = "1000", *seed = "1";
	const cli_opt opts[] = {{"sample", 1, &sample, NULL},
	                        {"seed", 1, &seed, NULL},
	                        CLI_VERSION_OPTS(ctx),
	                        {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"verify", help, 0, 0, NULL};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	char *end;
	unsigned long long n = strtoull(sample, &end, 10);
	if (*end || !n || n > 100000000ULL)
		return cli_usage_error("verify", "--sample takes a whole number from 1, got '%s'",
		                       sample);
	unsigned long long s = strtoull(seed, &end, 10);
	if (*end)
		return cli_usage_error("verify", "--seed takes a whole number, got '%s'", seed);
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx)))
		return rc;
	fcat_verify_report report;
	rc = fcat_verify(&report, store, (size_t)n, s);
	fcat_store_free(store);
	if (rc) {
		fcat_free(report.details);
		return cli_fail(rc);
	}
	if (report.details)
		fputs(report.details, stdout);
	printf("verify: %zu view%s, %llu sampled entities and times, %llu feature values "
	       "compared, %llu difference%s\n",
	       report.views, report.views == 1 ? "" : "s", (unsigned long long)report.samples,
	       (unsigned long long)report.checked, (unsigned long long)report.differences,
	       report.differences == 1 ? "" : "s");
	fcat_free(report.details);
	return report.differences ? EXIT_USER : EXIT_OK;
}
