/* main.c - the fcat command line: global options and command dispatch. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_command cli_commands[] = {
    {"init", "create a new, working feature repo", cmd_init},
    {"validate", "check fcat.yaml and every definition", cmd_validate},
    {"list", "list entities, sources, views, features, services, push sources", cmd_list},
    {"describe", "show one object's definition", cmd_describe},
    {"apply", "validate a commit and make it the applied version", cmd_apply},
    {"plan", "what applying HEAD would change, breaking changes flagged", cmd_plan},
    {"log", "the versions of an object (commits where its hash changed)", cmd_log},
    {"show", "an object as defined at a revision (NAME@REV)", cmd_show},
    {"diff", "what changed in the catalog between two revisions", cmd_diff},
    {"lineage", "upstream and downstream of an object (text, json, dot)", cmd_lineage},
    {"materialize", "load the latest source rows into the online store", cmd_materialize},
    {"materialize-incremental", "materialize from where the last run ended",
     cmd_materialize_incremental},
    {"get-online", "read feature vectors from the online store", cmd_get_online},
    {"push", "push rows of a push source from stdin (JSON lines or CSV)", cmd_push},
    {"get-historical", "build a training set with point-in-time correct joins", cmd_get_historical},
    {"verify", "prove batch and serving compute the same features", cmd_verify},
    {"policy", "check, explain, test and sign the access policies", cmd_policy},
    {"serve", "the HTTP feature server (Feast's JSON API)", cmd_serve},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: fcat [--repo DIR] COMMAND [ARGS...]\n\n"
	           "fcat is a governed feature store: features defined once in Lua,\n"
	           "versioned in git, served the same to training and inference.\n\n"
	           "commands:\n");
	for (const cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-24s %s\n", c->name, c->summary);
	fprintf(f, "\noptions:\n"
	           "  --repo DIR   the feature repo (default: the nearest directory upward\n"
	           "               that holds fcat.yaml)\n"
	           "  --as NAME    read as this principal of the policies (default:\n"
	           "               $FCAT_PRINCIPAL, else anonymous)\n"
	           "  --help       this text; `fcat COMMAND --help` for a command\n"
	           "  --version    the fcat version\n\n"
	           "exit codes: 0 success, 1 an error in the repo or the request, 2 bad usage\n");
}

int main(int argc, char **argv)
{
	cli_ctx ctx = {.prog = "fcat", .principal = getenv("FCAT_PRINCIPAL")};
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--version")) {
			printf("fcat %s\n", fcat_version());
			return EXIT_OK;
		} else if (!strcmp(a, "--repo") && i + 1 < argc) {
			ctx.repo = argv[i + 1];
			i += 2;
		} else if (!strncmp(a, "--repo=", 7)) {
			ctx.repo = a + 7;
			i++;
		} else if (!strcmp(a, "--as") && i + 1 < argc) {
			ctx.principal = argv[i + 1];
			i += 2;
		} else {
			fprintf(stderr, "fcat: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (const cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			return c->run(&ctx, argc - i, argv + i);
	fprintf(stderr, "fcat: unknown command '%s' (see fcat --help)\n", argv[i]);
	return EXIT_USAGE;
}
