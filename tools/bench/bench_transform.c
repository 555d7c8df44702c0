/* bench_transform.c - measures what transforms cost: a row transform per
 * materialized row, beside the same view without one, and an on-demand view
 * per online read, beside the same read without it, in the same run.
 *
 * fcat-bench-transform [--users 1000000] [--runs 5] [--reads 200000]
 *                      [--block 1000] [--keep DIR]
 *
 * The repo has one entity (user, user_id string) and one CSV source written
 * here (deterministic, with a declared schema): one row per user, so every
 * row is its key's winner and a transform runs once per row. Two online views
 * read it, identical but for one thing: `plain` takes its five features
 * straight from the source columns, `transformed` computes the same five with
 * a row transform (four passed through, clicks doubled, every one null-safe).
 *
 * 1. Each view is materialized on its own (fcat_materialize with views =
 *    {"name"}) --runs times, alternating plain, transformed, plain, ...,
 *    each in a child process that opens the store afresh on an online store
 *    that does not exist yet (data/online.lmdb is deleted before every run).
 *    The wall and CPU time of the fcat_materialize call are taken; a sample
 *    of keys is read back afterwards to check the values. Reported: the
 *    median of each and (median with - median without) / rows, in
 *    microseconds per row (wall; CPU beside it, as the machine may be busy).
 * 2. `plain` is materialized once more, then this process reads --reads
 *    single entities (random users, fixed seed) with fcat_online_read
 *    through two prepared feature sets: `plain` alone, and `plain` plus the
 *    on-demand view `style` (2 features from clicks, ctr and the request
 *    field message_length, as the demo's reply_style). The two alternate in
 *    blocks of --block reads of the same users (which one goes first
 *    alternates too); every read is timed with clock_gettime and its values
 *    checked outside the timed call. Reported: p50/p99 of each and the
 *    differences.
 *
 * The last line is machine-readable:
 *   RESULT transform_us_per_row=... odv_p50_added_us=... ...
 * Exits 1 when anything fails or a value read back is not the expected one.
 */
#include "bench_fcat.h"
#include "bench_util.h"
#include "fcat.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFEATURES    5
#define NODV         2
#define MAX_RUNS     99
#define SEED         0x5eed0f0ca7ULL
#define WARMUP_READS 20000
#define CHECK_KEYS   2000
/* Events are in the hour starting here (2026-01-01T00:00:00Z). */
#define T0_SECONDS 1767225600LL
/* Every 100th user (from the 37th) has a null clicks cell. */
#define NULL_CLICKS(u) ((u) % 100 == 37)

static const char *const view_names[2] = {"plain", "transformed"};

/* ---- generating the feature repo ---------------------------------------- */

#define FIVE_FIELDS                                                                                \
	"    field(\"clicks\", int64),\n"                                                          \
	"    field(\"ctr\", float32),\n"                                                           \
	"    field(\"score\", float64),\n"                                                         \
	"    field(\"country\", string),\n"                                                        \
	"    field(\"is_premium\", bool),\n"

