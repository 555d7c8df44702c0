/* cmd_materialize.c - `fcat materialize START END` and
 * `fcat materialize-incremental END`: source rows into the online store. */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: fcat materialize START END [--views V[,V...]] [--jobs N] [--repo DIR]\n\n"
    "Writes, for each online feature view and each entity key, the latest source\n"
    "row with START <= event time < END (ties: the larger created timestamp) into\n"
    "the online store, never replacing a newer row already there. Writes are\n"
    "batched and transactional. START and END are RFC 3339 times, epoch seconds,\n"
    "or `now`.\n\n"
    "  --jobs N   read each view's source in N parts at once, 1-256 (default: the\n"
    "             number of online cores; 1: one scan). The result is the same.\n";

static const char incremental_help[] =
    "usage: fcat materialize-incremental END [--views V[,V...]] [--jobs N] [--repo DIR]\n\n"
    "As materialize, starting each view where its last run ended (a view never\n"
    "materialized starts at END minus its ttl). --jobs as for materialize.\n";

static int parse_time(int64_t *out, const char *cmd, const char *text)
{
	if (!strcmp(text, "now")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		*out = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		return 0;
	}
	if (fcat_timestamp_parse(out, text, strlen(text)) != 0)
		return cli_usage_error(cmd, "not a time: '%s' (use RFC 3339, epoch seconds or now)",
		                       text);
	return 0;
}

/* Splits "a,b,c" in place into up to `max` names. */
static size_t split(char *list, const char **out, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ","))
		if (*tok)
			out[n++] = tok;
	return n;
}

static void progress(void *ctx, const char *view, uint64_t rows)
{
	(void)ctx;
	fprintf(stderr, "\r  %s: %llu rows read", view, (unsigned long long)rows);
	fflush(stderr);
}

static int run(cli_ctx *ctx, int argc, char **argv, bool incremental)
{
	const char *cmd = incremental ? "materialize-incremental" : "materialize";
	const char *views_opt = NULL, *jobs_opt = NULL;
	const cli_opt opts[] = {
	    {"views", 1, &views_opt, NULL}, {"jobs", 1, &jobs_opt, NULL}, {NULL, 0, NULL, NULL}};
	int want = incremental ? 1 : 2;
	const cli_spec spec = {cmd, incremental ? incremental_help : help, want, want,
	                       incremental ? "give END" : "give START and END"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	int64_t start = 0, end;
	if (!incremental && (rc = parse_time(&start, cmd, argv[first])))
		return rc;
	if ((rc = parse_time(&end, cmd, argv[first + want - 1])))
		return rc;
	fcat_materialize_options mo = FCAT_MATERIALIZE_OPTIONS_INIT;
	if (jobs_opt) {
		char *stop;
		unsigned long n = strtoul(jobs_opt, &stop, 10);
		if (!isdigit((unsigned char)jobs_opt[0]) || *stop || n < 1 || n > 256)
			return cli_usage_error(cmd, "--jobs: not a count (1-256): '%s'", jobs_opt);
		mo.jobs = (unsigned)n;
	}
	char *list = views_opt ? strdup(views_opt) : NULL;
	const char *views[256];
	size_t nviews = list ? split(list, views, 256) : 0;
	fcat_store *store;
	if ((rc = cli_open_store(&store, ctx))) {
		free(list);
		return rc;
	}
	bool tty = isatty(2);
	fcat_materialize_stats st;
	rc = incremental ? fcat_materialize_incremental_ext(&st, store, end, views, nviews,
	                                                    tty ? progress : NULL, NULL, &mo)
	                 : fcat_materialize_ext(&st, store, start, end, views, nviews,
	                                        tty ? progress : NULL, NULL, &mo);
	if (tty)
		fprintf(stderr, "\r\033[K");
	fcat_store_free(store);
	free(list);
	if (rc)
		return cli_fail(rc);
	printf("materialized %zu view%s: %llu rows read, %llu keys written, %llu rows without a "
	       "key skipped, %.2f s (%.0f rows/s)\n",
	       st.views, st.views == 1 ? "" : "s", (unsigned long long)st.rows_read,
	       (unsigned long long)st.keys_written, (unsigned long long)st.rows_skipped, st.seconds,
	       st.seconds > 0 ? (double)st.rows_read / st.seconds : 0.0);
	return EXIT_OK;
}

int cmd_materialize(cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, false);
}

int cmd_materialize_incremental(cli_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, true);
}
