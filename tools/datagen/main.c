/* main.c - fcat-datagen: writes the demo's sample conversations CSV. */
#include "demo_data.h"

#include "fcat.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog = "fcat-datagen";

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: %s [OPTION]...\n"
	        "Writes a deterministic sample conversations CSV (the fcat demo's data).\n"
	        "\n"
	        "  -u, --users N          number of users (default 1000)\n"
	        "  -r, --rows-per-user N  rows per user (default 10)\n"
	        "  -d, --days N           length of the time window in days (default 30)\n"
	        "  -s, --seed S           PRNG seed (default 42)\n"
	        "  -e, --end TIME         end of the window, RFC 3339 or epoch seconds\n"
	        "                         (default: the start of the current UTC day)\n"
	        "  -o, --output FILE      write to FILE instead of standard output\n"
	        "  -h, --help             show this help and exit\n"
	        "\n"
	        "The same options always produce the same bytes.\n",
	        prog);
}

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return 2;
}

/* Parses an unsigned integer (decimal, or 0x hex) no larger than max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);

	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * Parses a time as libfcat does (epoch seconds, or RFC 3339 with or without
 * a zone; a date alone is midnight UTC) into whole seconds, a fraction
 * dropped.
 */
static bool parse_time(const char *s, int64_t *out)
{
	int64_t us;

	if (fcat_timestamp_parse(&us, s, strlen(s)) != 0)
		return false;
	*out = us / 1000000 - (us % 1000000 < 0); /* floor */
	return true;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"users", required_argument, NULL, 'u'},
	    {"rows-per-user", required_argument, NULL, 'r'},
	    {"days", required_argument, NULL, 'd'},
	    {"seed", required_argument, NULL, 's'},
	    {"end", required_argument, NULL, 'e'},
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	fcat_demo_options o;
	const char *output = NULL;
	uint64_t v;
	int c;

	fcat_demo_options_default(&o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:r:d:s:e:o:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (!parse_uint(optarg, UINT32_MAX, &v) || v == 0)
				return bad_usage("invalid value for --users: '%s'", optarg);
			o.users = (uint32_t)v;
			break;
		case 'r':
			if (!parse_uint(optarg, UINT32_MAX, &v) || v == 0)
				return bad_usage("invalid value for --rows-per-user: '%s'", optarg);
			o.rows_per_user = (uint32_t)v;
			break;
		case 'd':
			/* At most about 10000 years of window. */
			if (!parse_uint(optarg, 3650000, &v) || v == 0)
				return bad_usage("invalid value for --days: '%s'", optarg);
			o.days = (uint32_t)v;
			break;
		case 's':
			if (!parse_uint(optarg, UINT64_MAX, &v))
				return bad_usage("invalid value for --seed: '%s'", optarg);
			o.seed = v;
			break;
		case 'e':
			if (!parse_time(optarg, &o.end_seconds))
				return bad_usage("invalid value for --end: '%s' (want RFC 3339 or "
				                 "epoch seconds)",
				                 optarg);
			break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return fflush(stdout) ? 1 : 0;
		case ':': return bad_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return bad_usage("unknown option '-%c'", optopt);
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (o.end_seconds < -62167219200LL + (int64_t)o.days * 86400 ||
	    o.end_seconds > 253402300800LL - 3600)
		return bad_usage("--end and --days put timestamps outside years 0000..9999");
	if ((uint64_t)o.users * o.rows_per_user > (1ULL << 48))
		return bad_usage("--users times --rows-per-user is too large");

	FILE *out = stdout;

	if (output && strcmp(output, "-") != 0) {
		out = fopen(output, "w");
		if (!out) {
			fprintf(stderr, "%s: cannot open %s: %s\n", prog, output, strerror(errno));
			return 1;
		}
	}
	if (fcat_demo_write_conversations(out, &o) != 0) {
		int err = errno;

		fprintf(stderr, "%s: cannot write %s: %s\n", prog,
		        out == stdout ? "standard output" : output, strerror(err));
		if (out != stdout) {
			fclose(out);
			unlink(output);
		}
		return 1;
	}
	if (out != stdout && fclose(out) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, output, strerror(errno));
		unlink(output);
		return 1;
	}
	return 0;
}