static const char catalog_lua[] =
    "-- bench.lua - the transform benchmark: five features of one source, with\n"
    "-- and without a row transform, and an on-demand view.\n"
    "\n"
    "local user = entity {\n"
    "  name = \"user\",\n"
    "  join_keys = { field(\"user_id\", string) },\n"
    "}\n"
    "\n"
    "local events = source {\n"
    "  name = \"events\",\n"
    "  path = \"data/events.csv\",\n"
    "  timestamp_field = \"event_timestamp\",\n"
    "  created_timestamp_field = \"created_at\",\n"
    "  schema = {\n"
    "    field(\"user_id\", string),\n"
    "    field(\"event_timestamp\", timestamp),\n"
    "    field(\"created_at\", timestamp),\n" FIVE_FIELDS "  },\n"
    "}\n"
    "\n"
    "feature_view {\n"
    "  name = \"plain\",\n"
    "  entities = { user },\n"
    "  source = events,\n"
    "  ttl = days(30),\n"
    "  online = true,\n"
    "  schema = {\n" FIVE_FIELDS "  },\n"
    "}\n"
    "\n"
    "feature_view {\n"
    "  name = \"transformed\",\n"
    "  entities = { user },\n"
    "  source = events,\n"
    "  ttl = days(30),\n"
    "  online = true,\n"
    "  schema = {\n" FIVE_FIELDS "  },\n"
    "  transform = function(row)\n"
    "    local clicks, ctr, score = row.clicks, row.ctr, row.score\n"
    "    local country, premium = row.country, row.is_premium\n"
    "    if clicks == nil then clicks = null else clicks = clicks * 2 end\n"
    "    if ctr == nil then ctr = null end\n"
    "    if score == nil then score = null end\n"
    "    if country == nil then country = null end\n"
    "    if premium == nil then premium = null end\n"
    "    return { clicks = clicks, ctr = ctr, score = score, country = country,\n"
    "             is_premium = premium }\n"
    "  end,\n"
    "}\n"
    "\n"
    "on_demand_view {\n"
    "  name = \"style\",\n"
    "  sources = { \"plain\" },\n"
    "  request = { field(\"message_length\", int64) },\n"
    "  schema = {\n"
    "    field(\"is_active\", bool),\n"
    "    field(\"reply_length_hint\", int64),\n"
    "  },\n"
    "  transform = function(inputs)\n"
    "    local clicks = inputs.clicks or 0\n"
    "    local ctr = inputs.ctr or 0.5\n"
    "    local base = math.max(20, math.min(400, inputs.message_length * 2))\n"
    "    local hint = base\n"
    "    if ctr < 0.1 then hint = base // 2 end\n"
    "    return { is_active = clicks > 1000, reply_length_hint = math.floor(hint) }\n"
    "  end,\n"
    "}\n";

static const char *const countries[] = {"US", "DE", "FR", "JP", "BR", "IN", "GB", "NG"};

/* One user's source row, made from the user's number alone. */
typedef struct user_row {
	int64_t ts, created; /* seconds */
	int64_t clicks;      /* -1: null */
	float ctr;
	double score;
	const char *country;
	bool premium;
} user_row;

static void user_row_of(user_row *r, long u)
{
	uint64_t g = SEED ^ ((uint64_t)u << 20);
	r->ts = T0_SECONDS + bench_rng_below(&g, 3600);
	r->created = r->ts + 1 + bench_rng_below(&g, 60);
	r->clicks = bench_rng_below(&g, 1000000);
	if (NULL_CLICKS(u))
		r->clicks = -1;
	r->ctr = (float)bench_rng_below(&g, 100000) / 100000.0f;
	r->score = (double)bench_rng_below(&g, 1u << 30) / 7919.0;
	r->country = countries[bench_rng_below(&g, 8)];
	r->premium = bench_rng_below(&g, 4) == 0;
}

static void put_ts(FILE *f, int64_t seconds)
{
	char buf[40];
	fcat_timestamp_format(buf, sizeof buf, seconds * 1000000);
	fputs(buf, f);
}

/* One row per user, in user order. */
static void write_events(const char *root, long users, int width)
{
	FILE *f = bench_create(root, "data/events.csv");
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof buf);
	fputs("user_id,event_timestamp,created_at,clicks,ctr,score,country,is_premium\n", f);
	for (long u = 0; u < users; u++) {
		user_row r;
		user_row_of(&r, u);
		fprintf(f, "u%0*ld,", width, u + 1);
		put_ts(f, r.ts);
		fputc(',', f);
		put_ts(f, r.created);
		fputc(',', f);
		if (r.clicks >= 0)
			fprintf(f, "%lld", (long long)r.clicks);
		fprintf(f, ",%.9g,%.17g,%s,%s\n", (double)r.ctr, r.score, r.country,
		        r.premium ? "true" : "false");
	}
	bench_finish(f, "data/events.csv");
}

