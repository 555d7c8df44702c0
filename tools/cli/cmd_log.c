/* cmd_log.c - `fcat log NAME`: the versions of an object, newest first. */
#include "cli.h"

#include <time.h>

static const char help[] =
    "usage: fcat log NAME [--from REV] [--repo DIR]\n\n"
    "Lists the versions of an object (entity, source, view, service, or\n"
    "VIEW:FEATURE), newest first: the commits where its content hash changed,\n"
    "with author, date, message and hash. NAME may also be a file of the repo\n"
    "(policies/access.yaml; that needs admin on project). --from starts the walk\n"
    "at REV instead of HEAD. Objects the principal may not describe are refused.\n";

int cmd_log(cli_ctx *ctx, int argc, char **argv)
{
	const char *from = NULL;
	const cli_opt opts[] = {{"from", 1, &from, NULL}, {NULL, 0, NULL, NULL}};
	const cli_spec spec = {"log", help, 1, 1, "give one NAME"};
	int first, rc = cli_parse(ctx, &spec, argc, argv, opts, &first);
	if (rc >= 0)
		return rc;
	/* the applied policies decide whether the principal may see the object */
	fcat_store *store;
	if ((rc = cli_open_store_at(&store, ctx, from ? from : "HEAD")))
		return rc;
	fcat_history *h;
	rc = fcat_store_history_of(&h, store, argv[first], from);
	fcat_store_free(store);
	if (rc)
		return cli_fail(rc);
	for (size_t i = 0; i < fcat_history_count(h); i++) {
		const fcat_object_version *v = fcat_history_at(h, i);
		char date[64];
		time_t t = (time_t)v->time;
		struct tm tm;
		strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		printf("commit %s\nAuthor: %s\nDate:   %s\nHash:   %s\n\n    %s\n\n", v->commit,
		       v->author, date, v->hash[0] ? v->hash : "(removed)", v->message);
	}
	fcat_history_free(h);
	return EXIT_OK;
}
