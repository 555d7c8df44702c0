/* bench_online.c - measures online reads (single-entity latency, batched
 * throughput) on a generated feature repo materialized into LMDB or redis,
 * beside raw mdb_get of the same keys, interleaved in the same run (LMDB).
 *
 * fcat-bench-online [--store lmdb|redis] [--redis-url URL]
 *                   [--redis-cluster HOST:PORT,...] [--users 100000]
 *                   [--rows-per-user 2] [--reads 200000] [--batch 100]
 *                   [--rounds 3] [--keep DIR]
 *
 * The repo has one entity (user, user_id string), one CSV source written
 * here (deterministic) and one view of 10 features of mixed types. It is
 * materialized by a child process (its time and peak RSS are reported on
 * their own), then this process reads it: single-entity reads of all 10
 * features of random users (fixed seed) through fcat_online_read with a
 * prepared feature set and a reused result, each timed with clock_gettime,
 * and batches of --batch entities. For LMDB the peer reads the same key
 * sequence with raw mdb_get (a read-only transaction renewed and reset
 * around each read, and the value copied out, as the plugin does), from an
 * environment of its own opened beside the fcat store (see raw_peer_open).
 *
 * Both are open and warmed up before anything is timed; then the reads go
 * in blocks of 1,000, an fcat block, a raw block, the next fcat block...,
 * and likewise the batches, so that when this shared machine speeds up or
 * slows down both peers see it (run one after the other, the p50 ratio
 * swung between 1.03x and 1.37x from run to run). The whole measurement is
 * repeated --rounds times; each round's figures are printed, then the
 * median over rounds of each figure and of each ratio (fcat over raw: p50,
 * p99, p99.9, and time per entity batched). The redis store has no raw
 * peer, so no ratios. --redis-cluster puts the redis store on a Redis
 * Cluster (the plugin's `cluster` setting) instead of --redis-url. The last line is
 * machine-readable, with the medians: RESULT store=... p50_us=... p99_us=... p999_us=...
 * batch_eps=... rss_kb=... [peer_p50_us=... peer_p99_us=... peer_p999_us=... peer_batch_eps=...
 *          ratio_p50=... ratio_p99=... ratio_p999=... ratio_batch=...] rounds=...
 * Exits 1 when anything fails or a read does not give every feature
 * PRESENT.
 */
#include "bench_fcat.h"
#include "bench_util.h"
#include "fcat.h"

#include <lmdb.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define VIEW         "user_stats"
#define NFEATURES    10
#define EMBED_DIM    16
#define SEED         0x5eed0f0ca7ULL
#define WARMUP_READS 20000
/* Reads of one peer before the other takes its turn. */
#define BLOCK_READS 1000
/* Events start here (2026-01-01T00:00:00Z) and are an hour apart per row. */
#define T0_SECONDS 1767225600LL

/* ---- generating the feature repo ---------------------------------------- */

static const char catalog_lua[] =
    "-- bench.lua - the online benchmark's user features: ten of mixed types.\n"
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
    "}\n"
    "\n"
    "feature_view {\n"
    "  name = \"" VIEW "\",\n"
    "  entities = { user },\n"
    "  source = events,\n"
    "  ttl = days(30),\n"
    "  online = true,\n"
    "  schema = {\n"
    "    field(\"clicks\", int64),\n"
    "    field(\"ctr\", float32),\n"
    "    field(\"score\", float64),\n"
    "    field(\"country\", string),\n"
    "    field(\"is_premium\", bool),\n"
    "    field(\"embedding\", array(float32, 16)),\n"
    "    field(\"age_bucket\", int32),\n"
    "    field(\"last_login\", timestamp),\n"
    "    field(\"device\", string),\n"
    "    field(\"recent_items\", array(int64)),\n"
    "  },\n"
    "}\n";

static const char *const countries[] = {"US", "DE", "FR", "JP", "BR", "IN", "GB", "NG"};
static const char *const devices[] = {"ios-17.4",   "android-14",  "web-chrome",
                                      "web-safari", "web-firefox", "ipados-17"};