static void write_repo(const char *root, long users, int width)
{
	bench_make_dir(root, "catalog");
	bench_make_dir(root, "data");
	FILE *f = bench_create(root, "fcat.yaml");
	fputs("# fcat.yaml - the transform benchmark's generated feature repo.\n"
	      "project: bench_transform\n"
	      "online_store:\n"
	      "  plugin: lmdb\n"
	      "  path: data/online.lmdb\n",
	      f);
	bench_finish(f, "fcat.yaml");
	bench_write_catalog(root, catalog_lua);
	write_events(root, users, width);
}

/* ---- fcat --------------------------------------------------------------- */

/* The keys of every user and what a read of them needs. */
typedef struct bench {
	const char *root;
	long users;
	fcat_value *keys;
	int64_t now; /* judged an hour after the last event: all within the ttl */
} bench;

/* Checks one read row of a view's five features against the user's source
 * row (clicks doubled by the transform). */
static void check_row(const fcat_online_result *res, size_t row, long u, bool transformed,
                      const char *what)
{
	user_row r;
	user_row_of(&r, u);
	const fcat_feature_value *v[NFEATURES];
	for (size_t f = 0; f < NFEATURES; f++) {
		v[f] = fcat_online_result_at(res, row, f);
		bool want_null = f == 0 && r.clicks < 0;
		fcat_status want = want_null ? FCAT_STATUS_NULL_VALUE : FCAT_STATUS_PRESENT;
		if (!v[f] || v[f]->status != want)
			bench_die("%s: user %ld feature %zu is %s, expected %s", what, u + 1, f,
			          v[f] ? fcat_status_name(v[f]->status) : "missing",
			          fcat_status_name(want));
		if (v[f]->event_ts != r.ts * 1000000)
			bench_die("%s: user %ld feature %zu has the wrong event time", what, u + 1,
			          f);
	}
	int64_t clicks = transformed ? r.clicks * 2 : r.clicks;
	if ((r.clicks >= 0 && v[0]->value.u.i64 != clicks) || v[1]->value.u.f32 != r.ctr ||
	    v[2]->value.u.f64 != r.score || v[3]->value.u.str.len != strlen(r.country) ||
	    memcmp(v[3]->value.u.str.ptr, r.country, v[3]->value.u.str.len) ||
	    v[4]->value.u.b != r.premium)
		bench_die("%s: user %ld: a value differs from its source row%s", what, u + 1,
		          transformed ? " (clicks doubled)" : "");
}

/* What one materialization took, sent from the child to the parent. */
typedef struct mat_figures {
	double seconds, cpu_seconds; /* wall, and CPU of the process */
	uint64_t rows, keys;
	long rss_kb;
} mat_figures;

/* Materializes one view into an online store made anew, in a child process
 * that opens the store itself; the time is that of the fcat_materialize
 * call. A sample of keys is read back and checked after it. */
static void materialize(mat_figures *out, const bench *b, int view)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/data/online.lmdb", b->root);
	if (bench_rm_tree(path) != 0)
		bench_die("cannot remove %s", path);
	int fds[2];
	if (pipe(fds) != 0)
		bench_die("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		bench_remove_on_die(NULL); /* the parent removes it */
		close(fds[0]);
		fcat_store *s = bench_open_store(b->root);
		const char *views[] = {view_names[view]};
		fcat_materialize_stats st;
		uint64_t c0 = bench_cpu_ns(), t0 = bench_now_ns();
		/* every row: [1970, 2100) */
		int rc = fcat_materialize(&st, s, 0, 4102444800LL * 1000000, views, 1, NULL, NULL);
		uint64_t t1 = bench_now_ns(), c1 = bench_cpu_ns();
		bench_fcat_check(rc, "fcat_materialize");
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		mat_figures m = {(double)(t1 - t0) / 1e9, (double)(c1 - c0) / 1e9, st.rows_read,
		                 st.keys_written, ru.ru_maxrss};

		fcat_feature_set *set;
		fcat_online_result *res;
		bench_fcat_check(fcat_feature_set_new(&set, s, views, 1), "fcat_feature_set_new");
		bench_fcat_check(fcat_online_result_new(&res), "fcat_online_result_new");
		uint64_t g = SEED + 2;
		for (int i = 0; i < CHECK_KEYS; i++) {
			long u = i == 0   ? 0
			         : i == 1 ? b->users - 1
			                  : (long)bench_rng_below(&g, (uint32_t)b->users);
			fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
			ro.now = b->now;
			bench_fcat_check(fcat_online_read(res, s, set, b->keys + u, 1, &ro),
			                 "fcat_online_read");
			check_row(res, 0, u, view == 1, "read back");
		}
		fcat_online_result_free(res);
		fcat_feature_set_free(set);
		fcat_store_free(s);
		if (write(fds[1], &m, sizeof m) != (ssize_t)sizeof m)
			bench_die("write: %s", strerror(errno));
		_exit(0);
	}
	close(fds[1]);
	mat_figures m = {0};
	ssize_t got = read(fds[0], &m, sizeof m);
	close(fds[0]);
	int status = 0;
	if (waitpid(pid, &status, 0) != pid)
		bench_die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof m)
		bench_die("the materializing child failed");
	if (m.rows != (uint64_t)b->users || m.keys != (uint64_t)b->users)
		bench_die("materialize %s: %llu rows read and %llu keys written, expected %ld",
		          view_names[view], (unsigned long long)m.rows, (unsigned long long)m.keys,
		          b->users);
	*out = m;
}

