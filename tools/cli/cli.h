/* cli.h - what the fcat commands share: exit codes, the command table,
 * option parsing helpers and opening the feature repo. */
#ifndef FCAT_CLI_H
#define FCAT_CLI_H

#include "fcat.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit codes: 0 success, 1 a user error (bad definitions, unknown names),
 * 2 bad usage (unknown option, missing argument). */
enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2 };

typedef struct cli_ctx {
	const char *repo;      /* --repo, or NULL to search upward from the cwd */
	const char *prog;      /* "fcat" */
	const char *commit;    /* --commit REV: read the catalog at a commit */
	const char *worktree;  /* --worktree: read the work tree's files */
	const char *principal; /* --as, else $FCAT_PRINCIPAL */
} cli_ctx;

/* The options of commands that read the catalog (applied by default). */
#define CLI_VERSION_OPTS(ctx)                                                                      \
	{"commit", 1, &(ctx)->commit, NULL},                                                       \
	{                                                                                          \
		"worktree", 0, &(ctx)->worktree, NULL                                              \
	}
#define CLI_VERSION_HELP                                                                           \
	"  --commit REV  read the catalog as it is in a commit (default: the applied\n"            \
	"                version, see fcat apply)\n"                                               \
	"  --worktree    read the catalog files as they are now, committed or not\n"

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(cli_ctx *ctx, int argc, char **argv);
} cli_command;

extern const cli_command cli_commands[];

int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_validate(cli_ctx *ctx, int argc, char **argv);
int cmd_list(cli_ctx *ctx, int argc, char **argv);
int cmd_describe(cli_ctx *ctx, int argc, char **argv);
int cmd_apply(cli_ctx *ctx, int argc, char **argv);
int cmd_plan(cli_ctx *ctx, int argc, char **argv);
int cmd_log(cli_ctx *ctx, int argc, char **argv);
int cmd_show(cli_ctx *ctx, int argc, char **argv);
int cmd_diff(cli_ctx *ctx, int argc, char **argv);
int cmd_lineage(cli_ctx *ctx, int argc, char **argv);
int cmd_materialize(cli_ctx *ctx, int argc, char **argv);
int cmd_materialize_incremental(cli_ctx *ctx, int argc, char **argv);
int cmd_get_online(cli_ctx *ctx, int argc, char **argv);
int cmd_verify(cli_ctx *ctx, int argc, char **argv);
int cmd_policy(cli_ctx *ctx, int argc, char **argv);
int cmd_get_historical(cli_ctx *ctx, int argc, char **argv);
int cmd_push(cli_ctx *ctx, int argc, char **argv);
int cmd_serve(cli_ctx *ctx, int argc, char **argv);

/* Prints "fcat CMD: message" to stderr and returns EXIT_USAGE, after a hint
 * to run --help. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the last libfcat error (each line prefixed "error: ") and returns
 * the exit code for the error code. */
int cli_fail(int code);

/* Finds the repo (ctx->repo, or the nearest directory upward holding
 * fcat.yaml): writes its path to buf. Prints the error and returns its exit
 * code, or 0. */
int cli_find_repo(char *buf, size_t size, cli_ctx *ctx);

/* Finds the repo and opens it with the catalog version the options ask
 * for (--commit, --worktree, else the applied one). Prints the error and
 * returns its exit code. */
int cli_open_store(fcat_store **out, cli_ctx *ctx);

/* Opens the repo with the catalog at `rev` ("WORKTREE" for the work tree,
 * NULL for the applied version). */
int cli_open_store_at(fcat_store **out, cli_ctx *ctx, const char *rev);

/* The values of an option that may be given several times. */
typedef struct cli_list {
	const char *items[256];
	size_t n;
} cli_list;

typedef struct cli_opt {
	const char *name;   /* long name */
	int has_arg;        /* 0 or 1 */
	const char **value; /* set to the argument; for flags, to "1" */
	cli_list *list;     /* instead of value: collects every occurrence */
} cli_opt;

/* A command as its parser sees it: its name, its --help text and how many
 * operands it takes. */
typedef struct cli_spec {
	const char *name;    /* as typed: "describe" */
	const char *help;    /* printed for --help */
	int min_args;        /* fewer operands: the usage error `missing` */
	int max_args;        /* more: "unexpected argument 'X'"; -1 for no limit */
	const char *missing; /* what to say when operands are missing */
} cli_spec;

/* Parses the options every command takes (--repo DIR, --as NAME, --help)
 * plus the command's own, with getopt_long semantics, then checks the
 * number of operands against the spec. Returns -1 to go on, otherwise the
 * exit code to return (after --help, or a usage error). On return
 * *optind_out is the index of the first operand. */
int cli_parse(cli_ctx *ctx, const cli_spec *cmd, int argc, char **argv, const cli_opt *opts,
              int *optind_out);

/* Maps the value of option --`opt` to its index in the NULL-terminated
 * `names`; otherwise prints "--OPT takes a, b or c, not 'VALUE'" and
 * returns EXIT_USAGE. */
int cli_choice(int *out, const char *cmd, const char *opt, const char *value,
               const char *const *names);

/* "7d", "12h", "90m", "30s", "7d12h"; "none" for 0. */
void cli_format_duration(char *buf, size_t size, long long seconds);

#endif