static void put_ts(FILE *f, int64_t seconds)
{
	char buf[40];
	fcat_timestamp_format(buf, sizeof buf, seconds * 1000000);
	fputs(buf, f);
}

/* users * rows_per_user rows; row r is user r % users's (r / users)-th event,
 * so one user's rows are far apart in the file. */
static void write_events(const char *root, long users, long rows_per_user, int width)
{
	FILE *f = bench_create(root, "data/events.csv");
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof buf);
	fputs("user_id,event_timestamp,created_at,clicks,ctr,score,country,is_premium,"
	      "embedding,age_bucket,last_login,device,recent_items\n",
	      f);
	for (long k = 0; k < rows_per_user; k++) {
		for (long u = 0; u < users; u++) {
			uint64_t g = SEED ^ ((uint64_t)u << 20) ^ (uint64_t)k;
			int64_t ts = T0_SECONDS + k * 3600 + bench_rng_below(&g, 3600);
			fprintf(f, "u%0*ld,", width, u + 1);
			put_ts(f, ts);
			fputc(',', f);
			put_ts(f, ts + 1 + bench_rng_below(&g, 60));
			fprintf(f, ",%u,%.9g,%.17g,%s,%s,\"[", bench_rng_below(&g, 1000000),
			        (double)((float)bench_rng_below(&g, 100000) / 100000.0f),
			        (double)bench_rng_below(&g, 1u << 30) / 7919.0,
			        countries[bench_rng_below(&g, 8)],
			        bench_rng_below(&g, 4) ? "false" : "true");
			for (int i = 0; i < EMBED_DIM; i++)
				fprintf(f, "%s%.9g", i ? "," : "",
				        (double)((float)((int)bench_rng_below(&g, 20001) - 10000) /
				                 10000.0f));
			fprintf(f, "]\",%u,", bench_rng_below(&g, 10));
			put_ts(f, ts - (int64_t)bench_rng_below(&g, 86400 * 30));
			fprintf(f, ",%s,\"[", devices[bench_rng_below(&g, 6)]);
			unsigned nitems = bench_rng_below(&g, 9);
			for (unsigned i = 0; i < nitems; i++)
				fprintf(f, "%s%u", i ? "," : "", bench_rng_below(&g, 1u << 24));
			fputs("]\"\n", f);
		}
	}
	bench_finish(f, "data/events.csv");
}

static void write_repo(const char *root, const char *store, const char *redis_url,
                       const char *redis_cluster, long users, long rows_per_user, int width)
{
	bench_make_dir(root, "catalog");
	bench_make_dir(root, "data");
	FILE *f = bench_create(root, "fcat.yaml");
	fprintf(f, "# fcat.yaml - the online benchmark's generated feature repo.\n"
	           "project: bench_online\n"
	           "online_store:\n");
	if (!strcmp(store, "redis") && redis_cluster)
		fprintf(f, "  plugin: redis\n  cluster: \"%s\"\n", redis_cluster);
	else if (!strcmp(store, "redis"))
		fprintf(f, "  plugin: redis\n  url: %s\n", redis_url);
	else
		fprintf(f, "  plugin: lmdb\n  path: data/online.lmdb\n");
	bench_finish(f, "fcat.yaml");
	bench_write_catalog(root, catalog_lua);
	write_events(root, users, rows_per_user, width);
}

/* ---- fcat: opening, materializing, checking ----------------------------- */

/* Materializes in a child process, so that its memory is measured apart
 * from the reader's. */
