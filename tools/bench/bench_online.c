/* bench_online.c - measures online reads (single-entity latency, batched
 * throughput) on a generated feature repo materialized into LMDB or redis,
 * beside raw mdb_get of the same keys in the same run (LMDB).
 *
 * fcat-bench-online [--store lmdb|redis] [--redis-url URL] [--users 100000]
 *                   [--rows-per-user 2] [--reads 200000] [--batch 100]
 *                   [--keep DIR]
 *
 * The repo has one entity (user, user_id string), one CSV source written
 * here (deterministic) and one view of 10 features of mixed types. It is
 * materialized by a child process (its time and peak RSS are reported on
 * their own), then this process reads it: single-entity reads of all 10
 * features of random users (fixed seed) through fcat_online_read with a
 * prepared feature set and a reused result, each timed with clock_gettime,
 * and batches of --batch entities. For LMDB the store is then closed and the
 * same key sequence is read with raw mdb_get (a read-only transaction
 * renewed and reset around each read, and the value copied out, as the
 * plugin does). The last line is machine-readable:
 *   RESULT store=... p50_us=... p99_us=... p999_us=... batch_eps=... ...
 * Exits 1 when anything fails or a read does not give every feature
 * PRESENT.
 */
#include "bench_util.h"
#include "fcat.h"

#include <lmdb.h>

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

#define VIEW         "user_stats"
#define NFEATURES    10
#define EMBED_DIM    16
#define SEED         0x5eed0f0ca7ULL
#define WARMUP_READS 20000
/* Events start here (2026-01-01T00:00:00Z) and are an hour apart per row. */
#define T0_SECONDS 1767225600LL

static void usage(void)
{
	bench_usage("[--store lmdb|redis] [--redis-url URL] [--users N] [--rows-per-user N] "
	            "[--reads N] [--batch N] [--keep DIR]");
}

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

static void write_repo(const char *root, const char *store, const char *redis_url, long users,
                       long rows_per_user, int width)
{
	bench_make_dir(root, "catalog");
	bench_make_dir(root, "data");
	FILE *f = bench_create(root, "fcat.yaml");
	fprintf(f, "# fcat.yaml - the online benchmark's generated feature repo.\n"
	           "project: bench_online\n"
	           "online_store:\n");
	if (!strcmp(store, "redis"))
		fprintf(f, "  plugin: redis\n  url: %s\n", redis_url);
	else
		fprintf(f, "  plugin: lmdb\n  path: data/online.lmdb\n");
	bench_finish(f, "fcat.yaml");
	f = bench_create(root, "catalog/bench.lua");
	fputs(catalog_lua, f);
	bench_finish(f, "catalog/bench.lua");
	write_events(root, users, rows_per_user, width);
}

/* ---- fcat --------------------------------------------------------------- */

static void fcat_check(int rc, const char *what)
{
	if (rc)
		bench_die("%s: %s (%s)", what, fcat_error_last(), fcat_strerror(rc));
}

static fcat_store *open_store(const char *root)
{
	fcat_open_options o = FCAT_OPEN_OPTIONS_INIT;
	o.catalog = FCAT_CATALOG_WORKTREE; /* the repo is not a git repository */
	fcat_store *s;
	fcat_check(fcat_store_open_ext(&s, root, &o), "fcat_store_open_ext");
	return s;
}

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
		fcat_store *s = open_store(root);
		fcat_materialize_stats st;
		/* every row: [1970, 2100) */
		fcat_check(fcat_materialize(&st, s, 0, 4102444800LL * 1000000, NULL, 0, NULL, NULL),
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
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid)
		bench_die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_die("the materializing child failed");
	printf("materialize process: %.2f s, peak RSS %.1f MiB\n",
	       (double)(bench_now_ns() - t0) / 1e9, (double)ru.ru_maxrss / 1024);
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

typedef struct figures {
	double p50, p99, p999, max, eps;
} figures;

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

