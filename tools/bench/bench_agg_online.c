/* bench_agg_online.c - fcat-bench-agg-online: one-entity online reads of
 * four windowed features (computed from tiles at read time) beside four
 * plain features of the same users, interleaved in one process (LMDB).
 *
 * fcat-bench-agg-online [--users 100000] [--events-per-user 50] [--seconds 3]
 *                       [--rounds 3] [--keep DIR]
 *
 * The repo has one entity (user, user_id string) and two views over CSV
 * sources written here (deterministic): `w`, the view of issue 14
 * (aggregation_interval = hours(1); count over 1 hour, 1 day, 7 days; sum
 * and mean of amount over 7 days), each user with --events-per-user events
 * at uniform times in the 7 days up to T0 = 2026-01-08T00:00:00Z
 * (T0 - 7 days excluded, T0 included); and `p`, a plain view of four
 * features (three int64, one float64) from a source of as many rows per
 * user. Both are materialized by a child process, view by view, each timed
 * (its peak RSS reported on its own). Then this process reads with `now`
 * = T0: fcat_online_read of one random user (fixed seed) with a prepared
 * set of w:count_1h, w:count_1d, w:count_7d, w:amount_mean_7d and a reused
 * result, each read timed with clock_gettime; the peer is the same read of
 * p's four features. The peers go in turns of 1,000 reads (an aggregated
 * block, then a plain one, over the same users) for --seconds per round,
 * so that both see the same machine. Each round prints p50, p99, p99.9 and
 * max in microseconds; then the median over rounds of each figure and of
 * the ratios. Every aggregated read is checked: count_7d is
 * --events-per-user and the mean PRESENT. The last line:
 *   RESULT agg_p50_us=... agg_p99_us=... agg_p999_us=... plain_p50_us=...
 *          plain_p99_us=... plain_p999_us=... ratio_p50=... reads=... rss_kb=...
 */
#include "bench_fcat.h"
#include "bench_util.h"
#include "fcat.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#define SEED        0xa66f0ca7ULL
#define T0_SECONDS  1767830400LL /* 2026-01-08T00:00:00Z */
#define WEEK_S      (7 * 86400)
#define BLOCK_READS 1000
#define WARMUP      20000

static const char catalog_lua[] =
    "-- bench.lua - the aggregation online benchmark: the view of issue 14 and a plain peer.\n"
    "entity { name = 'user', join_keys = { field('user_id', string) } }\n"
    "source { name = 'events', path = 'data/events.csv', timestamp_field = 'event_timestamp',\n"
    "  schema = { field('user_id', string), field('event_timestamp', timestamp),\n"
    "             field('amount', float64) } }\n"
    "source { name = 'plain_events', path = 'data/plain.csv',\n"
    "  timestamp_field = 'event_timestamp' }\n"
    "feature_view { name = 'w', entities = { 'user' }, source = 'events', online = true,\n"
    "  aggregation_interval = hours(1),\n"
    "  aggregations = {\n"
    "    { fn = 'count', window = hours(1), name = 'count_1h' },\n"
    "    { fn = 'count', window = days(1), name = 'count_1d' },\n"
    "    { fn = 'count', window = days(7), name = 'count_7d' },\n"
    "    { column = 'amount', fn = 'sum', window = days(7), name = 'amount_sum_7d' },\n"
    "    { column = 'amount', fn = 'mean', window = days(7), name = 'amount_mean_7d' },\n"
    "  } }\n"
    "feature_view { name = 'p', entities = { 'user' }, source = 'plain_events', online = true,\n"
    "  schema = { field('n_1h', int64), field('n_1d', int64), field('n_7d', int64),\n"
    "             field('mean_7d', float64) } }\n";

static void put_ts(FILE *f, int64_t seconds)
{
	char buf[40];
	fcat_timestamp_format(buf, sizeof buf, seconds * 1000000);
	fputs(buf, f);
}

/* users * per_user rows in each source; row k of user u is the k-th pass
 * over the users, so one user's rows are far apart in the file. */