/* ---- online reads with and without an on-demand view --------------------- */

/* The expected on-demand features of a user for a message length. */
static void check_odv(const fcat_online_result *res, long u, int64_t msg_len)
{
	user_row r;
	user_row_of(&r, u);
	int64_t clicks = r.clicks < 0 ? 0 : r.clicks;
	int64_t base = msg_len * 2 < 20 ? 20 : msg_len * 2 > 400 ? 400 : msg_len * 2;
	int64_t hint = (double)r.ctr < 0.1 ? base / 2 : base;
	const fcat_feature_value *a = fcat_online_result_at(res, 0, NFEATURES);
	const fcat_feature_value *h = fcat_online_result_at(res, 0, NFEATURES + 1);
	if (!a || !h || a->status != FCAT_STATUS_PRESENT || h->status != FCAT_STATUS_PRESENT)
		bench_die("user %ld: an on-demand feature is not PRESENT", u + 1);
	if (a->value.u.b != (clicks > 1000) || h->value.u.i64 != hint)
		bench_die(
		    "user %ld, message_length %lld: on-demand features %d %lld, expected %d %lld",
		    u + 1, (long long)msg_len, (int)a->value.u.b, (long long)h->value.u.i64,
		    (int)(clicks > 1000), (long long)hint);
}

typedef struct reader {
	fcat_feature_set *set;
	fcat_online_result *res;
	bool odv;
	uint64_t *lat;
} reader;

static void read_one(reader *rd, fcat_store *s, const bench *b, uint32_t u, int64_t msg_len,
                     uint64_t *lat)
{
	fcat_value req = {.type = {FCAT_INT64, false, 0}, .u.i64 = msg_len};
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.now = b->now;
	ro.request = rd->odv ? &req : NULL;
	uint64_t t0 = bench_now_ns();
	int rc = fcat_online_read(rd->res, s, rd->set, b->keys + u, 1, &ro);
	uint64_t t1 = bench_now_ns();
	bench_fcat_check(rc, "fcat_online_read");
	if (lat)
		*lat = t1 - t0;
	check_row(rd->res, 0, u, false, rd->odv ? "read with the on-demand view" : "read");
	if (rd->odv)
		check_odv(rd->res, u, msg_len);
}

typedef struct read_figures {
	double p50, p99, p999;
} read_figures;

static void summarize(read_figures *out, uint64_t *lat, size_t n)
{
	bench_sort_u64(lat, n);
	out->p50 = (double)bench_percentile_u64(lat, n, 500) / 1000.0;
	out->p99 = (double)bench_percentile_u64(lat, n, 990) / 1000.0;
	out->p999 = (double)bench_percentile_u64(lat, n, 999) / 1000.0;
}

