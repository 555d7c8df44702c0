/* common.c - what the fcat commands share: option parsing, errors, finding
 * and opening the feature repo. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fcat %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see fcat %s --help)\n", cmd);
	return EXIT_USAGE;
}

int cli_fail(int code)
{
	const char *msg = fcat_error_last();
	if (!*msg)
		msg = fcat_strerror(code);
	while (*msg) {
		size_t n = strcspn(msg, "\n");
		fprintf(stderr, "error: %.*s\n", (int)n, msg);
		msg += n + (msg[n] == '\n');
	}
	return code == FCAT_EUSAGE ? EXIT_USAGE : EXIT_USER;
}

static bool has_config(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%s/fcat.yaml", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cli_find_repo(char *dir, size_t size, cli_ctx *ctx)
{
	if (ctx->repo) {
		snprintf(dir, size, "%s", ctx->repo);
		return EXIT_OK;
	}
	if (!getcwd(dir, size)) {
		fprintf(stderr, "error: cannot read the current directory\n");
		return EXIT_USER;
	}
	while (!has_config(dir)) {
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			fprintf(stderr, "error: not in a feature repo: no fcat.yaml here or in any "
			                "parent directory (use --repo DIR or fcat init)\n");
			return EXIT_USER;
		}
		*slash = '\0';
	}
	return EXIT_OK;
}

int cli_open_store_at(fcat_store **out, cli_ctx *ctx, const char *rev)
{
	char dir[PATH_MAX];
	int rc = cli_find_repo(dir, sizeof dir, ctx);
	if (rc)
		return rc;
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.principal = ctx->principal;
	if (rev && !strcmp(rev, "WORKTREE")) {
		o.catalog = FCAT_CATALOG_WORKTREE;
	} else if (rev) {
		o.catalog = FCAT_CATALOG_COMMIT;
		o.commit = rev;
	}
	rc = fcat_store_open_ext(out, dir, &o);
	return rc ? cli_fail(rc) : EXIT_OK;
}

int cli_open_store(fcat_store **out, cli_ctx *ctx)
{
	return cli_open_store_at(out, ctx, ctx->worktree ? "WORKTREE" : ctx->commit);
}

static int parse_options(cli_ctx *ctx, const cli_spec *spec, int argc, char **argv,
                         const cli_opt *opts, int *optind_out)
{
	const char *cmd = spec->name;
	struct option longopts[32];
	int n = 0;
	longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[n++] = (struct option){"repo", required_argument, NULL, 'r'};
	longopts[n++] = (struct option){"as", required_argument, NULL, 'a'};
	for (const cli_opt *o = opts; o && o->name && n < 30; o++, n++)
		longopts[n] = (struct option){o->name, o->has_arg ? required_argument : no_argument,
		                              NULL, 1000 + (int)(o - opts)};
	longopts[n] = (struct option){0, 0, 0, 0};
	optind = 0; /* reset getopt for this argv */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(spec->help, stdout);
			return EXIT_OK;
		} else if (c == 'r') {
			ctx->repo = optarg;
		} else if (c == 'a') {
			ctx->principal = optarg;
		} else if (c >= 1000 && opts[c - 1000].list) {
			cli_list *l = opts[c - 1000].list;
			if (l->n == sizeof l->items / sizeof *l->items)
				return cli_usage_error(cmd, "--%s given too many times",
				                       opts[c - 1000].name);
			l->items[l->n++] = optarg;
		} else if (c >= 1000) {
			*opts[c - 1000].value = opts[c - 1000].has_arg ? optarg : "1";
		} else if (c == ':' || (c == '?' && optopt)) {
			return cli_usage_error(cmd, "option needs a value or is unknown: %s",
			                       argv[optind - 1]);
		} else {
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	*optind_out = optind;
	return -1;
}

int cli_parse(cli_ctx *ctx, const cli_spec *cmd, int argc, char **argv, const cli_opt *opts,
              int *optind_out)
{
	int rc = parse_options(ctx, cmd, argc, argv, opts, optind_out);
	if (rc >= 0)
		return rc;
	int n = argc - *optind_out;
	if (n < cmd->min_args)
		return cli_usage_error(cmd->name, "%s", cmd->missing);
	if (cmd->max_args >= 0 && n > cmd->max_args)
		return cli_usage_error(cmd->name, "unexpected argument '%s'",
		                       argv[*optind_out + cmd->max_args]);
	return -1;
}

int cli_choice(int *out, const char *cmd, const char *opt, const char *value,
               const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(value, names[i])) {
			*out = i;
			return EXIT_OK;
		}
	char list[256] = "";
	size_t used = 0;
	for (int i = 0; names[i] && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
		                         i == 0         ? ""
		                         : names[i + 1] ? ", "
		                                        : " or ",
		                         names[i]);
	return cli_usage_error(cmd, "--%s takes %s, not '%s'", opt, list, value);
}

void cli_format_duration(char *buf, size_t size, long long s)
{
	if (s <= 0) {
		snprintf(buf, size, "none");
		return;
	}
	static const struct {
		long long unit;
		char c;
	} units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < 4 && used < size; i++)
		if (s >= units[i].unit) {
			used += (size_t)snprintf(buf + used, size - used, "%lld%c",
			                         s / units[i].unit, units[i].c);
			s %= units[i].unit;
		}
}