static void materialize(const char *root, uint64_t rows)
{
	fflush(stdout);
	fflush(stderr);
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		fcat_store *s = bench_open_store(root);
		fcat_materialize_stats st;
		/* every row: [1970, 2100) */
		bench_fcat_check(
		    fcat_materialize(&st, s, 0, 4102444800LL * 1000000, NULL, 0, NULL, NULL),
		    "fcat_materialize");
		fcat_store_free(s);
		if (st.rows_read != rows)
			bench_die("materialize read %llu rows, expected %llu",
			          (unsigned long long)st.rows_read, (unsigned long long)rows);
		printf("materialize: %llu rows, %llu keys in %.2f s (%.0f rows/s)\n",
		       (unsigned long long)st.rows_read, (unsigned long long)st.keys_written,
		       st.seconds, st.seconds > 0 ? (double)st.rows_read / st.seconds : 0.0);
		fflush(stdout);
		_exit(0);
	}
	double rss = bench_wait_child(pid, "the materializing child");
	printf("materialize process: %.2f s, peak RSS %.1f MiB\n",
	       (double)(bench_now_ns() - t0) / 1e9, rss);
}

/* Every feature of every row PRESENT, with the user's last event. */
static void check_result(const fcat_online_result *res, size_t nrows, const char *what)
{
	if (fcat_online_result_rows(res) != nrows)
		bench_die("%s: %zu rows, expected %zu", what, fcat_online_result_rows(res), nrows);
	for (size_t r = 0; r < nrows; r++)
		for (size_t f = 0; f < NFEATURES; f++) {
			const fcat_feature_value *v = fcat_online_result_at(res, r, f);
			if (!v || v->status != FCAT_STATUS_PRESENT)
				bench_die("%s: row %zu feature %zu is %s, expected PRESENT", what,
				          r, f, v ? fcat_status_name(v->status) : "missing");
		}
}

/* ---- figures ------------------------------------------------------------ */

/* Latencies in microseconds, batched throughput in entities per second. */
typedef struct figures {
	double p50, p99, p999, max, eps;
} figures;

/* One round: both peers, and fcat over raw (for batches: time per entity,
 * so that above 1 means fcat is slower, as for the latencies). */
typedef struct round_figures {
	figures fc, raw;
	double r50, r99, r999, rbatch;
} round_figures;

static void summarize(figures *out, uint64_t *lat, size_t n, uint64_t batch_ns,
                      size_t batch_entities)
{
	bench_sort_u64(lat, n);
	out->p50 = (double)bench_percentile_u64(lat, n, 500) / 1000.0;
	out->p99 = (double)bench_percentile_u64(lat, n, 990) / 1000.0;
	out->p999 = (double)bench_percentile_u64(lat, n, 999) / 1000.0;
	out->max = (double)lat[n - 1] / 1000.0;
	out->eps = batch_ns ? (double)batch_entities / ((double)batch_ns / 1e9) : 0;
}

/* Every figure of round_figures, for the medians over rounds. */
static const size_t round_fields[] = {
    offsetof(round_figures, fc.p50),  offsetof(round_figures, fc.p99),
    offsetof(round_figures, fc.p999), offsetof(round_figures, fc.max),
    offsetof(round_figures, fc.eps),  offsetof(round_figures, raw.p50),
    offsetof(round_figures, raw.p99), offsetof(round_figures, raw.p999),
    offsetof(round_figures, raw.max), offsetof(round_figures, raw.eps),
    offsetof(round_figures, r50),     offsetof(round_figures, r99),
    offsetof(round_figures, r999),    offsetof(round_figures, rbatch),
};

/* Each figure of out: its median over the n rounds (v: room for n). */
static void median_rounds(round_figures *out, const round_figures *rounds, size_t n, double *v)
{
	*out = (round_figures){0};
	for (size_t f = 0; f < sizeof round_fields / sizeof *round_fields; f++) {
		for (size_t r = 0; r < n; r++)
			memcpy(&v[r], (const char *)&rounds[r] + round_fields[f], sizeof *v);
		double m = bench_median(v, n);
		memcpy((char *)out + round_fields[f], &m, sizeof m);
	}
}