static void odv_reads(read_figures out[2], const bench *b, size_t nreads, size_t block)
{
	fcat_store *s = bench_open_store(b->root);
	const char *refs[] = {"plain", "style"};
	reader rd[2] = {{0}};
	for (int i = 0; i < 2; i++) {
		bench_fcat_check(fcat_feature_set_new(&rd[i].set, s, refs, (size_t)i + 1),
		                 "fcat_feature_set_new");
		bench_fcat_check(fcat_online_result_new(&rd[i].res), "fcat_online_result_new");
		rd[i].odv = i == 1;
		rd[i].lat = malloc(nreads * sizeof *rd[i].lat);
		if (!rd[i].lat)
			bench_die("out of memory");
	}
	if (fcat_feature_set_count(rd[0].set) != NFEATURES ||
	    fcat_feature_set_count(rd[1].set) != NFEATURES + NODV ||
	    fcat_feature_set_request_count(rd[1].set) != 1 ||
	    strcmp(fcat_feature_set_request_name(rd[1].set, 0), "message_length"))
		bench_die(
		    "the feature sets are not plain (5) and plain + style (7, message_length)");

	uint32_t *seq = malloc(nreads * sizeof *seq);
	int64_t *len = malloc(nreads * sizeof *len);
	if (!seq || !len)
		bench_die("out of memory");
	uint64_t g = SEED;
	for (size_t i = 0; i < nreads; i++) {
		seq[i] = bench_rng_below(&g, (uint32_t)b->users);
		len[i] = 1 + bench_rng_below(&g, 300);
	}

	/* warm-up: every user once through each set, then random reads */
	for (long u = 0; u < b->users; u++)
		for (int i = 0; i < 2; i++)
			read_one(&rd[i], s, b, (uint32_t)u, 1 + u % 300, NULL);
	uint64_t w = SEED + 1;
	for (int n = 0; n < WARMUP_READS; n++) {
		uint32_t u = bench_rng_below(&w, (uint32_t)b->users);
		for (int i = 0; i < 2; i++)
			read_one(&rd[i], s, b, u, 1 + u % 300, NULL);
	}

	/* blocks of the same users through each set, the first one alternating */
	for (size_t start = 0, nb = 0; start < nreads; start += block, nb++) {
		size_t end = start + block < nreads ? start + block : nreads;
		for (int k = 0; k < 2; k++) {
			reader *r = &rd[(k + nb) % 2];
			for (size_t i = start; i < end; i++)
				read_one(r, s, b, seq[i], len[i], &r->lat[i]);
		}
	}
	for (int i = 0; i < 2; i++) {
		summarize(&out[i], rd[i].lat, nreads);
		free(rd[i].lat);
		fcat_online_result_free(rd[i].res);
		fcat_feature_set_free(rd[i].set);
	}
	free(seq);
	free(len);
	fcat_store_free(s);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	bench_init("fcat-bench-transform", 1);
	const char *keep = NULL;
	long users = 1000000, runs = 5, nreads = 200000, block = 1000;
	const bench_opt opts[] = {{"--users", &users, 100000000, NULL, NULL},
	                          {"--runs", &runs, MAX_RUNS, NULL, NULL},
	                          {"--reads", &nreads, 100000000, NULL, NULL},
	                          {"--block", &block, 100000000, NULL, NULL},
	                          {"--keep", NULL, 0, &keep, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(argc, argv, opts,
	                    "[--users N] [--runs N] [--reads N] [--block N] [--keep DIR]");

	char root[4096];
	bench_make_root(root, sizeof root, keep, "fcat-bench-transform");
	if (!keep)
		bench_remove_on_die(root);
	int width = 1;
	for (long v = users; v >= 10; v /= 10)
		width++;

	uint64_t t0 = bench_now_ns();
	write_repo(root, users, width);
	printf("libfcat %s, %ld users x 1 row, %d features, %ld runs per view, %ld reads per "
	       "set%s%s\n",
	       fcat_version(), users, NFEATURES, runs, nreads, keep ? ", kept in " : "",
	       keep ? keep : "");
	printf("generate CSV: %.2f s\n", (double)(bench_now_ns() - t0) / 1e9);

	/* the keys of every user */
	char *ids = malloc((size_t)users * (size_t)(width + 2));
	fcat_value *keys = malloc((size_t)users * sizeof *keys);
	if (!ids || !keys)
		bench_die("out of memory");
	for (long u = 0; u < users; u++) {
		char *id = ids + u * (width + 2);
		int len = snprintf(id, (size_t)width + 2, "u%0*ld", width, u + 1);
		keys[u] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {id, (size_t)len}};
	}
	bench b = {root, users, keys, (T0_SECONDS + 2 * 3600) * 1000000};

	/* 1. materialize: plain, transformed, plain, ... */
	double secs[2][MAX_RUNS] = {{0}}, cpu[2][MAX_RUNS] = {{0}}, rss[2][MAX_RUNS] = {{0}};
	for (long r = 0; r < runs; r++)
		for (int v = 0; v < 2; v++) {
			mat_figures m;
			materialize(&m, &b, v);
			secs[v][r] = m.seconds;
			cpu[v][r] = m.cpu_seconds;
			rss[v][r] = (double)m.rss_kb / 1024;
			printf("run %ld %-12s %6.3f s (CPU %6.3f s)  %8.0f rows/s  peak RSS %6.1f "
			       "MiB\n",
			       r + 1, view_names[v], m.seconds, m.cpu_seconds,
			       (double)m.rows / m.seconds, rss[v][r]);
		}
	double med[2], med_cpu[2], med_rss[2];
	for (int v = 0; v < 2; v++) {
		med[v] = bench_median(secs[v], (size_t)runs);
		med_cpu[v] = bench_median(cpu[v], (size_t)runs);
		med_rss[v] = bench_median(rss[v], (size_t)runs);
	}
	double per_row_us = (med[1] - med[0]) / (double)users * 1e6;
	double per_row_cpu_us = (med_cpu[1] - med_cpu[0]) / (double)users * 1e6;

	/* 2. reads with and without the on-demand view */
	mat_figures m;
	materialize(&m, &b, 0);
	read_figures rf[2];
	odv_reads(rf, &b, (size_t)nreads, (size_t)block);
	double added_p50 = rf[1].p50 - rf[0].p50, added_p99 = rf[1].p99 - rf[0].p99;

	printf("materialize %ld rows, median of %ld:\n", users, runs);
	printf("  %-44s %6.3f s (CPU %6.3f s)  peak RSS %6.1f MiB\n",
	       "peer: plain (no transform):", med[0], med_cpu[0], med_rss[0]);
	printf("  %-44s %6.3f s (CPU %6.3f s)  peak RSS %6.1f MiB\n",
	       "transformed (row transform):", med[1], med_cpu[1], med_rss[1]);
	printf("  transform overhead: %.3f us per row (target <= 0.5: %s), CPU %.3f us per row\n",
	       per_row_us, per_row_us <= 0.5 ? "met" : "MISSED", per_row_cpu_us);
	printf("online reads, 1 entity, %ld each, interleaved in blocks of %ld:\n", nreads, block);
	printf("  %-44s p50 %6.2f us  p99 %6.2f  p999 %6.2f\n",
	       "peer: plain, 5 features:", rf[0].p50, rf[0].p99, rf[0].p999);
	printf("  %-44s p50 %6.2f us  p99 %6.2f  p999 %6.2f\n",
	       "plain + on-demand view style (2 features):", rf[1].p50, rf[1].p99, rf[1].p999);
	printf("  the on-demand view adds: p50 %.2f us (target <= 2: %s), p99 %.2f us\n", added_p50,
	       added_p50 <= 2.0 ? "met" : "MISSED", added_p99);
	printf("RESULT transform_us_per_row=%.3f odv_p50_added_us=%.2f without_s=%.3f with_s=%.3f "
	       "transform_cpu_us_per_row=%.3f plain_p50_us=%.2f plain_p99_us=%.2f odv_p50_us=%.2f "
	       "odv_p99_us=%.2f\n",
	       per_row_us, added_p50, med[0], med[1], per_row_cpu_us, rf[0].p50, rf[0].p99,
	       rf[1].p50, rf[1].p99);

	free(ids);
	free(keys);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