static void write_repo(const char *root, long users, long per_user)
{
	bench_make_dir(root, "catalog");
	bench_make_dir(root, "data");
	FILE *f = bench_create(root, "fcat.yaml");
	fputs("project: bench_agg_online\n"
	      "online_store:\n  plugin: lmdb\n  path: data/online.lmdb\n",
	      f);
	bench_finish(f, "fcat.yaml");
	bench_write_catalog(root, catalog_lua);

	static char buf1[1 << 20], buf2[1 << 20];
	FILE *ev = bench_create(root, "data/events.csv");
	FILE *pl = bench_create(root, "data/plain.csv");
	setvbuf(ev, buf1, _IOFBF, sizeof buf1);
	setvbuf(pl, buf2, _IOFBF, sizeof buf2);
	fputs("user_id,event_timestamp,amount\n", ev);
	fputs("user_id,event_timestamp,n_1h,n_1d,n_7d,mean_7d\n", pl);
	uint64_t g = SEED;
	for (long k = 0; k < per_user; k++)
		for (long u = 0; u < users; u++) {
			/* in (T0 - 7 days, T0] */
			int64_t ts = T0_SECONDS - bench_rng_below(&g, WEEK_S);
			uint32_t cents = 1 + bench_rng_below(&g, 99999);
			fprintf(ev, "u%07ld,", u + 1);
			put_ts(ev, ts);
			fprintf(ev, ",%u.%02u\n", cents / 100, cents % 100);
			fprintf(pl, "u%07ld,", u + 1);
			put_ts(pl, ts);
			fprintf(pl, ",%u,%u,%u,%u.%02u\n", bench_rng_below(&g, 3),
			        bench_rng_below(&g, 10), bench_rng_below(&g, 60), cents / 100,
			        cents % 100);
		}
	bench_finish(ev, "data/events.csv");
	bench_finish(pl, "data/plain.csv");
}

/* Materializes each view in a child process, so that its memory is
 * measured apart from the reader's. */
static void materialize(const char *root, uint64_t rows)
{
	const char *views[] = {"w", "p"};
	fflush(stdout);
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		fcat_store *s = bench_open_store(root);
		for (int i = 0; i < 2; i++) {
			fcat_materialize_stats st;
			bench_fcat_check(fcat_materialize(&st, s, 0, 4102444800LL * 1000000,
			                                  &views[i], 1, NULL, NULL),
			                 "fcat_materialize");
			if (st.rows_read != rows)
				bench_die("materialize %s read %llu rows, expected %llu", views[i],
				          (unsigned long long)st.rows_read,
				          (unsigned long long)rows);
			printf(
			    "materialize %s (%s): %llu rows, %llu keys in %.2f s (%.0f rows/s)\n",
			    views[i], i ? "plain" : "aggregated", (unsigned long long)st.rows_read,
			    (unsigned long long)st.keys_written, st.seconds,
			    st.seconds > 0 ? (double)st.rows_read / st.seconds : 0.0);
			fflush(stdout);
		}
		fcat_store_free(s);
		_exit(0);
	}
	double rss = bench_wait_child(pid, "the materializing child");
	printf("materialize process (both views): %.2f s, peak RSS %.1f MiB\n",
	       (double)(bench_now_ns() - t0) / 1e9, rss);
}

typedef struct reader {
	fcat_store *s;
	fcat_feature_set *set[2]; /* aggregated, plain */
	fcat_online_result *res;
	fcat_read_options ro;
	const fcat_value *keys;
	long per_user;
} reader;

static void check_agg(const reader *r, uint32_t user)
{
	const fcat_feature_value *n = fcat_online_result_at(r->res, 0, 2);
	const fcat_feature_value *m = fcat_online_result_at(r->res, 0, 3);
	if (!n || n->status != FCAT_STATUS_PRESENT || n->value.is_null ||
	    n->value.u.i64 != r->per_user || !m || m->status != FCAT_STATUS_PRESENT)
		bench_die("user %u: count_7d is %s %lld, expected %ld; the mean %s", user + 1,
		          n ? fcat_status_name(n->status) : "missing",
		          n ? (long long)n->value.u.i64 : -1LL, r->per_user,
		          m ? fcat_status_name(m->status) : "missing");
}

static void check_plain(const reader *r, uint32_t user)
{
	for (size_t f = 0; f < 4; f++) {
		const fcat_feature_value *v = fcat_online_result_at(r->res, 0, f);
		if (!v || v->status != FCAT_STATUS_PRESENT)
			bench_die("user %u: plain feature %zu is %s", user + 1, f,
			          v ? fcat_status_name(v->status) : "missing");
	}
}

/* n single reads of `which` set over seq, each timed into lat; checked
 * after the clock stops. */
static void singles(reader *r, int which, const uint32_t *seq, size_t n, uint64_t *lat)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();
		int rc = fcat_online_read(r->res, r->s, r->set[which], r->keys + seq[i], 1, &r->ro);
		uint64_t t1 = bench_now_ns();
		bench_fcat_check(rc, "fcat_online_read");
		lat[i] = t1 - t0;
		if (which == 0)
			check_agg(r, seq[i]);
		else
			check_plain(r, seq[i]);
	}
}

typedef struct figures {
	double p50, p99, p999, max;
} figures;