static void print_figures(const round_figures *r, bool peer, size_t batch)
{
	char label[64];
	printf("%-40s p50 %6.2f us  p99 %6.2f  p999 %6.2f  max %8.1f\n",
	       "fcat_online_read, 1 entity x 10:", r->fc.p50, r->fc.p99, r->fc.p999, r->fc.max);
	if (peer)
		printf("%-40s p50 %6.2f us  p99 %6.2f  p999 %6.2f  max %8.1f\n",
		       "peer: raw mdb_get (renew/get/reset):", r->raw.p50, r->raw.p99, r->raw.p999,
		       r->raw.max);
	snprintf(label, sizeof label, "fcat batched, %zu per call:", batch);
	printf("%-40s %.0f entities/s\n", label, r->fc.eps);
	if (!peer)
		return;
	snprintf(label, sizeof label, "peer: raw mdb_get, %zu per txn:", batch);
	printf("%-40s %.0f entities/s\n", label, r->raw.eps);
	printf("ratio fcat/raw: p50 %.2fx, p99 %.2fx, p99.9 %.2fx, batched time %.2fx\n", r->r50,
	       r->r99, r->r999, r->rbatch);
}

/* ---- the fcat reader ---------------------------------------------------- */

typedef struct fcat_peer {
	fcat_store *s;
	fcat_feature_set *set;
	fcat_online_result *res;
	fcat_read_options ro;
	const fcat_value *keys; /* every user's, by index */
	fcat_value *bkeys;      /* one batch's */
	size_t batch;
} fcat_peer;

/* Opens the store, its feature set and a result, and warms them up: every
 * user once, in batches, then random single reads. */
static void fcat_peer_open(fcat_peer *p, const char *root, const fcat_value *keys, long users,
                           size_t batch, int64_t now)
{
	*p = (fcat_peer){.keys = keys, .batch = batch, .ro = FCAT_READ_OPTIONS_INIT};
	p->ro.now = now;
	p->s = bench_open_store(root);
	const char *refs[] = {VIEW};
	bench_fcat_check(fcat_feature_set_new(&p->set, p->s, refs, 1), "fcat_feature_set_new");
	if (fcat_feature_set_count(p->set) != NFEATURES)
		bench_die("the feature set has %zu features, expected %d",
		          fcat_feature_set_count(p->set), NFEATURES);
	bench_fcat_check(fcat_online_result_new(&p->res), "fcat_online_result_new");
	p->bkeys = malloc(batch * sizeof *p->bkeys);
	if (!p->bkeys)
		bench_die("out of memory");

	for (long u = 0; u < users; u += (long)batch) {
		size_t n = (size_t)(users - u) < batch ? (size_t)(users - u) : batch;
		bench_fcat_check(fcat_online_read(p->res, p->s, p->set, keys + u, n, &p->ro),
		                 "warm-up read");
		check_result(p->res, n, "warm-up read");
	}
	uint64_t g = SEED + 1;
	for (int i = 0; i < WARMUP_READS; i++)
		bench_fcat_check(fcat_online_read(p->res, p->s, p->set,
		                                  keys + bench_rng_below(&g, (uint32_t)users), 1,
		                                  &p->ro),
		                 "warm-up read");
}

static void fcat_peer_close(fcat_peer *p)
{
	free(p->bkeys);
	fcat_online_result_free(p->res);
	fcat_feature_set_free(p->set);
	fcat_store_free(p->s);
}

/* Single reads of seq[from, from + n), each timed into lat[i]. */
static void fcat_singles(fcat_peer *p, const uint32_t *seq, size_t from, size_t n, uint64_t *lat)
{
	for (size_t i = from; i < from + n; i++) {
		const fcat_value *k = p->keys + seq[i];
		uint64_t t0 = bench_now_ns();
		int rc = fcat_online_read(p->res, p->s, p->set, k, 1, &p->ro);
		uint64_t t1 = bench_now_ns();
		bench_fcat_check(rc, "fcat_online_read");
		lat[i] = t1 - t0;
		const fcat_feature_value *v = fcat_online_result_at(p->res, 0, 0);
		if (!v || v->status != FCAT_STATUS_PRESENT)
			bench_die("read %zu: user %u: not PRESENT", i, seq[i] + 1);
	}
}

/* Batches [from, from + n) of seq, `batch` entities per call; their time
 * in ns. Every 64th batch's result is checked in full. */