static void fcat_reads(figures *out, const char *root, const fcat_value *keys, long users,
                       const uint32_t *seq, size_t nreads, size_t batch, int64_t now, uint64_t *lat)
{
	fcat_store *s = open_store(root);
	fcat_feature_set *set;
	fcat_online_result *res;
	const char *refs[] = {VIEW};
	fcat_check(fcat_feature_set_new(&set, s, refs, 1), "fcat_feature_set_new");
	if (fcat_feature_set_count(set) != NFEATURES)
		bench_die("the feature set has %zu features, expected %d",
		          fcat_feature_set_count(set), NFEATURES);
	fcat_check(fcat_online_result_new(&res), "fcat_online_result_new");
	fcat_read_options ro = FCAT_READ_OPTIONS_INIT;
	ro.now = now;

	/* warm-up: every user once, in batches, then random single reads */
	for (long u = 0; u < users; u += (long)batch) {
		size_t n = (size_t)(users - u) < batch ? (size_t)(users - u) : batch;
		fcat_check(fcat_online_read(res, s, set, keys + u, n, &ro), "warm-up read");
		check_result(res, n, "warm-up read");
	}
	uint64_t g = SEED + 1;
	for (int i = 0; i < WARMUP_READS; i++)
		fcat_check(fcat_online_read(res, s, set,
		                            keys + bench_rng_below(&g, (uint32_t)users), 1, &ro),
		           "warm-up read");

	for (size_t i = 0; i < nreads; i++) {
		const fcat_value *k = keys + seq[i];
		uint64_t t0 = bench_now_ns();
		int rc = fcat_online_read(res, s, set, k, 1, &ro);
		uint64_t t1 = bench_now_ns();
		fcat_check(rc, "fcat_online_read");
		lat[i] = t1 - t0;
		const fcat_feature_value *v = fcat_online_result_at(res, 0, 0);
		if (!v || v->status != FCAT_STATUS_PRESENT)
			bench_die("read %zu: user %u: not PRESENT", i, seq[i] + 1);
	}

	/* batches: the same random sequence, `batch` entities per call */
	fcat_value *bkeys = malloc(batch * sizeof *bkeys);
	if (!bkeys)
		bench_die("out of memory");
	size_t nbatches = nreads / batch;
	uint64_t total = 0;
	for (size_t b = 0; b < nbatches; b++) {
		for (size_t j = 0; j < batch; j++)
			bkeys[j] = keys[seq[b * batch + j]];
		uint64_t t0 = bench_now_ns();
		int rc = fcat_online_read(res, s, set, bkeys, batch, &ro);
		total += bench_now_ns() - t0;
		fcat_check(rc, "fcat_online_read (batch)");
		if (b % 64 == 0)
			check_result(res, batch, "batched read");
	}
	free(bkeys);
	summarize(out, lat, nreads, total, nbatches * batch);
	fcat_online_result_free(res);
	fcat_feature_set_free(set);
	fcat_store_free(s);
}

/* ---- the peer: raw LMDB ------------------------------------------------- */

static void mdb_check(int rc, const char *what)
{
	if (rc)
		bench_die("lmdb: %s: %s", what, mdb_strerror(rc));
}

typedef struct raw_reader {
	MDB_txn *txn;
	MDB_dbi dbi;
	char *buf;
	size_t cap;
} raw_reader;

/* One read as the plugin does it: renew, get, copy out, reset. */
static inline void raw_get(raw_reader *r, const MDB_val *keys, const uint32_t *idx, size_t n)
{
	mdb_check(mdb_txn_renew(r->txn), "mdb_txn_renew");
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		MDB_val k = keys[idx[i]], v;
		mdb_check(mdb_get(r->txn, r->dbi, &k, &v), "mdb_get");
		if (used + v.mv_size > r->cap)
			bench_die("a row of %zu bytes does not fit the buffer", v.mv_size);
		memcpy(r->buf + used, v.mv_data, v.mv_size);
		used += v.mv_size;
	}
	mdb_txn_reset(r->txn);
}