typedef struct round_figures {
	figures agg, plain;
	double r50, r99, r999, reads;
} round_figures;

static void summarize(figures *out, uint64_t *lat, size_t n)
{
	bench_sort_u64(lat, n);
	out->p50 = (double)bench_percentile_u64(lat, n, 500) / 1000.0;
	out->p99 = (double)bench_percentile_u64(lat, n, 990) / 1000.0;
	out->p999 = (double)bench_percentile_u64(lat, n, 999) / 1000.0;
	out->max = (double)lat[n - 1] / 1000.0;
}

static const size_t round_fields[] = {
    offsetof(round_figures, agg.p50),    offsetof(round_figures, agg.p99),
    offsetof(round_figures, agg.p999),   offsetof(round_figures, agg.max),
    offsetof(round_figures, plain.p50),  offsetof(round_figures, plain.p99),
    offsetof(round_figures, plain.p999), offsetof(round_figures, plain.max),
    offsetof(round_figures, r50),        offsetof(round_figures, r99),
    offsetof(round_figures, r999),       offsetof(round_figures, reads),
};

static void print_figures(const round_figures *r)
{
	printf("%-44s p50 %6.2f us  p99 %6.2f  p99.9 %6.2f  max %8.1f\n",
	       "fcat_online_read, 1 entity x 4 windowed:", r->agg.p50, r->agg.p99, r->agg.p999,
	       r->agg.max);
	printf("%-44s p50 %6.2f us  p99 %6.2f  p99.9 %6.2f  max %8.1f\n",
	       "peer: the same read, 4 plain features:", r->plain.p50, r->plain.p99, r->plain.p999,
	       r->plain.max);
	printf("ratio windowed/plain: p50 %.2fx, p99 %.2fx, p99.9 %.2fx (%.0f reads each)\n",
	       r->r50, r->r99, r->r999, r->reads);
}