static uint64_t fcat_batches(fcat_peer *p, const uint32_t *seq, size_t from, size_t n)
{
	uint64_t total = 0;
	for (size_t b = from; b < from + n; b++) {
		for (size_t j = 0; j < p->batch; j++)
			p->bkeys[j] = p->keys[seq[b * p->batch + j]];
		uint64_t t0 = bench_now_ns();
		int rc = fcat_online_read(p->res, p->s, p->set, p->bkeys, p->batch, &p->ro);
		total += bench_now_ns() - t0;
		bench_fcat_check(rc, "fcat_online_read (batch)");
		if (b % 64 == 0)
			check_result(p->res, p->batch, "batched read");
	}
	return total;
}

/* ---- the peer: raw LMDB ------------------------------------------------- */

static void mdb_check(int rc, const char *what)
{
	if (rc)
		bench_die("lmdb: %s: %s", what, mdb_strerror(rc));
}

typedef struct raw_peer {
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val *keys; /* every user's key as stored, by index */
	char *kbytes;
	char *buf;
	size_t cap;
	size_t batch;
} raw_peer;

/* One read as the plugin does it: renew, get, copy out, reset. */
static inline void raw_get(raw_peer *r, const uint32_t *idx, size_t n)
{
	mdb_check(mdb_txn_renew(r->txn), "mdb_txn_renew");
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		MDB_val k = r->keys[idx[i]], v;
		mdb_check(mdb_get(r->txn, r->dbi, &k, &v), "mdb_get");
		if (used + v.mv_size > r->cap)
			bench_die("a row of %zu bytes does not fit the buffer", v.mv_size);
		memcpy(r->buf + used, v.mv_data, v.mv_size);
		used += v.mv_size;
	}
	mdb_txn_reset(r->txn);
}

/* Opens the store's environment beside the fcat store that has it open in
 * this process, collects the keys (checking their order) and warms up as
 * fcat_peer_open does.
 *
 * MDB_NOLOCK: LMDB's record locks on lock.mdb are per process, so a second
 * locking open in the process would win the "exclusive" lock its own
 * process holds, take itself for the first user and reset the reader table
 * under the plugin's live readers; and closing it would drop the plugin's
 * locks ("Do not have open an LMDB database twice in the same process",
 * lmdb.h). Without locking this environment never touches lock.mdb. That is
 * safe here because nothing writes while the bench reads (the materializing
 * child has exited); the only work it skips is the store to the reader
 * slot that renew and reset make, a few ns at most, which if anything
 * flatters the peer. */
