/* bench_util.h - what every benchmark program needs: monotonic and CPU
 * clocks, a small deterministic generator, percentiles and medians of
 * samples, a temporary repo (made, and removed again, also by an error
 * exit), the error exit itself with its usage line, and whole-number
 * options. Plain C library only.
 *
 * The clocks and the generator are inline, so that a timed call costs what
 * it did when each program had its own.
 */
#ifndef FCAT_BENCH_UTIL_H
#define FCAT_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* The program's name, put before every message, and die()'s exit code. */
void bench_init(const char *name, int die_status);

/* "<name>: <message>\n" on stderr; removes the temporary repo, if one is
 * registered, and exits with the code given to bench_init. */
__attribute__((format(printf, 1, 2), noreturn)) void bench_die(const char *fmt, ...);

/* "usage: <name> <options>\n" on stderr; exits 2. */
__attribute__((noreturn)) void bench_usage(const char *options);

/* s as a whole number from 1 to max, or bench_die naming the option. */
long bench_parse_count(const char *s, const char *opt, long max);

/* One option of a benchmark program. With `count`, "--name N" takes a
 * whole number from 1 to max (bench_parse_count); with `text`, "--name
 * VALUE" takes the value as it is; with `flag`, "--name" alone sets it. */
typedef struct bench_opt {
	const char *name;
	long *count;
	long max;
	const char **text;
	bool *flag;
} bench_opt;

/* Reads argv[1..argc) as options of `opts` (ended by a NULL name); an
 * unknown option or a missing value is bench_usage(usage). */
void bench_parse_options(int argc, char **argv, const bench_opt *opts, const char *usage);

/* ---- clocks ------------------------------------------------------------- */

static inline uint64_t bench_clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bench_now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

/* The CPU time of the whole process. */
static inline uint64_t bench_cpu_ns(void)
{
	return bench_clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* ---- a small deterministic generator ----------------------------------- */

/* splitmix64: the next number of the sequence that *state stands in. */
static inline uint64_t bench_rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The next number of the sequence, in [0, n). */
static inline uint32_t bench_rng_below(uint64_t *state, uint32_t n)
{
	return (uint32_t)(bench_rng_next(state) % n);
}

/* ---- samples ------------------------------------------------------------ */

void bench_sort_u64(uint64_t *v, size_t n);
void bench_sort_double(double *v, size_t n);

/* Nearest-rank percentile (ceil(permille/1000 * n)-th smallest) of sorted
 * samples, per mille: 500 is the median's rank, 990 p99, 999 p99.9. */
uint64_t bench_percentile_u64(const uint64_t *sorted, size_t n, unsigned permille);
double bench_percentile(const double *sorted, size_t n, unsigned permille);

/* Sorts the samples; their median (the mean of the middle two when n is
 * even). */
double bench_median(double *v, size_t n);

/* ---- the temporary repo ------------------------------------------------- */

/* Removes a directory tree; 0 when it is gone (or was not there), -1 with a
 * message on stderr otherwise. */
int bench_rm_tree(const char *path);

/* The repo's root into root: keep when given (it must not exist yet, and is
 * made), otherwise a fresh $TMPDIR/<prefix>-XXXXXX (/tmp without TMPDIR).
 * bench_die on failure. */
void bench_make_root(char *root, size_t size, const char *keep, const char *prefix);

/* bench_die removes this tree from now on (a copy is kept); NULL: nothing. */
void bench_remove_on_die(const char *root);

/* Files and directories below root, named relative to it; bench_die on
 * failure. bench_finish closes the file and returns its size. */
FILE *bench_create(const char *root, const char *rel);
long bench_finish(FILE *f, const char *rel);
void bench_make_dir(const char *root, const char *rel);

/* Waits for child `pid`, bench_die unless it exited 0 (`what` names it);
 * its peak RSS in MiB. */
double bench_wait_child(int pid, const char *what);

#endif