int main(int argc, char **argv)
{
	bench_init("fcat-bench-agg-online", 1);
	const char *keep = NULL;
	long users = 100000, per_user = 50, seconds = 3, nrounds = 3;
	const bench_opt opts[] = {{"--users", &users, 10000000, NULL, NULL},
	                          {"--events-per-user", &per_user, 10000, NULL, NULL},
	                          {"--seconds", &seconds, 3600, NULL, NULL},
	                          {"--rounds", &nrounds, 1000, NULL, NULL},
	                          {"--keep", NULL, 0, &keep, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(argc, argv, opts,
	                    "[--users N] [--events-per-user N] [--seconds N] [--rounds N] "
	                    "[--keep DIR]");

	char root[4096];
	bench_make_root(root, sizeof root, keep, "fcat-bench-agg-online");
	if (!keep)
		bench_remove_on_die(root);
	uint64_t t0 = bench_now_ns();
	write_repo(root, users, per_user);
	printf("libfcat %s, LMDB, %ld users x %ld events in the 7 days before now, "
	       "%ld rounds of %ld s\n",
	       fcat_version(), users, per_user, nrounds, seconds);
	printf("generate CSV: %.2f s\n", (double)(bench_now_ns() - t0) / 1e9);
	materialize(root, (uint64_t)(users * per_user));

	char *ids = malloc((size_t)users * 16);
	fcat_value *keys = malloc((size_t)users * sizeof *keys);
	round_figures *rounds = malloc((size_t)nrounds * sizeof *rounds);
	double *scratch = malloc((size_t)nrounds * sizeof *scratch);
	size_t cap = 1 << 20;
	uint64_t *lat[2] = {malloc(cap * sizeof(uint64_t)), malloc(cap * sizeof(uint64_t))};
	uint32_t *seq = malloc(BLOCK_READS * sizeof *seq);
	if (!ids || !keys || !rounds || !scratch || !lat[0] || !lat[1] || !seq)
		bench_die("out of memory");
	for (long u = 0; u < users; u++) {
		char *id = ids + u * 16;
		int len = snprintf(id, 16, "u%07ld", u + 1);
		keys[u] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {id, (size_t)len}};
	}

	reader r = {.keys = keys, .per_user = per_user, .ro = FCAT_READ_OPTIONS_INIT};
	r.ro.now = T0_SECONDS * 1000000;
	r.s = bench_open_store(root);
	const char *agg_refs[] = {"w:count_1h", "w:count_1d", "w:count_7d", "w:amount_mean_7d"};
	const char *plain_refs[] = {"p:n_1h", "p:n_1d", "p:n_7d", "p:mean_7d"};
	bench_fcat_check(fcat_feature_set_new(&r.set[0], r.s, agg_refs, 4), "fcat_feature_set_new");
	bench_fcat_check(fcat_feature_set_new(&r.set[1], r.s, plain_refs, 4),
	                 "fcat_feature_set_new");
	bench_fcat_check(fcat_online_result_new(&r.res), "fcat_online_result_new");

	/* warm-up: every user once through both sets, then random reads */
	uint64_t g = SEED + 1;
	for (long u = 0; u < users; u += BLOCK_READS) {
		size_t n = (size_t)(users - u) < BLOCK_READS ? (size_t)(users - u) : BLOCK_READS;
		for (size_t i = 0; i < n; i++)
			seq[i] = (uint32_t)(u + (long)i);
		singles(&r, 0, seq, n, lat[0]);
		singles(&r, 1, seq, n, lat[1]);
	}
	for (int i = 0; i < WARMUP / BLOCK_READS; i++) {
		for (size_t j = 0; j < BLOCK_READS; j++)
			seq[j] = bench_rng_below(&g, (uint32_t)users);
		singles(&r, 0, seq, BLOCK_READS, lat[0]);
		singles(&r, 1, seq, BLOCK_READS, lat[1]);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_kb = ru.ru_maxrss;

	for (long rd = 0; rd < nrounds; rd++) {
		size_t n = 0;
		struct rusage ru0, ru1;
		getrusage(RUSAGE_SELF, &ru0);
		uint64_t until = bench_now_ns() + (uint64_t)seconds * 1000000000u;
		while (bench_now_ns() < until) {
			if (n + BLOCK_READS > cap) {
				cap *= 2;
				for (int k = 0; k < 2; k++)
					if (!(lat[k] = realloc(lat[k], cap * sizeof(uint64_t))))
						bench_die("out of memory");
			}
			for (size_t j = 0; j < BLOCK_READS; j++)
				seq[j] = bench_rng_below(&g, (uint32_t)users);
			singles(&r, 0, seq, BLOCK_READS, lat[0] + n);
			singles(&r, 1, seq, BLOCK_READS, lat[1] + n);
			n += BLOCK_READS;
		}
		getrusage(RUSAGE_SELF, &ru1);
		round_figures *f = &rounds[rd];
		summarize(&f->agg, lat[0], n);
		summarize(&f->plain, lat[1], n);
		f->r50 = f->agg.p50 / f->plain.p50;
		f->r99 = f->agg.p99 / f->plain.p99;
		f->r999 = f->agg.p999 / f->plain.p999;
		f->reads = (double)n;
		printf("--- round %ld of %ld\n", rd + 1, nrounds);
		print_figures(f);
		/* what the reads met besides their own work: a major fault is a
		 * page of the store read from disk, an involuntary switch the
		 * CPU taken away (this machine is shared) */
		printf("faults in the round: %ld major, %ld minor; context switches: %ld "
		       "involuntary, %ld voluntary\n",
		       ru1.ru_majflt - ru0.ru_majflt, ru1.ru_minflt - ru0.ru_minflt,
		       ru1.ru_nivcsw - ru0.ru_nivcsw, ru1.ru_nvcsw - ru0.ru_nvcsw);
		fflush(stdout);
	}
	round_figures med = {0};
	for (size_t k = 0; k < sizeof round_fields / sizeof *round_fields; k++) {
		for (long rd = 0; rd < nrounds; rd++)
			memcpy(&scratch[rd], (const char *)&rounds[rd] + round_fields[k],
			       sizeof(double));
		double m = bench_median(scratch, (size_t)nrounds);
		memcpy((char *)&med + round_fields[k], &m, sizeof m);
	}
	printf("--- median of %ld rounds (each figure and ratio on its own)\n", nrounds);
	print_figures(&med);
	printf("peak RSS of the reading process (warmed up): %.1f MiB\n", (double)rss_kb / 1024);
	printf("RESULT agg_p50_us=%.2f agg_p99_us=%.2f agg_p999_us=%.2f plain_p50_us=%.2f "
	       "plain_p99_us=%.2f plain_p999_us=%.2f ratio_p50=%.3f reads=%.0f rss_kb=%ld "
	       "rounds=%ld\n",
	       med.agg.p50, med.agg.p99, med.agg.p999, med.plain.p50, med.plain.p99, med.plain.p999,
	       med.r50, med.reads, rss_kb, nrounds);

	fcat_online_result_free(r.res);
	fcat_feature_set_free(r.set[0]);
	fcat_feature_set_free(r.set[1]);
	fcat_store_free(r.s);
	free(ids);
	free(keys);
	free(rounds);
	free(scratch);
	free(lat[0]);
	free(lat[1]);
	free(seq);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
