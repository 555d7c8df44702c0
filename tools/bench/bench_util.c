/* bench_util.c - what every benchmark program needs (see bench_util.h):
 * the error exit, whole-number options, sample statistics and the
 * temporary repo.
 */
#include "bench_util.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *prog = "fcat-bench";
static int die_code = 1;
/* The temporary repo bench_die removes; empty: none. */
static char temp_root[4096];

void bench_init(const char *name, int die_status)
{
	prog = name;
	die_code = die_status;
}

void bench_die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (temp_root[0])
		bench_rm_tree(temp_root);
	exit(die_code);
}

void bench_usage(const char *options)
{
	fprintf(stderr, "usage: %s %s\n", prog, options);
	exit(2);
}

long bench_parse_count(const char *s, const char *opt, long max)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > max)
		bench_die("%s wants a whole number from 1 to %ld, got '%s'", opt, max, s);
	return v;
}

void bench_parse_options(int argc, char **argv, const bench_opt *opts, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		const bench_opt *o = opts;
		while (o->name && strcmp(o->name, argv[i]) != 0)
			o++;
		if (!o->name || (!o->flag && i + 1 >= argc))
			bench_usage(usage);
		if (o->flag)
			*o->flag = true;
		else if (o->count)
			*o->count = bench_parse_count(argv[++i], o->name, o->max);
		else
			*o->text = argv[++i];
	}
}

/* ---- samples ------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void bench_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u64);
}

void bench_sort_double(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

/* The index of the nearest-rank sample. */
static size_t rank_index(size_t n, unsigned permille)
{
	size_t rank = ((size_t)permille * n + 999) / 1000;
	return rank < 1 ? 0 : rank - 1;
}

uint64_t bench_percentile_u64(const uint64_t *sorted, size_t n, unsigned permille)
{
	return sorted[rank_index(n, permille)];
}

double bench_percentile(const double *sorted, size_t n, unsigned permille)
{
	return sorted[rank_index(n, permille)];
}

double bench_median(double *v, size_t n)
{
	bench_sort_double(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the temporary repo ------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT) {
		fprintf(stderr, "%s: cannot remove %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

int bench_rm_tree(const char *path)
{
	if (access(path, F_OK) != 0)
		return 0;
	return nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

void bench_make_root(char *root, size_t size, const char *keep, const char *prefix)
{
	if (keep) {
		if (mkdir(keep, 0777) != 0)
			bench_die("--keep %s: %s (it must not exist yet)", keep, strerror(errno));
		snprintf(root, size, "%s", keep);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(root, size, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
		if (!mkdtemp(root))
			bench_die("mkdtemp %s: %s", root, strerror(errno));
	}
}

void bench_remove_on_die(const char *root)
{
	snprintf(temp_root, sizeof temp_root, "%s", root ? root : "");
}

FILE *bench_create(const char *root, const char *rel)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	if (!f)
		bench_die("cannot create %s: %s", path, strerror(errno));
	return f;
}

long bench_finish(FILE *f, const char *rel)
{
	long size = ftell(f);
	if (ferror(f) || fclose(f) != 0)
		bench_die("cannot write %s", rel);
	return size;
}

void bench_make_dir(const char *root, const char *rel)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	if (mkdir(path, 0777) != 0)
		bench_die("mkdir %s: %s", path, strerror(errno));
}

double bench_wait_child(int pid, const char *what)
{
	int status;
	struct rusage ru;
	pid_t got;
	while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	if (got != pid)
		bench_die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("%s failed", what);
	return (double)ru.ru_maxrss / 1024;
}