static void raw_peer_open(raw_peer *r, const char *root, long users, int width, size_t batch)
{
	*r = (raw_peer){.batch = batch};
	char path[8192];
	snprintf(path, sizeof path, "%s/data/online.lmdb", root);
	mdb_check(mdb_env_create(&r->env), "mdb_env_create");
	mdb_check(mdb_env_set_maxdbs(r->env, 16), "mdb_env_set_maxdbs");
	mdb_check(mdb_env_set_mapsize(r->env, (size_t)1 << 30), "mdb_env_set_mapsize");
	mdb_check(
	    mdb_env_open(r->env, path, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS | MDB_NORDAHEAD, 0644),
	    "mdb_env_open");
	/* The handle outlives the transaction that opens it once that one
	 * commits (as the plugin does it); the reader's own is reset and
	 * renewed around each read. */
	MDB_txn *open_txn;
	mdb_check(mdb_txn_begin(r->env, NULL, MDB_RDONLY, &open_txn), "mdb_txn_begin");
	mdb_check(mdb_dbi_open(open_txn, VIEW, 0, &r->dbi), "mdb_dbi_open " VIEW);
	mdb_check(mdb_txn_commit(open_txn), "mdb_txn_commit");
	mdb_check(mdb_txn_begin(r->env, NULL, MDB_RDONLY, &r->txn), "mdb_txn_begin");

	/* The keys as stored, in key order: users in id order (same width).
	 * Each must end with the user's id. */
	size_t kused = 0, kcap = (size_t)users * 32;
	r->keys = malloc((size_t)users * sizeof *r->keys);
	r->kbytes = malloc(kcap);
	if (!r->keys || !r->kbytes)
		bench_die("out of memory");
	MDB_cursor *cur;
	MDB_val k, v;
	mdb_check(mdb_cursor_open(r->txn, r->dbi, &cur), "mdb_cursor_open");
	long n = 0;
	size_t max_row = 0;
	for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc != MDB_NOTFOUND;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		mdb_check(rc, "mdb_cursor_get");
		if (n == users)
			bench_die("the view's database holds more than %ld keys", users);
		char id[32];
		int idlen = snprintf(id, sizeof id, "u%0*ld", width, n + 1);
		if (k.mv_size < (size_t)idlen ||
		    memcmp((const char *)k.mv_data + k.mv_size - (size_t)idlen, id, (size_t)idlen))
			bench_die("key %ld of the view's database is not user %s's", n + 1, id);
		if (kused + k.mv_size > kcap)
			bench_die("the keys are longer than expected");
		memcpy(r->kbytes + kused, k.mv_data, k.mv_size);
		r->keys[n].mv_size = k.mv_size;
		r->keys[n].mv_data = (void *)(uintptr_t)kused; /* fixed up below */
		kused += k.mv_size;
		max_row = v.mv_size > max_row ? v.mv_size : max_row;
		n++;
	}
	mdb_cursor_close(cur);
	if (n != users)
		bench_die("the view's database holds %ld keys, expected %ld", n, users);
	for (long i = 0; i < n; i++)
		r->keys[i].mv_data = r->kbytes + (uintptr_t)r->keys[i].mv_data;
	mdb_txn_reset(r->txn);
	r->cap = max_row * batch;
	r->buf = malloc(r->cap);
	uint32_t *all = malloc((size_t)users * sizeof *all);
	if (!r->buf || !all)
		bench_die("out of memory");

	for (long i = 0; i < users; i++)
		all[i] = (uint32_t)i;
	for (long u = 0; u < users; u += (long)batch) {
		size_t m = (size_t)(users - u) < batch ? (size_t)(users - u) : batch;
		raw_get(r, all + u, m);
	}
	free(all);
	uint64_t g = SEED + 1;
	for (int i = 0; i < WARMUP_READS; i++) {
		uint32_t u = bench_rng_below(&g, (uint32_t)users);
		raw_get(r, &u, 1);
	}
}

static void raw_peer_close(raw_peer *r)
{
	mdb_txn_abort(r->txn);
	mdb_env_close(r->env);
	free(r->buf);
	free(r->keys);
	free(r->kbytes);
}

static void raw_singles(raw_peer *r, const uint32_t *seq, size_t from, size_t n, uint64_t *lat)
{
	for (size_t i = from; i < from + n; i++) {
		uint64_t t0 = bench_now_ns();
		raw_get(r, seq + i, 1);
		lat[i] = bench_now_ns() - t0;
	}
}

static uint64_t raw_batches(raw_peer *r, const uint32_t *seq, size_t from, size_t n)
{
	uint64_t total = 0;
	for (size_t b = from; b < from + n; b++) {
		uint64_t t0 = bench_now_ns();
		raw_get(r, seq + b * r->batch, r->batch);
		total += bench_now_ns() - t0;
	}
	return total;
}

/* ---- one round: the two peers interleaved ------------------------------- */

/* The key sequence is cut into blocks of BLOCK_READS reads (of batches
 * holding about as many entities); each fcat block is followed at once by a
 * raw block, so both see the same machine. The raw peer runs half the
 * blocks behind (wrapping around): it reads the same keys, but not the ones
 * fcat has just pulled into the caches. */