static void raw_reads(figures *out, const char *root, long users, int width, const uint32_t *seq,
                      size_t nreads, size_t batch, uint64_t *lat)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/data/online.lmdb", root);
	MDB_env *env;
	mdb_check(mdb_env_create(&env), "mdb_env_create");
	mdb_check(mdb_env_set_maxdbs(env, 16), "mdb_env_set_maxdbs");
	mdb_check(mdb_env_set_mapsize(env, (size_t)1 << 30), "mdb_env_set_mapsize");
	mdb_check(mdb_env_open(env, path, MDB_RDONLY | MDB_NOTLS | MDB_NORDAHEAD, 0644),
	          "mdb_env_open");
	/* The handle outlives the transaction that opens it once that one
	 * commits (as the plugin does it); the reader's own is reset and
	 * renewed around each read. */
	raw_reader r = {0};
	MDB_txn *open_txn;
	mdb_check(mdb_txn_begin(env, NULL, MDB_RDONLY, &open_txn), "mdb_txn_begin");
	mdb_check(mdb_dbi_open(open_txn, VIEW, 0, &r.dbi), "mdb_dbi_open " VIEW);
	mdb_check(mdb_txn_commit(open_txn), "mdb_txn_commit");
	mdb_check(mdb_txn_begin(env, NULL, MDB_RDONLY, &r.txn), "mdb_txn_begin");

	/* The keys as stored, in key order: users in id order (same width).
	 * Each must end with the user's id. */
	MDB_val *keys = malloc((size_t)users * sizeof *keys);
	char *kbytes = NULL;
	size_t kused = 0, kcap = (size_t)users * 32;
	kbytes = malloc(kcap);
	if (!keys || !kbytes)
		bench_die("out of memory");
	MDB_cursor *cur;
	MDB_val k, v;
	mdb_check(mdb_cursor_open(r.txn, r.dbi, &cur), "mdb_cursor_open");
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
		memcpy(kbytes + kused, k.mv_data, k.mv_size);
		keys[n].mv_size = k.mv_size;
		keys[n].mv_data = (void *)(uintptr_t)kused; /* fixed up below */
		kused += k.mv_size;
		max_row = v.mv_size > max_row ? v.mv_size : max_row;
		n++;
	}
	mdb_cursor_close(cur);
	if (n != users)
		bench_die("the view's database holds %ld keys, expected %ld", n, users);
	for (long i = 0; i < n; i++)
		keys[i].mv_data = kbytes + (uintptr_t)keys[i].mv_data;
	mdb_txn_reset(r.txn);
	r.cap = max_row * batch;
	r.buf = malloc(r.cap);
	if (!r.buf)
		bench_die("out of memory");

	uint32_t *all = malloc((size_t)users * sizeof *all);
	if (!all)
		bench_die("out of memory");
	for (long i = 0; i < users; i++)
		all[i] = (uint32_t)i;
	for (long u = 0; u < users; u += (long)batch) {
		size_t m = (size_t)(users - u) < batch ? (size_t)(users - u) : batch;
		raw_get(&r, keys, all + u, m);
	}
	free(all);
	uint64_t g = SEED + 1;
	for (int i = 0; i < WARMUP_READS; i++) {
		uint32_t u = bench_rng_below(&g, (uint32_t)users);
		raw_get(&r, keys, &u, 1);
	}

	for (size_t i = 0; i < nreads; i++) {
		uint64_t t0 = bench_now_ns();
		raw_get(&r, keys, seq + i, 1);
		lat[i] = bench_now_ns() - t0;
	}
	size_t nbatches = nreads / batch;
	uint64_t total = 0;
	for (size_t b = 0; b < nbatches; b++) {
		uint64_t t0 = bench_now_ns();
		raw_get(&r, keys, seq + b * batch, batch);
		total += bench_now_ns() - t0;
	}
	summarize(out, lat, nreads, total, nbatches * batch);

	mdb_txn_abort(r.txn);
	mdb_env_close(env);
	free(r.buf);
	free(keys);
	free(kbytes);
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	bench_init("fcat-bench-online", 1);
	const char *store = "lmdb", *redis_url = "redis://127.0.0.1:6379/0", *keep = NULL;
	long users = 100000, rows_per_user = 2, nreads = 200000, batch = 100;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--store"))
			store = argv[++i];
		else if (!strcmp(argv[i], "--redis-url"))
			redis_url = argv[++i];
		else if (!strcmp(argv[i], "--users"))
			users = bench_parse_count(argv[++i], "--users", 100000000);
		else if (!strcmp(argv[i], "--rows-per-user"))
			rows_per_user = bench_parse_count(argv[++i], "--rows-per-user", 1000);
		else if (!strcmp(argv[i], "--reads"))
			nreads = bench_parse_count(argv[++i], "--reads", 100000000);
		else if (!strcmp(argv[i], "--batch"))
			batch = bench_parse_count(argv[++i], "--batch", 100000);
		else if (!strcmp(argv[i], "--keep"))
			keep = argv[++i];
		else
			usage();
	}
	if (strcmp(store, "lmdb") && strcmp(store, "redis"))
		bench_die("--store is lmdb or redis, not '%s'", store);
	if (strchr(redis_url, '\n'))
		bench_die("--redis-url holds a line break");
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
	write_repo(root, store, redis_url, users, rows_per_user, width);
	printf("libfcat %s, store %s%s%s, %ld users x %ld rows, %d features, %ld reads%s%s\n",
	       fcat_version(), store, strcmp(store, "redis") ? "" : " at ",
	       strcmp(store, "redis") ? "" : redis_url, users, rows_per_user, NFEATURES, nreads,
	       keep ? ", kept in " : "", keep ? keep : "");
	printf("generate CSV: %.2f s\n", (double)(bench_now_ns() - t0) / 1e9);
	materialize(root, (uint64_t)(users * rows_per_user));

	/* the keys of every user, and one random sequence for every reader */
	char *ids = malloc((size_t)users * (size_t)(width + 2));
	fcat_value *keys = malloc((size_t)users * sizeof *keys);
	uint32_t *seq = malloc((size_t)nreads * sizeof *seq);
	uint64_t *lat = malloc((size_t)nreads * sizeof *lat);
	if (!ids || !keys || !seq || !lat)
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

	figures fc, raw = {0};
	fcat_reads(&fc, root, keys, users, seq, (size_t)nreads, (size_t)batch, now, lat);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_kb = ru.ru_maxrss;
	bool lmdb = !strcmp(store, "lmdb");
	if (lmdb)
		raw_reads(&raw, root, users, width, seq, (size_t)nreads, (size_t)batch, lat);

	printf("%-40s p50 %6.2f us  p99 %6.2f  p999 %6.2f  max %8.1f\n",
	       "fcat_online_read, 1 entity x 10:", fc.p50, fc.p99, fc.p999, fc.max);
	if (lmdb)
		printf("%-40s p50 %6.2f us  p99 %6.2f  p999 %6.2f  max %8.1f\n",
		       "peer: raw mdb_get (renew/get/reset):", raw.p50, raw.p99, raw.p999, raw.max);
	printf("%-40s %.0f entities/s\n", "fcat batched, 100 per call:", fc.eps);
	if (lmdb) {
		printf("%-40s %.0f entities/s\n", "peer: raw mdb_get, 100 per txn:", raw.eps);
		printf("ratio fcat/raw: p50 %.2fx, p99 %.2fx, batched time %.2fx\n",
		       fc.p50 / raw.p50, fc.p99 / raw.p99, raw.eps / fc.eps);
	}
	printf("peak RSS of the reading process (before the peer): %.1f MiB\n",
	       (double)rss_kb / 1024);
	printf("RESULT store=%s p50_us=%.2f p99_us=%.2f p999_us=%.2f batch_eps=%.0f "
	       "rss_kb=%ld",
	       store, fc.p50, fc.p99, fc.p999, fc.eps, rss_kb);
	if (lmdb)
		printf(" peer_p50_us=%.2f peer_p99_us=%.2f peer_p999_us=%.2f peer_batch_eps=%.0f",
		       raw.p50, raw.p99, raw.p999, raw.eps);
	printf("\n");

	free(ids);
	free(keys);
	free(seq);
	free(lat);
	if (!keep && bench_rm_tree(root) != 0)
		bench_die("cannot remove %s", root);
	return 0;
}