static void measure_round(round_figures *out, fcat_peer *fp, raw_peer *rp, const uint32_t *seq,
                          size_t nreads, uint64_t *lat_fc, uint64_t *lat_raw)
{
	size_t nblocks = (nreads + BLOCK_READS - 1) / BLOCK_READS;
	for (size_t b = 0; b < nblocks; b++) {
		size_t from = b * BLOCK_READS;
		fcat_singles(fp, seq, from,
		             nreads - from < BLOCK_READS ? nreads - from : BLOCK_READS, lat_fc);
		if (!rp)
			continue;
		from = (b + nblocks / 2) % nblocks * BLOCK_READS;
		raw_singles(rp, seq, from,
		            nreads - from < BLOCK_READS ? nreads - from : BLOCK_READS, lat_raw);
	}

	size_t batch = fp->batch, nbatches = nreads / batch;
	size_t per_block = BLOCK_READS / batch ? BLOCK_READS / batch : 1;
	nblocks = (nbatches + per_block - 1) / per_block;
	uint64_t ns_fc = 0, ns_raw = 0;
	for (size_t b = 0; b < nblocks; b++) {
		size_t from = b * per_block;
		ns_fc += fcat_batches(fp, seq, from,
		                      nbatches - from < per_block ? nbatches - from : per_block);
		if (!rp)
			continue;
		from = (b + nblocks / 2) % nblocks * per_block;
		ns_raw += raw_batches(rp, seq, from,
		                      nbatches - from < per_block ? nbatches - from : per_block);
	}

	*out = (round_figures){0};
	summarize(&out->fc, lat_fc, nreads, ns_fc, nbatches * batch);
	if (!rp)
		return;
	summarize(&out->raw, lat_raw, nreads, ns_raw, nbatches * batch);
	out->r50 = out->fc.p50 / out->raw.p50;
	out->r99 = out->fc.p99 / out->raw.p99;
	out->r999 = out->fc.p999 / out->raw.p999;
	out->rbatch = out->raw.eps / out->fc.eps;
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	bench_init("fcat-bench-online", 1);
	const char *store = "lmdb", *redis_url = "redis://127.0.0.1:6379/0", *keep = NULL;
	const char *redis_cluster = NULL;
	long users = 100000, rows_per_user = 2, nreads = 200000, batch = 100, nrounds = 3;
	const bench_opt opts[] = {{"--store", NULL, 0, &store, NULL},
	                          {"--redis-url", NULL, 0, &redis_url, NULL},
	                          {"--redis-cluster", NULL, 0, &redis_cluster, NULL},
	                          {"--users", &users, 100000000, NULL, NULL},
	                          {"--rows-per-user", &rows_per_user, 1000, NULL, NULL},
	                          {"--reads", &nreads, 100000000, NULL, NULL},
	                          {"--batch", &batch, 100000, NULL, NULL},
	                          {"--rounds", &nrounds, 1000, NULL, NULL},
	                          {"--keep", NULL, 0, &keep, NULL},
	                          {NULL, NULL, 0, NULL, NULL}};
	bench_parse_options(
	    argc, argv, opts,
	    "[--store lmdb|redis] [--redis-url URL] [--redis-cluster HOST:PORT,...] [--users N] "
	    "[--rows-per-user N] "
	    "[--reads N] [--batch N] [--rounds N] [--keep DIR]");
	if (strcmp(store, "lmdb") && strcmp(store, "redis"))
		bench_die("--store is lmdb or redis, not '%s'", store);
	if (strchr(redis_url, '\n'))
		bench_die("--redis-url holds a line break");
	if (redis_cluster && strpbrk(redis_cluster, "\n\"\\"))
		bench_die("--redis-cluster holds a line break, a quote or a backslash");
	if (redis_cluster && strcmp(store, "redis"))
		bench_die("--redis-cluster goes with --store redis");
	if (redis_cluster)
		redis_url = redis_cluster;
	if (nreads < batch)
		bench_die("--reads must be at least --batch");

	char root[4096];
	bench_make_root(root, sizeof root, keep, "fcat-bench-online");
	if (!keep)
		bench_remove_on_die(root);
	int width = 1;
	for (long v = users; v >= 10; v /= 10)
		width++;

	uint64_t t0 = bench_now_ns();
	write_repo(root, store, redis_url, redis_cluster, users, rows_per_user, width);
	printf("libfcat %s, store %s%s%s, %ld users x %ld rows, %d features, %ld reads x %ld "
	       "rounds%s%s\n",
	       fcat_version(), store, strcmp(store, "redis") ? "" : " at ",
	       strcmp(store, "redis") ? "" : redis_url, users, rows_per_user, NFEATURES, nreads,
	       nrounds, keep ? ", kept in " : "", keep ? keep : "");
	printf("generate CSV: %.2f s\n", (double)(bench_now_ns() - t0) / 1e9);
	materialize(root, (uint64_t)(users * rows_per_user));

	/* the keys of every user, and one random sequence for both readers */
	char *ids = malloc((size_t)users * (size_t)(width + 2));
	fcat_value *keys = malloc((size_t)users * sizeof *keys);
	uint32_t *seq = malloc((size_t)nreads * sizeof *seq);
	uint64_t *lat_fc = malloc((size_t)nreads * sizeof *lat_fc);
	uint64_t *lat_raw = malloc((size_t)nreads * sizeof *lat_raw);
	round_figures *rounds = malloc((size_t)nrounds * sizeof *rounds);
	double *scratch = malloc((size_t)nrounds * sizeof *scratch);
	if (!ids || !keys || !seq || !lat_fc || !lat_raw || !rounds || !scratch)
		bench_die("out of memory");
	for (long u = 0; u < users; u++) {
		char *id = ids + u * (width + 2);
		int len = snprintf(id, (size_t)width + 2, "u%0*ld", width, u + 1);
		keys[u] = (fcat_value){.type = {FCAT_STRING, false, 0}, .u.str = {id, (size_t)len}};
	}
	uint64_t g = SEED;
	for (long i = 0; i < nreads; i++)
		seq[i] = bench_rng_below(&g, (uint32_t)users);
	/* judged an hour after the last event: every value PRESENT */
	int64_t now = (T0_SECONDS + rows_per_user * 3600 + 3600) * 1000000;

	fcat_peer fp;
	fcat_peer_open(&fp, root, keys, users, (size_t)batch, now);
	/* fcat's own footprint: its latencies touched, as the reads will */
	memset(lat_fc, 0, (size_t)nreads * sizeof *lat_fc);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_kb = ru.ru_maxrss;
	bool lmdb = !strcmp(store, "lmdb");
	raw_peer rp;
	if (lmdb)
		raw_peer_open(&rp, root, users, width, (size_t)batch);

	for (long r = 0; r < nrounds; r++) {
		measure_round(&rounds[r], &fp, lmdb ? &rp : NULL, seq, (size_t)nreads, lat_fc,
		              lat_raw);
		printf("--- round %ld of %ld\n", r + 1, nrounds);
		print_figures(&rounds[r], lmdb, (size_t)batch);
		fflush(stdout);
	}
	round_figures med;
	median_rounds(&med, rounds, (size_t)nrounds, scratch);
	printf("--- median of %ld rounds (each figure and ratio on its own)\n", nrounds);
	print_figures(&med, lmdb, (size_t)batch);
	printf("peak RSS of the reading process (fcat warmed up%s): %.1f MiB\n",
	       lmdb ? ", before the peer opened" : "", (double)rss_kb / 1024);
	printf("RESULT store=%s p50_us=%.2f p99_us=%.2f p999_us=%.2f batch_eps=%.0f "
	       "rss_kb=%ld",
	       store, med.fc.p50, med.fc.p99, med.fc.p999, med.fc.eps, rss_kb);
	if (lmdb)
		printf(" peer_p50_us=%.2f peer_p99_us=%.2f peer_p999_us=%.2f peer_batch_eps=%.0f "
		       "ratio_p50=%.3f ratio_p99=%.3f ratio_p999=%.3f ratio_batch=%.3f",
		       med.raw.p50, med.raw.p99, med.raw.p999, med.raw.eps, med.r50, med.r99,
		       med.r999, med.rbatch);
	printf(" rounds=%ld\n", nrounds);

	if (lmdb)
		raw_peer_close(&rp);
	fcat_peer_close(&fp);
	free(ids);
	free(keys);
	free(seq);
	free(lat_fc);
	free(lat_raw);
	free(rounds);
	free(scratch);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
